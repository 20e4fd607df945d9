#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against its own OpenAPI schema, as a logged-in admin
# (token auth): every operation, positive and negative inputs, bounded in examples and time.
# It fails on any 5xx and on any response that does not match the schema.
#
# Runs against the database the environment configures (DATABASE_URL in CI); without one, a
# fresh SQLite database in a temporary folder, so a developer's own data is never touched.
# Usage: bash .ci/schemathesis.sh   (SCHEMATHESIS_PORT, SCHEMATHESIS_MAX_TIME to override)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT="${SCHEMATHESIS_PORT:-8765}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-180}"
BASE="http://127.0.0.1:${PORT}"

SCRATCH=""
if [ -z "${DATABASE_URL:-}" ] && [ -z "${JINCHANG_VAR_DIR:-}" ]; then
  SCRATCH="$(mktemp -d)"
  export JINCHANG_VAR_DIR="$SCRATCH"
fi
SERVER=""
LOG="$(mktemp)"
cleanup() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -f "$LOG" "${SCHEMA:-}"
  if [ -n "$SCRATCH" ]; then rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
# Plain HTTP on localhost, no manifest (no collectstatic needed), Celery tasks (the report
# build) run inside the request so no worker is needed.
export HTTPS=0 DEBUG=0 STATIC_MANIFEST=0 CELERY_TASK_ALWAYS_EAGER=1
export ALLOWED_HOSTS="127.0.0.1,localhost"

step() { printf '\n--- schemathesis: %s ---\n' "$*"; }

step "migrate and load data"
$PY manage.py migrate --noinput --verbosity 0
# Some rows of every kind (through the test factories), and an admin with a token. The last
# line printed is the token. Safe to run again: the data is loaded once per database.
TOKEN="$($PY manage.py shell --no-imports -c '
import datetime
from decimal import Decimal

from django.contrib.auth.models import Group

from dashboard.models import AnnualTarget
from dispatch import services as dispatch_services
from org import roles
from org.models import User
from projects.models import EnterpriseContact, Instruction
from projects.stages import Stage
from tests import factories

admin, created = User.objects.get_or_create(
    username="schemathesis", defaults={"full_name": "接口测试管理员", "is_staff": True}
)
admin.groups.add(Group.objects.get_or_create(name=roles.ADMIN)[0])
if created:
    unit_a = factories.UnitFactory(name="接口测试甲单位")
    unit_b = factories.UnitFactory(name="接口测试乙单位")
    admin.unit = unit_a
    admin.save()
    leader = factories.LeaderFactory(username="schemathesis_leader")
    officer = factories.OfficerFactory(username="schemathesis_officer", unit=unit_a)
    event = factories.EventFactory(name="接口测试签约活动")
    for chain in factories.ChainFactory.create_batch(2):
        sub = factories.ChainLinkFactory(chain=chain, wanted_enterprises=2)
        link = factories.ChainLinkFactory(chain=chain, parent=sub)
        link.enterprises.add(factories.EnterpriseFactory())
        factories.OpportunityFactory(chain_link=link)
        factories.TargetEnterpriseFactory(chain_link=link, officer=officer)
        for i, stage in enumerate(Stage):
            project = factories.ProjectFactory(
                stage=stage,
                chain=chain,
                chain_link=link,
                unit=unit_a if i % 2 else unit_b,
                leader=leader,
                event=event,
                total_investment=Decimal(3000 + 2000 * i),
            )
            project.team.add(officer)
            EnterpriseContact.objects.create(enterprise=project.investor, name="联系人")
            factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))
            problem = factories.ProblemFactory(project=project, unit=unit_b)
            Instruction.objects.create(
                project=project, problem=problem, leader=leader, text="请加快推进"
            )
    AnnualTarget.objects.create(year=2025, unit=None, funds_in_place=Decimal("1500000"))
    AnnualTarget.objects.create(year=2025, unit=unit_a, new_signings=10, starts=5)
    dispatch_services.report_generate_now(month=datetime.date(2025, 5, 1))
from api.auth import token_issue

print(token_issue(admin)[1])
' | tail -n 1)"

step "start the app on ${BASE}"
# Its log (Django's errors with their tracebacks) is shown only when the run fails.
LOG_LEVEL=ERROR .venv/bin/gunicorn jinchang.wsgi --bind "127.0.0.1:${PORT}" --workers 2 \
  --timeout 120 --log-level error >"$LOG" 2>&1 &
SERVER=$!
answers() { $PY -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null; }
for _ in $(seq 60); do
  answers "${BASE}/healthz/" && break
  sleep 0.5
done
# The schema is for signed-in users only: fetch it with the token, then test from the file.
SCHEMA="$(mktemp --suffix=.json)"
if ! $PY -c 'import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Token " + sys.argv[2], "Accept": "application/vnd.oai.openapi+json"})
open(sys.argv[3], "wb").write(urllib.request.urlopen(request, timeout=30).read())' \
  "${BASE}/api/schema/?format=json" "$TOKEN" "$SCHEMA"; then
  cat "$LOG"
  exit 1
fi

step "run (at most ${MAX_TIME}s)"
status=0
.venv/bin/schemathesis run "$SCHEMA" --url "$BASE" \
  --header "Authorization: Token ${TOKEN}" \
  --exclude-path /api/v1/auth/token/revoke/ \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples 25 \
  --max-time "${MAX_TIME}" \
  --workers 2 \
  --request-timeout 60 \
  --generation-database none \
  --no-color || status=$?

if [ "$status" -ne 0 ]; then
  step "server errors logged"
  cat "$LOG"
fi
exit "$status"
