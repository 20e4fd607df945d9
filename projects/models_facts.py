"""Facts derived from the history and the progress entries, kept as rows so the figures sum
a few hundred rows instead of every entry (see `projects.month_ends`, `projects.month_totals`).
Never a second truth: each table can be rebuilt from the history (`rebuild_month_ends`), and a
property test holds it equal to the rows it is computed from.
"""

import time

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.stages import Stage


def money_field(verbose_name, **kwargs):
    """An amount in 万元 (as `projects.models.money_field`, which imports this module)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class MonthEnd(models.Model):
    """A project's card at the end of a closed month, as its history gives it.

    Not a second truth: rows are computed from `StageChange` and `Project.history` by
    `projects.month_ends` the first time a closed month is read, and dropped again by any
    write that changes that past (a back-dated move or creation, a loader, `rebuild_month_ends`).
    They spare the figures a look-up of the history per project and figure.
    """

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="month_ends",
        verbose_name=_("项目"),
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    stage = models.CharField(_("月末阶段"), max_length=10, choices=Stage.choices)
    total_investment = money_field(_("月末总投资（万元）"))
    # The highest place in the card's order reached by then (ORDER index; -1 none).
    reached = models.SmallIntegerField(_("已达到的最高阶段"))
    # Funds in place of every entry up to this month: kept by the progress service (a late
    # filing for an earlier month adds to the rows of the months since), built with the row.
    funds_to_date = money_field(_("累计到位资金（万元）"), default=0)

    class Meta:
        verbose_name = _("月末状态")
        verbose_name_plural = _("月末状态")
        constraints = [
            models.UniqueConstraint(fields=["month", "project"], name="month_end_one_per_month")
        ]

    def __str__(self):
        return f"{self.project_id} {self.month:%Y-%m} {self.stage}"


class MonthEndBuild(models.Model):
    """Marks a month whose MonthEnd rows are complete."""

    month = models.DateField(_("月份"), unique=True)
    built_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月末状态生成记录")
        verbose_name_plural = _("月末状态生成记录")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class MonthTotal(models.Model):
    """One month's funds in place and investment completed, summed over the projects of one
    dimension value: the whole city (`all`), a chain, a place, a unit or a leader (key 0:
    projects without one).

    Kept by the progress service in the same transaction as the entry it adds (a delta on a
    few rows), moved by the project service when a project changes chain, place, unit or
    leader, and rebuilt from the entries by `rebuild_month_ends` and the loaders.
    """

    class Dimension(models.TextChoices):
        ALL = "all", _("全市")
        CHAIN = "chain", _("产业链")
        PLACE = "place", _("县区")
        UNIT = "unit", _("责任单位")
        LEADER = "leader", _("包抓领导")

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    dimension = models.CharField(_("维度"), max_length=10, choices=Dimension.choices)
    key = models.PositiveIntegerField(_("对象编号"), help_text=_("0：未填写"))
    funds_in_place = money_field(_("到位资金（万元）"), default=0)
    investment_completed = money_field(_("完成投资（万元）"), default=0)
    entries = models.PositiveIntegerField(_("填报条数"), default=0)

    class Meta:
        verbose_name = _("月度合计")
        verbose_name_plural = _("月度合计")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "month"], name="month_total_one_per_cell"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dimension} {self.key}"


class Version(models.Model):
    """A named counter that writers bump in their transaction: the version of the closed
    months' cards (`projects.month_ends`) and of what the attention lists read
    (`projects.watch`). Figures are kept in the shared cache under it."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    value = models.PositiveBigIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.name} {self.value}"

    @classmethod
    def current(cls, name: str) -> int:
        return cls.objects.filter(name=name).values_list("value", flat=True).first() or 0

    @classmethod
    def bump(cls, name: str) -> None:
        """Move the counter on, in the writer's transaction. It never comes back to a value
        it had: each value is at least the time in microseconds, so a database restored from
        a backup does not hand out again a version the shared cache holds figures of."""
        now = int(time.time() * 1_000_000)
        moved = cls.objects.filter(name=name).update(
            value=Greatest(
                F("value") + 1, Value(now, output_field=models.PositiveBigIntegerField())
            )
        )
        if not moved:
            cls.objects.get_or_create(name=name, defaults={"value": now})
