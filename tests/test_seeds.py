"""The seeds loader: Jinchang's facts from seeds/*.yaml and the illustrative demo ledger.

The loads are slow enough (a replayed history of ~180 projects) that the module runs them once:
`--no-demo`, then the full load twice, then `--no-demo` again, snapshotting the database after
each; the tests read the result. Everything happens inside one transaction rolled back when the
module ends, so other test modules never see the seeded data.
"""

import datetime
import shutil
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
import yaml
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.test import override_settings
from django.utils import timezone

from chains.models import (
    ChainLink,
    ChainOutput,
    ChainTaskForce,
    IndustryChain,
    Opportunity,
    TargetEnterprise,
)
from dashboard.models import AnnualTarget, StageWeight
from demo.data import add_months
from demo.seeding import (
    SEEDS_DIR,
    SeedDataError,
    article_files,
    load_facts,
    quoted_figures,
    read_seed,
)
from org import roles
from org.models import Place, Unit, User
from projects.models import (
    Enterprise,
    Event,
    Instruction,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)
from projects.selectors import previous_month, project_list
from projects.stages import ACTIVE, Kind, Stage, kind_of, needs_reason, unmet_requirements

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    """Row counts of every table (history tables included) and the latest edit stamps."""
    state = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    state["Project.updated_at"] = Project.objects.aggregate(m=Max("updated_at"))["m"]
    state["Project.version"] = Project.objects.aggregate(s=Sum("version"))["s"]
    return state


def _load(*args) -> str:
    out = StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    # A fast hasher: the demo accounts' passwords are not what is tested here.
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        runs = SimpleNamespace()
        runs.facts_output = _load("--no-demo")
        runs.after_facts = _snapshot()
        runs.first_output = _load()
        runs.after_first = _snapshot()
        runs.second_output = _load()
        runs.after_second = _snapshot()
        runs.facts_again_output = _load("--no-demo")
        runs.after_facts_again = _snapshot()
        yield runs
        transaction.set_rollback(True)


# --- idempotence and --no-demo ----------------------------------------------------------------


def test_a_second_run_changes_nothing(seeded):
    assert seeded.after_second == seeded.after_first
    assert "nothing changed" in seeded.second_output


def test_a_facts_only_run_after_the_demo_changes_nothing(seeded):
    assert seeded.after_facts_again == seeded.after_first
    assert "nothing changed" in seeded.facts_again_output


def test_the_first_run_says_what_it_created(seeded):
    assert "招商项目 " in seeded.first_output
    assert "nothing changed" not in seeded.first_output


def test_no_demo_loads_the_facts_and_no_project(seeded):
    facts = seeded.after_facts
    assert facts["projects.Project"] == 0
    assert facts["projects.MonthlyProgress"] == 0
    assert facts["org.User"] == 0
    assert facts["chains.IndustryChain"] == 6
    assert facts["org.Place"] == 6
    assert facts["org.Unit"] >= 8
    assert facts["projects.Event"] == 4
    assert facts["projects.Enterprise"] == len(read_seed("enterprises.yaml"))
    assert facts["chains.ChainTaskForce"] == 0


# --- the facts of the sources ------------------------------------------------------------------

SUB_CHAINS = {
    "有色金属新材料": {"金属纳米粉体", "高温合金", "耐蚀合金", "铜加工产品", "海绵钛及钛合金"},
    "新能源和新能源电池": {"电池电芯及电机电控", "正极材料", "负极材料", "电解液及其他辅料"},
    "数字经济": {"大数据中心", "网络货运", "工业互联网与智能制造"},
    "化工循环": {"氯碱化工", "硫磷化工", "煤化工", "氟化工", "精细化工"},
    "资源综合利用": {"冶炼渣及有价金属回收", "废旧电池回收", "尾矿综合利用", "磷石膏综合利用"},
    "高品质菜草畜": {"高原夏菜", "优质牧草", "奶绵羊", "肉羊"},
}
TIERS = {
    "有色金属新材料": IndustryChain.Tier.HUNDRED_BILLION,
    "新能源和新能源电池": IndustryChain.Tier.HUNDRED_BILLION,
    "数字经济": IndustryChain.Tier.TEN_BILLION,
    "化工循环": IndustryChain.Tier.TEN_BILLION,
    "资源综合利用": IndustryChain.Tier.TEN_BILLION,
    "高品质菜草畜": IndustryChain.Tier.TEN_BILLION,
}


def test_the_six_chains_have_their_tiers_and_sub_chains(seeded):
    for name, tier in TIERS.items():
        chain = IndustryChain.objects.get(name=name)
        assert chain.tier == tier
        top = set(chain.links.filter(parent=None).values_list("name", flat=True))
        assert top == SUB_CHAINS[name], name


def test_the_three_named_gaps_want_more_enterprises_than_present(seeded):
    parent = ChainLink.objects.get(chain__name="新能源和新能源电池", name="电解液及其他辅料")
    for name in ("碳酸酯", "隔膜", "铝塑膜"):
        link = ChainLink.objects.get(parent=parent, name=name)
        assert link.gap_description
        assert link.wanted_enterprises > link.enterprises.count()
        assert link.gap_count() > 0


def test_jinchuan_group_is_the_owner_of_the_nonferrous_chain(seeded):
    jinchuan = Enterprise.objects.get(name="金川集团")
    assert jinchuan.is_chain_owner
    assert not jinchuan.is_illustrative
    assert jinchuan in IndustryChain.objects.get(name="有色金属新材料").chain_owners.all()
    assert Enterprise.objects.get(name="龙佰集团").is_head
    assert Enterprise.objects.get(name="华电").is_head


@pytest.mark.parametrize(
    ("chain", "year", "wan"),
    [
        ("有色金属新材料", 2024, "10500000"),
        ("有色金属新材料", 2025, "13000000"),
        ("新能源和新能源电池", 2023, "2600000"),
        ("高品质菜草畜", 2023, "1001100"),
        ("高品质菜草畜", 2024, "1056300"),
    ],
)
def test_chain_outputs_are_kept_in_wan(seeded, chain, year, wan):
    output = ChainOutput.objects.get(chain__name=chain, year=year)
    assert output.actual == Decimal(wan)
    assert output.source


@pytest.mark.parametrize(
    ("name", "held_on", "count", "amount"),
    [
        ("新能源电池产业招商引资推介暨项目签约大会", datetime.date(2022, 4, 7), 44, "4568000"),
        ("资源综合利用产业招商暨湘企洽谈活动", datetime.date(2025, 6, 26), 28, "2179000"),
    ],
)
def test_events_carry_the_totals_the_city_reported(seeded, name, held_on, count, amount):
    event = Event.objects.get(name=name, held_on=held_on)
    assert event.reported_project_count == count
    assert event.reported_amount == Decimal(amount)
    assert not event.is_illustrative


def test_the_lanzhou_fair_is_there_for_2024_and_2025(seeded):
    years = set(
        Event.objects.filter(name__contains="兰州投资贸易洽谈会").values_list(
            "held_on__year", flat=True
        )
    )
    assert years == {2024, 2025}


def test_the_places_and_units_are_jinchangs(seeded):
    assert Place.objects.get(name="金川民营经济产业园").parent.name == "金昌经济技术开发区"
    assert Place.objects.get(name="河西堡工业园").parent.name == "永昌工业园区"
    for short in ("招商局", "发改委", "工信局", "经开区管委会", "金川区", "永昌县"):
        assert Unit.objects.filter(short_name=short).exists(), short
    assert Unit.objects.get(short_name="经开区管委会").uses_project_manager
    assert Unit.objects.get(short_name="招商局").name == "金昌市投资促进局"


# (investor, a piece of the name, chain, stage, place or None when illustrative)
NAMED_PROJECTS = [
    (
        "甘肃拓拓环保科技有限公司",
        "11万吨废铅酸蓄电池",
        "资源综合利用",
        Stage.GREEN,
        "金昌经济技术开发区",
    ),
    ("甘肃佰利联化学有限公司", "40万吨合成金红石", "化工循环", Stage.GREEN, None),
    (
        "金川集团永昌铜业有限公司",
        "40万吨智能铜电解",
        "有色金属新材料",
        Stage.OPERATING,
        "河西堡工业园",
    ),
    ("甘肃成丰建设有限公司", "2万吨装配式钢结构", None, Stage.GREEN, None),
    ("金川集团", "7万吨三元前驱体", "新能源和新能源电池", Stage.GREEN, None),
    ("金川集团", "10万吨三元前驱体", "新能源和新能源电池", Stage.BLUE, None),
    ("金川集团", "28万吨动力电池用硫酸镍", "新能源和新能源电池", Stage.GREEN, None),
    ("金川集团", "1万吨硅碳负极材料", "新能源和新能源电池", Stage.BLUE, None),
    ("金车储能", "2GWh磷酸铁锂电池", "新能源和新能源电池", Stage.OPERATING, None),
    ("金车储能", "18GWh磷酸铁锂电池", "新能源和新能源电池", Stage.GREEN, None),
    ("汉星", "1亿Ah锂离子电池", "新能源和新能源电池", Stage.OPERATING, None),
    ("甘肃亿镍集团金拓锂电公司", "电池", "新能源和新能源电池", Stage.OPERATING, None),
    ("甘肃金宏翔新能源有限公司", "18650", "新能源和新能源电池", Stage.OPERATING, None),
    ("甘肃德通国钛金属有限公司", "海绵钛", "有色金属新材料", Stage.OPERATING, None),
    ("金昌高能环境技术有限公司", "有价金属", "资源综合利用", Stage.OPERATING, None),
    ("甘肃元生农牧科技有限公司", "奶绵羊", "高品质菜草畜", Stage.OPERATING, "永昌县"),
    ("甘肃贝达生物科技有限公司", "", "化工循环", Stage.GREEN, None),
    ("甘肃联凯生物科技", "农药", "化工循环", Stage.OPERATING, "河西堡工业园"),
    ("甘肃科建星盐化工", "氯酸盐", "化工循环", Stage.OPERATING, None),
    ("华电", "2×100万千瓦调峰煤电", None, Stage.GREEN, None),
    ("甘肃电投", "紫云大数据中心", "数字经济", Stage.OPERATING, None),
]


@pytest.mark.parametrize(("investor", "piece", "chain", "stage", "place"), NAMED_PROJECTS)
def test_each_named_project_is_present_with_its_facts(seeded, investor, piece, chain, stage, place):
    project = Project.objects.get(investor__name=investor, name__contains=piece)
    assert project.stage == stage
    assert (project.chain.name if project.chain else None) == chain
    if place:
        assert project.place.name == place
    assert not project.investor.is_illustrative
    # The sources give no unit, leader or (mostly) investment: the record says so.
    assert project.is_illustrative
    assert "示例值" in project.source


def test_the_named_facts_that_have_numbers_keep_them(seeded):
    cluster = Project.objects.get(investor__name="金昌高能环境技术有限公司")
    assert cluster.total_investment == Decimal("200000")
    titanium = Project.objects.get(investor__name="甘肃德通国钛金属有限公司")
    assert set(titanium.co_investors.values_list("name", flat=True)) == {
        "龙佰集团",
        "云南国钛金属股份有限公司",
    }
    assert titanium.operating_on == datetime.date(2021, 1, 15)
    lead_battery = Project.objects.get(investor__name="甘肃拓拓环保科技有限公司")
    assert lead_battery.event.held_on == datetime.date(2024, 7, 6)
    assert lead_battery.signed_on == datetime.date(2024, 7, 6)


def test_the_quoted_figures_carry_what_the_city_reported():
    figures = quoted_figures()
    funds = figures["funds_in_place_2025_ytd"]
    assert funds.in_wan == Decimal("1532900.00")
    assert funds.yoy_amount == Decimal("45.48")
    assert funds.yoy_rate == Decimal("42.19")
    assert (funds.start, funds.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 5, 31))
    assert figures["projects_implemented_2025_ytd"].value == 129
    assert figures["signed_funds_arrival_rate_two_years"].value == Decimal("79.52")
    assert figures["key_projects_2025_h1"].value == 154
    assert figures["key_projects_start_rate_2025_h1"].value == Decimal("94.16")
    assert figures["pipeline_2025_projects"].value == 203
    assert figures["pipeline_2025_investment"].in_wan == Decimal("13776000.00")
    assert all(f.source.split("：")[0] in article_files() for f in figures.values())


# --- sources and illustrative marks --------------------------------------------------------


def _yaml_records(node):
    """Every record of a seed file, nested links and outputs included."""
    for record in node:
        yield record
        for key in ("outputs", "links", "children"):
            yield from _yaml_records(record.get(key) or [])


@pytest.mark.parametrize(
    "name",
    [
        "places.yaml",
        "units.yaml",
        "enterprises.yaml",
        "chains.yaml",
        "events.yaml",
        "figures.yaml",
        "projects.yaml",
    ],
)
def test_every_yaml_record_names_its_article(name):
    articles = article_files()
    records = list(_yaml_records(yaml.safe_load((SEEDS_DIR / name).read_text("utf-8"))))
    assert records
    for record in records:
        assert any(record["source"].startswith(a) for a in articles), record


def test_every_fact_in_the_database_carries_its_source(seeded):
    for model in (Place, Unit, Enterprise, IndustryChain, ChainOutput, ChainLink, Event):
        facts = model.objects.filter(is_illustrative=False)
        assert facts.exists(), model
        articles = tuple(article_files())
        for record in facts:
            assert record.source.startswith(articles), (model, record)


def test_every_illustrative_value_is_marked(seeded):
    assert not Project.objects.filter(is_illustrative=False).exists()
    assert not MonthlyProgress.objects.filter(is_illustrative=False).exists()
    assert not Problem.objects.filter(is_illustrative=False).exists()
    assert not Instruction.objects.filter(is_illustrative=False).exists()
    assert not User.objects.filter(is_illustrative=False).exists()
    for model in (AnnualTarget, ChainTaskForce, Opportunity, TargetEnterprise):
        assert model.objects.exists(), model
        assert not model.objects.filter(is_illustrative=False).exists(), model
    named = {r["name"] for r in read_seed("enterprises.yaml")}
    for firm in Enterprise.objects.all():
        assert firm.is_illustrative == (firm.name not in named), firm.name
        if firm.is_illustrative:
            assert firm.name.endswith("（示例）")
    events = {r["name"] for r in read_seed("events.yaml")}
    for event in Event.objects.exclude(name__in=events):
        assert event.is_illustrative


def test_no_real_person_is_assigned_to_a_project(seeded):
    leaders = Group.objects.get(name=roles.LEADER).user_set.all()
    for project in Project.objects.select_related("leader", "manager"):
        for person in (project.leader, project.manager, *project.team.all()):
            if person is not None:
                assert person.is_illustrative
                assert "（示例）" in person.full_name
        if project.leader:
            assert project.leader in leaders
    for force in ChainTaskForce.objects.select_related("leader"):
        assert force.leader.is_illustrative
        assert force.contact_person.endswith("（示例）")


# --- the demo ledger is a plausible history -----------------------------------------------


def test_every_stage_meets_its_requirements_and_follows_its_history(seeded):
    now = timezone.now()
    for project in Project.objects.prefetch_related("stage_changes"):
        assert unmet_requirements(project, project.stage) == [], project.code
        moves = list(project.stage_changes.all())
        assert moves[0].from_stage == ""
        assert moves[0].changed_at == project.created_at
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_stage == before.to_stage, project.code
            assert before.changed_at < after.changed_at <= now, project.code
            if needs_reason(after.from_stage, after.to_stage):
                assert after.reason, project.code
        assert moves[-1].to_stage == project.stage
        assert project.stage_changed_at == moves[-1].changed_at


def test_dates_follow_the_stages(seeded):
    today = timezone.localdate()
    for p in Project.objects.all():
        dates = [d for d in (p.first_contact_on, p.signed_on, p.started_on, p.operating_on) if d]
        assert dates == sorted(dates), p.code
        assert max(dates) <= today, p.code


def test_the_demo_spreads_projects_over_chains_places_units_and_stages(seeded):
    projects = Project.objects.all()
    assert 150 <= projects.count() <= 250
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    for chain in IndustryChain.objects.all():
        assert chain.projects.count() >= 10, chain.name
    assert set(projects.values_list("place__name", flat=True)) == set(
        Place.objects.values_list("name", flat=True)
    )
    assert projects.values("unit").distinct().count() >= 6
    assert projects.filter(total_investment__lte=5000).exists()  # not only key projects


def test_history_has_downgrades_drops_and_a_restore(seeded):
    kinds = [kind_of(c.from_stage, c.to_stage) for c in StageChange.objects.all()]
    assert kinds.count(Kind.DOWNGRADE) >= 3
    assert kinds.count(Kind.DROP) >= 5
    assert kinds.count(Kind.RESTORE) >= 1


def test_progress_covers_two_years_up_to_the_last_complete_month(seeded):
    last = previous_month(timezone.localdate())
    span = MonthlyProgress.objects.aggregate(first=Min("month"), last=Max("month"))
    assert span == {"first": add_months(last, -23), "last": last}


def test_funds_in_place_are_of_the_order_the_city_reported(seeded):
    last = previous_month(timezone.localdate())
    year = last.year if last.month >= 5 else last.year - 1
    total = MonthlyProgress.objects.filter(month__year=year, month__month__lte=5).aggregate(
        s=Sum("funds_in_place")
    )["s"]
    reported = quoted_figures()["funds_in_place_2025_ytd"].in_wan
    assert reported / 3 < total < reported * 3


def test_some_key_projects_lack_their_four_ones_and_some_problems_are_overdue(seeded):
    flagged = project_list()
    assert flagged.filter(four_one_missing=True).count() >= 3
    assert flagged.filter(has_overdue_problem=True).count() >= 3
    assert Problem.objects.overdue().count() >= 3
    assert Problem.objects.filter(status=Problem.Status.RESOLVED).count() >= 10
    assert Instruction.objects.exists()


def test_targets_cover_each_unit_with_projects_and_the_city_for_two_years(seeded):
    year = timezone.localdate().year
    units = set(Project.objects.values_list("unit", flat=True))
    for y in (year - 1, year):
        targets = AnnualTarget.objects.filter(year=y)
        assert targets.filter(unit=None).exists()
        assert units <= set(targets.values_list("unit", flat=True))
    # The forecast weighs the open pipeline; dashboard's migration installs the weights.
    assert set(ACTIVE) <= set(StageWeight.objects.values_list("stage", flat=True))


def test_one_monthly_report_is_generated_for_the_last_complete_month(seeded):
    from dispatch.models import Report

    assert list(Report.objects.values_list("month", flat=True)) == [
        previous_month(timezone.localdate())
    ]


# --- bad seed files -----------------------------------------------------------------------


@pytest.fixture
def seeds_copy(tmp_path):
    return shutil.copytree(SEEDS_DIR, tmp_path / "seeds")


def _edit(path, change):
    records = yaml.safe_load(path.read_text("utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True), "utf-8")


def test_it_refuses_a_record_without_its_source(seeds_copy):
    _edit(seeds_copy / "places.yaml", lambda records: records[2].pop("source"))
    with pytest.raises(SeedDataError, match="places.yaml 第3条.*source"):
        load_facts(seeds_dir=seeds_copy)


def test_it_refuses_a_link_naming_an_undefined_enterprise(seeds_copy):
    def change(chains):
        chains[0]["links"][0]["enterprises"] = ["不存在的企业"]

    _edit(seeds_copy / "chains.yaml", change)
    with pytest.raises(SeedDataError, match="不存在的企业"):
        load_facts(seeds_dir=seeds_copy)


def test_a_corrected_fact_updates_only_that_record(seeds_copy):
    load_facts(seeds_dir=seeds_copy)

    def change(events):
        events[1]["reported_project_count"] = 29

    _edit(seeds_copy / "events.yaml", change)
    tally = load_facts(seeds_dir=seeds_copy)
    assert dict(tally.created) == {}
    assert dict(tally.updated) == {"招商活动": 1}
    event = Event.objects.get(name="资源综合利用产业招商暨湘企洽谈活动")
    assert event.reported_project_count == 29


def test_it_refuses_a_chain_output_without_its_source(seeds_copy):
    _edit(seeds_copy / "chains.yaml", lambda chains: chains[0]["outputs"][0].pop("source"))
    with pytest.raises(SeedDataError, match="有色金属新材料 产值.*source"):
        load_facts(seeds_dir=seeds_copy)


def test_after_the_load_every_warning_is_the_one_the_rule_gives_today(seeded):
    from projects.warnings import staleness_at, thresholds

    today = timezone.localdate()
    rows = Project.objects.annotate(rule=staleness_at(today, thresholds())).values_list(
        "staleness", "rule"
    )
    assert rows, "the demo loads projects"
    assert [stored for stored, _rule in rows] == [rule for _stored, rule in rows]
