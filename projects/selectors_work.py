"""Reads for the daily work: monthly progress with its derived sums, problems, "my work",
a leader's portfolio, events and enterprises.

Year-to-date and cumulative figures are computed here, in SQL, from the monthly rows; they are
never stored, so a corrected month corrects every figure after it.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from projects import periods
from projects.models import (
    Enterprise,
    Event,
    Instruction,
    InstructionReply,
    MonthlyProgress,
    Problem,
    Project,
    committed,
    instruction_overdue_q,
    overdue_q,
)
from projects.selectors import flagged_q, month_start, progress_filed_q, project_list
from projects.stages import ACTIVE

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))

# Projects still being pushed forward file a progress entry every month; a project in
# operation or dropped no longer does.
PROGRESS_STAGES = ACTIVE


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- Monthly progress -------------------------------------------------------------------------


def progress_rows(*, project_id: int) -> QuerySet:
    """A project's progress entries, newest first, each with its year-to-date and cumulative
    sums up to and including that month (window functions, one query).

    Filter nothing further on the result: a WHERE would run before the windows and change
    the sums.
    """
    by_month = F("month").asc()
    in_year = [F("project_id"), ExtractYear("month")]
    return (
        MonthlyProgress.objects.filter(project_id=project_id)
        .select_related("filed_by")
        .annotate(
            ytd_investment=Window(
                Sum("investment_completed"), partition_by=in_year, order_by=by_month
            ),
            ytd_funds=Window(Sum("funds_in_place"), partition_by=in_year, order_by=by_month),
            cumulative_investment=Window(
                Sum("investment_completed"), partition_by=[F("project_id")], order_by=by_month
            ),
            cumulative_funds=Window(
                Sum("funds_in_place"), partition_by=[F("project_id")], order_by=by_month
            ),
        )
        .order_by("-month")
    )


def followed_by_q(user) -> Q:
    """The projects whose "四个一" team the user is on beyond their unit: as the project
    manager or a task-force member (a subquery, so no row is repeated)."""
    team = Project.team.through.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)
    return Q(manager_id=user.pk) | Exists(team)


def projects_missing_progress(
    *, month: datetime.date, unit=None, user=None, today: datetime.date | None = None
) -> QuerySet:
    """Projects still being pushed that have no progress entry for `month` (one query): of a
    unit, and with `user`, also those whose task force or manager the user is."""
    qs = (
        project_list(today=today)
        .filter(stage__in=PROGRESS_STAGES)
        .filter(~progress_filed_q(month_start(month)))
    )
    if unit is not None:
        mine = Q(unit=unit)
        if user is not None:
            mine |= followed_by_q(user)
        qs = qs.filter(mine)
    return qs.order_by("unit__order", "unit__name", "-total_investment", "id")


# --- Problems ---------------------------------------------------------------------------------


def overdue_case(today: datetime.date) -> Case:
    """Overdue means open past its deadline; the same rule as `Problem.objects.overdue`."""
    return Case(
        When(overdue_q(today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def problem_list(*, today: datetime.date | None = None) -> QuerySet:
    """Every problem with what a list row shows, overdue first, then open ones by deadline."""
    return (
        Problem.objects.select_related("project", "project__unit", "project__chain", "unit")
        .annotate(overdue=overdue_case(_today(today)))
        .order_by("-overdue", "status", "deadline", "id")
    )


def problem_totals(qs: QuerySet, today: datetime.date | None = None) -> dict:
    """Counts for the totals row of a (filtered) problem list, in one query."""
    today = _today(today)
    is_open = Q(status=Problem.Status.OPEN)
    return qs.order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=is_open),
        overdue=Count("id", filter=overdue_q(today)),
        resolved=Count("id", filter=Q(status=Problem.Status.RESOLVED)),
    )


def open_problems(*, unit=None, today: datetime.date | None = None) -> QuerySet:
    """Open problems by deadline (so the overdue ones come first).

    With a unit: the problems it must clear and those raised on its own projects, since an
    officer follows both.
    """
    qs = problem_list(today=today).filter(status=Problem.Status.OPEN)
    if unit is not None:
        qs = qs.filter(Q(unit=unit) | Q(project__unit=unit))
    return qs.order_by("deadline", "id")


# --- "My work" and a leader's portfolio -------------------------------------------------------


def flagged_projects(*, unit=None, today: datetime.date | None = None) -> QuerySet:
    qs = project_list(today=today).filter(flagged_q())
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-total_investment", "id")


def my_projects(*, user, today: datetime.date | None = None) -> QuerySet:
    """The projects a person answers for under "四个一": as the leader who 包抓 them, the
    project butler, or a member of the task force; each with its last progress, open
    problems and the instructions this person gave (subqueries: one query in all)."""
    last = MonthlyProgress.objects.filter(project_id=OuterRef("pk")).order_by("-month")
    open_count = (
        Problem.objects.filter(project_id=OuterRef("pk"), status=Problem.Status.OPEN)
        .order_by()
        .values("project_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    given = (
        Instruction.objects.filter(project_id=OuterRef("pk"), leader_id=user.pk)
        .order_by()
        .values("project_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        project_list(today=today)
        .filter(Q(leader_id=user.pk) | followed_by_q(user))
        .annotate(
            last_progress_month=Subquery(last.values("month")[:1]),
            last_progress_narrative=Subquery(last.values("narrative")[:1]),
            open_problem_count=Coalesce(Subquery(open_count, output_field=IntegerField()), 0),
            instruction_count=Coalesce(Subquery(given, output_field=IntegerField()), 0),
        )
        .order_by("-total_investment", "id")
    )


def portfolio_totals(qs: QuerySet, today: datetime.date | None = None) -> dict:
    """Count and total investment of the live projects of a portfolio (not dropped: the
    dashboard's leader row, `periods.live_q`, as of now), and their progress this year so far.
    `query` opens the project list on exactly those projects."""
    today = _today(today)
    scope = periods.Scope(year=today.year, month=today.month)
    live = periods.as_of(Project.objects.filter(pk__in=qs.order_by().values("pk")), scope)
    live = live.filter(periods.live_q())
    totals = live.aggregate(count=Count("id"), total_investment=Coalesce(Sum("total_then"), ZERO))
    ytd = MonthlyProgress.objects.filter(
        periods.ytd_months_q(scope), project_id__in=live.values("pk")
    ).aggregate(
        ytd_investment=Coalesce(Sum("investment_completed"), ZERO),
        ytd_funds=Coalesce(Sum("funds_in_place"), ZERO),
    )
    totals.update(ytd, year=scope.year, month=scope.month)
    return totals


def instruction_overdue_case(today: datetime.date) -> Case:
    """Overdue means not yet done past its deadline; the same rule as
    `Instruction.objects.overdue`."""
    return Case(
        When(instruction_overdue_q(today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _instructions(today: datetime.date | None) -> QuerySet:
    # The replies with their authors in one query, whatever their number.
    replies = Prefetch("replies", queryset=InstructionReply.objects.select_related("replied_by"))
    return (
        Instruction.objects.select_related("project__unit", "problem", "unit", "leader")
        .prefetch_related(replies)
        .annotate(overdue=instruction_overdue_case(_today(today)))
    )


def instructions_given(*, user, limit: int = 20, today: datetime.date | None = None) -> QuerySet:
    """A leader's 批示, those still pending first (overdue ones on top), then the done ones."""
    done_last = Case(
        When(status=Instruction.Status.DONE, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        _instructions(today)
        .filter(leader_id=user.pk)
        .order_by(done_last, "-overdue", "-given_at", "-id")[:limit]
    )


def instruction_counts(*, user, today: datetime.date | None = None) -> dict:
    """How a leader's 批示 stand: open (no reply yet), answered, overdue, done (one query)."""
    return Instruction.objects.filter(leader_id=user.pk).aggregate(
        open=Count("id", filter=Q(status=Instruction.Status.OPEN)),
        answered=Count("id", filter=Q(status=Instruction.Status.ANSWERED)),
        overdue=Count("id", filter=instruction_overdue_q(_today(today))),
        done=Count("id", filter=Q(status=Instruction.Status.DONE)),
    )


def instructions_to_answer(*, unit=None, today: datetime.date | None = None) -> QuerySet:
    """批示 not yet done that a unit must answer (by its deadline, overdue first); without a
    unit, the whole city's. Instructions given before units were named fall to the project's
    unit."""
    qs = _instructions(today).exclude(status=Instruction.Status.DONE)
    if unit is not None:
        qs = qs.filter(Q(unit=unit) | Q(unit__isnull=True, project__unit=unit))
    return qs.order_by(F("deadline").asc(nulls_last=True), "given_at", "id")


def project_instructions(*, project_id: int, today: datetime.date | None = None) -> QuerySet:
    return _instructions(today).filter(project_id=project_id).order_by("-given_at", "-id")


# --- Events -----------------------------------------------------------------------------------

# What a project signed at an event counts for: its committed investment.
SIGNED_AMOUNT = committed()


def event_list() -> QuerySet:
    """Events with the count and signed amount of the projects recorded there (one query);
    the same rule as SIGNED_AMOUNT, through the join."""
    return Event.objects.annotate(
        signed_count=Count("projects"),
        signed_amount=Coalesce(Sum(committed("projects__")), ZERO),
    ).order_by(F("held_on").desc(nulls_last=True), "name")


def event_sums(event: Event) -> dict:
    """The recorded sums beside the totals the city reported, and the differences."""
    sums = Project.objects.filter(event=event).aggregate(
        count=Count("id"), amount=Coalesce(Sum(SIGNED_AMOUNT), ZERO)
    )
    sums["reported_count"] = event.reported_project_count
    sums["reported_amount"] = event.reported_amount
    sums["count_gap"] = (
        None
        if event.reported_project_count is None
        else sums["count"] - event.reported_project_count
    )
    sums["amount_gap"] = (
        None if event.reported_amount is None else sums["amount"] - event.reported_amount
    )
    return sums


def event_projects(*, event: Event, today: datetime.date | None = None) -> QuerySet:
    return (
        project_list(today=today)
        .filter(event=event)
        .annotate(signed_amount=SIGNED_AMOUNT)
        .order_by("-total_investment", "id")
    )


# --- Enterprises ------------------------------------------------------------------------------


def enterprise_list(
    *, search: str = "", chain_owner: bool | None = None, head: bool | None = None
) -> QuerySet:
    project_count = (
        Project.objects.filter(investor_id=OuterRef("pk"))
        .order_by()
        .values("investor_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = Enterprise.objects.annotate(
        project_count=Coalesce(Subquery(project_count, output_field=IntegerField()), 0)
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(credit_code__icontains=search)
            | Q(origin__icontains=search)
        )
    if chain_owner is not None:
        qs = qs.filter(is_chain_owner=chain_owner)
    if head is not None:
        qs = qs.filter(is_head=head)
    return qs.order_by("name")


def enterprise_projects(*, enterprise: Enterprise, today: datetime.date | None = None):
    """Projects the enterprise invests in, as the investor or a co-investor."""
    co = Project.co_investors.through.objects.filter(
        project_id=OuterRef("pk"), enterprise_id=enterprise.pk
    )
    return (
        project_list(today=today)
        .filter(Q(investor=enterprise) | Exists(co))
        .order_by("-total_investment", "id")
    )


def enterprise_options(*, query: str, chosen_ids, limit: int) -> list:
    """The investors a search box offers: those already chosen first, then up to `limit` whose
    name or credit code contains `query`, by name (two queries)."""
    ids = [int(i) for i in chosen_ids if str(i).isdigit()]
    chosen = list(Enterprise.objects.filter(pk__in=ids).order_by("name"))
    query = (query or "").strip()
    if not query:
        return chosen
    matches = (
        Enterprise.objects.filter(Q(name__icontains=query) | Q(credit_code__icontains=query))
        .exclude(pk__in=ids)
        .order_by("name")[:limit]
    )
    return chosen + list(matches)
