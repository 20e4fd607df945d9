from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.models import Provenance
from projects.models import money_field


class IndustryChain(Provenance):
    """A chain of the "2+4(+N)" modern industrial system."""

    class Tier(models.TextChoices):
        HUNDRED_BILLION = "1000yi", _("千亿级")
        TEN_BILLION = "100yi", _("百亿级")
        PLUS_N = "plus_n", _("+N")

    name = models.CharField(_("产业链名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    tier = models.CharField(_("层级"), max_length=8, choices=Tier.choices)
    chain_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("链长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_chains",
    )
    chain_owners = models.ManyToManyField(
        "projects.Enterprise", verbose_name=_("链主企业"), blank=True, related_name="owned_chains"
    )
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ChainOutput(Provenance):
    """A chain's output (产值) target and actual for one year, in 万元."""

    chain = models.ForeignKey(
        IndustryChain, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("产业链")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    target = money_field(_("产值目标（万元）"), null=True, blank=True)
    actual = money_field(_("实际产值（万元）"), null=True, blank=True)

    class Meta:
        verbose_name = _("产业链年度产值")
        verbose_name_plural = _("产业链年度产值")
        ordering = ["chain", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "year"], name="chain_output_one_per_year")
        ]

    def __str__(self):
        return f"{self.chain} {self.year}"


class ChainLink(Provenance):
    """A node of a chain's map: a sub-chain (no parent) or a link under it."""

    class Position(models.TextChoices):
        UPSTREAM = "up", _("上游")
        MIDSTREAM = "mid", _("中游")
        DOWNSTREAM = "down", _("下游")

    chain = models.ForeignKey(
        IndustryChain, on_delete=models.CASCADE, related_name="links", verbose_name=_("产业链")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级环节"),
    )
    name = models.CharField(_("环节名称"), max_length=60)
    position = models.CharField(
        _("链上位置"), max_length=4, choices=Position.choices, default=Position.MIDSTREAM
    )
    enterprises = models.ManyToManyField(
        "projects.Enterprise", verbose_name=_("在链企业"), blank=True, related_name="chain_links"
    )
    gap_description = models.CharField(
        _("缺链内容"), max_length=200, blank=True, help_text=_("还缺什么企业，如 碳酸酯生产企业")
    )
    # How many enterprises the link should have; the gap is what is missing from it, so it
    # shrinks as enterprises are added ("缺多少，就招多少").
    wanted_enterprises = models.PositiveSmallIntegerField(_("应有企业数"), default=0)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords(m2m_fields=[enterprises])

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "parent", "name"], name="chain_link_unique_name"
            ),
        ]

    def __str__(self):
        return f"{self.chain.short_name or self.chain.name}·{self.name}"

    def clean(self):
        # A link belongs to one chain: its parent must be in the same chain.
        if self.parent_id and self.parent.chain_id != self.chain_id:
            raise ValidationError({"parent": _("上级环节必须属于同一条产业链。")})
        # The map is a tree: a link may not sit under itself or under one of its own links.
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("环节不能以自身或其下级环节为上级。")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def gap_count(self, present: int | None = None) -> int:
        """Enterprises still missing. Pass `present` when the count is already annotated."""
        if present is None:
            present = self.enterprises.count()
        return max(0, self.wanted_enterprises - present)


class Opportunity(Provenance):
    """投资机会清单: what the city offers an investor on a link."""

    class Status(models.TextChoices):
        OPEN = "open", _("发布中")
        NEGOTIATING = "negotiating", _("洽谈中")
        TAKEN = "taken", _("已落地")
        CLOSED = "closed", _("已关闭")

    chain_link = models.ForeignKey(
        ChainLink,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("产业链环节"),
    )
    title = models.CharField(_("机会名称"), max_length=120)
    scale = money_field(_("投资规模（万元）"), null=True, blank=True)
    offer = models.TextField(
        _("提供条件"), blank=True, help_text=_("土地、厂房、原料、能源、政策等")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("投资机会")
        verbose_name_plural = _("投资机会清单")
        ordering = ["chain_link", "title"]

    def __str__(self):
        return self.title


class TargetEnterprise(Provenance):
    """目标企业清单: an enterprise the city is courting for a link."""

    class ContactStatus(models.TextChoices):
        NOT_CONTACTED = "none", _("未接触")
        CONTACTED = "contacted", _("已接触")
        NEGOTIATING = "negotiating", _("洽谈中")
        CONVERTED = "converted", _("已转为项目")
        DECLINED = "declined", _("暂无意向")

    enterprise = models.ForeignKey(
        "projects.Enterprise",
        on_delete=models.PROTECT,
        related_name="targeted_by",
        verbose_name=_("目标企业"),
    )
    chain_link = models.ForeignKey(
        ChainLink, on_delete=models.PROTECT, related_name="targets", verbose_name=_("产业链环节")
    )
    reason = models.TextField(_("招引理由"), blank=True)
    contact_status = models.CharField(
        _("对接状态"),
        max_length=12,
        choices=ContactStatus.choices,
        default=ContactStatus.NOT_CONTACTED,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("对接专员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("转化项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_target",
    )

    class Meta:
        verbose_name = _("目标企业")
        verbose_name_plural = _("目标企业清单")
        ordering = ["chain_link", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "chain_link"], name="target_unique_per_link"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise}（{self.chain_link}）"


class ChainTaskForce(Provenance):
    """产业链专班责任清单: who answers for a chain."""

    chain = models.OneToOneField(
        IndustryChain, on_delete=models.CASCADE, related_name="task_force", verbose_name=_("产业链")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头市级领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chain_task_forces",
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        related_name="led_task_forces",
    )
    member_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("成员单位"), blank=True, related_name="member_task_forces"
    )
    contact_person = models.CharField(_("联络人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    duties = models.TextField(_("职责"), blank=True)

    class Meta:
        verbose_name = _("产业链专班")
        verbose_name_plural = _("产业链专班责任清单")
        ordering = ["chain"]

    def __str__(self):
        return f"{self.chain}专班"
