"""Reads of the industry chains: the overview, the map (图谱), a link's page and the three lists.

Each read runs a constant number of queries whatever the number of chains, links or projects:
grouped aggregates and prefetches, never a query per chain or per link.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from chains.models import (
    ChainLink,
    ChainOutput,
    ChainTaskForce,
    IndustryChain,
    Opportunity,
    TargetEnterprise,
)
from dashboard.figures import by_chain, year_so_far
from projects.models import Project
from projects.stages import COLORS, DESCRIPTIONS, ORDER, Stage

ZERO = Decimal("0")


def legend(counts: dict | None = None) -> list[tuple[Stage, str, int | None]]:
    """The map's legend: each color a project marker can take, what it means, and how many
    projects carry it when `counts` is given."""
    return [
        (stage, DESCRIPTIONS[stage], None if counts is None else counts.get(stage, 0))
        for stage in ORDER
    ]


MARKERS_PER_LINK = 12


# --- Figures ------------------------------------------------------------------------------


def _latest_outputs(chain_ids=None, year: int | None = None) -> dict[int, ChainOutput]:
    """The latest year with figures per chain, up to `year` (one query)."""
    qs = ChainOutput.objects.filter(Q(target__isnull=False) | Q(actual__isnull=False))
    if chain_ids is not None:
        qs = qs.filter(chain_id__in=chain_ids)
    if year is not None:
        qs = qs.filter(year__lte=year)
    latest = {}
    for output in qs.order_by("chain_id", "-year"):
        latest.setdefault(output.chain_id, output)
    return latest


def gap_is_open(link: ChainLink, present: int) -> bool:
    """A link shows as a gap (缺链) while enterprises are missing from it, or while it names a
    missing product without saying how many firms are wanted."""
    if link.wanted_enterprises:
        return link.gap_count(present=present) > 0
    return bool(link.gap_description)


# --- Overview -----------------------------------------------------------------------------


@dataclass
class OverviewRow:
    chain: IndustryChain
    by_stage: dict[str, int]  # stage code -> live projects in it
    project_count: int  # live projects (not dropped)
    total_investment: Decimal
    funds_ytd: Decimal
    output: ChainOutput | None
    gap_links: int
    link_count: int

    @property
    def stage_counts(self) -> list[tuple[Stage, int]]:
        return [(stage, self.by_stage.get(stage, 0)) for stage in ORDER]

    @property
    def output_rate(self) -> Decimal | None:
        """Output as a percentage of its target, for the latest year with both."""
        if not self.output or not self.output.target or self.output.actual is None:
            return None
        return (self.output.actual / self.output.target * 100).quantize(Decimal("0.01"))


@dataclass
class Overview:
    year: int
    rows: list[OverviewRow]

    @property
    def project_count(self) -> int:
        return sum(r.project_count for r in self.rows)

    @property
    def stage_counts(self) -> list[tuple[Stage, int]]:
        return [(stage, sum(r.by_stage.get(stage, 0) for r in self.rows)) for stage in ORDER]

    @property
    def total_investment(self) -> Decimal:
        return sum((r.total_investment for r in self.rows), ZERO)

    @property
    def funds_ytd(self) -> Decimal:
        return sum((r.funds_ytd for r in self.rows), ZERO)

    @property
    def gap_links(self) -> int:
        return sum(r.gap_links for r in self.rows)


def chain_overview(*, today: datetime.date | None = None) -> Overview:
    """One row per chain: projects by stage, total investment, funds in place this year,
    latest output against target and open gaps. Six queries, whatever the data size.

    Projects by stage, investment and funds in place come from the dashboard's figures
    (`dashboard.figures.by_chain`), so the overview and the leaders' dashboard agree: funds in
    place are the monthly entries from January to this month.
    """
    today = today or timezone.localdate()
    chains = list(
        IndustryChain.objects.select_related("chain_leader").prefetch_related("chain_owners")
    )
    figures = {row["id"]: row for row in by_chain(year_so_far(today))}
    outputs = _latest_outputs(year=today.year)
    gaps = defaultdict(int)
    links = defaultdict(int)
    for link in ChainLink.objects.annotate(present=Count("enterprises")).only(
        "chain_id", "wanted_enterprises", "gap_description"
    ):
        links[link.chain_id] += 1
        gaps[link.chain_id] += gap_is_open(link, link.present)
    rows = []
    for chain in chains:
        row = figures.get(chain.pk, {})
        rows.append(
            OverviewRow(
                chain=chain,
                by_stage={
                    stage: n for stage, n in row.get("stages", {}).items() if n and stage in ORDER
                },
                project_count=row.get("count", 0),
                total_investment=row.get("investment", ZERO),
                funds_ytd=row.get("funds_ytd", ZERO),
                output=outputs.get(chain.pk),
                gap_links=gaps[chain.pk],
                link_count=links[chain.pk],
            )
        )
    return Overview(year=today.year, rows=rows)


# --- The map ------------------------------------------------------------------------------


@dataclass
class MapProject:
    id: int
    name: str
    stage: str
    stage_label: str
    color: str
    amount: Decimal
    investor: str


@dataclass
class MapNode:
    link: ChainLink
    enterprises: list[str]
    projects: list[MapProject]  # the largest MARKERS_PER_LINK
    gap_count: int
    gap_open: bool
    targets: int
    opportunities: int
    children: list["MapNode"] = field(default_factory=list)
    project_count: int = 0  # all of the link's live projects

    @property
    def more(self) -> int:
        """Live projects on the link beyond the markers shown (the link's page lists all)."""
        return self.project_count - len(self.projects)

    @property
    def depth_projects(self) -> int:
        """Projects on this link and every link under it."""
        return self.project_count + sum(c.depth_projects for c in self.children)

    @property
    def depth_gaps(self) -> int:
        return int(self.gap_open) + sum(c.depth_gaps for c in self.children)


@dataclass
class ChainMap:
    chain: IndustryChain
    sub_chains: list[MapNode]
    unplaced: list[MapProject]  # the largest of the chain's projects not yet on a link
    output: ChainOutput | None
    task_force: ChainTaskForce | None
    stage_counts: dict = field(default_factory=dict)  # every live project of the chain
    unplaced_count: int = 0

    @property
    def unplaced_more(self) -> int:
        return self.unplaced_count - len(self.unplaced)

    @property
    def nodes(self):
        """Every node, depth first."""
        stack = list(reversed(self.sub_chains))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def legend(self) -> list[tuple[Stage, str, int | None]]:
        return legend(self.stage_counts)

    @property
    def gaps(self) -> list[MapNode]:
        return [node for node in self.nodes if node.gap_open]


def _count_of(model, fk: str) -> Subquery:
    """A correlated COUNT, so that counting two relations does not multiply the rows."""
    rows = (
        model.objects.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def chain_links(chain_id: int) -> QuerySet:
    """A chain's links with their enterprises and what the lists hold on each (two queries)."""
    return (
        ChainLink.objects.filter(chain_id=chain_id)
        .annotate(
            target_count=_count_of(TargetEnterprise, "chain_link"),
            opportunity_count=_count_of(Opportunity, "chain_link"),
        )
        .prefetch_related(Prefetch("enterprises", to_attr="present"))
        .order_by("order", "name", "pk")
    )


def _map_project(project: Project) -> MapProject:
    stage = Stage(project.stage)
    return MapProject(
        id=project.pk,
        name=project.name,
        stage=stage.value,
        stage_label=str(stage.label),
        color=COLORS[stage],
        amount=project.total_investment,
        investor=project.investor.name,
    )


def _build_tree(links, projects_by_link, counts=None) -> list[MapNode]:
    counts = counts or {}
    nodes = {}
    for link in links:
        nodes[link.pk] = MapNode(
            link=link,
            enterprises=[e.name for e in link.present],
            projects=projects_by_link.get(link.pk, []),
            gap_count=link.gap_count(present=len(link.present)),
            gap_open=gap_is_open(link, len(link.present)),
            targets=link.target_count,
            opportunities=link.opportunity_count,
            project_count=counts.get(link.pk, 0),
        )
    roots = []
    for link in links:
        parent = nodes.get(link.parent_id)
        (parent.children if parent else roots).append(nodes[link.pk])
    return roots


def chain_map(*, chain_id: int, today: datetime.date | None = None) -> ChainMap:
    """The map of one chain: its sub-chains and links as a tree, each with the enterprises
    present, its live projects in their card color, its gap, and its targets and opportunities.

    Raises IndustryChain.DoesNotExist. Seven queries, whatever the size of the chain.
    """
    year = (today or timezone.localdate()).year
    chain = (
        IndustryChain.objects.select_related(
            "chain_leader", "task_force__leader", "task_force__lead_unit"
        )
        .prefetch_related("chain_owners")
        .get(pk=chain_id)
    )
    links = list(chain_links(chain.pk))
    on_chain = Project.objects.live().filter(
        Q(chain_id=chain.pk) | Q(chain_link__chain_id=chain.pk)
    )
    # How many live projects each link has, by stage (the legend and "N more"): one query.
    counts = defaultdict(int)
    stage_counts = defaultdict(int)
    for row in on_chain.order_by().values("chain_link_id", "stage").annotate(n=Count("id")):
        counts[row["chain_link_id"]] += row["n"]
        stage_counts[Stage(row["stage"])] += row["n"]
    # The largest few of each link as markers: at a province's scale a link holds hundreds,
    # more than a map can show or a person read; the link's page lists them all.
    projects_by_link = defaultdict(list)
    unplaced = []
    projects = (
        on_chain.alias(
            place_on_link=Window(
                RowNumber(),
                partition_by=[F("chain_link_id")],
                order_by=[F("total_investment").desc(), F("pk").asc()],
            )
        )
        .filter(place_on_link__lte=MARKERS_PER_LINK)
        .select_related("investor")
        .only("name", "stage", "total_investment", "chain_link_id", "investor__name")
        .order_by("chain_link_id", "-total_investment", "pk")
    )
    for project in projects:
        target = projects_by_link[project.chain_link_id] if project.chain_link_id else unplaced
        target.append(_map_project(project))
    try:
        task_force = chain.task_force
    except ChainTaskForce.DoesNotExist:
        task_force = None
    return ChainMap(
        chain=chain,
        sub_chains=_build_tree(links, projects_by_link, counts),
        unplaced=unplaced,
        output=_latest_outputs([chain.pk], year=year).get(chain.pk),
        task_force=task_force,
        stage_counts=dict(stage_counts),
        unplaced_count=counts[None],
    )


# --- One link -----------------------------------------------------------------------------


@dataclass
class LinkDetail:
    link: ChainLink
    node: MapNode
    projects: list[Project]  # on the link and on the links under it
    targets: list[TargetEnterprise]
    opportunities: list[Opportunity]


def link_detail(*, link_id: int) -> LinkDetail:
    """A link with what hangs on it and on the links under it. Raises ChainLink.DoesNotExist."""
    link = ChainLink.objects.select_related("chain", "parent").get(pk=link_id)
    links = list(chain_links(link.chain_id))
    roots = _build_tree(links, {})
    node = next(n for n in _walk(roots) if n.link.pk == link.pk)
    covered = [n.link.pk for n in _walk([node])]
    projects = list(
        Project.objects.filter(chain_link_id__in=covered)
        .select_related("investor", "unit", "chain_link", "leader")
        .order_by("-total_investment", "pk")
    )
    targets = list(
        target_list()
        .filter(chain_link_id__in=covered)
        .order_by("chain_link__order", "contact_status", "enterprise__name")
    )
    opportunities = list(opportunity_list().filter(chain_link_id__in=covered))
    return LinkDetail(
        link=link, node=node, projects=projects, targets=targets, opportunities=opportunities
    )


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


# --- The three lists (三张清单) -----------------------------------------------------------


def opportunity_list() -> QuerySet:
    return Opportunity.objects.select_related("chain_link__chain", "chain_link__parent").order_by(
        "chain_link__chain__order", "chain_link__chain__name", "chain_link__order", "title", "pk"
    )


def target_list() -> QuerySet:
    return TargetEnterprise.objects.select_related(
        "enterprise", "chain_link__chain", "chain_link__parent", "officer", "project"
    ).order_by(
        "chain_link__chain__order",
        "chain_link__chain__name",
        "chain_link__order",
        "enterprise__name",
        "pk",
    )


def taskforce_list() -> QuerySet:
    return (
        ChainTaskForce.objects.select_related("chain", "leader", "lead_unit")
        .prefetch_related("member_units")
        .order_by("chain__order", "chain__name")
    )


def opportunity_totals(qs: QuerySet) -> dict:
    """Count and total scale of the filtered opportunities (one query)."""
    return qs.aggregate(count=Count("pk"), scale=Coalesce(Sum("scale"), ZERO))


def target_totals(qs: QuerySet) -> dict:
    """Count of the filtered targets, and how many became projects (one query)."""
    return qs.aggregate(
        count=Count("pk"),
        converted=Count("pk", filter=Q(project__isnull=False)),
        negotiating=Count(
            "pk", filter=Q(contact_status=TargetEnterprise.ContactStatus.NEGOTIATING)
        ),
    )
