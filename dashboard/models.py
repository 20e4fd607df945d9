from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.models import Provenance
from projects.models import money_field
from projects.stages import Stage


class AnnualTarget(Provenance):
    """三亮: a unit's targets for a year (年初亮目标); with no unit, the city's own."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="annual_targets",
        help_text=_("留空表示全市目标"),
    )
    funds_in_place = money_field(
        _("到位资金目标（万元）"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    new_signings = models.PositiveIntegerField(_("新签约项目目标（个）"), default=0)
    starts = models.PositiveIntegerField(_("新开工项目目标（个）"), default=0)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标（三亮）")
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="target_one_per_unit_year"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(unit__isnull=True), name="target_one_city_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.unit or _('全市')}"


class StageWeight(models.Model):
    """How much of an open project's investment the pipeline forecast counts, by stage."""

    stage = models.CharField(_("色卡阶段"), max_length=10, choices=Stage.choices, unique=True)
    weight = models.DecimalField(
        _("权重"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0–1，预计年底前可转化为到位资金的比例"),
    )

    class Meta:
        verbose_name = _("阶段权重")
        verbose_name_plural = _("阶段权重（预测）")
        ordering = ["stage"]

    def __str__(self):
        return f"{self.get_stage_display()}：{self.weight}"
