"""Reads of projects: the querysets every list, page, export and API endpoint starts from."""

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from projects.models import (
    MonthlyProgress,
    Problem,
    Project,
    key_q,
    overdue_q,
)
from projects.periods import overdue_problems_at
from projects.warnings import staleness_at


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def four_one_missing_q(total_field: str = "total_investment") -> Q:
    """A key project without its leader, its task force, or the butler its unit uses.

    Needs the `has_team` annotation of `with_flags`.
    """
    return key_q(total_field) & (
        Q(leader__isnull=True)
        | Q(has_team=False)
        | Q(unit__uses_project_manager=True, manager__isnull=True)
    )


def with_flags(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Annotate what `projects.flags.flags_of` reads: two EXISTS subqueries, no extra query.
    A queryset annotated already is returned as it is."""
    if "has_team" in qs.query.annotations:
        return qs
    today = today or timezone.localdate()
    team = Project.team.through.objects.filter(project_id=OuterRef("pk"))
    overdue = Problem.objects.filter(overdue_q(today), project_id=OuterRef("pk"))
    return qs.annotate(has_team=Exists(team), has_overdue_problem=Exists(overdue)).annotate(
        four_one_missing=Case(
            When(four_one_missing_q(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def flagged_q() -> Q:
    return ~Q(staleness="") | Q(has_overdue_problem=True) | Q(four_one_missing=True)


def with_flags_at(qs: QuerySet, day: datetime.date, limits) -> QuerySet:
    """`with_flags` as of `day`, for projects annotated by `periods.as_of`: the warning the
    staleness rule gave on that day to the card as it stood (`staleness`), and the problems
    overdue on that day. (四个一 is read as recorded now: its history is not kept.)"""
    team = Project.team.through.objects.filter(project_id=OuterRef("pk"))
    overdue = Problem.objects.filter(overdue_problems_at(day), project_id=OuterRef("pk"))
    return qs.annotate(
        has_team=Exists(team),
        has_overdue_problem=Exists(overdue),
        staleness_then=staleness_at(day, limits, stage_field="stage_then"),
    ).annotate(
        four_one_missing=Case(
            When(four_one_missing_q("total_then"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def flagged_then_q() -> Q:
    """Flagged on the day of `with_flags_at`."""
    return ~Q(staleness_then="") | Q(has_overdue_problem=True) | Q(four_one_missing=True)


def progress_filed_q(month: datetime.date) -> Exists:
    return Exists(MonthlyProgress.objects.filter(project_id=OuterRef("pk"), month=month))


def project_list(*, user=None, today: datetime.date | None = None) -> QuerySet:
    """All projects a user may read, with what a list row shows, in a constant number of queries.

    Every role reads every project (officers write only their unit's; see org.roles).
    """
    qs = Project.objects.select_related(
        "investor", "chain", "chain_link", "place", "unit", "leader", "manager", "event"
    )
    return with_flags(qs, today=today)


# What a list row shows of the rows it joins: their names. A user is a name here, not a
# password hash; an enterprise is its name, not its description and credit code. The signing
# event is not shown in a row (the API gives its id), so it is not joined.
ROW_RELATED = {
    "investor": ("name",),
    "chain": ("name", "short_name"),
    "chain_link": ("name",),
    "place": ("name",),
    "unit": ("name", "short_name", "uses_project_manager"),
    "leader": ("full_name", "first_name", "last_name", "username"),
    "manager": ("full_name", "first_name", "last_name", "username"),
}
ROW_FIELDS = [
    *(field.name for field in Project._meta.concrete_fields),
    *(f"{relation}__{name}" for relation, names in ROW_RELATED.items() for name in names),
]


def projects_to_list(*, user=None) -> QuerySet:
    """What a list filters, counts and ranks: the table itself. Its page's rows get their flags
    and names from `rows_in_order`; a filter on a flag adds the flags it reads. Counting and
    ranking through `project_list`'s joins cost 2.5 ms of a page at 10,000 projects.

    Every role reads every project (officers write only their unit's; see org.roles).
    """
    return Project.objects.all()


def rows_in_order(qs: QuerySet, ids) -> list:
    """The rows of `qs` with these ids, in their order, as a list shows them. A page is ranked
    on the ids alone (`qs.values_list("pk")`, sliced), so the flags and joined names of
    `project_list` are computed for the rows shown, not for every row ranked (10,000 at a
    province's scale); of the joined rows only the names are read (`ROW_RELATED`). `qs` is
    the filtered list (`projects_to_list` or `project_list`)."""
    ids = list(ids)
    qs = with_flags(qs.select_related(*ROW_RELATED).only(*ROW_FIELDS))
    found = qs.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def with_member_ids(rows: list) -> list:
    """Each project's team and co-investors as ids, in the relation's own order
    (`row.team_ids`, `row.co_investors_ids`): one query over each link table. Django's
    prefetch builds a manager and a queryset for every row to carry the same ids, which cost
    a third of a 50-row API page."""
    pks = [row.pk for row in rows]
    for name in ("team", "co_investors"):
        field = Project._meta.get_field(name)
        target = field.m2m_reverse_field_name()
        order = [f"{target}__{key}" for key in field.related_model._meta.ordering]
        ids: dict[int, list[int]] = {pk: [] for pk in pks}
        links = field.remote_field.through.objects.filter(project_id__in=pks).order_by(*order)
        for project_id, member_id in links.values_list("project_id", field.m2m_reverse_name()):
            ids[project_id].append(member_id)
        for row in rows:
            setattr(row, f"{name}_ids", ids[row.pk])
    return rows


def project_detail(*, pk: int) -> Project:
    return (
        with_flags(
            Project.objects.select_related(
                "investor",
                "chain",
                "chain_link",
                "place",
                "unit",
                "leader",
                "manager",
                "event",
                "created_by",
            )
        )
        .prefetch_related("team", "co_investors")
        .get(pk=pk)
    )
