#!/usr/bin/env python
"""The working day's accounts and data (bench/workday.py step 1), run in a subprocess with
Django set up, like the other phases.

The users `bench_officer_1..20` (招商专员 of the units that own the scale projects, 3-4 per
unit), `bench_leader_N` and `bench_reader_admin_N`, one shared password, an API token per
officer; each officer gets its own 25 signed projects of its unit (no two officers share a
project, so a refused write is the app's doing, not two bench users racing). The officers'
current-month entries are removed first, as make_scale_data leaves them, so every run files
some months anew and corrects others.

`python bench/workday_setup.py --db URL` prints `RESULT {json}`: what the client needs.
"""

import argparse
import datetime
import json
import random
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from bench import run  # noqa: E402

OFFICERS = 20
READERS = 10
PROJECTS_PER_OFFICER = 25
PASSWORD = "bench-workday-not-a-real-password-7c1e"


def setup(db_url) -> dict:
    """Create or refresh the bench users and tokens; pick each officer's projects."""
    run._setup_django(db_url)
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from knox.models import AuthToken

    from api.auth import token_issue
    from chains.models import IndustryChain
    from dashboard.forms import default_period
    from org import roles
    from org.models import Unit, User
    from projects.models import MonthlyProgress, Project
    from projects.stages import Stage

    scale = Project.objects.filter(code__startswith="SC-")
    units = list(Unit.objects.filter(projects__code__startswith="SC-").distinct().order_by("pk"))
    if not units:
        raise SystemExit("no scale projects: prepare the database first (bench/run.py)")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ROLE_NAMES}
    hashed = make_password(PASSWORD)  # once: the hasher is slow on purpose
    today = timezone.localdate()
    this_month = today.replace(day=1)

    def user(username, group, unit=None, **extra):
        u, _ = User.objects.get_or_create(username=username)
        u.unit = unit
        u.password = hashed
        u.password_changed_at = timezone.now()  # tokens below are issued after it
        u.is_active = True
        u.must_change_password = False
        u.is_illustrative = True
        u.full_name = username
        for key, value in extra.items():
            setattr(u, key, value)
        u.save()
        u.groups.set([groups[group]])
        return u

    with transaction.atomic():
        officers = []
        by_unit = {unit.pk: [] for unit in units}
        for i in range(OFFICERS):
            unit = units[i % len(units)]
            officer = user(f"bench_officer_{i + 1}", roles.OFFICER, unit)
            by_unit[unit.pk].append(officer)
            officers.append(officer)
        readers = []
        for i in range(READERS):
            # Two thirds leaders (who read all day), a third admins.
            if i % 3 == 2:
                readers.append(user(f"bench_reader_admin_{i + 1}", roles.ADMIN))
            else:
                readers.append(user(f"bench_leader_{i + 1}", roles.LEADER))
        assigned = {}
        for unit in units:
            members = by_unit[unit.pk]
            if not members:
                continue
            rows = list(
                scale.filter(unit=unit, signed_on__isnull=False)
                .exclude(stage=Stage.DROPPED)
                .order_by("code")
                .values("pk", "total_investment")[: PROJECTS_PER_OFFICER * len(members)]
            )
            for k, officer in enumerate(members):
                assigned[officer.pk] = [
                    {"id": r["pk"], "total": str(r["total_investment"])}
                    for r in rows[k :: len(members)]
                ]
        # As make_scale_data leaves them: nothing filed for the current month.
        MonthlyProgress.objects.filter(
            project_id__in=[p["id"] for ps in assigned.values() for p in ps], month=this_month
        ).delete()
        AuthToken.objects.filter(user__in=officers).delete()
        tokens = {o.pk: token_issue(o)[1] for o in officers}

    chains = list(
        IndustryChain.objects.filter(projects__code__startswith="SC-")
        .distinct()
        .values_list("pk", flat=True)
    )
    rng = random.Random(1)
    project_ids = list(scale.values_list("pk", flat=True))
    last = this_month - datetime.timedelta(days=1)
    return {
        "password": PASSWORD,
        "month": f"{this_month:%Y-%m}",
        "last_month": f"{last:%Y-%m}",
        "last_complete": [last.year, last.month],
        "default_period": list(default_period(today)),
        "officers": [
            {"username": o.username, "unit": str(o.unit), "token": tokens[o.pk], "projects": p}
            for o in officers
            if (p := assigned.get(o.pk))
        ],
        "readers": [{"username": r.username, "role": roles.role_of(r)} for r in readers],
        "chains": sorted(chains),
        "project_ids": rng.sample(project_ids, min(500, len(project_ids))),
        "stages": [s.value for s in Stage if s != Stage.DROPPED],
    }


def in_subprocess(db_url) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--db", db_url],
        cwd=BASE,
        env=run._env(db_url),
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr[-3000:])
    last = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not last:
        raise SystemExit(f"workday setup failed on {db_url}")
    return json.loads(last[-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=run.DB_10K)
    args = parser.parse_args()
    print("RESULT " + json.dumps(setup(args.db)))


if __name__ == "__main__":
    main()
