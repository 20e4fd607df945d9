from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Provenance(models.Model):
    """Where a record came from: a source article (a fact) or the demo generator (illustrative).

    Seeded facts carry the article's file name and what the paragraph is about; values the
    sources do not give are marked illustrative and shown with a "示例数据" badge.
    """

    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_illustrative = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        abstract = True


class Place(Provenance):
    """A place in Jinchang where projects are built (县区 or 园区)."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("县区")
        PARK = "park", _("园区")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Unit(Provenance):
    """A responsible unit (责任单位): a bureau, a district or the economic zone's committee."""

    class RobotKind(models.TextChoices):
        NONE = "", _("无")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    # The economic zone assigns a 项目管家 to each key project; a unit that does so makes the
    # butler part of its projects' "四个一" team.
    uses_project_manager = models.BooleanField(_("配备项目管家"), default=False)
    email = models.EmailField(_("单位邮箱"), blank=True)
    robot_kind = models.CharField(
        _("群机器人"), max_length=10, choices=RobotKind.choices, blank=True, default=""
    )
    robot_webhook = models.URLField(_("机器人 Webhook 地址"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["order", "name"]

    def __str__(self):
        return self.short_name or self.name


class User(AbstractUser):
    """A person using the system; officers belong to a unit, leaders may have none."""

    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_illustrative = models.BooleanField(_("示例人员"), default=False)
    # An account an admin created, or whose password an admin reset, knows a password someone
    # else chose: its holder sets their own at first login (org.middleware).
    must_change_password = models.BooleanField(
        _("须修改初始密码"),
        default=False,
        help_text=_("管理员创建或重置密码的账号，首次登录时须先修改密码。"),
    )
    # API tokens issued before this moment no longer authenticate (api/auth.py).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def display_name(self):
        return self.full_name or self.get_full_name() or self.username
