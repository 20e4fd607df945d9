#!/usr/bin/env python
"""`make bench`: what people wait for, at a province's scale, against what the hardware allows.

1. Builds two PostgreSQL databases with `make_scale_data` (10,000 projects × 60 months, and
   1,000 projects for the linear-growth check) unless they already hold that data.
2. Pages and API (in-process Django test client, 10,000 projects): median and p95 latency and
   the SQL query count, beside a floor producing the same output the cheapest way: raw SQL
   with psycopg and the same bytes written with plain string formatting (bench/floors*.py);
   the floor's SQL alone and both sizes in bytes are reported too.
3. Monthly report and Excel export at 1,000 and 10,000 projects, beside an openpyxl
   write-only floor writing the same rows.
4. API throughput under gunicorn (2 workers) with wrk in a second process on 127.0.0.1,
   against a minimal Django view answering the same request with the same JSON (raw SQL,
   json.dumps: bench/urls.py, served by the same gunicorn with bench/settings.py), and
   /livez/ (a hello-world) for reference. Alone: `python bench/run.py --phase throughput`.
5. A working day (bench/workday.py): 20 officers writing through the API and the forms and
   10 leaders reading, 3 minutes against gunicorn (2 workers); p50/p95/p99 per page kind.
   Skipped with BENCH_WORKDAY=0; alone: `python bench/run.py --phase workday`.
Results: bench/results/latest.{md,json} (and a dated copy); the README shows the table.
"""

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
RESULTS = BASE / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Overridable, so that two checkouts benchmarking at once do not share (and rebuild) one database.
DB_10K = os.environ.get("BENCH_DB_10K", f"{PG}/jinchang_bench")
DB_1K = os.environ.get("BENCH_DB_1K", f"{PG}/jinchang_bench_1k")
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
THROUGHPUT_ROUNDS = int(os.environ.get("BENCH_THROUGHPUT_ROUNDS", "5"))
THROUGHPUT_SECONDS = int(os.environ.get("BENCH_THROUGHPUT_SECONDS", "5"))
BENCH_ENV = {
    "DEBUG": "0",
    "HTTPS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-4f9a8b7c6d5e",
    "STATIC_MANIFEST": "0",
    "LOG_LEVEL": "WARNING",
    "JINCHANG_VAR_DIR": "/tmp/jinchang-bench",
    # As in production: throttles and sessions in Redis.
    "CACHE_URL": os.environ.get("BENCH_CACHE", "redis://127.0.0.1:6379/13"),
}


def _env(db_url):
    return dict(os.environ, **BENCH_ENV, DATABASE_URL=db_url)


def _setup_django(db_url):
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinchang.settings")
    import django

    django.setup()


def timed(fn, runs=RUNS, warmup=3, before=None):
    """Median and p95 in milliseconds, and the SQL query count of one run. `before` runs
    ahead of each call, outside the timing (the pages' "built" case: data just changed)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    before = before or (lambda: None)
    for _ in range(warmup):
        before()
        fn()
    reset_queries()  # the log holds 9000 queries; an earlier case must not hide this one's
    before()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "queries": queries,
    }


def floor_timed(fn, runs=RUNS, warmup=3):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)], 2),
    }


# --- phases run in a subprocess, one database each ---------------------------------------------


def phase_prepare(db_url, projects):
    _setup_django(db_url)
    from django.core.management import call_command

    from projects.models import Project

    call_command("migrate", verbosity=0)
    if Project.objects.filter(code__startswith="SC-").count() != projects:
        call_command("load_seeds", "--no-demo", verbosity=0)
        call_command("make_scale_data", projects=projects, months=60, seed=1)
    _bench_users()


def _bench_users():
    from django.contrib.auth.models import Group

    from api.auth import token_issue
    from org import roles
    from org.models import User

    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin.groups.add(Group.objects.get_or_create(name=roles.ADMIN)[0])
    _issued, token = token_issue(admin)
    return admin, token


def phase_pages(db_url):
    _setup_django(db_url)
    import psycopg
    from django.test import Client
    from django.utils import timezone

    from bench import floors, floors_dashboard, floors_dashboard_page, floors_pages
    from chains.models import IndustryChain
    from projects.models import Project

    admin, token = _bench_users()
    client = Client()
    client.force_login(admin)
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    from dashboard.forms import default_period

    # The month the dashboard opens on (the last complete one): a closed month, as of its end.
    year, month = default_period(timezone.localdate())
    chain = IndustryChain.objects.get(name="新能源和新能源电池")
    project = Project.objects.filter(code__startswith="SC-", stage="green").order_by("code").first()
    conn = psycopg.connect(db_url, autocommit=True)

    def get(c, url):
        def run():
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return run

    def sql(data, *args, **kwargs):
        # The floor's SQL alone (its `*_data` step), for the share of the bytes.
        def run():
            with conn.cursor() as cur:
                return data(cur, *args, **kwargs)

        return run

    pk, fd, fp = chain.pk, floors_dashboard, floors_pages
    cases = [
        (
            "dashboard page",
            get(client, f"/dashboard/?year={year}&month={month}"),
            lambda: floors_dashboard_page.dashboard_page(conn, year, month),
            sql(fd.dashboard_data, year, month),
        ),
        (
            "project list page (filtered)",
            get(client, f"/projects/?stage=green&chain={pk}"),
            lambda: floors.project_list(conn, "green", pk),
            sql(floors.project_list_data, "green", pk),
        ),
        (
            "color board",
            get(client, "/projects/board/"),
            lambda: fp.board(conn),
            sql(fp.board_data),
        ),
        (
            "project page",
            get(client, f"/projects/{project.pk}/"),
            lambda: fp.project_page(conn, project.pk),
            sql(fp.project_page_data, project.pk),
        ),
        (
            "chain map",
            get(client, f"/chains/{pk}/map/"),
            lambda: fp.chain_map(conn, pk),
            sql(fp.chain_map_data, pk),
        ),
        (
            "project list API (50, filtered)",
            get(api, f"/api/v1/projects/?stage=green&chain={pk}&page_size=50"),
            lambda: floors.api_projects(conn, "green", pk),
            sql(floors.api_projects_data, "green", pk),
        ),
        (
            "project list API (100)",
            get(api, "/api/v1/projects/?stage=green&page_size=100"),
            lambda: floors.api_projects(conn, "green", None, page_size=100),
            sql(floors.api_projects_data, "green", None, page_size=100),
        ),
        (
            "dashboard API",
            get(api, f"/api/v1/dashboard/?year={year}&month={month}"),
            lambda: fd.dashboard_api(conn, year, month),
            sql(fd.dashboard_data, year, month),
        ),
    ]
    results = []
    for name, fn, floor, floor_sql in cases:
        try:
            # Every request builds its answer from the data: nothing is kept between them.
            measured = timed(fn)
            size = len(fn())
        except Exception as exc:  # a page not built yet is reported, not fatal
            results.append({"case": name, "error": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        base = floor_timed(floor)
        results.append(
            {
                "case": name,
                **measured,
                "bytes": size,
                "floor_ms": base["median_ms"],
                "floor_sql_ms": floor_timed(floor_sql)["median_ms"],
                "floor_bytes": len(floor()),
                "ratio": round(measured["median_ms"] / max(base["median_ms"], 0.01), 2),
            }
        )
        print(f"  {name}: {results[-1]}", flush=True)
    return results


def phase_batch(db_url):
    """Report generation and Excel export on this database, with the openpyxl floor."""
    _setup_django(db_url)
    import psycopg
    from openpyxl import Workbook

    from bench import floors
    from projects.models import Project

    conn = psycopg.connect(db_url, autocommit=True)
    n = Project.objects.count()
    out = {"projects": n}

    def openpyxl_floor():
        rows = floors.export_rows(conn)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("项目")
        for row in rows:
            ws.append(list(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    floor = floor_timed(openpyxl_floor, runs=5, warmup=1)
    out["floor_ms"] = floor["median_ms"]
    try:
        from ledger import exports
        from ledger.selectors import SOURCES

        admin, _ = _bench_users()

        def export():
            # As the export page does: the rows and applied filters from the query string.
            source = SOURCES["projects"]({}, admin)
            return exports.export("projects", source.rows, applied_filters=source.applied_filters)

        out["export"] = timed(export, runs=5, warmup=1)
    except Exception as exc:
        out["export"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    try:
        from django.utils import timezone

        from dispatch.services import report_generate_now

        today = timezone.localdate()
        month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        out["report"] = timed(lambda: report_generate_now(month=month), runs=5, warmup=1)
    except Exception as exc:
        out["report"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


# --- throughput -------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(db_url, workers=2, settings="jinchang.settings"):
    """gunicorn serving the app (DEBUG=0, Redis cache, as BENCH_ENV says) on a free port of
    127.0.0.1, in its own process group; yields the port once it accepts connections.
    `settings`: bench.settings adds the throughput floor's view (bench/urls.py)."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jinchang.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=dict(_env(db_url), DJANGO_SETTINGS_MODULE=settings),
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


THROUGHPUT_PATHS = {
    # The project list API, the floor view answering the same request with the same bytes
    # (bench/urls.py), and a hello-world for reference.
    "api": "/api/v1/projects/?stage=green&page_size=50",
    "floor": "/bench/floor/projects/?stage=green&page_size=50",
    # The same rows through DRF (the API's authentication, permission and renderer): how much
    # of the gap DRF itself takes, before the ORM, the filters and the serializer.
    "floor_drf": "/bench/floor-drf/projects/?stage=green&page_size=50",
    "livez": "/livez/",
}


def _body(port, path, token) -> bytes:
    """The answer's bytes, or its error status (which then differs from a 200's body)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}".encode()


def throughput(db_url, token):
    wrk = shutil.which("wrk")
    if not wrk:
        return {"error": "wrk not installed (make bench installs it with apt)"}
    auth = f"Authorization: Token {token}"
    with gunicorn_server(db_url, settings="bench.settings") as port:

        def run(path, header=None):
            cmd = [wrk, "-t1", "-c8", f"-d{THROUGHPUT_SECONDS}s", "--latency"]
            if header:
                cmd += ["-H", header]
            out = subprocess.run(
                cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=60
            ).stdout
            rps = next(
                float(line.split()[1])
                for line in out.splitlines()
                if line.startswith("Requests/sec")
            )
            non2xx = next((line for line in out.splitlines() if "Non-2xx" in line), "")
            return {"rps": rps, "non_2xx": non2xx.strip()}

        headers = {"api": auth, "floor": auth, "floor_drf": auth, "livez": None}
        # Both workers' first requests (imports, connections) before any round.
        for name in ("api", "floor", "floor_drf"):
            run(THROUGHPUT_PATHS[name], headers[name])
        # The three answer with the same bytes, or the comparison means nothing.
        bodies = {
            name: _body(port, THROUGHPUT_PATHS[name], token)
            for name in ("api", "floor", "floor_drf")
        }
        same = bodies["api"] == bodies["floor"] == bodies["floor_drf"]
        # Alternating rounds, medians of each: this machine's speed drifts over a minute (a
        # shared virtual machine), and back-to-back single runs gave ratios from 0.31 to 0.52.
        rounds = [
            {name: run(path, headers[name]) for name, path in THROUGHPUT_PATHS.items()}
            for _ in range(THROUGHPUT_ROUNDS)
        ]
    out = {}
    for name in THROUGHPUT_PATHS:
        out[name] = {
            "rps": statistics.median(r[name]["rps"] for r in rounds),
            "rounds": [r[name]["rps"] for r in rounds],
            "non_2xx": " ".join(r[name]["non_2xx"] for r in rounds if r[name]["non_2xx"]),
        }
    out["ratio"] = round(out["api"]["rps"] / out["floor"]["rps"], 3)
    out["ratio_livez"] = round(out["api"]["rps"] / out["livez"]["rps"], 3)
    out["ratio_drf"] = round(out["floor_drf"]["rps"] / out["floor"]["rps"], 3)
    out["same_bytes"] = same
    return out


def throughput_markdown(t: dict) -> str:
    if "error" in t:
        return f"API throughput: {t['error']}"
    errors = "; ".join(f"{n}: {t[n]['non_2xx']}" for n in THROUGHPUT_PATHS if t[n]["non_2xx"])
    return (
        f"API throughput (gunicorn, 2 workers; wrk -t1 -c8 on 127.0.0.1, {THROUGHPUT_ROUNDS} "
        f"alternating rounds of {THROUGHPUT_SECONDS} s, medians), "
        "`/api/v1/projects/?stage=green&page_size=50` with a token:\n\n"
        "| served by | req/s (median) | rounds |\n|---|---:|---|\n"
        f"| project list API | {t['api']['rps']:.0f} | {_rounds(t['api'])} |\n"
        f"| floor: minimal Django view, same request and bytes (raw SQL, json.dumps) | "
        f"{t['floor']['rps']:.0f} | {_rounds(t['floor'])} |\n"
        "| the same raw SQL through DRF (the API's authentication, permission and renderer; "
        f"no ORM, filters or serializer) | {t['floor_drf']['rps']:.0f} | "
        f"{_rounds(t['floor_drf'])} |\n"
        f"| /livez/ (hello-world, for reference) | {t['livez']['rps']:.0f} | "
        f"{_rounds(t['livez'])} |\n\n"
        f"API / floor view: {t['ratio']:.2f} (target ≥ 0.5); DRF over raw SQL / floor view: "
        f"{t['ratio_drf']:.2f}; API / livez: {t['ratio_livez']:.3f}. The three answers are "
        + ("the same, byte for byte." if t.get("same_bytes") else "**not** the same bytes.")
        + (f" Non-2xx answers: {errors}." if errors else "")
    )


def _rounds(col: dict) -> str:
    return ", ".join(f"{r:.0f}" for r in col["rounds"])


# --- orchestration ----------------------------------------------------------------------------


def _sub(phase, db_url, *extra):
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--db", db_url, *extra],
        cwd=BASE,
        env=_env(db_url),
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr[-3000:])
    for line in result.stdout.splitlines():
        if not line.startswith("RESULT "):
            print(line, flush=True)
    last = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not last:
        raise SystemExit(f"phase {phase} failed on {db_url}")
    return json.loads(last[-1][7:])


def _ensure_database(db_url):
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    mem = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))) // 2**20
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "python": platform.python_version(),
        "postgresql": pg,
        "date": datetime.date.today().isoformat(),
    }


def write_results(data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    m = data["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
        f"{m['postgresql']}; {m['date']}. Data: 10,000 projects × 60 months (make_scale_data "
        "--seed 1).",
        "",
        "Pages and API, each request built from the data (nothing is kept between requests).",
        "",
        "Floor: the same output the cheapest way, raw SQL (psycopg) and the bytes written with "
        "f-strings / json.dumps (bench/floors*.py); *of which SQL* is its queries alone.",
        "",
        *PAGES_HEADER,
    ]
    lines += pages_rows(data["pages"])
    lines += [
        "",
        "| batch | median ms | p95 ms | SQL queries | floor ms | ratio to floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, label in (("report", "monthly report generation"), ("export", "Excel export")):
        for size in ("1k", "10k"):
            batch = data["batch"][size]
            row = batch.get(kind, {})
            if "error" in row:
                lines.append(
                    f"| {label} ({batch['projects']} projects) | error: "
                    f"{row['error'][:80]} | | | | |"
                )
                continue
            ratio = round(row["median_ms"] / max(batch["floor_ms"], 0.01), 2)
            lines.append(
                f"| {label} ({batch['projects']} projects) | {row['median_ms']} | "
                f"{row['p95_ms']} | {row['queries']} | {batch['floor_ms']} "
                f"(openpyxl) | {ratio}× |"
            )
        small, big = data["batch"]["1k"].get(kind, {}), data["batch"]["10k"].get(kind, {})
        if "median_ms" in small and "median_ms" in big:
            lines.append(
                f"| {label}: 10k ÷ 1k | {round(big['median_ms'] / small['median_ms'], 2)}× "
                "| | | | (target ≤ 12×) |"
            )
    lines += ["", throughput_markdown(data["throughput"]).rstrip("\n")]
    if "workday" in data:
        from bench import workday

        lines += ["", workday.markdown(data["workday"]).rstrip("\n")]
    text = "\n".join(lines) + "\n"
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    stamp = datetime.date.today().isoformat()
    (RESULTS / f"{stamp}.md").write_text(text)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return text


PAGES_HEADER = [
    "| case | median ms | p95 ms | SQL queries | KB | floor ms | of which SQL | floor KB "
    "| ratio to floor |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def pages_rows(pages) -> list[str]:
    out = []
    for row in pages:
        if "error" in row:
            out.append(f"| {row['case']} | error: {row['error'][:80]} | | | | | | | |")
        else:
            out.append(
                f"| {row['case']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} | "
                f"{row['bytes'] / 1000:.1f} | {row['floor_ms']} | {row['floor_sql_ms']} | "
                f"{row['floor_bytes'] / 1000:.1f} | {row['ratio']}× |"
            )
    return out


def _alone(name, data, text):
    """A phase run alone: its results beside the full run's, in bench/results."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}-latest.md").write_text(text + "\n")
    (RESULTS / f"{name}-latest.json").write_text(
        json.dumps({"machine": machine(), name: data}, indent=2, ensure_ascii=False)
    )
    print(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("--db")
    parser.add_argument("--projects", type=int, default=10000)
    args = parser.parse_args()
    if args.phase == "prepare":
        phase_prepare(args.db, args.projects)
        print("RESULT {}")
        return
    if args.phase == "pages":
        pages = phase_pages(args.db)
        print("RESULT " + json.dumps(pages))
        if sys.stdout.isatty() or os.environ.get("BENCH_PRINT_TABLE"):
            # Alone (not as make bench's subprocess): beside the full run's, like the others.
            _alone("pages", pages, "\n".join([*PAGES_HEADER, *pages_rows(pages)]))
        return
    if args.phase == "throughput":
        # Alone, against a database prepared by an earlier run.
        db = args.db or DB_10K
        t = throughput(db, _sub("token", db))
        _alone("throughput", t, throughput_markdown(t))
        return
    if args.phase == "batch":
        print("RESULT " + json.dumps(phase_batch(args.db)))
        return
    if args.phase == "workday":
        # Alone, against a database prepared by an earlier run.
        from bench import workday

        workday.run_alone(args.db or DB_10K)
        return
    if args.phase == "token":
        _setup_django(args.db)
        print("RESULT " + json.dumps(_bench_users()[1]))
        return

    data = {"machine": machine()}
    for url, n in ((DB_10K, 10000), (DB_1K, 1000)):
        _ensure_database(url)
        print(f"preparing {url} ({n} projects)", flush=True)
        _sub("prepare", url, "--projects", str(n))
    print("pages and API (10,000 projects)", flush=True)
    data["pages"] = _sub("pages", DB_10K)
    print("report and export", flush=True)
    data["batch"] = {"1k": _sub("batch", DB_1K), "10k": _sub("batch", DB_10K)}
    print("throughput", flush=True)
    data["throughput"] = throughput(DB_10K, _sub("token", DB_10K))
    if os.environ.get("BENCH_WORKDAY", "1") != "0":
        from bench import workday

        print("working-day mix", flush=True)
        try:
            data["workday"] = workday.workday(DB_10K)
        except (Exception, SystemExit) as exc:  # reported with the rest, not fatal
            data["workday"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    print(write_results(data))


if __name__ == "__main__":
    main()
