"""The demo: Jinchang's named projects plus about 160 illustrative ones, with two years of history.

Everything here is marked illustrative (`is_illustrative=True`, shown with a "示例数据" badge):
the generated projects and their investors, the made-up values of the named projects, the
monthly progress, problems, instructions, targets, task forces and the people (the fictional
demo accounts of demo/accounts.py; no real person is assigned anything).

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
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from chains.models import ChainTaskForce, IndustryChain, Opportunity, TargetEnterprise
from dashboard.models import AnnualTarget
from demo.accounts import ensure_demo_accounts
from demo.plans import (
    CHAIN_LEADER,
    DATED,
    GAP_LINKS,
    GENERATED,
    MARK,
    SEASON,
    SEED,
    TASK_FORCE_UNITS,
    Plan,
    PlanMaker,
    add_months,
    at,
    funding_gap,
    month_end,
    months_between,
    read_vocabulary,
    wan,
)
from demo.seeding import Tally
from dispatch.models import Report
from dispatch.services import report_generate_now
from org import roles
from org.models import Place, Unit, User
from projects.models import (
    Enterprise,
    EnterpriseContact,
    Event,
    Instruction,
    InstructionReply,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)
from projects.selectors import previous_month
from projects.services import project_create, project_transition
from projects.stages import Stage


class DemoBuilder(PlanMaker):
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
                    description=rng.choice(texts).format(
                        n=rng.choice((50, 120, 300, 2, 5)), gap=funding_gap(plan.total)
                    ),
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
                            unit=problem.unit,
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
                    unit=plan.unit,
                    leader=plan.leader,
                    text=rng.choice(self.words["instructions"]).format(unit=plan.unit.short_name),
                    given_at=at(given, 17),
                    is_illustrative=True,
                )
            )
        self._follow_up(instructions)
        Instruction.objects.bulk_create(instructions)
        InstructionReply.objects.bulk_create(
            InstructionReply(
                instruction=i,
                text=self.words.get("instruction_reply", "已按批示要求办理完毕。"),
                marks_done=True,
                replied_at=i.done_at,
            )
            for i in instructions
            if i.done_at
        )
        self.tally.created[str(Problem._meta.verbose_name)] += len(created)
        self.tally.created[str(Instruction._meta.verbose_name)] += len(instructions)

    def _follow_up(self, instructions) -> None:
        """The 督办 loop of each demo 批示: a deadline two to four weeks after it was given;
        most of those long past are done, the rest stay open (some overdue). A separate random
        stream, so the rest of the demo data is the same as before the loop existed."""
        rng = random.Random(len(instructions))
        for instruction in instructions:
            given = timezone.localdate(instruction.given_at)
            instruction.deadline = given + datetime.timedelta(days=rng.randint(14, 30))
            if instruction.deadline < self.today - datetime.timedelta(days=10) and (
                rng.random() < 0.8
            ):
                instruction.status = Instruction.Status.DONE
                instruction.done_at = at(instruction.deadline - datetime.timedelta(days=2), 16)

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
