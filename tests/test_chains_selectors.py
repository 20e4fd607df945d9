"""The figures of the chains overview and the data of the map, and their query budgets."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from chains import selectors
from chains.models import ChainOutput
from projects.stages import COLORS, Stage
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0), tick=False):
        yield


def build_chain(name, *, sub_chains=1, links_per_sub=1, projects_per_link=1):
    """A chain with sub-chains, links with an enterprise, a target, an opportunity, projects
    in rotating stages with a progress entry this year, and an output row."""
    chain = factories.ChainFactory(name=name)
    chain.chain_owners.add(factories.EnterpriseFactory())
    ChainOutput.objects.create(
        chain=chain, year=2024, target=Decimal("1000"), actual=Decimal("900")
    )
    stages = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING]
    for s in range(sub_chains):
        sub = factories.ChainLinkFactory(chain=chain, name=f"{name}子链{s}")
        for n in range(links_per_sub):
            link = factories.ChainLinkFactory(
                chain=chain, parent=sub, name=f"环节{s}-{n}", wanted_enterprises=2
            )
            link.enterprises.add(factories.EnterpriseFactory())
            factories.TargetEnterpriseFactory(chain_link=link)
            factories.OpportunityFactory(chain_link=link)
            for p in range(projects_per_link):
                project = factories.ProjectFactory(
                    chain=chain, chain_link=link, stage=stages[p % len(stages)]
                )
                factories.ProgressFactory(project=project, month=datetime.date(2025, 3, 1))
    return chain


# --- Overview figures -----------------------------------------------------------------------


def test_the_overview_counts_live_projects_by_stage_and_sums_their_investment():
    chain = factories.ChainFactory(name="新能源和新能源电池")
    factories.ProjectFactory(chain=chain, stage=Stage.RED, total_investment=Decimal("6000"))
    factories.ProjectFactory(chain=chain, stage=Stage.GREEN, total_investment=Decimal("10000"))
    factories.ProjectFactory(chain=chain, stage=Stage.GREEN, total_investment=Decimal("4000"))
    factories.ProjectFactory(chain=chain, stage=Stage.DROPPED, total_investment=Decimal("9999"))

    (row,) = selectors.chain_overview().rows

    assert row.by_stage == {"red": 1, "green": 2}
    assert [n for _, n in row.stage_counts] == [1, 0, 0, 2, 0]
    assert row.project_count == 3
    assert row.total_investment == Decimal("20000")


def test_funds_in_place_count_only_this_years_months():
    chain = factories.ChainFactory()
    project = factories.ProjectFactory(chain=chain, stage=Stage.GREEN)
    factories.ProgressFactory(
        project=project, month=datetime.date(2024, 12, 1), funds_in_place=Decimal("700")
    )
    factories.ProgressFactory(
        project=project, month=datetime.date(2025, 1, 1), funds_in_place=Decimal("300")
    )
    factories.ProgressFactory(
        project=project, month=datetime.date(2025, 5, 1), funds_in_place=Decimal("250.50")
    )

    (row,) = selectors.chain_overview().rows

    assert row.funds_ytd == Decimal("550.50")


def test_the_overview_shows_the_latest_output_up_to_this_year_against_its_target():
    chain = factories.ChainFactory()
    ChainOutput.objects.create(
        chain=chain, year=2023, target=Decimal("2000"), actual=Decimal("2600")
    )
    ChainOutput.objects.create(
        chain=chain, year=2024, target=Decimal("4000"), actual=Decimal("3000")
    )
    ChainOutput.objects.create(chain=chain, year=2026, target=Decimal("9000"))

    (row,) = selectors.chain_overview().rows

    assert row.output.year == 2024
    assert row.output_rate == Decimal("75.00")


def test_the_overview_counts_the_open_gaps_of_each_chain():
    chain = factories.ChainFactory()
    filled = factories.ChainLinkFactory(chain=chain, wanted_enterprises=1, gap_description="隔膜")
    filled.enterprises.add(factories.EnterpriseFactory())
    factories.ChainLinkFactory(chain=chain, wanted_enterprises=2, gap_description="碳酸酯")
    factories.ChainLinkFactory(chain=chain, gap_description="铝塑膜")  # named, not counted
    factories.ChainLinkFactory(chain=chain)  # no gap at all

    (row,) = selectors.chain_overview().rows

    assert row.gap_links == 2
    assert row.link_count == 4


@pytest.mark.parametrize("size", [1, 3])
def test_the_overview_runs_six_queries_whatever_the_size(size, django_assert_num_queries):
    for n in range(size):
        build_chain(f"产业链{n}", sub_chains=size, links_per_sub=size, projects_per_link=size)

    # The first read builds the closed months' MonthEnd rows (projects.month_ends).
    selectors.chain_overview()
    # chains, their 链主, whether the year's starting month-end rows are built, projects by
    # chain and stage, the chains' names, funds by chain (month totals), outputs, links
    with django_assert_num_queries(8):
        overview = selectors.chain_overview()
        rendered = [
            (r.chain.name, [o.name for o in r.chain.chain_owners.all()]) for r in overview.rows
        ]

    assert len(rendered) == size
    assert overview.project_count == size * size * size * size


# --- The map ------------------------------------------------------------------------------


def test_the_map_is_a_tree_of_sub_chains_and_links_with_projects_in_their_color():
    chain = factories.ChainFactory(name="新能源和新能源电池")
    cathode = factories.ChainLinkFactory(chain=chain, name="正极材料", order=2)
    cells = factories.ChainLinkFactory(chain=chain, name="电池电芯及电机电控", order=1)
    precursor = factories.ChainLinkFactory(chain=chain, parent=cathode, name="三元前驱体")
    owner = factories.EnterpriseFactory(name="金川集团股份有限公司")
    precursor.enterprises.add(owner)
    green = factories.ProjectFactory(
        chain=chain, chain_link=precursor, stage=Stage.GREEN, name="7万吨三元前驱体"
    )
    factories.ProjectFactory(chain=chain, chain_link=precursor, stage=Stage.DROPPED)
    unplaced = factories.ProjectFactory(chain=chain, chain_link=None, stage=Stage.ORANGE)

    chain_map = selectors.chain_map(chain_id=chain.pk)

    assert [n.link for n in chain_map.sub_chains] == [cells, cathode]
    (node,) = chain_map.sub_chains[1].children
    assert node.link == precursor
    assert node.enterprises == ["金川集团股份有限公司"]
    (marker,) = node.projects
    assert (marker.id, marker.stage, marker.color) == (green.pk, "green", COLORS[Stage.GREEN])
    assert [p.id for p in chain_map.unplaced] == [unplaced.pk]
    assert {stage: count for stage, _meaning, count in chain_map.legend}[Stage.GREEN] == 1


def test_the_map_marks_the_gap_with_how_many_firms_are_still_wanted():
    link = factories.ChainLinkFactory(gap_description="碳酸酯", wanted_enterprises=3)
    link.enterprises.add(factories.EnterpriseFactory())
    factories.TargetEnterpriseFactory(chain_link=link)
    factories.TargetEnterpriseFactory(chain_link=link)
    factories.OpportunityFactory(chain_link=link)

    (node,) = selectors.chain_map(chain_id=link.chain_id).sub_chains

    assert node.gap_open
    assert node.gap_count == 2
    assert (node.targets, node.opportunities) == (2, 1)


def test_a_filled_link_is_no_longer_a_gap():
    link = factories.ChainLinkFactory(gap_description="隔膜", wanted_enterprises=1)
    link.enterprises.add(factories.EnterpriseFactory())

    (node,) = selectors.chain_map(chain_id=link.chain_id).sub_chains

    assert not node.gap_open
    assert node.gap_count == 0


def test_a_crowded_link_shows_its_largest_projects_and_counts_the_rest():
    chain = factories.ChainFactory(name="新能源和新能源电池")
    link = factories.ChainLinkFactory(chain=chain, name="正极材料")
    stages = [Stage.RED, Stage.GREEN]
    for i in range(selectors.MARKERS_PER_LINK + 5):
        factories.ProjectFactory(
            chain=chain,
            chain_link=link,
            stage=stages[i % 2],
            total_investment=Decimal(1000 + i),
            name=f"项目{i:02d}",
        )
    factories.ProjectFactory(chain=chain, chain_link=link, stage=Stage.DROPPED)
    factories.ProjectFactory(chain=chain, chain_link=None, stage=Stage.BLUE)

    chain_map = selectors.chain_map(chain_id=chain.pk)

    [node] = [n for n in chain_map.nodes if n.link.pk == link.pk]
    shown = [p.name for p in node.projects]
    assert len(shown) == selectors.MARKERS_PER_LINK
    assert shown[0] == f"项目{selectors.MARKERS_PER_LINK + 4:02d}"  # the largest first
    assert (node.project_count, node.more) == (selectors.MARKERS_PER_LINK + 5, 5)
    # The legend counts every live project, shown or not; the dropped one is not on the map.
    counts = {stage: n for stage, _meaning, n in chain_map.legend}
    assert counts[Stage.RED] + counts[Stage.GREEN] == selectors.MARKERS_PER_LINK + 5
    assert counts[Stage.BLUE] == 1
    assert Stage.DROPPED not in counts
    assert (chain_map.unplaced_count, chain_map.unplaced_more) == (1, 0)


@pytest.mark.parametrize("size", [1, 4])
def test_the_map_runs_seven_queries_whatever_the_size(size, django_assert_num_queries):
    chain = build_chain(
        "新能源和新能源电池", sub_chains=size, links_per_sub=size, projects_per_link=size
    )

    # the chain with its leader and task force, its 链主, its links with their list counts,
    # the links' enterprises, its projects' counts by link and stage, the largest projects of
    # each link, its latest output
    with django_assert_num_queries(7):
        chain_map = selectors.chain_map(chain_id=chain.pk)
        owners = [o.name for o in chain_map.chain.chain_owners.all()]

    assert len(owners) == 1
    assert len(list(chain_map.nodes)) == size + size * size
    assert sum(len(n.projects) for n in chain_map.nodes) == size**3


@pytest.mark.parametrize("size", [1, 4])
def test_a_link_page_runs_six_queries_whatever_the_size(size, django_assert_num_queries):
    chain = build_chain("有色金属新材料", sub_chains=1, links_per_sub=size, projects_per_link=size)
    sub_chain = chain.links.get(parent=None)

    # the link, the chain's links, their enterprises, the projects, targets, opportunities
    with django_assert_num_queries(6):
        detail = selectors.link_detail(link_id=sub_chain.pk)
        rows = [(p.investor.name, p.unit.name, p.chain_link.name) for p in detail.projects]
        rows += [(t.enterprise.name, t.chain_link.chain.name) for t in detail.targets]
        rows += [(o.title, o.chain_link.chain.name) for o in detail.opportunities]

    assert len(detail.projects) == size * size
    assert len(detail.targets) == len(detail.opportunities) == size
    assert len(rows) == size * size + 2 * size
