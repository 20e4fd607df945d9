from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.models import Provenance
from org.roles import LEADER
from projects.stages import Stage, kind_of
from projects.validators import MAX_AMOUNT, validate_credit_code, validate_plausible_date

# A key project (重点招商引资项目) has total investment above 5000万元. Derived, never typed.
KEY_PROJECT_THRESHOLD = Decimal("5000")


def is_key_amount(total) -> bool:
    """Whether a total investment (万元) makes a key project: above 5000万元."""
    return total is not None and total > KEY_PROJECT_THRESHOLD


def key_q(total_field: str = "total_investment") -> Q:
    """A key project (重点项目): total investment above 5000万元. `total_field` names another
    column holding the total (e.g. the total as of a past month)."""
    return Q(**{f"{total_field}__gt": KEY_PROJECT_THRESHOLD})


def committed(prefix: str = "", total_field: str = "total_investment"):
    """A project's committed investment: contracted (签约投资), else its total investment.
    `prefix` reaches the project through a relation ("projects__")."""
    return Coalesce(f"{prefix}contracted_investment", f"{prefix}{total_field}")


def overdue_q(today, prefix: str = "") -> Q:
    """A problem still open past its deadline (`prefix` reaches it through a relation)."""
    return Q(**{f"{prefix}status": "open", f"{prefix}deadline__lt": today})


def instruction_overdue_q(today) -> Q:
    """A 批示 not yet done (办结) past its deadline."""
    return ~Q(status="done") & Q(deadline__lt=today)


def money_field(verbose_name, **kwargs):
    """An amount in 万元."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


class Enterprise(Provenance):
    """An investor (客商)."""

    name = models.CharField(_("企业名称"), max_length=120, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    origin = models.CharField(
        _("来源地"), max_length=60, blank=True, help_text=_("省份或国家，如 湖南、上海、德国")
    )
    is_chain_owner = models.BooleanField(_("链主企业"), default=False)
    is_head = models.BooleanField(_("头部企业"), default=False)
    description = models.TextField(_("简介"), blank=True)
    # Optimistic lock, as on Project: investors are shared by every unit's officers.
    version = models.PositiveIntegerField(_("版本"), default=1)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("客商企业")
        verbose_name_plural = _("客商企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="enterprise_credit_code_unique",
            )
        ]

    def __str__(self):
        return self.name


class EnterpriseContact(models.Model):
    """A person at an investor. Personal data: shown to staff only."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("企业")
    )
    name = models.CharField(_("联系人"), max_length=40)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("企业联系人")
        verbose_name_plural = _("企业联系人")

    def __str__(self):
        return f"{self.name}（{self.enterprise}）"


class Event(Provenance):
    """An investment-promotion event (招商活动): 兰洽会, a signing conference."""

    name = models.CharField(_("活动名称"), max_length=120)
    held_on = models.DateField(
        _("举办日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    venue = models.CharField(_("举办地"), max_length=60, blank=True)
    # The totals the city reported for the event, beside which the event page shows the sums
    # of the projects recorded here.
    reported_project_count = models.PositiveIntegerField(_("公布签约项目数"), null=True, blank=True)
    reported_amount = money_field(_("公布签约金额（万元）"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("招商活动")
        verbose_name_plural = _("招商活动")
        ordering = ["-held_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "held_on"], name="event_name_date_unique")
        ]

    def __str__(self):
        return self.name


class LeadSource(models.TextChoices):
    BUSINESS = "business", _("以商招商")
    CHAIN = "chain", _("以链招商")
    EVENT = "event", _("招商活动")
    RESIDENT = "resident", _("驻点招商")
    FUND = "fund", _("基金招商")
    ONLINE = "online", _("网络招商")
    OTHER = "other", _("其他")


class ProjectQuerySet(models.QuerySet):
    def key(self):
        return self.filter(key_q())

    def live(self):
        """Projects still being worked on (not dropped)."""
        return self.exclude(stage=Stage.DROPPED)


class Staleness(models.TextChoices):
    """How long a project has gone without a progress entry; computed daily by dispatch."""

    FRESH = "", _("正常")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")
    PROPOSE_DROP = "drop", _("建议终止")


class Project(Provenance):
    code = models.CharField(
        _("项目编号"), max_length=30, unique=True, help_text=_("留空则自动编号，如 JC-2026-0042")
    )
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.ForeignKey(
        Enterprise, verbose_name=_("投资方"), on_delete=models.PROTECT, related_name="projects"
    )
    co_investors = models.ManyToManyField(
        Enterprise, verbose_name=_("其他投资方"), blank=True, related_name="co_projects"
    )
    total_investment = money_field(
        _("总投资（万元）"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    contracted_investment = money_field(
        _("签约投资（万元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    chain = models.ForeignKey(
        "chains.IndustryChain",
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    chain_link = models.ForeignKey(
        "chains.ChainLink",
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    place = models.ForeignKey(
        "org.Place", verbose_name=_("建设地点"), on_delete=models.PROTECT, related_name="projects"
    )
    construction_content = models.TextField(_("建设内容"), blank=True)
    lead_source = models.CharField(
        _("线索来源"), max_length=12, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("签约活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    intent_note = models.TextField(
        _("合作意向"), blank=True, help_text=_("洽谈中企业表达的合作意向；升为橙色时必填")
    )

    first_contact_on = models.DateField(
        _("首次接洽日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    signed_on = models.DateField(
        _("签约日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    started_on = models.DateField(
        _("实际开工日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    expected_completion_on = models.DateField(
        _("预计竣工日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    operating_on = models.DateField(
        _("投产日期"), null=True, blank=True, validators=[validate_plausible_date]
    )

    stage = models.CharField(_("色卡阶段"), max_length=10, choices=Stage.choices, default=Stage.RED)
    stage_changed_at = models.DateTimeField(_("阶段变更时间"), default=timezone.now)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects"
    )
    # "四个一": one leader, one unit with a task force, and a 项目管家 where the unit uses one.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包抓市级领导"),
        null=True,
        blank=True,
        # A leader with projects is handed over (or deactivated), not deleted: the month
        # totals and the closed months' counts are kept per leader by the project service.
        on_delete=models.PROTECT,
        related_name="led_projects",
        limit_choices_to={"groups__name": LEADER},
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专班成员"),
        blank=True,
        related_name="team_projects",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目管家"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    staleness = models.CharField(
        _("进度预警"), max_length=6, choices=Staleness.choices, blank=True, default=Staleness.FRESH
    )

    # Optimistic lock: every save through the services bumps it; a save carrying an older
    # value is a conflict and changes nothing.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["version", "updated_at", "staleness"])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-total_investment", "id"]
        indexes = [
            models.Index(fields=["stage", "total_investment"], name="project_stage_inv_idx"),
            models.Index(fields=["unit", "stage"], name="project_unit_stage_idx"),
            models.Index(fields=["chain", "stage"], name="project_chain_stage_idx"),
            models.Index(fields=["place", "stage"], name="project_place_stage_idx"),
            models.Index(fields=["leader", "stage"], name="project_leader_stage_idx"),
            models.Index(fields=["signed_on"], name="project_signed_idx"),
            models.Index(fields=["started_on"], name="project_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_investment__gt=0), name="project_total_investment_positive"
            ),
            models.CheckConstraint(
                condition=Q(contracted_investment__isnull=True) | Q(contracted_investment__gte=0),
                name="project_contracted_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(started_on__gte=F("signed_on")),
                name="project_started_after_signed",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(operating_on__isnull=True)
                | Q(operating_on__gte=F("started_on")),
                name="project_operating_after_started",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_key(self) -> bool:
        return is_key_amount(self.total_investment)


class ProjectCodeCounter(models.Model):
    """The last number given to an automatic project code (JC-2026-0042) in a year.

    One row per year, locked while a code is taken, so concurrent creations queue for
    consecutive numbers instead of racing for the same one.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    last = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("项目编号计数")
        verbose_name_plural = _("项目编号计数")

    def __str__(self):
        return f"{self.year}: {self.last}"


def chain_models():
    """(IndustryChain, ChainLink), reached through the project's own foreign keys: the chains
    app sits above projects and dashboard (it draws their figures on its maps), so they name
    its models without importing it."""
    return (
        Project._meta.get_field("chain").related_model,
        Project._meta.get_field("chain_link").related_model,
    )


class StageChange(models.Model):
    """One move of the color card. Written with the move, in its transaction; never edited."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("项目")
    )
    from_stage = models.CharField(_("原阶段"), max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=10, choices=Stage.choices)
    # When the move was recorded; the figures as of a month end read this.
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)
    # The date the move states the stage began on (signing, start, operation), when it states
    # one; it may be days before the move was recorded.
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("色卡变更记录")
        verbose_name_plural = _("色卡变更记录")
        ordering = ["changed_at", "id"]
        indexes = [
            # "Changed this month" and the report's upgrades/downgrades scan by time.
            models.Index(fields=["changed_at"], name="stagechange_at_idx"),
            models.Index(fields=["project", "changed_at"], name="stagechange_project_at_idx"),
        ]

    def __str__(self):
        before = self.get_from_stage_display() or "—"
        return f"{self.project}: {before} → {self.get_to_stage_display()}"

    def save(self, *args, **kwargs):
        # History is written once; a correction is a new move with its own reason.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("StageChange rows are never edited.")
        super().save(*args, **kwargs)

    @property
    def kind(self):
        return kind_of(self.from_stage, self.to_stage)


class MonthlyProgress(models.Model):
    """One progress entry per project per month (按月跟踪调度)."""

    # No index of its own: the unique (project, month) index serves every look-up by project,
    # and a month range inside it (a second index on the busiest table only slowed filings).
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("项目"),
        db_index=False,
    )
    month = models.DateField(
        _("月份"), help_text=_("该月第一天"), validators=[validate_plausible_date]
    )
    investment_completed = money_field(
        _("本月完成投资（万元）"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    funds_in_place = money_field(
        _("本月到位资金（万元）"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    narrative = models.TextField(_("本月进展"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("填报时间"), default=timezone.now)
    is_illustrative = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="progress_one_per_month"),
            models.CheckConstraint(
                condition=Q(investment_completed__gte=0) & Q(funds_in_place__gte=0),
                name="progress_amounts_non_negative",
            ),
        ]
        indexes = [
            # Year-to-date sums read only this index (month range, then the two amounts).
            models.Index(
                fields=["month", "project", "funds_in_place", "investment_completed"],
                name="progress_month_covering_idx",
            )
        ]

    def __str__(self):
        return f"{self.project} {self.month:%Y-%m}"


class ProblemCategory(models.TextChoices):
    LAND = "land", _("用地")
    EIA = "eia", _("环评")
    ENERGY = "energy", _("能耗")
    FUNDING = "funding", _("资金")
    PERMITS = "permits", _("手续审批")
    UTILITIES = "utilities", _("水电气")
    OTHER = "other", _("其他")


class ProblemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Problem.Status.OPEN)

    def overdue(self, today=None):
        return self.filter(overdue_q(today or timezone.localdate()))


class Problem(models.Model):
    """A blocker (难点堵点), assigned to a unit with a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        RESOLVED = "resolved", _("已解决")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="problems", verbose_name=_("项目")
    )
    category = models.CharField(_("类别"), max_length=10, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="problems"
    )
    deadline = models.DateField(_("办结时限"), validators=[validate_plausible_date])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_on = models.DateField(
        _("解决日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    is_illustrative = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("难点堵点")
        verbose_name_plural = _("难点堵点")
        ordering = ["status", "deadline"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="problem_status_deadline_idx"),
            models.Index(fields=["unit", "status"], name="problem_unit_status_idx"),
            # with_flags asks, for every listed project, whether it has an overdue open problem.
            models.Index(fields=["project", "status", "deadline"], name="problem_project_open_idx"),
        ]

    def __str__(self):
        return f"{self.project}：{self.get_category_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.deadline < timezone.localdate()


class InstructionQuerySet(models.QuerySet):
    def pending(self):
        """Not yet 办结: open or answered."""
        return self.exclude(status=Instruction.Status.DONE)

    def overdue(self, today=None):
        return self.filter(instruction_overdue_q(today or timezone.localdate()))


class Instruction(models.Model):
    """A leader's instruction (批示) on a project or one of its problems, and its 督办 loop: it
    names a responsible unit and a deadline; the unit replies (办理情况) and marks it done."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        ANSWERED = "answered", _("已回复")
        DONE = "done", _("已办结")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="instructions", verbose_name=_("项目")
    )
    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("难点堵点"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批示领导"),
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    text = models.TextField(_("批示内容"))
    given_at = models.DateTimeField(_("批示时间"), default=timezone.now)
    # Null on instructions given before the loop existed; the services require both now.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    deadline = models.DateField(_("办理时限"), null=True, blank=True)
    status = models.CharField(
        _("办理状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("示例数据"), default=False)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-given_at"]
        indexes = [
            # A unit's open 批示 in 我的工作, and the overdue ones by deadline.
            models.Index(fields=["unit", "status", "deadline"], name="instruction_unit_open_idx"),
        ]

    def __str__(self):
        return f"{self.leader}：{self.text[:20]}"


class InstructionReply(models.Model):
    """One reply of the responsible unit to a 批示 (办理情况); written once, never edited."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="replies", verbose_name=_("批示")
    )
    text = models.TextField(_("办理情况"))
    marks_done = models.BooleanField(_("同时办结"), default=False)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("回复时间"), default=timezone.now)

    class Meta:
        verbose_name = _("批示办理情况")
        verbose_name_plural = _("批示办理情况")
        ordering = ["replied_at", "id"]

    def __str__(self):
        return f"{self.instruction}：{self.text[:20]}"


# The month-end facts (MonthEnd, MonthTotal) live in their own module.
from projects.models_facts import MonthEnd, MonthEndBuild, MonthTotal, Version  # noqa: E402, F401
