#!/usr/bin/env python
"""A working day under load: officers filing through the API and the forms while leaders read.

The performance issue's target: with 20 investment officers each writing about every 2 s
(half through the REST API, half through the HTML forms) and 10 leaders or admins reading,
for 3 minutes against gunicorn with 2 workers and 10,000 projects, every page kind answers
with p95 ≤ 150 ms and no errors.

1. Setup (`bench/workday_setup.py`, Django in a subprocess like the other phases): the users
   `bench_officer_1..20` (招商专员 of the units that own the scale projects, 3-4 per unit),
   `bench_leader_N` and `bench_reader_admin_N`, one shared password, an API token per officer;
   each officer gets its own 25 signed projects of its unit (no two officers share a project,
   so a refused write is the app's doing, not two bench users racing). The officers'
   current-month entries are removed first, as make_scale_data leaves them, so every run
   files some months anew and corrects others.
2. gunicorn with 2 workers (`run.gunicorn_server`, as the throughput phase); every user logs
   in through the login form (not measured); each page kind is fetched twice (not measured);
   then each reader kind 5 times and one officer's cycle twice, one request at a time: the
   *alone* column, what a request costs the server when nothing waits in front of it.
3. For BENCH_WORKDAY_SECONDS (180): 20 writer threads and 10 reader threads in this process
   (the server is its own processes), one `requests.Session` per user and channel, redirects
   not followed. Every request's latency (until its body is read) is recorded by kind.
   - Writer: an action every 1.5-2.5 s (from the previous action's start; at once if late),
     cycling API progress, progress form, API progress, project edit form. A progress
     action picks this month or the last one (the dashboard's default period), reads
     whether the project's entry for it is filed (GET
     /api/v1/progress/?project=&month=), then files it (API POST, or the add form) or
     corrects it (API PATCH, or the edit form); a form is fetched first for its CSRF token
     and fields and posted back as a browser would. The project edit form posts every field
     back with its hidden `version`, changing the 建设内容 text.
   - Reader: a page kind chosen uniformly at random, then 0.5-1 s of thinking.
   A request is an error unless it answers with the status that action expects (200; 201
   for an API create; 302 back to the project for a form post): a form shown again with its
   errors, an edit conflict, a 403 or a redirect to the login page are errors, never retried.
4. Per kind: count, errors, p50/p95/p99/max (ms, nearest rank), against p95 ≤ 150 ms; the
   writes per second achieved (target: 20 officers / 2 s = 10); and the cores kept busy
   during the mix by the machine, gunicorn, PostgreSQL and the client (a 2-core machine
   shared with other work shows it here).

Alone, against a prepared database: `python bench/workday.py [--db URL] [--seconds N]`.
"""

import argparse
import html.parser
import json
import math
import os
import random
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from bench import run, workday_setup  # noqa: E402
from bench.workday_setup import OFFICERS  # noqa: E402

SECONDS = int(os.environ.get("BENCH_WORKDAY_SECONDS", "180"))
WRITE_EVERY = (1.5, 2.5)  # seconds between an officer's actions: about 2
THINK = (0.5, 1.0)  # a reader's pause after each page
TARGET_P95_MS = 150
TIMEOUT = 60
ALONE_RUNS = 5

# Reader kinds, in report order; chosen uniformly.
READ_KINDS = [
    "dashboard page (default period)",
    "dashboard page (last complete month)",
    "dashboard API",
    "project list page (filtered)",
    "project page",
    "color board",
    "chain map",
    "project list API (100)",
]
OFFICER_READ_KINDS = ["progress lookup (API)", "progress form page", "project edit form page"]
WRITE_KINDS = [
    "write: progress create (API)",
    "write: progress update (API)",
    "write: progress add (form)",
    "write: progress edit (form)",
    "write: project edit (form)",
]
ACTIONS = ["api_progress", "form_progress", "api_progress", "form_project"]


# --- the client -------------------------------------------------------------------------------


class Forms(html.parser.HTMLParser):
    """The forms of a page with what a browser would submit: inputs (checked boxes only),
    textareas, and each select's chosen options (a single select's first one if none)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append([a["name"], a.get("value") or ""])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append([a.get("value"), "selected" in a, ""])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._select is not None and self._select["options"]:
            self._select["options"][-1][2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline right after <textarea> (Django writes one).
            if self._textarea[1].startswith("\n"):
                self._textarea[1] = self._textarea[1][1:]
            self._textarea = None
        elif tag == "select" and self._select is not None:
            s, self._select = self._select, None
            values = [(v if v is not None else t.strip()) for v, sel, t in s["options"] if sel]
            if not values and not s["multiple"] and s["options"]:
                v, _sel, t = s["options"][0]
                values = [v if v is not None else t.strip()]
            if self._form is not None:
                self._form["fields"].extend([s["name"], v] for v in values)

    @classmethod
    def find(cls, page: str, field: str) -> list | None:
        """The fields of the page's form that has `field`, as (name, value) pairs."""
        parser = cls()
        parser.feed(page)
        for form in parser.forms:
            if any(name == field for name, _ in form["fields"]):
                return [tuple(f) for f in form["fields"]]
        return None


def _form_errors(page: str) -> str:
    """The error texts of a form shown again, for the report."""
    import re

    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", f) for f in found)
    if "conflict" in page and not text:
        text = "edit conflict"
    return " ".join(text.split())[:200] or "form shown again"


class Recorder:
    def __init__(self):
        self.samples = []  # (kind, started, ms, ok, note); list.append is atomic
        self.t0 = None

    def request(self, session, kind, method, url, expect, check=None, **kwargs):
        """One request, timed until its body is read; the response if it answered `expect`
        (and `check(response)`, if given, found nothing wrong), else None."""
        started = time.perf_counter()
        try:
            response = session.request(
                method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs
            )
            response.content  # noqa: B018 (read it all)
        except Exception as exc:
            ms = (time.perf_counter() - started) * 1000
            self.samples.append((kind, started, ms, False, f"{type(exc).__name__}: {exc}"[:200]))
            return None
        ms = (time.perf_counter() - started) * 1000
        ok = response.status_code == expect
        note = ""
        if not ok:
            note = f"{response.status_code}"
            if response.status_code in (301, 302, 303):
                note += f" -> {response.headers.get('Location', '')}"
            elif response.status_code == 200 and "text/html" in response.headers.get(
                "Content-Type", ""
            ):
                note += ": " + _form_errors(response.text)
            else:
                note += ": " + " ".join(response.text.split())[:200]
        elif check is not None:
            note = check(response) or ""
            ok = not note
        self.samples.append((kind, started, ms, ok, note))
        return response if ok else None


def _login(requests, base, username, password):
    web = requests.Session()
    page = web.get(f"{base}/accounts/login/", timeout=TIMEOUT)
    fields = dict(Forms.find(page.text, "password") or [])
    fields.update(username=username, password=password)
    answer = web.post(
        f"{base}/accounts/login/", data=fields, allow_redirects=False, timeout=TIMEOUT
    )
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} failed: {answer.status_code}")
    return web


def _amounts(rng, total: str) -> dict:
    cap = max(Decimal("1"), Decimal(total) / 20)
    funds = (cap * Decimal(rng.random())).quantize(Decimal("0.01"))
    completed = (funds * Decimal("0.8")).quantize(Decimal("0.01"))
    return {"funds_in_place": str(funds), "investment_completed": str(completed)}


class Officer:
    def __init__(self, rec, base, info, web, months, seed):
        import requests

        self.rec, self.base, self.info, self.web = rec, base, info, web
        # Early in a month officers file the new month and correct the last one, whose
        # figures are the dashboard's default period: writes land on what leaders read.
        self.months, self.month = months, months[0]
        # The API channel has no cookies: with a session, DRF would ask for a CSRF token.
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Token {info['token']}"
        self.rng = random.Random(seed)
        self.n = 0

    def _lookup(self, session, project):
        r = self.rec.request(
            session,
            "progress lookup (API)",
            "GET",
            f"{self.base}/api/v1/progress/?project={project['id']}&month={self.month}",
            200,
        )
        if r is None:
            return False, None
        results = r.json()["results"]
        return True, (results[0]["id"] if results else None)

    def _entry(self, project):
        return {
            **_amounts(self.rng, project["total"]),
            "narrative": f"工作日压测 {self.info['username']} 第{self.n}次填报",
        }

    def api_progress(self, project):
        ok, existing = self._lookup(self.api, project)
        if not ok:
            return
        body = self._entry(project)
        if existing is None:
            self.rec.request(
                self.api,
                "write: progress create (API)",
                "POST",
                f"{self.base}/api/v1/progress/",
                201,
                json={**body, "project": project["id"], "month": self.month},
            )
        else:
            self.rec.request(
                self.api,
                "write: progress update (API)",
                "PATCH",
                f"{self.base}/api/v1/progress/{existing}/",
                200,
                json=body,
            )

    def _form_post(self, page_kind, write_kind, url, field, change, project_id):
        page = self.rec.request(self.web, page_kind, "GET", url, 200)
        if page is None:
            return
        fields = Forms.find(page.text, field)
        if fields is None:
            self.rec.samples.append((write_kind, time.perf_counter(), 0.0, False, "no form"))
            return
        data = [(k, v) for k, v in fields if k not in change] + list(change.items())
        back = f"/projects/{project_id}/"

        def sent_back(response):
            # A saved form sends the user back to the project; anywhere else is a failure.
            where = response.headers.get("Location", "")
            return None if where.endswith(back) else f"302 -> {where}"

        self.rec.request(self.web, write_kind, "POST", url, 302, check=sent_back, data=data)

    def form_progress(self, project):
        ok, existing = self._lookup(self.web, project)
        if not ok:
            return
        change = {**self._entry(project), "month": self.month}
        if existing is None:
            url, kind = f"/projects/{project['id']}/progress/add/", "write: progress add (form)"
        else:
            url, kind = f"/projects/progress/{existing}/edit/", "write: progress edit (form)"
        self._form_post("progress form page", kind, self.base + url, "month", change, project["id"])

    def form_project(self, project):
        change = {
            "construction_content": f"工作日压测：{self.info['username']} 第{self.n}次修改",
        }
        self._form_post(
            "project edit form page",
            "write: project edit (form)",
            f"{self.base}/projects/{project['id']}/edit/",
            "version",
            change,
            project["id"],
        )

    def step(self):
        """The next action of the cycle, on one of the officer's projects."""
        action = ACTIONS[self.n % len(ACTIONS)]
        self.n += 1
        self.month = self.rng.choice(self.months)
        getattr(self, action)(self.rng.choice(self.info["projects"]))

    def loop(self, deadline):
        due = time.perf_counter() + self.rng.uniform(0, WRITE_EVERY[1])
        while True:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            if time.perf_counter() >= deadline:
                return
            self.step()
            due = max(due + self.rng.uniform(*WRITE_EVERY), time.perf_counter())


class Reader:
    def __init__(self, rec, base, web, ctx, seed):
        self.rec, self.base, self.web, self.ctx = rec, base, web, ctx
        self.rng = random.Random(seed)

    def url(self, kind):
        c, rng = self.ctx, self.rng
        year, month = c["last_complete"]
        return {
            "dashboard page (default period)": "/dashboard/",
            "dashboard page (last complete month)": f"/dashboard/?year={year}&month={month}",
            "dashboard API": "/api/v1/dashboard/",
            "project list page (filtered)": (
                f"/projects/?stage={rng.choice(c['stages'])}&chain={rng.choice(c['chains'])}"
            ),
            "project page": f"/projects/{rng.choice(c['project_ids'])}/",
            "color board": "/projects/board/",
            "chain map": f"/chains/{rng.choice(c['chains'])}/map/",
            "project list API (100)": "/api/v1/projects/?page_size=100",
        }[kind]

    def loop(self, deadline):
        time.sleep(self.rng.uniform(0, THINK[1]))
        while time.perf_counter() < deadline:
            kind = self.rng.choice(READ_KINDS)
            self.rec.request(self.web, kind, "GET", self.base + self.url(kind), 200)
            time.sleep(self.rng.uniform(*THINK))


def _cpu(port) -> dict:
    """CPU seconds so far: the machine's busy time (/proc/stat); gunicorn's processes (the
    ones started with this port on their command line); PostgreSQL, every database (its
    processes, and through the postmaster's children's times the backends that have ended);
    and this process."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait
    server, postgres = 0.0, {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            head, stat = (proc / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        stat = stat.split()  # from state: ppid is [1], utime [11], stime [12], cutime [13]
        if f"127.0.0.1:{port}".encode() in cmdline:
            server += (int(stat[11]) + int(stat[12])) / tick
        elif head.endswith("(postgres"):
            postgres[int(proc.name)] = (int(stat[1]), [int(x) for x in stat[11:15]])
    pg = 0.0
    for ppid, (utime, stime, cutime, cstime) in postgres.values():
        pg += utime + stime + (0 if ppid in postgres else cutime + cstime)
    return {
        "machine": machine,
        "gunicorn": server,
        "postgres": pg / tick,
        "client": time.process_time(),
    }


def _percentile(ordered, p):
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(rec: Recorder, seconds: float) -> dict:
    kinds = {}
    for kind in READ_KINDS + OFFICER_READ_KINDS + WRITE_KINDS:
        rows = [s for s in rec.samples if s[0] == kind]
        if not rows:
            continue
        ms = sorted(s[2] for s in rows)
        errors = [s for s in rows if not s[3]]
        p95 = round(_percentile(ms, 95), 1)
        kinds[kind] = {
            "group": "read"
            if kind in READ_KINDS
            else ("officer read" if kind in OFFICER_READ_KINDS else "write"),
            "count": len(rows),
            "errors": len(errors),
            "p50_ms": round(_percentile(ms, 50), 1),
            "p95_ms": p95,
            "p99_ms": round(_percentile(ms, 99), 1),
            "max_ms": round(ms[-1], 1),
            "meets_target": p95 <= TARGET_P95_MS and not errors,
            "error_samples": sorted({e[4] for e in errors})[:5],
        }
    writes = [s for s in rec.samples if s[0] in WRITE_KINDS]
    reads = [s for s in rec.samples if s[0] in READ_KINDS]
    return {
        "kinds": kinds,
        "writes": {
            "attempted": len(writes),
            "succeeded": sum(1 for s in writes if s[3]),
            "per_second": round(sum(1 for s in writes if s[3]) / seconds, 2),
            "target_per_second": round(OFFICERS / 2, 2),
        },
        "reads_per_second": round(len(reads) / seconds, 2),
        "requests_per_second": round(len(rec.samples) / seconds, 2),
        "requests": len(rec.samples),
        "errors": sum(1 for s in rec.samples if not s[3]),
        "all_meet_target": all(k["meets_target"] for k in kinds.values()),
    }


def workday(db_url, seconds=None) -> dict:
    """Set up, start gunicorn (2 workers), log everyone in, run the mix; the summary."""
    import requests

    seconds = SECONDS if seconds is None else seconds
    ctx = workday_setup.in_subprocess(db_url)
    with run.gunicorn_server(db_url) as port:
        base = f"http://127.0.0.1:{port}"
        rec = Recorder()
        started = time.perf_counter()
        webs = {}

        def login(username):
            webs[username] = _login(requests, base, username, ctx["password"])

        users = [o["username"] for o in ctx["officers"]] + [r["username"] for r in ctx["readers"]]
        threads = [threading.Thread(target=login, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        missing = [u for u in users if u not in webs]
        if missing:
            raise SystemExit(f"login failed for {', '.join(missing)}")
        login_s = round(time.perf_counter() - started, 1)

        officers = [
            Officer(
                rec, base, info, webs[info["username"]], (ctx["month"], ctx["last_month"]), seed=i
            )
            for i, info in enumerate(ctx["officers"])
        ]
        readers = [
            Reader(rec, base, webs[r["username"]], ctx, seed=100 + i)
            for i, r in enumerate(ctx["readers"])
        ]
        # Each page kind twice (both workers, most likely), not recorded: first requests load
        # templates and code, which a server running all day has long done.
        warm = Recorder()
        for reader in readers[:2]:
            reader.rec = warm
            for kind in READ_KINDS:
                warm.request(reader.web, kind, "GET", base + reader.url(kind), 200)
            reader.rec = rec
        first = officers[0].info["projects"][0]["id"]
        for _ in range(2):
            warm.request(officers[0].web, "", "GET", f"{base}/projects/{first}/edit/", 200)
        warm_errors = sorted({s[4] for s in warm.samples if not s[3]})
        # Each reader kind alone, one request at a time (nothing else running): what a page
        # costs the server, beside what it takes under the mix (the rest is waiting).
        alone = Recorder()
        reader = readers[0]
        reader.rec = alone
        for _ in range(ALONE_RUNS):
            for kind in READ_KINDS:
                alone.request(reader.web, kind, "GET", base + reader.url(kind), 200)
        reader.rec = rec
        officer = officers[-1]  # and one officer's actions, two rounds of the cycle
        officer.rec = alone
        for _ in range(2 * len(ACTIONS)):
            officer.step()
        officer.rec = rec

        load_before = round(os.getloadavg()[0], 2)
        print(
            f"  workday: {len(officers)} officers, {len(readers)} readers, {seconds} s "
            f"(logins {login_s} s)",
            flush=True,
        )
        cpu0 = _cpu(port)
        rec.t0 = time.perf_counter()
        deadline = rec.t0 + seconds
        threads = [threading.Thread(target=o.loop, args=(deadline,)) for o in officers] + [
            threading.Thread(target=r.loop, args=(deadline,)) for r in readers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - rec.t0
        cpu = {k: round((v - cpu0[k]) / elapsed, 2) for k, v in _cpu(port).items()}
    out = summarise(rec, seconds)
    for kind, k in out["kinds"].items():
        ms = sorted(s[2] for s in alone.samples if s[0] == kind)
        if ms:
            k["alone_p50_ms"] = round(_percentile(ms, 50), 1)
    out.update(
        {
            "seconds": seconds,
            "elapsed_s": round(elapsed, 1),
            "officers": len(officers),
            "readers": len(readers),
            "gunicorn_workers": 2,
            "cores": os.cpu_count(),
            "target_p95_ms": TARGET_P95_MS,
            "login_s": login_s,
            # Cores busy during the run: the whole machine (other work on it included),
            # gunicorn's processes, and this client's threads (taken from the server's cores).
            "cpu_cores_busy": cpu,
            "load_average_before": load_before,
            "warmup_errors": warm_errors,
        }
    )
    return out


def markdown(w: dict) -> str:
    """The working-day table for bench/results."""
    if "error" in w:
        return f"Working-day mix: {w['error']}\n"
    cpu = w["cpu_cores_busy"]
    lines = [
        f"Working-day mix ({w['seconds']} s; gunicorn {w['gunicorn_workers']} workers; "
        f"{w['officers']} officers writing every ~2 s through the API and the forms, "
        f"{w['readers']} leaders/admins reading with 0.5-1 s think time; client threads in "
        f"the bench process on the same {w['cores']}-core machine). Writes: "
        f"{w['writes']['succeeded']} of {w['writes']['attempted']} succeeded, "
        f"{w['writes']['per_second']}/s (target {w['writes']['target_per_second']}/s); "
        f"reads {w['reads_per_second']}/s; {w['requests_per_second']} requests/s in all. "
        f"Cores busy: {cpu['machine']} of {w['cores']} on the machine (load average "
        f"{w['load_average_before']} before the run), gunicorn {cpu['gunicorn']}, PostgreSQL "
        f"(all databases) {cpu.get('postgres', '?')}, the client {cpu['client']}; the rest is "
        "other work on the machine. *Alone*: the "
        "median of each page requested one at a time before the mix (the server's cost of the "
        "page; under the mix the rest is waiting for a worker), writes from one officer's "
        "two rounds of its cycle.",
        "",
        f"| kind | count | errors | p50 ms | p95 ms | p99 ms | max ms | alone ms | p95 ≤ "
        f"{w['target_p95_ms']} ms, no errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, k in w["kinds"].items():
        lines.append(
            f"| {kind} | {k['count']} | {k['errors']} | {k['p50_ms']} | {k['p95_ms']} | "
            f"{k['p99_ms']} | {k['max_ms']} | {k.get('alone_p50_ms', '')} | "
            f"{'yes' if k['meets_target'] else '**no**'} |"
        )
    samples = [(kind, e) for kind, k in w["kinds"].items() for e in k["error_samples"]]
    if samples:
        lines += ["", "Errors (up to 5 distinct per kind):", ""]
        lines += [f"- {kind}: {e}" for kind, e in samples]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=run.DB_10K)
    parser.add_argument("--seconds", type=int, default=None)
    args = parser.parse_args()
    run_alone(args.db, args.seconds)


def run_alone(db_url, seconds=None):
    """The mix on its own, against a prepared database: bench/results/workday-latest.*"""
    result = workday(db_url, seconds)
    text = markdown(result)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "workday-latest.md").write_text(text)
    (run.RESULTS / "workday-latest.json").write_text(
        json.dumps({"machine": run.machine(), "workday": result}, indent=2, ensure_ascii=False)
    )
    print(text)


if __name__ == "__main__":
    main()
