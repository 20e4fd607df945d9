"""A deterministic, province-sized data set for the benchmark (bulk inserts, no services).

`make_scale_data --projects 10000 --months 60 --seed 1` builds projects in every stage with
consistent dates, their stage history, monthly progress for up to `months` months, problems
and units' targets. Everything it makes is marked illustrative and carries codes starting with
`SC-`, so a second run first removes the previous scale data and the result is the same.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from chains.models import ChainLink, IndustryChain
from dashboard.models import AnnualTarget
from org import roles
from org.models import Place, Unit, User
from projects.models import (
    Enterprise,
    MonthlyProgress,
    Problem,
    ProblemCategory,
    Project,
    StageChange,
    is_key_amount,
)
from projects.stages import ORDER, Stage

PREFIX = "SC-"
STAGE_SHARES = [  # (stage, share of projects)
    (Stage.RED, 0.18),
    (Stage.ORANGE, 0.14),
    (Stage.BLUE, 0.16),
    (Stage.GREEN, 0.27),
    (Stage.OPERATING, 0.15),
    (Stage.DROPPED, 0.10),
]
CHAINS = [
    "有色金属新材料",
    "新能源和新能源电池",
    "数字经济",
    "化工循环",
    "资源综合利用",
    "高品质菜草畜",
]
PLACES = ["金川区", "永昌县", "金昌经济技术开发区", "永昌工业园区"]
UNITS = ["招商局", "发改委", "工信局", "经开区管委会", "金川区", "永昌县"]
PRODUCTS = [
    "三元前驱体",
    "磷酸铁锂",
    "硫酸镍",
    "碳酸锂",
    "电解液",
    "隔膜",
    "铜箔",
    "高温合金",
    "钛合金",
    "数据中心",
    "冷链物流",
    "苜蓿加工",
    "固废综合利用",
    "光伏组件",
    "储能电站",
]
BATCH = 5000


def _month_add(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def _reference_data(rng):
    chains = [
        IndustryChain.objects.get_or_create(
            name=name,
            defaults={"tier": IndustryChain.Tier.TEN_BILLION, "order": i, "is_illustrative": True},
        )[0]
        for i, name in enumerate(CHAINS)
    ]
    links = []
    for chain in chains:
        chain_links = list(ChainLink.objects.filter(chain=chain, parent__isnull=False))
        if not chain_links:
            parent, _ = ChainLink.objects.get_or_create(
                chain=chain, parent=None, name="综合", defaults={"is_illustrative": True}
            )
            chain_links = [
                ChainLink.objects.get_or_create(
                    chain=chain, parent=parent, name=f"环节{i}", defaults={"is_illustrative": True}
                )[0]
                for i in range(1, 5)
            ]
        links.append(chain_links)
    places = [
        Place.objects.get_or_create(name=n, defaults={"is_illustrative": True})[0] for n in PLACES
    ]
    units = []
    for name in UNITS:
        unit = (
            Unit.objects.filter(short_name=name).first()
            or Unit.objects.get_or_create(
                name=name, defaults={"short_name": name, "is_illustrative": True}
            )[0]
        )
        units.append(unit)
    leader_group = Group.objects.get_or_create(name=roles.LEADER)[0]
    leaders = []
    for i in range(1, 13):
        user, created = User.objects.get_or_create(
            username=f"scale_leader_{i}",
            defaults={"full_name": f"示例领导{i}", "is_illustrative": True},
        )
        if created:
            user.groups.add(leader_group)
        leaders.append(user)
    return chains, links, places, units, leaders


def analyze():
    """Fresh planner statistics after a bulk load (run after the load's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def clear():
    """Remove previous scale data (projects cascade to progress, problems, stage changes)."""
    Project.objects.filter(code__startswith=PREFIX).delete()
    Enterprise.objects.filter(name__startswith="规模测试企业").delete()


@transaction.atomic
def build(
    *, projects: int, months: int, seed: int, today: datetime.date | None = None, log=print
) -> dict:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_month = _month_add(today.replace(day=1), -months)
    clear()
    chains, links, places, units, leaders = _reference_data(rng)

    investors = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"规模测试企业{i:05d}有限公司",
                origin=rng.choice(["甘肃", "湖南", "浙江", "江苏", "广东", "上海", "北京", "四川"]),
                is_illustrative=True,
                source="make_scale_data",
            )
            for i in range(max(10, projects // 3))
        ],
        batch_size=BATCH,
    )

    span_days = (today - first_month).days
    stage_pool = [s for s, share in STAGE_SHARES for _ in range(int(share * 100))]
    rows = []
    for i in range(projects):
        stage = rng.choice(stage_pool)
        chain_index = rng.randrange(len(chains))
        amount = Decimal(int(rng.lognormvariate(9.0, 1.1))).quantize(Decimal("1")) + 100
        contact = first_month + datetime.timedelta(days=rng.randrange(max(1, span_days - 60)))
        signed = started = operating = None
        reached = ORDER.index(stage) if stage in ORDER else rng.randrange(0, 4)
        if reached >= 2:
            signed = min(today, contact + datetime.timedelta(days=rng.randrange(20, 200)))
        if reached >= 3 and signed:
            started = min(today, signed + datetime.timedelta(days=rng.randrange(20, 240)))
        if reached >= 4 and started:
            operating = min(today, started + datetime.timedelta(days=rng.randrange(60, 500)))
        rows.append(
            Project(
                code=f"{PREFIX}{i:06d}",
                name=f"年产{rng.randrange(1, 50)}万吨{rng.choice(PRODUCTS)}项目{i}",
                investor=rng.choice(investors),
                total_investment=amount,
                contracted_investment=amount if signed else None,
                chain=chains[chain_index],
                chain_link=rng.choice(links[chain_index]),
                place=rng.choice(places),
                unit=rng.choice(units),
                leader=(
                    rng.choice(leaders) if is_key_amount(amount) and rng.random() < 0.9 else None
                ),
                stage=stage,
                intent_note="有投资意向" if reached >= 1 else "",
                first_contact_on=contact,
                signed_on=signed,
                started_on=started,
                operating_on=operating,
                lead_source="business",
                is_illustrative=True,
                source="make_scale_data",
                stage_changed_at=timezone.make_aware(
                    datetime.datetime.combine(
                        operating or started or signed or contact, datetime.time(10)
                    )
                ),
            )
        )
    created = Project.objects.bulk_create(rows, batch_size=BATCH)
    log(f"projects: {len(created)}")

    changes, progress, problems = [], [], []
    for project in created:
        path = ORDER[: (ORDER.index(project.stage) + 1) if project.stage in ORDER else 2]
        when = timezone.make_aware(
            datetime.datetime.combine(project.first_contact_on, datetime.time(9))
        )
        previous = ""
        for stage in path:
            changes.append(
                StageChange(
                    project=project,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=when,
                    reason="" if previous else "新建项目",
                )
            )
            previous, when = stage, when + datetime.timedelta(days=rng.randrange(15, 90))
        if project.stage == Stage.DROPPED:
            changes.append(
                StageChange(
                    project=project,
                    from_stage=previous,
                    to_stage=Stage.DROPPED,
                    changed_at=when,
                    reason="企业调整投资计划",
                )
            )
        if project.signed_on:
            month = project.signed_on.replace(day=1)
            end = today.replace(day=1)
            while month < end:
                funds = Decimal(rng.randrange(0, int(project.total_investment) // 20 + 2))
                progress.append(
                    MonthlyProgress(
                        project=project,
                        month=month,
                        funds_in_place=funds,
                        investment_completed=funds * Decimal("0.8"),
                        narrative="按计划推进",
                        is_illustrative=True,
                    )
                )
                month = _month_add(month, 1)
        if rng.random() < 0.2:
            problems.append(
                Problem(
                    project=project,
                    category=rng.choice(ProblemCategory.values),
                    description="需协调解决",
                    unit=project.unit,
                    deadline=today + datetime.timedelta(days=rng.randrange(-120, 90)),
                    status=rng.choice([Problem.Status.OPEN, Problem.Status.RESOLVED]),
                    is_illustrative=True,
                )
            )
        if len(progress) >= 50000:
            MonthlyProgress.objects.bulk_create(progress, batch_size=BATCH)
            progress = []
    StageChange.objects.bulk_create(changes, batch_size=BATCH)
    MonthlyProgress.objects.bulk_create(progress, batch_size=BATCH)
    Problem.objects.bulk_create(problems, batch_size=BATCH)
    for year in (today.year - 1, today.year):
        for unit in units:
            AnnualTarget.objects.get_or_create(
                year=year,
                unit=unit,
                defaults={
                    "funds_in_place": Decimal(projects * 60),
                    "new_signings": projects // 40,
                    "starts": projects // 50,
                    "is_illustrative": True,
                },
            )
    counts = {
        "projects": Project.objects.filter(code__startswith=PREFIX).count(),
        "progress": MonthlyProgress.objects.filter(project__code__startswith=PREFIX).count(),
        "stage_changes": StageChange.objects.filter(project__code__startswith=PREFIX).count(),
        "problems": Problem.objects.filter(project__code__startswith=PREFIX).count(),
    }
    log(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return counts
