"""Monthly dispatch (按月跟踪调度): the report versions, the notice outbox and the thresholds."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DispatchSettings(models.Model):
    """The staleness thresholds, one row editable in the admin (the schedules are in beat's).

    A project with no progress entry for `yellow_months` whole months gets a yellow flag, for
    `red_months` a red flag, and a red-card project for `drop_months` is proposed for dropping.
    """

    yellow_months = models.PositiveSmallIntegerField(
        _("黄色预警（月）"), default=2, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    red_months = models.PositiveSmallIntegerField(
        _("红色预警（月）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    drop_months = models.PositiveSmallIntegerField(
        _("建议终止（月）"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("仅适用于红色阶段的项目"),
    )

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="dispatch_settings_singleton"),
        ]

    def __str__(self):
        return str(_("预警阈值"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        if not self.yellow_months < self.red_months < self.drop_months:
            raise ValidationError(_("阈值须满足：黄色预警 < 红色预警 < 建议终止。"))

    @classmethod
    def load(cls) -> "DispatchSettings":
        """The saved thresholds, or the defaults (unsaved) until an admin edits them."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ReportSettings(models.Model):
    """The report's letterhead and distribution (公文版头与版记), one row edited in the admin.

    Read when a file is drawn, so a corrected 主送 or 抄送 shows in every download; the figures
    stay those frozen in the snapshot.
    """

    issuer = models.CharField(
        _("发文机关"),
        max_length=60,
        default="金昌市投资促进局",
        help_text=_("版头、落款和印发机关使用同一名称"),
    )
    document_name = models.CharField(_("文种名称"), max_length=30, default="招商引资项目月调度通报")
    main_recipients = models.CharField(
        _("主送"),
        max_length=300,
        default="各县区人民政府，市直有关部门，金昌经济技术开发区管委会",
        help_text=_("多个单位以逗号分隔"),
    )
    copy_to = models.CharField(
        _("抄送"),
        max_length=300,
        blank=True,
        default="市委办公室，市人大常委会办公室，市政府办公室，市政协办公室",
    )
    printing_body = models.CharField(
        _("印发机关"), max_length=60, blank=True, help_text=_("留空时与发文机关相同")
    )

    class Meta:
        verbose_name = _("报告版头与版记")
        verbose_name_plural = _("报告版头与版记")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="report_settings_singleton"),
        ]

    def __str__(self):
        return str(_("报告版头与版记"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ReportSettings":
        """The saved settings, or the defaults (unsaved) until an admin edits them."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def printer(self) -> str:
        return self.printing_body or self.issuer


def working_day_after(month: datetime.date) -> datetime.date:
    """The first Monday-to-Friday day after month `month` ends (holidays: the admin's 成文日期)."""
    day = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


class Report(models.Model):
    """One version of the monthly dispatch report (月调度报告) of a month.

    The figures are frozen in `snapshot` when the build completes, so later edits to the data
    never change a generated report; generating the month again makes a new version.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待执行")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("定时生成")
        MANUAL = "manual", _("手动生成")
        COMMAND = "command", _("命令生成")

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    trigger = models.CharField(
        _("生成方式"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL
    )
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    # Each claim of the build increments it; the final write names the claim it belongs to, so
    # a build that lost its claim (a stalled worker) can never overwrite a newer one.
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    snapshot = models.JSONField(_("报告数据"), null=True, blank=True, editable=False)
    # 成文日期 of the document; empty means the working day after the month ends.
    dated_on = models.DateField(
        _("成文日期"), null=True, blank=True, help_text=_("留空时为次月第一个工作日")
    )
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月调度报告")
        verbose_name_plural = _("月调度报告")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="report_month_version"),
            # Beat may fire twice (two beat processes, a replayed message): one scheduled
            # version per month whatever happens.
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(trigger="scheduled"),
                name="report_one_scheduled_per_month",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_status_created_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} v{self.version}"

    @property
    def document_date(self) -> datetime.date:
        return self.dated_on or working_day_after(self.month)

    @property
    def issue_number(self) -> int:
        """期号, numbered per year: the month's report is that year's issue of the same number,
        and a corrected version keeps the issue it corrects."""
        return self.month.month

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_in_flight(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class Notice(models.Model):
    """A message to send (outbox): written in the transaction of what caused it, sent by a task.

    With the broker down the row simply stays pending; the retry task sends it when the broker
    is back, and after MAX_ATTEMPTS failures it is marked failed for the admin to see.
    """

    MAX_ATTEMPTS = 5

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("月度进展填报提醒")
        WARNING = "warning", _("项目预警")
        REPORT = "report", _("月调度报告")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    recipient_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("接收单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.URLField(_("链接"), max_length=500, blank=True)
    # Guards a batch run twice (beat firing twice, a task retried): one notice per key.
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    # A sender claims a notice until this time, so two workers never send it twice.
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_user__isnull=False) | Q(recipient_unit__isnull=False),
                name="notice_has_recipient",
            ),
        ]
        indexes = [
            # The sender scans pending notices oldest first.
            models.Index(fields=["status", "created_at"], name="notice_status_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_user or self.recipient_unit}"

    @property
    def recipient(self):
        return self.recipient_user or self.recipient_unit
