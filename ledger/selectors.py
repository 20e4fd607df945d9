"""What each export reads: the list page's own selector and filters, so a spreadsheet holds
exactly the rows its page shows (without paging), in a constant number of queries."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chains import selectors as chain_selectors
from chains.filters import OpportunityFilter, TargetFilter, TaskForceFilter
from ledger.exports import describe_filters
from projects import selectors as project_selectors
from projects import selectors_work
from projects.filters import ProblemFilter, ProjectFilter, YearFilter
from projects.models import Event, MonthlyProgress


class InvalidFilters(Exception):
    """A filter parameter is not valid (an unknown id, a malformed month)."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(str(errors))


@dataclass
class ExportSource:
    rows: QuerySet
    applied_filters: list[tuple[str, str]]


def _filtered(filterset) -> tuple[QuerySet, list]:
    if not filterset.is_valid():
        raise InvalidFilters({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return filterset.qs, describe_filters(filterset)


def _projects(params, user) -> tuple[QuerySet, list]:
    queryset = project_selectors.project_list(user=user).select_related("chain_link__parent")
    return _filtered(ProjectFilter(params, queryset=queryset))


def projects_source(params, user) -> ExportSource:
    rows, applied = _projects(params, user)
    return ExportSource(rows, applied)


def _month(params, name: str, default: datetime.date) -> datetime.date:
    text = (params.get(name) or "").strip()
    if not text:
        return default
    try:
        return datetime.datetime.strptime(text[:7], "%Y-%m").date()
    except ValueError:
        raise InvalidFilters({name: [_("月份格式应为 YYYY-MM，如 2025-06。")]}) from None


def progress_source(params, user) -> ExportSource:
    """Progress entries from month `from` to month `to` (YYYY-MM; default: this year so far)
    of the projects the project filters select."""
    this_month = timezone.localdate().replace(day=1)
    start = _month(params, "from", this_month.replace(month=1))
    end = _month(params, "to", this_month)
    if end < start:
        raise InvalidFilters({"to": [_("结束月份不能早于开始月份。")]})
    projects, applied = _projects(params, user)
    rows = (
        MonthlyProgress.objects.filter(
            project__in=projects.values("pk"), month__gte=start, month__lte=end
        )
        .select_related("project__unit", "filed_by")
        .order_by("project__code", "month", "id")
    )
    period = _("%(a)s 至 %(b)s") % {
        "a": f"{start.year}年{start.month}月",
        "b": f"{end.year}年{end.month}月",
    }
    return ExportSource(rows, [(_("月份"), period), *applied])


def problems_source(params, user) -> ExportSource:
    """The problem list page's rows and filters."""
    rows, applied = _filtered(
        ProblemFilter(params, queryset=selectors_work.problem_list().select_related("raised_by"))
    )
    return ExportSource(rows, applied)


class EventExportFilter(django_filters.FilterSet):
    year = YearFilter(label=gettext_lazy("年度"), field_name="held_on", lookup_expr="year")

    class Meta:
        model = Event
        fields = []


def events_source(params, user) -> ExportSource:
    rows, applied = _filtered(EventExportFilter(params, queryset=selectors_work.event_list()))
    return ExportSource(rows, applied)


def opportunities_source(params, user) -> ExportSource:
    rows, applied = _filtered(
        OpportunityFilter(params, queryset=chain_selectors.opportunity_list())
    )
    return ExportSource(rows, applied)


def targets_source(params, user) -> ExportSource:
    rows, applied = _filtered(TargetFilter(params, queryset=chain_selectors.target_list()))
    return ExportSource(rows, applied)


def taskforces_source(params, user) -> ExportSource:
    rows, applied = _filtered(TaskForceFilter(params, queryset=chain_selectors.taskforce_list()))
    return ExportSource(rows, applied)


SOURCES: dict[str, Callable[..., ExportSource]] = {
    "projects": projects_source,
    "progress": progress_source,
    "problems": problems_source,
    "events": events_source,
    "opportunities": opportunities_source,
    "targets": targets_source,
    "taskforces": taskforces_source,
}


def column_mappings(*, user, kind: str) -> dict[str, str]:
    """The headers the user's unit told the import what they mean (header → column key); one
    query. A user without a unit has none."""
    from ledger.models import ColumnMapping

    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return {}
    return dict(
        ColumnMapping.objects.filter(unit_id=unit_id, kind=kind).values_list("header", "column_key")
    )
