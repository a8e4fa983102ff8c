"""HTTP benchmark of the desks and the API under concurrent load, through gunicorn.

Builds (once; `--rebuild` to start again) a benchmark database of `--policies` policies
(scripts/benchdb.py; default 1,000,000, 10,000,000 supported), adds what the pages need (a
counter clerk and a hotline agent with passwords, a claim, a ticket, an API key), then starts
gunicorn on 127.0.0.1 (2 workers, gthread, 4 threads, DEBUG off, a throwaway SECRET_KEY, the
benchmark database, scripts/bench_settings.py: the portal's settings with scripts/bench_urls.py)
and signs the staff in through the login form (one session per load connection). Each endpoint
is then loaded with wrk (8 connections, `--duration` seconds, a small Lua script per endpoint
for the POST body, the session cookie and the CSRF token), interleaved with the minimal page
(one Policy by primary key through the same middleware): minimal, endpoint 1, minimal,
endpoint 2, … minimal. For each endpoint: p50/p95/p99 latency, requests per second, and its
throughput as a share of the minimal page's, measured right before and after it (the mean of
the two). A Markdown table at the end (also written to `--output`).

Every response's status is checked (200, or 302 for the counter's posted lookups): an endpoint answering
otherwise is marked failed in the table and the script exits non-zero. Traffic goes only to 127.0.0.1; gunicorn and wrk are stopped when the script ends, however
it ends. Needs wrk (Debian: apt-get install -y wrk).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jqx .venv/bin/python scripts/bench_http.py
    … --policies 10000000 --duration 30 --only hotline
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

from scripts.benchdb import build, table_sizes, use_database  # noqa: E402

PASSWORD = "bench-Passw0rd-jqx"
CLERK, AGENT = "bench_http_clerk", "bench_http_agent"
HOST = "127.0.0.1"


@dataclass
class Endpoint:
    """One row of the table: what wrk sends (per connection: `paths`, cookies and tokens)."""

    label: str
    method: str
    paths: list[str]
    status: int = 200
    body: str = ""
    content_type: str = ""
    sessions: list[dict] = field(default_factory=list)  # {"cookie": …, "token": …} per connection
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    label: str
    p50: float
    p95: float
    p99: float
    rps: float
    requests: int
    ratio: float | None = None
    failed: str = ""  # why the run does not count (responses with another status, socket errors)


# --- the data the pages need ------------------------------------------------------------------


def fixtures() -> dict:
    """Staff, a customer with a car in force, a claim, a ticket, an API key (made once, found
    again on the next run — except the key: its raw value is shown once, so each run makes one)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from channels.api.services import api_key_create
    from claims.models import Claim
    from claims.services import claim_report
    from core.clock import today
    from policies.models import Branch, Person, Policy, User, Vehicle
    from policies.roles import COUNTER_CLERK, HOTLINE_AGENT
    from support.choices import Category, Channel
    from support.models import Ticket
    from support.services import ticket_create

    day = today()
    branch = Branch.objects.order_by("pk").first()
    users = {}
    for username, role in ((CLERK, COUNTER_CLERK), (AGENT, HOTLINE_AGENT)):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, password=PASSWORD, branch=branch, last_name="基准")
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    # A vehicle in the middle of the table whose latest policy is in force today.
    middle = Vehicle.objects.order_by("-pk").values_list("pk", flat=True).first() // 2
    policy = (
        Policy.objects.filter(
            vehicle_id__gte=middle,
            status="in_force",
            start_date__lte=day - dt.timedelta(days=2),
            end_date__gte=day,
        )
        .select_related("vehicle", "policyholder")
        .order_by("vehicle_id")
        .first()
    )
    vehicle, person = policy.vehicle, policy.policyholder
    oldest = Policy.objects.filter(vehicle=vehicle).order_by("start_date").first()
    common = Person.objects.get(pk=100)  # a common name: many people share it
    # a three-character name (every third person of scripts/benchdb.py): its given name alone,
    # and with part of the plate, as a caller gives them
    named = Person.objects.get(pk=102)
    named_plate = Vehicle.objects.filter(owner=named).values_list("plate", flat=True).first() or "苏A00000"
    claim = Claim.objects.filter(reported_by=users[AGENT]).order_by("pk").first()
    if claim is None:
        claim = claim_report(
            vehicle=vehicle.plate,
            accident_at=timezone.now() - dt.timedelta(hours=5),
            place="南京市中山路",
            description="追尾，对方车辆后保险杠受损",
            at_fault=True,
            channel="hotline",
            reported_by=users[AGENT],
            parties=[{"kind": "vehicle", "plate": "苏B12345", "property": "3000"}],
        )
    ticket = Ticket.objects.filter(created_by=users[AGENT]).order_by("pk").first()
    if ticket is None:
        ticket = ticket_create(
            subject="询问续保时间",
            channel=Channel.HOTLINE,
            category=Category.RENEWAL_STATUS,
            description="客户来电询问保单何时到期、能否提前续保。",
            customer=person,
            vehicle=vehicle,
            created_by=users[AGENT],
        )
    key = api_key_create(
        channel="app", name=f"bench_http {timezone.now():%Y-%m-%d %H:%M}", requests_per_minute=10**9
    )
    return {
        "minimal_pk": policy.pk,
        "person": person,
        "vehicle": vehicle,
        "policy_number": oldest.number,
        "common_name": common.name,
        "given_name": named.name[1:],
        "given_name_plate": f"{named.name[1:]} {named_plate[2:6]}",
        "day": day,
        "branch": branch.pk,
        "claims_deep": f"{claims_middle().isoformat()}~{2**62}",
        "claim": claim.pk,
        "ticket": ticket.pk,
        "api_key": key.raw,
        "api_key_id": key.key.pk,
    }


def claims_middle() -> dt.datetime:
    """A report time in the middle of the claims: the claim queue's deep page starts after it."""
    from claims.models import Claim

    reported = Claim.objects.order_by("reported_at", "pk").values_list("reported_at", flat=True)
    return reported[Claim.objects.count() // 2]


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def redis_up() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_gunicorn(
    port: int, database_url: str, workdir: Path, *, workers: int, threads: int
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scripts.bench_settings",
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "1",
        "DATABASE_STATEMENT_TIMEOUT_MS": "30000",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway: every session ends with the run
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "WHITENOISE_USE_FINDERS": "1",
        "SECURITY_LOG_PATH": str(workdir / "security.jsonl"),
        "API_PLATE_RATE": "1000000000/60",
        "LOG_LEVEL": "WARNING",
    }
    if redis_up():  # production counts rate limits in Redis: so does the benchmark
        env["CACHE_URL"] = f"redis://{HOST}:6379/13"
        env["RATE_LIMIT_KEY_PREFIX"] = f"jqx:bench_http:{os.getpid()}:"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn, "jqx_portal.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads), "--timeout", "60",
        "--access-logfile", str(workdir / "access.log"), "--error-logfile", str(workdir / "error.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {workdir / 'error.log'}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- sessions through the login form ------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in session: cookies kept, redirects not followed (their Location is read)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookie("csrftoken")}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Referer", self.base + path)
        return self._open(request)

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def login(self, username: str) -> None:
        self.get("/accounts/login/")
        status, location, _ = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        if status != 302 or "two-factor" in location:
            raise SystemExit(f"sign-in of {username} failed: {status} → {location or 'no redirect'}")

    def session(self) -> dict:
        return {"cookie": f"csrftoken={self.cookie('csrftoken')}; sessionid={self.cookie('sessionid')}",
                "token": self.cookie("csrftoken")}  # fmt: skip


def expect(result: tuple[int, str, str], status: int, what: str) -> str:
    if result[0] != status:
        raise SystemExit(f"{what}: expected {status}, got {result[0]}")
    return result[1]


# --- wrk -----------------------------------------------------------------------------------------

LUA = r"""
local paths = %(paths)s
local cookies = %(cookies)s
local tokens = %(tokens)s
local expected = %(status)d
local made = {}
local serial = 0

function setup(thread)
  serial = serial + 1
  thread:set("n", serial)
  table.insert(made, thread)
end

function init(args)
  local i = ((n - 1) %% #paths) + 1
  bad = 0
  for name, value in pairs(%(headers)s) do wrk.headers[name] = value end
  if #cookies > 0 then
    wrk.headers["Cookie"] = cookies[((n - 1) %% #cookies) + 1]
    wrk.headers["X-CSRFToken"] = tokens[((n - 1) %% #tokens) + 1]
  end
  local content_type, body = %(content_type)s, %(body)s
  if content_type ~= "" then wrk.headers["Content-Type"] = content_type end
  req = wrk.format(%(method)s, paths[i], nil, body ~= "" and body or nil)
end

function request() return req end

function response(status, headers, body)
  if status ~= expected then bad = bad + 1 end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(made) do unexpected = unexpected + (thread:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration, unexpected,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "}"


def run_wrk(base: str, endpoint: Endpoint, *, connections: int, duration: int, workdir: Path) -> Result:
    script = workdir / f"wrk_{re.sub(r'[^a-z0-9]+', '_', endpoint.label.lower())}.lua"
    headers = (
        "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in endpoint.headers.items()) + "}"
    )
    script.write_text(
        LUA
        % {
            "paths": lua_list(endpoint.paths),
            "cookies": lua_list([s["cookie"] for s in endpoint.sessions]),
            "tokens": lua_list([s["token"] for s in endpoint.sessions]),
            "status": endpoint.status,
            "headers": headers,
            "content_type": json.dumps(endpoint.content_type),
            "method": json.dumps(endpoint.method),
            "body": json.dumps(endpoint.body, ensure_ascii=False),
        }
    )
    command = ["wrk", "--threads", str(connections), "--connections", str(connections),
               "--duration", f"{duration}s", "--timeout", "10s", "--script", str(script), base]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    ).stdout
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if not found:
        raise SystemExit(f"wrk gave no result for {endpoint.label}:\n{output}")
    p50, p95, p99, requests, micros, unexpected, errors = map(int, found.groups())
    result = Result(endpoint.label, p50 / 1000, p95 / 1000, p99 / 1000, requests / (micros / 1e6), requests)
    if unexpected or errors or not requests:
        result.failed = f"{unexpected} of {requests} responses not {endpoint.status}, {errors} socket errors or timeouts (10 s)"
    return result


def settle(timeout: float = 60.0) -> None:
    """Wait until the benchmark database runs no statement but ours: a page that timed out
    leaves its queries running for up to the statement timeout, which would slow the next run."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.5)


# --- the endpoints -------------------------------------------------------------------------------


def endpoints(base: str, data: dict, *, connections: int) -> tuple[Endpoint, list[Endpoint]]:
    """Sign `connections` sessions of each staff user in, prepare their grants and search keys,
    and describe every endpoint (the minimal page first)."""
    clerks = [Browser(base) for _ in range(connections)]
    agents = [Browser(base) for _ in range(connections)]
    for browser in clerks:
        browser.login(CLERK)
    for browser in agents:
        browser.login(AGENT)
    person, vehicle = data["person"], data["vehicle"]

    # The counter's customer page opens for a session whose lookup found the customer.
    for browser in clerks:
        expect(browser.post("/counter/", {"number": person.id_number}), 302, "counter lookup")
    # The hotline's results: one search per session and term (its key in the results URL).
    terms = {
        "plate": vehicle.plate,
        "phone": person.phone,
        "policy number": data["policy_number"],
        "ID number": person.id_number,
        "name": data["common_name"],
        "given name": data["given_name"],  # 张建平 found by 建平 (the caller gave no surname)
        "given name + plate part": data["given_name_plate"],
    }
    # A search is one POST answered with its results; the page names its results' URL (a key in
    # the session, never the term), which paging and reloading read by GET. Each search keeps
    # its key among the session's latest 20: the posted searches are loaded with sessions of
    # their own, so the keys the GET runs read stay.
    results: dict[str, list[str]] = {kind: [] for kind in terms}
    for browser in agents:
        for kind, term in terms.items():
            status, _, page = browser.post("/hotline/", {"q": term})
            found = re.search(r'data-results-url="([^"]*)"', page)
            shown = len(re.findall(r'data-testid="result-row"', page))
            if status != 200 or not found or not shown and "name" not in kind:
                raise SystemExit(f"hotline search by {kind} found nothing ({status})")
            results[kind].append(html.unescape(found[1]))
    searchers = [Browser(base) for _ in range(connections)]
    for browser in searchers:
        browser.login(AGENT)
    clerk_sessions = [b.session() for b in clerks]
    agent_sessions = [b.session() for b in agents]
    form = "application/x-www-form-urlencoded"
    api = {"Authorization": f"Bearer {data['api_key']}"}
    api_body = json.dumps({"plate": vehicle.plate, "vin": vehicle.vin}, ensure_ascii=False)
    minimal = Endpoint("minimal page (1 policy by pk)", "GET", [f"/bench/minimal/{data['minimal_pk']}"],
                       sessions=clerk_sessions)  # fmt: skip
    return minimal, [
        Endpoint("counter: lookup by ID number (POST → 302)", "POST", ["/counter/"], 302,
                 urllib.parse.urlencode({"number": person.id_number}), form, clerk_sessions),
        Endpoint("counter: lookup by plate + VIN (POST → 302)", "POST", ["/counter/"], 302,
                 urllib.parse.urlencode({"plate": vehicle.plate, "vin": vehicle.vin}), form, clerk_sessions),
        Endpoint("counter: customer page", "GET", [f"/counter/person/{person.pk}/"], sessions=clerk_sessions),
        *(
            Endpoint(f"hotline: search, {kind} (one POST)", "POST", ["/hotline/"], 200,
                     urllib.parse.urlencode({"q": term}), form, [b.session() for b in searchers])
            for kind, term in terms.items()
        ),
        Endpoint("hotline: results again by key (GET), plate", "GET", results["plate"], sessions=agent_sessions),
        Endpoint("hotline: customer page", "GET", [f"/hotline/customer/{person.pk}/"], sessions=agent_sessions),
        Endpoint("API: renewal-status", "POST", ["/api/v1/renewal-status"], 200, api_body, "application/json",
                 headers=api),
        Endpoint("API: quotes", "POST", ["/api/v1/quotes"], 200, api_body, "application/json", headers=api),
        *(
            Endpoint(f"hotline: {label}", "GET", [f"/hotline/?{query}"], sessions=agent_sessions)
            for label, query in status_lists(data["day"], branch=data["branch"])
        ),
        Endpoint("support: ticket page", "GET", [f"/support/tickets/{data['ticket']}/"], sessions=agent_sessions),
        Endpoint("claims: claim page", "GET", [f"/claims/{data['claim']}/"], sessions=agent_sessions),
        Endpoint("claims: queue, first page", "GET", ["/claims/?state=all"], sessions=agent_sessions),
        Endpoint("claims: queue, deep page (cursor)", "GET",
                 [f"/claims/?state=all&sort=-reported_at&after={urllib.parse.quote(data['claims_deep'])}"],
                 sessions=agent_sessions),
    ]  # fmt: skip


def status_lists(day: dt.date, *, branch: int) -> list[tuple[str, str]]:
    """The renewal-status lists, first page and a page deep in the list: a cursor (core.keyset)
    two months along, so the deep page costs what page 1 does only if no OFFSET is paid."""
    deep_after, deep_before = day + dt.timedelta(days=60), day - dt.timedelta(days=60)
    return [
        ("due list, first page", "renewal=due"),
        ("due list, deep page (cursor)", f"renewal=due&after={deep_after - dt.timedelta(days=30)}~0"),
        ("lapsed list, first page", "renewal=lapsed"),
        ("lapsed list, deep page (cursor)", f"renewal=lapsed&after={deep_before}~{2**62}"),
        ("renewed list, first page", "renewal=renewed"),
        ("renewed list, deep page (cursor)", f"renewal=renewed&after={day + dt.timedelta(days=40)}~0"),
        ("due list of a branch, deep page", f"renewal=due&branch={branch}&after={deep_after}~0"),
    ]


# --- the table ---------------------------------------------------------------------------------------


def table(
    results: list[Result], minimal: list[Result], *, policies: int, duration: int, connections: int
) -> str:
    lines = [
        f"{policies:,} policies; gunicorn 2 workers × 4 threads (gthread), wrk {connections} connections, "
        f"{duration} s per endpoint; minimal page {min(m.rps for m in minimal):,.0f}–"
        f"{max(m.rps for m in minimal):,.0f} req/s over the run.",
        "",
        "| endpoint | p50 ms | p95 ms | p99 ms | req/s | ÷ minimal page |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if r.failed:
            lines.append(f"| {r.label} | failed: {r.failed} | | | | |")
        else:
            lines.append(
                f"| {r.label} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.rps:,.0f} | {r.ratio:.2f} |"
            )
    m = minimal[0]
    lines.append(
        f"| *minimal page (first run)* | {m.p50:.1f} | {m.p95:.1f} | {m.p99:.1f} | {m.rps:,.0f} | 1.00 |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1_000_000)
    parser.add_argument("--database", help="default: jqx_bench_<policies> (e.g. jqx_bench_1m)")
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the benchmark database and fill it again"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--only",
        default="",
        help="only the endpoints whose label contains one of these (comma-separated) texts",
    )
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still stops gunicorn (finally)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    size = f"{args.policies // 1_000_000}m" if args.policies % 1_000_000 == 0 else str(args.policies)
    database = args.database or f"jqx_bench_{size}"
    database_url = use_database(database, rebuild=args.rebuild)

    import django

    django.setup()
    print(f"database {database}", flush=True)
    build(args.policies)
    for name, rows, total in table_sizes():
        print(f"  {name:<20} {rows:>12,} rows  {total} with indexes")
    data = fixtures()

    from django.db import connections

    connections.close_all()
    workdir = Path(tempfile.mkdtemp(prefix="jqx_bench_http_"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = None
    try:
        server = start_gunicorn(port, database_url, workdir, workers=args.workers, threads=args.threads)
        minimal, rest = endpoints(base, data, connections=args.connections)
        wanted = [w.strip().lower() for w in args.only.split(",")]
        rest = [e for e in rest if any(w in e.label.lower() for w in wanted)]

        def load(endpoint: Endpoint) -> Result:
            result = run_wrk(
                base, endpoint, connections=args.connections, duration=args.duration, workdir=workdir
            )
            print(f"  {result.label:<46} p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms  "
                  f"p99 {result.p99:7.1f} ms  {result.rps:8,.0f} req/s  {result.failed}", flush=True)  # fmt: skip
            settle()
            return result

        load(minimal)  # warm-up: the pools, the tariff book, the templates
        minimal_runs = [load(minimal)]
        results = []
        for endpoint in rest:
            result = load(endpoint)
            minimal_runs.append(load(minimal))
            result.ratio = result.rps / ((minimal_runs[-2].rps + minimal_runs[-1].rps) / 2)
            results.append(result)
    finally:
        stop(server)
        from django.utils import timezone

        from channels.models import ApiKey

        ApiKey.objects.filter(pk=data["api_key_id"]).update(revoked_at=timezone.now())
    markdown = table(results, minimal_runs, policies=args.policies, duration=args.duration,
                     connections=args.connections)  # fmt: skip
    print("\n" + markdown)
    if args.output:
        args.output.write_text(markdown + "\n")
    failed = [r.label for r in results if r.failed]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)} (gunicorn's log: {workdir / 'error.log'})")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
