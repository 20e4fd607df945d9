"""Warnings shown on a project wherever it appears (list, page, report, API).

Staleness is computed daily by dispatch and stored; the other flags are derived live from the
data by `projects.selectors.with_flags`, so they are never out of date.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Flag(models.TextChoices):
    STALE_YELLOW = "stale_yellow", _("两个月无进展")
    STALE_RED = "stale_red", _("三个月无进展")
    PROPOSE_DROP = "propose_drop", _("建议终止")
    FOUR_ONE_MISSING = "four_one_missing", _("四个一不全")
    OVERDUE_PROBLEM = "overdue_problem", _("问题逾期")


# yellow, red, drop -> the flag code
STALENESS_FLAG = {"yellow": Flag.STALE_YELLOW, "red": Flag.STALE_RED, "drop": Flag.PROPOSE_DROP}
SEVERITY = {  # for the CSS class of a flag badge
    Flag.STALE_YELLOW: "warn",
    Flag.STALE_RED: "danger",
    Flag.PROPOSE_DROP: "danger",
    Flag.FOUR_ONE_MISSING: "warn",
    Flag.OVERDUE_PROBLEM: "danger",
}


def flags_of(project, staleness: str | None = None) -> list[Flag]:
    """The flags of a project annotated by `with_flags` (no extra query); `staleness` as of
    another day (`with_flags_at`) replaces the stored one."""
    result = []
    staleness = project.staleness if staleness is None else staleness
    if staleness:
        result.append(STALENESS_FLAG[staleness])
    if getattr(project, "four_one_missing", False):
        result.append(Flag.FOUR_ONE_MISSING)
    if getattr(project, "has_overdue_problem", False):
        result.append(Flag.OVERDUE_PROBLEM)
    return result
