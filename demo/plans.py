"""How the demo's projects are planned: each a timeline of color-card moves ending in its
final stage, with its people, codes and amounts (no database writes; see demo/data.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from django.utils import timezone

from chains.models import ChainLink, IndustryChain
from demo.seeding import SEEDS_DIR, SeedDataError, find_link, named_projects, yi_to_wan
from jinchang.formats import YI
from org.models import Place, Unit, User
from projects.models import (
    Enterprise,
    Event,
    LeadSource,
    Project,
    is_key_amount,
)
from projects.stages import Stage, rank

SEED = 20260
GENERATED = "示例数据：demo/data.py 生成，来源文章未给出"
MARK = "（示例）"  # appended to made-up names of firms and people, as demo/accounts.py does

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


def funding_gap(total_wan: Decimal) -> str:
    """A funding gap a demo problem may name, in 亿元: a third of the project's investment, so
    a 26.6亿 project is never short of 120亿."""
    return f"{Decimal(total_wan) / 3 / YI:.1f}"


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
        return is_key_amount(self.total)


class PlanMaker:
    """The planning half of DemoBuilder: random choices, timelines, plans, people."""

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
