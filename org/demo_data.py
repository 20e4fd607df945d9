"""The demo: Jinchang's named projects plus about 160 illustrative ones, with two years of history.

Everything here is marked illustrative (`is_illustrative=True`, shown with a "示例数据" badge):
the generated projects and their investors, the made-up values of the named projects, the
monthly progress, problems, instructions, targets, task forces and the people (the fictional
demo accounts of org/demo.py; no real person is assigned anything).

How it is built:
1. Each project gets a plan: a timeline of color-card moves that ends in its final stage.
2. The plan is replayed through the state machine: `project_create` at red, then
   `project_transition(..., at=<backdated>)` for each move, so history rows are the ones a real
   ledger would have (downgrades and drops carry reasons).
3. Monthly progress for the last 24 complete months follows each timeline (nothing before
   signing, most funds during construction, slower in winter) and is bulk-inserted.
4. Problems, instructions, annual targets (三亮), task forces, opportunities and target
   enterprises complete the pages. (Stage weights come with dashboard's migration.)

Deterministic: one `random.Random(SEED)`, and dates are placed relative to the last complete
month, so two loads in the same month produce the same data. Runs only once per database: when
illustrative projects exist, nothing is generated again.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from chains.models import ChainLink, ChainTaskForce, IndustryChain, Opportunity, TargetEnterprise
from dashboard.models import AnnualTarget
from dispatch.models import Report
from dispatch.services import report_generate_now
from org import roles
from org.demo import ensure_demo_accounts
from org.models import Place, Unit, User
from org.seeding import SEEDS_DIR, SeedDataError, Tally, find_link, named_projects, yi_to_wan
from projects.models import (
    KEY_PROJECT_THRESHOLD,
    Enterprise,
    EnterpriseContact,
    Event,
    Instruction,
    LeadSource,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)
from projects.selectors import previous_month
from projects.services import project_create, project_transition
from projects.stages import Stage, rank

SEED = 20260
GENERATED = "示例数据：org/demo_data.py 生成，来源文章未给出"
MARK = "（示例）"  # appended to made-up names of firms and people, as org/demo.py does

# --- time helpers ----------------------------------------------------------------------------


def add_months(day: datetime.date, n: int) -> datetime.date:
    """The first day of the month `n` months after `day`'s month."""
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def months_between(a: datetime.date, b: datetime.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment on `day` in Jinchang's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def wan(value) -> Decimal:
    """Whole 万元: monthly ledgers are filed in whole 万元."""
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


GAP_LINKS = {"碳酸酯", "隔膜", "铝塑膜"}  # the named gaps stay gaps: no project there operates

# How many generated projects per chain (the named ones come on top).
CHAIN_COUNTS = {
    "有色金属新材料": 32,
    "新能源和新能源电池": 40,
    "数字经济": 16,
    "化工循环": 30,
    "资源综合利用": 22,
    "高品质菜草畜": 20,
}
# Shares of the final stages among the projects not signed at an event (those mostly operate).
FINAL_STAGE_WEIGHTS = {
    Stage.RED: 16,
    Stage.ORANGE: 18,
    Stage.BLUE: 20,
    Stage.GREEN: 24,
    Stage.OPERATING: 11,
    Stage.DROPPED: 11,
}
# Where each chain's projects are built.
PLACE_WEIGHTS = {
    "有色金属新材料": {
        "金昌经济技术开发区": 45,
        "金川民营经济产业园": 15,
        "河西堡工业园": 20,
        "金川区": 20,
    },
    "新能源和新能源电池": {
        "金昌经济技术开发区": 55,
        "金川民营经济产业园": 15,
        "永昌工业园区": 10,
        "金川区": 10,
        "永昌县": 10,
    },
    "数字经济": {"金川区": 50, "金昌经济技术开发区": 50},
    "化工循环": {"河西堡工业园": 45, "永昌工业园区": 15, "金昌经济技术开发区": 40},
    "资源综合利用": {
        "金昌经济技术开发区": 50,
        "河西堡工业园": 20,
        "金川区": 15,
        "金川民营经济产业园": 15,
    },
    "高品质菜草畜": {"永昌县": 65, "金川区": 35},
}
# The unit that usually answers for a place, and who else sometimes does.
PLACE_UNIT = {
    "金昌经济技术开发区": "经开区管委会",
    "金川民营经济产业园": "经开区管委会",
    "永昌工业园区": "永昌县",
    "河西堡工业园": "永昌县",
    "永昌县": "永昌县",
    "金川区": "金川区",
}
OTHER_UNITS = ["招商局", "招商局", "工信局", "发改委"]
# Each demo leader 包抓 the key projects of some chains, and leads those chains' task forces.
CHAIN_LEADER = {
    "有色金属新材料": "leader_wang",
    "资源综合利用": "leader_wang",
    "新能源和新能源电池": "leader_li",
    "化工循环": "leader_zhao",
    "数字经济": "leader_zhao",
    "高品质菜草畜": "leader_chen",
    None: "leader_chen",
}
# The moves that record a date on the project (signing, start, operation).
DATED = {Stage.BLUE, Stage.GREEN, Stage.OPERATING}
NAMED_DATES = {Stage.BLUE: "signed_on", Stage.GREEN: "started_on", Stage.OPERATING: "operating_on"}
# Construction slows in Gansu's winter.
SEASON = {1: 0.45, 2: 0.45, 3: 0.8, 4: 1.1, 5: 1.1, 6: 1.1, 7: 1.1, 8: 1.1, 9: 1.1, 10: 1.1}
SEASON |= {11: 0.8, 12: 0.45}
# Each chain's task force (专班): the lead unit and the member units.
TASK_FORCE_UNITS = {
    "有色金属新材料": ("工信局", ["招商局", "金川区", "永昌县", "科技局"]),
    "新能源和新能源电池": ("经开区管委会", ["工信局", "招商局", "发改委", "科技局"]),
    "数字经济": ("发改委", ["工信局", "金川区", "经开区管委会"]),
    "化工循环": ("工信局", ["永昌县", "生态环境局", "招商局"]),
    "资源综合利用": ("发改委", ["生态环境局", "工信局", "经开区管委会"]),
    "高品质菜草畜": ("永昌县", ["金川区", "招商局", "自然资源局"]),
}


def read_vocabulary(seeds_dir=None) -> dict:
    """The words of seeds/demo_vocabulary.yaml: name templates, narratives, reasons."""
    path = Path(seeds_dir or SEEDS_DIR) / "demo_vocabulary.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedDataError(f"{path}: {exc}") from exc


# --- plans -----------------------------------------------------------------------------------


@dataclass
class Step:
    stage: Stage
    on: datetime.date
    reason: str = ""
    intent_note: str = ""


@dataclass
class Plan:
    code: str
    name: str
    investor: Enterprise
    chain: IndustryChain | None
    link: ChainLink | None
    place: Place
    unit: Unit
    total: Decimal
    contracted: Decimal | None
    lead_source: str
    content: str
    first_contact: datetime.date
    steps: list[Step]
    expected_completion: datetime.date | None = None
    event: Event | None = None
    co_investors: list[Enterprise] = field(default_factory=list)
    source: str = GENERATED
    stale_from: datetime.date | None = None  # no progress filed from this month on
    leader: User | None = None
    team: list[User] = field(default_factory=list)
    manager: User | None = None
    project: Project | None = None

    @property
    def final(self) -> Stage:
        return self.steps[-1].stage if self.steps else Stage.RED

    def date_of(self, stage: Stage) -> datetime.date | None:
        dates = [s.on for s in self.steps if s.stage == stage]
        return dates[-1] if dates else None

    def stage_on(self, day: datetime.date) -> Stage:
        stage = Stage.RED
        for step in self.steps:
            if step.on <= day:
                stage = step.stage
        return stage

    @property
    def is_key(self) -> bool:
        return self.total > KEY_PROJECT_THRESHOLD


class DemoBuilder:
    def __init__(self, *, today: datetime.date, tally: Tally, seeds_dir=None):
        self.rng = random.Random(SEED)
        self.words = read_vocabulary(seeds_dir)
        self.templates = {
            chain: [
                (t["name"], tuple(t.get("link") or ()), tuple(t["wan"]), tuple(t.get("n") or ()))
                for t in templates
            ]
            for chain, templates in self.words["templates"].items()
        }
        self.today = today
        self.tally = tally
        self.seeds_dir = seeds_dir
        self.last_month = previous_month(today)  # the last complete month
        self.last_day = month_end(self.last_month)
        self.window = [add_months(self.last_month, -k) for k in range(23, -1, -1)]
        self.units = {u.short_name: u for u in Unit.objects.all()}
        self.places = {p.name: p for p in Place.objects.all()}
        self.chains = {c.name: c for c in IndustryChain.objects.all()}
        self.events = {e.name: e for e in Event.objects.filter(is_illustrative=False)}
        self.enterprise_names = set(Enterprise.objects.values_list("name", flat=True))
        self.enterprises_by_chain = defaultdict(list)
        self.project_names: dict[str, Enterprise] = {}  # name -> investor
        self.links = {}
        demo = User.objects.filter(is_illustrative=True).select_related("unit")
        self.leaders = {u.username: u for u in demo.filter(groups__name=roles.LEADER)}
        # One demo officer per unit: the unit's member of each project's task force.
        self.officers = {
            u.unit.short_name: u
            for u in demo.filter(groups__name=roles.OFFICER, unit__isnull=False)
        }

    # -- helpers --

    def pick(self, weights: dict):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def day_in(self, month: datetime.date) -> datetime.date:
        return month.replace(day=self.rng.randint(1, 28))

    def months_back(self, lo: int, hi: int) -> datetime.date:
        """A day in a month between `hi` and `lo` months before the last complete month."""
        return self.day_in(add_months(self.last_month, -self.rng.randint(lo, hi)))

    def before(self, day: datetime.date, lo: int, hi: int) -> datetime.date:
        return day - datetime.timedelta(days=self.rng.randint(lo, hi))

    def after(self, day: datetime.date, lo: int, hi: int) -> datetime.date:
        return day + datetime.timedelta(days=self.rng.randint(lo, hi))

    def link(self, chain: IndustryChain, path) -> ChainLink | None:
        if not path:
            return None
        key = (chain.pk, tuple(path))
        if key not in self.links:
            self.links[key] = find_link(chain, path)
        return self.links[key]

    def amount(self, lo: int, hi: int) -> Decimal:
        # Log-uniform: many mid-sized projects, a few large ones.
        value = lo * (hi / lo) ** self.rng.random()
        step = 100 if value < 10000 else 1000
        return Decimal(int(round(value / step) * step))

    def person(self) -> str:
        return (
            self.rng.choice(self.words["surnames"])
            + self.rng.choice(self.words["given_names"])
            + MARK
        )

    # -- enterprises --

    def enterprise(self, chain_name: str, origin: str | None = None) -> Enterprise:
        """A fictional investor, sometimes one already investing on the chain (二期)."""
        pool = self.enterprises_by_chain[chain_name]
        if pool and origin is None and self.rng.random() < 0.1:
            return self.rng.choice(pool)
        origin = origin or self.pick(
            {"湖南": 8, "江苏": 10, "浙江": 9, "广东": 9, "上海": 6, "北京": 6, "四川": 5}
            | {"陕西": 5, "甘肃": 12, "山东": 6, "福建": 5, "河南": 5, "江西": 4, "天津": 3}
        )
        for _ in range(50):
            name = (
                self.rng.choice(self.words["origins"][origin])
                + "".join(self.rng.sample(self.words["name_chars"], 2))
                + self.rng.choice(self.words["industry_words"][chain_name])
                + self.rng.choice(self.words["company_suffixes"])
                + MARK
            )
            if name not in self.enterprise_names:
                break
        self.enterprise_names.add(name)
        firm = Enterprise.objects.create(
            name=name,
            origin=origin,
            description="示例企业（虚构），用于演示。",
            source=GENERATED,
            is_illustrative=True,
        )
        self.tally.created[str(Enterprise._meta.verbose_name)] += 1
        pool.append(firm)
        return firm

    # -- timelines --

    def pre_signing(self, orange_on: datetime.date) -> tuple[datetime.date, list[Step]]:
        first_contact = self.before(orange_on, 10, 100)
        return first_contact, [Step(Stage.ORANGE, orange_on, intent_note=self.intent())]

    def intent(self) -> str:
        return self.rng.choice(self.words["intent_notes"])

    def timeline(self, final: Stage, signed: datetime.date | None = None):
        """(first contact, steps, expected completion) for a project ending in `final`.

        With `signed` (an event's date) the project goes as far as the time since allows.
        """
        rng = self.rng
        if signed is not None:
            started = self.after(signed, 60, 240)
            operating = self.after(started, 300, 640)
            if started > self.last_day:
                final = Stage.BLUE
            elif operating > self.last_day:
                final = min(final, Stage.GREEN, key=rank)
            return self._forward(final, signed, started, operating)
        if final == Stage.OPERATING:
            operating = self.months_back(1, 16)
            started = self.before(operating, 300, 640)
            signed = self.before(started, 30, 160)
            return self._forward(final, signed, started, operating)
        if final == Stage.GREEN:
            started = self.months_back(1, 22)
            signed = self.before(started, 30, 180)
            return self._forward(final, signed, started, None)
        if final == Stage.BLUE:
            signed = self.months_back(0, 15)
            return self._forward(final, signed, None, None)
        if final == Stage.ORANGE:
            orange_on = self.months_back(0, 12)
            first_contact, steps = self.pre_signing(orange_on)
            if rng.random() < 0.25 and orange_on - first_contact > datetime.timedelta(days=60):
                # Talks cooled and warmed up again: orange, back to red, orange once more.
                span = (orange_on - first_contact).days
                first_orange = first_contact + datetime.timedelta(days=span // 4)
                back_to_red = first_contact + datetime.timedelta(days=span // 2)
                steps = [
                    Step(Stage.ORANGE, first_orange, intent_note=self.intent()),
                    Step(
                        Stage.RED, back_to_red, reason=rng.choice(self.words["downgrade_reasons"])
                    ),
                    Step(
                        Stage.ORANGE, orange_on, reason="", intent_note=self.words["re_orange_note"]
                    ),
                ]
            return first_contact, steps, None
        if final == Stage.RED:
            first_contact = self.months_back(0, 10)
            steps = []
            if rng.random() < 0.35 and first_contact < self.last_day - datetime.timedelta(days=90):
                orange_on = self.after(first_contact, 20, 60)
                back = self.after(orange_on, 30, 90)
                if back <= self.last_day:
                    steps = [
                        Step(Stage.ORANGE, orange_on, intent_note=self.intent()),
                        Step(Stage.RED, back, reason=rng.choice(self.words["downgrade_reasons"])),
                    ]
            return first_contact, steps, None
        raise ValueError(final)

    def _forward(self, final, signed, started, operating):
        orange_on = self.before(signed, 20, 120)
        first_contact, steps = self.pre_signing(orange_on)
        steps.append(Step(Stage.BLUE, signed))
        expected = self.after(signed, 540, 1100)
        if final in (Stage.GREEN, Stage.OPERATING):
            steps.append(Step(Stage.GREEN, started))
            expected = self.after(started, 420, 900)
            if expected <= self.today:
                expected = self.after(self.today, 60, 400)
        if final == Stage.OPERATING:
            steps.append(Step(Stage.OPERATING, operating))
            expected = self.after(operating, -60, 30)
        return first_contact, steps, expected

    def dropped_timeline(self):
        """A project dropped from red, orange or blue, with the moves before the drop."""
        dropped_on = self.months_back(0, 16)
        before = self.pick({Stage.RED: 45, Stage.ORANGE: 35, Stage.BLUE: 20})
        if before == Stage.RED:
            first_contact = self.before(dropped_on, 60, 300)
            steps = []
        elif before == Stage.ORANGE:
            orange_on = self.before(dropped_on, 40, 240)
            first_contact, steps = self.pre_signing(orange_on)
        else:
            signed = self.before(dropped_on, 60, 300)
            first_contact, steps, _ = self._forward(Stage.BLUE, signed, None, None)
        steps.append(
            Step(Stage.DROPPED, dropped_on, reason=self.rng.choice(self.words["drop_reasons"]))
        )
        return first_contact, steps, None

    # -- building plans --

    def plan(
        self,
        chain_name: str,
        final: Stage | None = None,
        *,
        event: Event | None = None,
        origin: str | None = None,
    ) -> Plan:
        rng = self.rng
        chain = self.chains[chain_name]
        for _ in range(10):
            template, path, (lo, hi), choices = rng.choice(self.templates[chain_name])
            name = template.format(n=rng.choice(choices)) if choices else template
            if name not in self.project_names:
                break
        investor = None
        if name in self.project_names:
            # The same firm's second phase.
            investor = self.project_names[name]
            name = name.removesuffix("项目") + "（二期）项目"
        investor = investor or self.enterprise(chain_name, origin)
        self.project_names[name] = investor
        if final is None:
            final = self.pick(FINAL_STAGE_WEIGHTS)
        if path and path[-1] in GAP_LINKS and final in (Stage.GREEN, Stage.OPERATING):
            final = Stage.BLUE  # the named gaps are still being courted
        if final == Stage.DROPPED and event is None:
            first_contact, steps, expected = self.dropped_timeline()
        else:
            signed = event.held_on if event else None
            first_contact, steps, expected = self.timeline(final, signed)
        total = self.amount(lo, hi)
        signed_on = next((s.on for s in steps if s.stage == Stage.BLUE), None)
        contracted = None
        if signed_on:
            contracted = (
                total if rng.random() < 0.8 else wan(total * Decimal(rng.uniform(0.7, 0.95)))
            )
        place_name = self.pick(PLACE_WEIGHTS[chain_name])
        unit_name = PLACE_UNIT[place_name]
        if rng.random() < 0.2:
            unit_name = rng.choice(OTHER_UNITS)
        if event:
            lead_source = LeadSource.EVENT
        else:
            lead_source = self.pick(
                {LeadSource.CHAIN: 35, LeadSource.BUSINESS: 25, LeadSource.RESIDENT: 10}
                | {LeadSource.FUND: 8, LeadSource.ONLINE: 7, LeadSource.OTHER: 15}
            )
        return Plan(
            code="",
            name=name,
            investor=investor,
            chain=chain,
            link=self.link(chain, path),
            place=self.places[place_name],
            unit=self.units[unit_name],
            total=total,
            contracted=contracted,
            lead_source=lead_source,
            content=f"建设{name.removesuffix('项目')}及配套设施。",
            first_contact=first_contact,
            steps=steps,
            expected_completion=expected,
            event=event,
        )

    def named_plans(self) -> list[Plan]:
        plans = []
        firms = {e.name: e for e in Enterprise.objects.filter(is_illustrative=False)}
        for r in named_projects(self.seeds_dir):
            where = f"projects.yaml {r['code']}"
            try:
                investor = firms[r["investor"]]
                co = [firms[n] for n in r.get("co_investors") or ()]
                chain = self.chains[r["chain"]] if r.get("chain") else None
                place = self.places[r["place"]]
                unit = self.units[r["unit"]]
            except KeyError as exc:
                raise SeedDataError(f"{where}: 未定义的 {exc}") from exc
            event = None
            if r.get("event"):
                event = Event.objects.filter(**r["event"]).first()
                if event is None:
                    raise SeedDataError(f"{where}: 找不到活动 {r['event']}")
            final = Stage(r["stage"])
            dates = {s: r.get(f) for s, f in NAMED_DATES.items()}
            steps = []
            signed = dates[Stage.BLUE]
            first_contact = r["first_contact_on"]
            if final != Stage.RED:
                orange_on = (
                    self.before(signed, 20, 90) if signed else self.after(first_contact, 20, 60)
                )
                orange_on = max(orange_on, first_contact + datetime.timedelta(days=7))
                steps.append(Step(Stage.ORANGE, orange_on, intent_note=self.intent()))
            for stage in (Stage.BLUE, Stage.GREEN, Stage.OPERATING):
                if rank(stage) <= rank(final):
                    if not dates[stage]:
                        raise SeedDataError(f"{where}: 阶段 {final} 需要 {NAMED_DATES[stage]}")
                    steps.append(Step(stage, dates[stage]))
            total = yi_to_wan(r["total_investment_yi"])
            made_up = "、".join(r["illustrative_fields"])
            plans.append(
                Plan(
                    code=r["code"],
                    name=r["name"],
                    investor=investor,
                    co_investors=co,
                    chain=chain,
                    link=find_link(chain, r["link"]) if r.get("link") else None,
                    place=place,
                    unit=unit,
                    total=total,
                    contracted=total if signed else None,
                    lead_source=r.get("lead_source", LeadSource.OTHER),
                    content=r.get("construction_content", ""),
                    first_contact=first_contact,
                    steps=steps,
                    expected_completion=r.get("expected_completion_on") or dates[Stage.OPERATING],
                    event=event,
                    source=f"{r['source']}；示例值：{made_up}"[:300],
                )
            )
            self.project_names[r["name"]] = investor
        return plans

    def generated_plans(self) -> list[Plan]:
        plans = []
        rng = self.rng
        # Projects signed at the events the sources name (and one made-up recent event).
        conference = self.events.get("新能源电池产业招商引资推介暨项目签约大会")
        hunan = self.events.get("资源综合利用产业招商暨湘企洽谈活动")
        lanzhou_2024 = self.events.get("第三十届中国兰州投资贸易洽谈会")
        lanzhou_2025 = self.events.get("第三十一届中国兰州投资贸易洽谈会")
        recent = self.illustrative_event()
        batches = [
            (conference, ["新能源和新能源电池"] * 8, None),
            (hunan, ["资源综合利用"] * 6, "湖南"),
            (lanzhou_2024, ["有色金属新材料", "化工循环", "高品质菜草畜", "数字经济"], None),
            (lanzhou_2025, ["新能源和新能源电池", "化工循环", "有色金属新材料"] * 2, None),
            (recent, ["新能源和新能源电池"] * 3 + ["有色金属新材料"] * 2, None),
        ]
        counts = dict(CHAIN_COUNTS)
        for event, chain_names, origin in batches:
            if event is None or event.held_on > self.last_day:
                continue
            for chain_name in chain_names:
                final = Stage.DROPPED if rng.random() < 0.08 else Stage.OPERATING
                plan = self.plan(
                    chain_name,
                    final if final != Stage.DROPPED else Stage.BLUE,
                    event=event,
                    origin=origin,
                )
                if final == Stage.DROPPED:
                    last = plan.steps[-1].on
                    drop_on = self.after(last, 60, 300)
                    if drop_on <= self.last_day:
                        plan.steps.append(
                            Step(
                                Stage.DROPPED,
                                drop_on,
                                reason=rng.choice(self.words["drop_reasons"]),
                            )
                        )
                plans.append(plan)
                counts[chain_name] = counts.get(chain_name, 0) - 1
        chain_names = [name for name, count in counts.items() for _ in range(max(count, 0))]
        finals = self.shares(FINAL_STAGE_WEIGHTS, len(chain_names))
        for chain_name, final in zip(chain_names, finals, strict=True):
            plans.append(self.plan(chain_name, final))
        # One project dropped and taken up again: dropped -> red (restored) -> orange.
        revived = next(p for p in plans if p.final == Stage.ORANGE and p.event is None)
        orange_on = revived.steps[-1].on
        revived.first_contact = min(revived.first_contact, orange_on - datetime.timedelta(days=240))
        span = (orange_on - revived.first_contact).days
        revived.steps = [
            Step(
                Stage.DROPPED,
                revived.first_contact + datetime.timedelta(days=span // 3),
                reason=self.words["drop_reasons"][1],
            ),
            Step(
                Stage.RED,
                revived.first_contact + datetime.timedelta(days=2 * span // 3),
                reason=self.words["restore_reason"],
            ),
            Step(Stage.ORANGE, orange_on, intent_note=self.words["re_orange_note"]),
        ]
        return plans

    def shares(self, weights: dict, n: int) -> list:
        """`n` values in the proportions of `weights` (largest remainder), shuffled."""
        total = sum(weights.values())
        exact = {k: n * w / total for k, w in weights.items()}
        counts = {k: int(v) for k, v in exact.items()}
        for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True):
            if sum(counts.values()) >= n:
                break
            counts[k] += 1
        values = [k for k, c in counts.items() for _ in range(c)]
        self.rng.shuffle(values)
        return values

    def illustrative_event(self) -> Event:
        held_on = self.day_in(add_months(self.last_month, -7))
        event, created = Event.objects.get_or_create(
            name="新能源电池产业链专题招商推介会" + MARK,
            held_on=held_on,
            defaults={
                "venue": "金昌",
                "description": "示例活动（虚构），用于演示活动页的签约统计。",
                "source": GENERATED,
                "is_illustrative": True,
            },
        )
        if created:
            self.tally.created[str(Event._meta.verbose_name)] += 1
        return event

    # -- people --

    def assign_people(self, plans: list[Plan]) -> None:
        """The "四个一" team of each project, with a few key projects deliberately incomplete."""
        rng = self.rng
        for plan in plans:
            leader_name = CHAIN_LEADER[plan.chain.name if plan.chain else None]
            if plan.is_key:
                plan.leader = self.leaders.get(leader_name)
            officer = self.officers.get(plan.unit.short_name)
            plan.team = [officer] if officer else []
            investment_bureau = self.officers.get("招商局")
            if investment_bureau and investment_bureau not in plan.team and rng.random() < 0.35:
                plan.team.append(investment_bureau)
            if plan.unit.uses_project_manager:
                plan.manager = self.officers.get(plan.unit.short_name)
        generated_live = [
            p
            for p in plans
            if not p.code.startswith("JC-S")
            and p.is_key
            and p.final in (Stage.ORANGE, Stage.BLUE, Stage.GREEN)
        ]
        chosen = rng.sample(generated_live, 9)
        for plan in chosen[:5]:
            plan.leader = None
        for plan in chosen[5:]:
            plan.team = []
        for plan in [p for p in generated_live if p.unit.uses_project_manager and p.manager][:2]:
            plan.manager = None
        # Some projects stopped filing progress: staleness warnings have something to show.
        stale = [
            p
            for p in plans
            if not p.code.startswith("JC-S")
            and p.final in (Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN)
            and p.first_contact < add_months(self.last_month, -8)
        ]
        for plan in rng.sample(stale, min(8, len(stale))):
            plan.stale_from = add_months(self.last_month, -rng.randint(1, 6))

    # -- replaying the plans through the state machine --

    def assign_codes(self, plans: list[Plan]) -> None:
        per_year = defaultdict(int)
        for plan in sorted(plans, key=lambda p: (p.first_contact, p.name)):
            if not plan.code:
                per_year[plan.first_contact.year] += 1
                plan.code = (
                    f"JC-{plan.first_contact.year}-{100 + per_year[plan.first_contact.year]:03d}"
                )

    def replay(self, plans: list[Plan]) -> None:
        history_dates = {}
        for plan in sorted(plans, key=lambda p: (p.first_contact, p.code)):
            created = at(plan.first_contact, 9, self.rng.randint(0, 59))
            project = project_create(
                user=None,
                team=plan.team,
                m2m={"co_investors": plan.co_investors} if plan.co_investors else None,
                code=plan.code,
                name=plan.name,
                investor=plan.investor,
                total_investment=plan.total,
                contracted_investment=plan.contracted,
                chain=plan.chain,
                chain_link=plan.link,
                place=plan.place,
                unit=plan.unit,
                construction_content=plan.content,
                lead_source=plan.lead_source,
                event=plan.event,
                first_contact_on=plan.first_contact,
                expected_completion_on=plan.expected_completion,
                leader=plan.leader,
                manager=plan.manager,
                at=created,
                source=plan.source,
                is_illustrative=True,
            )
            moments = [created]
            for step in plan.steps:
                moment = at(step.on, 10, self.rng.randint(0, 59))
                if moment <= moments[-1]:
                    moment = moments[-1] + datetime.timedelta(hours=1)
                moments.append(moment)
                project = project_transition(
                    project_id=project.pk,
                    to=step.stage,
                    user=None,
                    reason=step.reason,
                    on=step.on if step.stage in DATED else None,
                    intent_note=step.intent_note,
                    at=moment,
                )
            history_dates[project.pk] = moments
            plan.project = project
        self.tally.created[str(Project._meta.verbose_name)] += len(plans)
        self.tally.created[str(StageChange._meta.verbose_name)] += sum(
            len(m) for m in history_dates.values()
        )

    # -- monthly progress --

    def progress(self, plans: list[Plan]) -> None:
        rng = self.rng
        rows = []
        for plan in plans:
            project = plan.project
            started = plan.date_of(Stage.GREEN)
            operating = plan.date_of(Stage.OPERATING)
            finish = (
                operating or plan.expected_completion or self.after(started or self.today, 400, 700)
            )
            build_months = max(8, months_between(started, finish)) if started else 12
            contracted = plan.contracted or plan.total
            funds_total = Decimal(0)
            invest_total = Decimal(0)
            officer = plan.team[0] if plan.team else None
            for month in self.window:
                end = month_end(month)
                if end < plan.first_contact:
                    continue
                if plan.stale_from and month >= plan.stale_from:
                    continue
                stage = plan.stage_on(end)
                if stage == Stage.DROPPED:
                    continue
                if operating and months_between(operating, month) > 2:
                    continue
                skip = 0.1 if month == self.last_month else 0.03
                if rng.random() < skip:
                    continue
                season = SEASON[month.month]
                funds = invest = Decimal(0)
                if stage == Stage.BLUE:
                    # Land, design and deposits before the works start.
                    funds = contracted * Decimal(rng.uniform(0.01, 0.03))
                    invest = plan.total * Decimal(rng.uniform(0.005, 0.015))
                elif stage == Stage.GREEN:
                    share = Decimal(rng.uniform(0.6, 1.4) * season / build_months)
                    # Equity and loans arrive ahead of the works: most funds are in place by
                    # the time 70% of the building time has passed.
                    funds = contracted * Decimal("0.9") * share / Decimal("0.7")
                    invest = plan.total * Decimal("0.9") * share
                elif stage == Stage.OPERATING:
                    funds = contracted * Decimal(rng.uniform(0.005, 0.02))
                    invest = plan.total * Decimal(rng.uniform(0.002, 0.01))
                funds = min(wan(funds), max(wan(contracted - funds_total), Decimal(0)))
                invest = min(wan(invest), max(wan(plan.total - invest_total), Decimal(0)))
                funds_total += funds
                invest_total += invest
                percent = (
                    min(95, int(100 * months_between(started, month) / build_months))
                    if started
                    else 0
                )
                narrative = rng.choice(self.words["narratives"][stage]).format(
                    n=rng.randint(2, 5), p=max(percent, 5)
                )
                filed = min(
                    at(add_months(month, 1).replace(day=rng.randint(2, 8)), 16), timezone.now()
                )
                rows.append(
                    MonthlyProgress(
                        project=project,
                        month=month,
                        investment_completed=invest,
                        funds_in_place=funds,
                        narrative=narrative,
                        next_steps=rng.choice(self.words["next_steps"][stage]),
                        filed_by=officer,
                        filed_at=filed,
                        is_illustrative=True,
                    )
                )
        MonthlyProgress.objects.bulk_create(rows, batch_size=1000)
        self.tally.created[str(MonthlyProgress._meta.verbose_name)] += len(rows)

    # -- problems and instructions --

    def problems(self, plans: list[Plan]) -> None:
        rng = self.rng
        today = self.today
        candidates = [
            p
            for p in plans
            if p.final in (Stage.BLUE, Stage.GREEN) and p.first_contact < self.last_day
        ]
        candidates += [p for p in plans if p.final == Stage.ORANGE][:6]
        chosen = rng.sample(candidates, min(55, len(candidates)))
        overdue_wanted = 9
        created = []
        instructions = []
        for index, plan in enumerate(chosen):
            since = max(plan.date_of(Stage.ORANGE) or plan.first_contact, self.window[0])
            for _ in range(rng.choice((1, 1, 2))):
                category = rng.choice(list(self.words["problems"]))
                unit_name = self.words["problems"][category]["unit"]
                texts = self.words["problems"][category]["texts"]
                unit = self.units.get(unit_name) if unit_name else plan.unit
                raised = self.after(since, 0, max(1, (self.last_day - since).days))
                deadline = self.after(raised, 15, 60)
                # The first few chosen keep an open problem past its deadline.
                keep_open = index < overdue_wanted and deadline < today
                if deadline < today and not keep_open or deadline >= today and rng.random() < 0.3:
                    status = Problem.Status.RESOLVED
                else:
                    status = Problem.Status.OPEN
                resolved_on = None
                if status == Problem.Status.RESOLVED:
                    latest = min(today, deadline + datetime.timedelta(days=20))
                    resolved_on = self.after(raised, 3, max(4, (latest - raised).days))
                    resolved_on = min(resolved_on, today)
                raised_at = at(raised, 11)
                problem = Problem(
                    project=plan.project,
                    category=category,
                    description=rng.choice(texts).format(n=rng.choice((50, 120, 300, 2, 5))),
                    unit=unit,
                    deadline=deadline,
                    raised_by=plan.team[0] if plan.team else None,
                    raised_at=raised_at,
                    is_illustrative=True,
                )
                problem._history_date = raised_at
                problem.save()
                if resolved_on:
                    problem.status = Problem.Status.RESOLVED
                    problem.resolved_on = resolved_on
                    problem.resolution = rng.choice(self.words["resolutions"])
                    problem._history_date = at(resolved_on, 15)
                    problem.save()
                created.append(problem)
                leader = plan.leader or self.leaders.get(
                    CHAIN_LEADER[plan.chain.name if plan.chain else None]
                )
                given = self.after(raised, 1, 10)
                if leader and given <= today and rng.random() < 0.45:
                    instructions.append(
                        Instruction(
                            project=plan.project,
                            problem=problem,
                            leader=leader,
                            text=rng.choice(self.words["instructions"]).format(
                                unit=unit.short_name or unit.name
                            ),
                            given_at=min(at(given, 17), timezone.now()),
                            is_illustrative=True,
                        )
                    )
        for plan in rng.sample([p for p in plans if p.leader], 10):
            given = self.months_back(0, 12)
            if given < plan.first_contact:
                continue
            instructions.append(
                Instruction(
                    project=plan.project,
                    leader=plan.leader,
                    text=rng.choice(self.words["instructions"]).format(unit=plan.unit.short_name),
                    given_at=at(given, 17),
                    is_illustrative=True,
                )
            )
        Instruction.objects.bulk_create(instructions)
        self.tally.created[str(Problem._meta.verbose_name)] += len(created)
        self.tally.created[str(Instruction._meta.verbose_name)] += len(instructions)

    # -- chains: task forces, opportunities, target enterprises, firms on links --

    def chain_lists(self, plans: list[Plan]) -> None:
        rng = self.rng
        for chain_name, (lead, members) in TASK_FORCE_UNITS.items():
            chain = self.chains[chain_name]
            leader = self.leaders.get(CHAIN_LEADER[chain_name])
            force, created = ChainTaskForce.objects.get_or_create(
                chain=chain,
                defaults={
                    "leader": leader,
                    "lead_unit": self.units[lead],
                    "contact_person": self.person(),
                    "contact_phone": f"0935-000{rng.randint(1000, 9999)}",
                    "duties": f"统筹{chain_name}产业链招商，维护产业图谱和三张清单，"
                    "按月调度链上项目。",
                    "source": GENERATED,
                    "is_illustrative": True,
                },
            )
            if created:
                force.member_units.set([self.units[m] for m in members])
                self.tally.created[str(ChainTaskForce._meta.verbose_name)] += 1
            if chain.chain_leader_id is None and leader:
                # 链长 of the demo: the same fictional leader who heads the task force.
                IndustryChain.objects.filter(pk=chain.pk).update(chain_leader=leader)
        opportunities = self.words["opportunities"]
        for item in opportunities:
            Opportunity.objects.create(
                chain_link=self.link(self.chains[item["chain"]], item["link"]),
                title=item["title"] + MARK,
                scale=Decimal(item["wan"]),
                offer=rng.choice(self.words["opportunity_offers"]),
                status=item["status"],
                source=GENERATED,
                is_illustrative=True,
            )
        self.tally.created[str(Opportunity._meta.verbose_name)] += len(opportunities)
        # Target enterprises: firms courted for the gaps and a few other links; those whose
        # project is already in the ledger are "converted".
        targets = 0
        gap_plans = [p for p in plans if p.link and p.link.name in GAP_LINKS]
        for plan in gap_plans:
            TargetEnterprise.objects.create(
                enterprise=plan.investor,
                chain_link=plan.link,
                reason=f"补齐{plan.link.name}环节，{plan.link.gap_description}。",
                contact_status=TargetEnterprise.ContactStatus.CONVERTED,
                officer=plan.team[0] if plan.team else None,
                project=plan.project,
                source=GENERATED,
                is_illustrative=True,
            )
            targets += 1
        contact = [
            TargetEnterprise.ContactStatus.NOT_CONTACTED,
            TargetEnterprise.ContactStatus.CONTACTED,
            TargetEnterprise.ContactStatus.NEGOTIATING,
            TargetEnterprise.ContactStatus.DECLINED,
        ]
        for item in self.words["target_links"]:
            for _ in range(2):
                link = self.link(self.chains[item["chain"]], item["link"])
                firm = self.enterprise(item["chain"])
                _, created = TargetEnterprise.objects.get_or_create(
                    enterprise=firm,
                    chain_link=link,
                    defaults={
                        "reason": f"行业骨干企业，可补强{link.name}环节。",
                        "contact_status": rng.choice(contact),
                        "officer": self.officers.get(
                            rng.choice(["招商局", "经开区管委会", "工信局"])
                        ),
                        "source": GENERATED,
                        "is_illustrative": True,
                    },
                )
                targets += created
        self.tally.created[str(TargetEnterprise._meta.verbose_name)] += targets
        # Firms whose projects operate are present on their link (the named gaps stay open).
        present = 0
        for plan in plans:
            operates_on_link = (
                plan.final == Stage.OPERATING and plan.link and plan.link.name not in GAP_LINKS
            )
            if operates_on_link and not plan.link.enterprises.filter(pk=plan.investor.pk).exists():
                plan.link.enterprises.add(plan.investor)
                present += 1
        self.tally.created["在链企业"] += present

    def contacts(self) -> None:
        rows = [
            EnterpriseContact(
                enterprise=firm,
                name=self.person(),
                title=self.rng.choice(self.words["contact_titles"]),
            )
            for firm in Enterprise.objects.filter(is_illustrative=True, contacts__isnull=True)
        ]
        EnterpriseContact.objects.bulk_create(rows)
        self.tally.created[str(EnterpriseContact._meta.verbose_name)] += len(rows)

    # -- targets and weights --

    def annual_targets(self, plans: list[Plan]) -> None:
        """三亮 targets for the previous and the current year, set near what the demo ledger
        achieves so the rankings show some units ahead and some behind."""
        rng = self.rng
        year = self.today.year
        funds = defaultdict(Decimal)
        for row in (
            MonthlyProgress.objects.filter(is_illustrative=True, month__year__gte=year - 1)
            .values("project__unit__short_name", "month__year")
            .annotate(total=Sum("funds_in_place"))
        ):
            funds[(row["project__unit__short_name"], row["month__year"])] += row["total"]
        signings = defaultdict(int)
        starts = defaultdict(int)
        for plan in plans:
            for stage, counter in ((Stage.BLUE, signings), (Stage.GREEN, starts)):
                day = plan.date_of(stage)
                if day and day.year >= year - 1:
                    counter[(plan.unit.short_name, day.year)] += 1
        months_done = {
            year - 1: 12,
            year: self.last_month.month if self.last_month.year == year else 0,
        }
        units = sorted({p.unit.short_name for p in plans}, key=lambda n: self.units[n].order)
        for y in (year - 1, year):
            city = {"funds": Decimal(0), "signings": 0, "starts": 0}
            for name in units:
                done = months_done[y]
                factor = Decimal(12) / done if done else Decimal(0)
                base = funds[(name, y)] * factor or funds[(name, y - 1)]
                aim = Decimal(rng.uniform(0.9, 1.25))
                target = max((base * aim / 1000).quantize(Decimal(1)) * 1000, Decimal(1000))
                n_sign = max(
                    1,
                    round((signings[(name, y)] or signings[(name, y - 1)]) * rng.uniform(0.9, 1.3)),
                )
                n_start = max(
                    1, round((starts[(name, y)] or starts[(name, y - 1)]) * rng.uniform(0.9, 1.3))
                )
                self._target(y, self.units[name], target, n_sign, n_start)
                city["funds"] += target
                city["signings"] += n_sign
                city["starts"] += n_start
            self._target(y, None, city["funds"], city["signings"], city["starts"])

    def _target(self, year, unit, funds, signings, starts):
        _, created = AnnualTarget.objects.get_or_create(
            year=year,
            unit=unit,
            defaults={
                "funds_in_place": funds,
                "new_signings": signings,
                "starts": starts,
                "source": GENERATED,
                "is_illustrative": True,
            },
        )
        self.tally.created[str(AnnualTarget._meta.verbose_name)] += created

    def funds_note(self) -> str:
        """The demo's funds in place for January–May of the latest such year, beside the figure
        the city reported, so a reader sees the demo is of the right order of magnitude."""
        year = self.last_month.year if self.last_month.month >= 5 else self.last_month.year - 1
        total = (
            MonthlyProgress.objects.filter(
                is_illustrative=True, month__year=year, month__month__lte=5
            ).aggregate(s=Sum("funds_in_place"))["s"]
            or 0
        )
        return (
            f"示例到位资金 {year}年1—5月 {total / 10000:.2f}亿元（市里公布2025年同期 153.29亿元）"
        )

    # -- all of it --

    def build(self) -> None:
        plans = self.named_plans() + self.generated_plans()
        self.assign_codes(plans)
        self.assign_people(plans)
        self.replay(plans)
        self.progress(plans)
        self.problems(plans)
        self.chain_lists(plans)
        self.contacts()
        self.annual_targets(plans)
        self.tally.notes.append(self.funds_note())


def load_demo(*, tally: Tally, today: datetime.date | None = None, seeds_dir=None) -> bool:
    """Create the demo accounts and, once per database, the illustrative ledger.

    Returns whether the ledger was generated (False when illustrative projects already exist).
    """
    today = today or timezone.localdate()
    users_before = User.objects.count()
    ensure_demo_accounts()
    tally.created[str(User._meta.verbose_name)] += User.objects.count() - users_before
    if Project.objects.filter(is_illustrative=True).exists():
        return False
    with transaction.atomic():
        DemoBuilder(today=today, tally=tally, seeds_dir=seeds_dir).build()
    return True


def generate_demo_report(*, today: datetime.date | None = None, log=print):
    """One monthly dispatch report for the last complete month, unless a report exists."""
    if Report.objects.exists():
        return None
    month = previous_month(today or timezone.localdate())
    report = report_generate_now(month=month, user=None)
    log(f"月调度报告：已生成 {month:%Y年%m月} 示例报告。")
    return report
