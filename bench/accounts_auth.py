"""Accounts and OpenID-provider benchmark: what a login and a token request cost.

Measures, in one run and side by side:

1. **argon2id per hash** (in-process, one thread): our parameters
   (``accounts/hashers.py``: t=2, m=19 MiB, p=1, OWASP's minimum) against Django's
   ``Argon2PasswordHasher`` defaults and argon2-cffi's ``PasswordHasher`` defaults (RFC 9106's
   low-memory profile), each hashing and verifying ``--hash-rounds`` times: wall time and CPU
   time per hash, and the hashes per second one core can do;
2. **logins per second over HTTP**: the real server (``amtshilfe web --workers 2 --threads 8``)
   and ``wrk`` (``apt-get install wrk``; a Python thread-pool client otherwise) posting the
   login form (CSRF cookie and token as a browser has them) for ``--users`` citizen accounts
   with ``--connections`` keep-alive connections; once per password-hasher profile (the server
   runs with a small settings module written into ``--workdir`` that puts the profile's hasher
   first and the users' passwords are hashed with it, so no login rehashes). Only ``302``
   answers count as logins (a wrong password answers ``200``). Goal: ≥ 40 logins/s per core
   with our parameters;
3. **token endpoint requests per second**, with the portals' client secrets checked by our
   fast hasher (``openid/hashers.py``) and by DOT's default (the first password hasher:
   argon2id), side by side: ``client_credentials`` on a confidential client (client
   authentication plus one access token), and the authorization-code exchange on pre-created
   codes with PKCE (S256) — code, verifier, client authentication, access + refresh token and an
   RS256-signed ID token with acr/amr/auth_time, as a portal's login does it. Goal: ≥ 200
   requests/s on 2 cores.

Login throttling is lifted for the run (``LOGIN_FAILURE_LIMIT``); everything else is the
product's configuration. The load averages in the table lag: the library defaults' argon2
keeps 4 or 8 threads per hash runnable, which shows in the load average for a while after.

Usage (PostgreSQL on 127.0.0.1; the database ``bench_accounts`` is dropped and created, and
dropped again at the end unless ``--keep-database``):

    .venv/bin/python bench/accounts_auth.py
    .venv/bin/python bench/accounts_auth.py --database-url sqlite        # a file in --workdir
    .venv/bin/python bench/accounts_auth.py --seconds 5 --only hashing --only logins

Prints a Markdown table (and writes ``results.json`` into ``--workdir``); the numbers depend on
the machine and on what else runs on it, so the table names the CPU and the load averages.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))

PG_URL = "postgres://postgres@127.0.0.1:5432/bench_accounts"
FORBIDDEN_DATABASES = {
    "test",
    "lead",
    "bench",
    "bench_import",
    "postgres",
    "template0",
    "template1",
}
PASSWORD = "Bench-Passwort-lang-genug-2026"  # noqa: S105 (bench accounts only)
REDIRECT_URI = "https://portal.bench.example/callback"
GOAL_LOGINS_PER_CORE = 40.0
GOAL_TOKENS_PER_SECOND = 200.0

#: Password-hasher profiles: (label, hasher class path as the server's settings name it).
PROFILES = {
    "ours": ("ours: t=2, m=19 MiB, p=1", "amtshilfe.accounts.hashers.TunedArgon2PasswordHasher"),
    "django": ("Django defaults", "django.contrib.auth.hashers.Argon2PasswordHasher"),
    "argon2-cffi": ("argon2-cffi defaults", "bench_hashers.Argon2CffiDefaultsHasher"),
}
#: The hasher argon2-cffi's defaults need as a Django hasher (written into the work folder).
BENCH_HASHERS = """
import argon2
from django.contrib.auth.hashers import Argon2PasswordHasher

_DEFAULTS = argon2.PasswordHasher()


class Argon2CffiDefaultsHasher(Argon2PasswordHasher):
    time_cost = _DEFAULTS.time_cost
    memory_cost = _DEFAULTS.memory_cost
    parallelism = _DEFAULTS.parallelism
"""
SETTINGS_MODULE = """
from amtshilfe.config.settings import *  # noqa: F403
from amtshilfe.config.settings import OAUTH2_PROVIDER

PASSWORD_HASHERS = [{password_hasher!r}, "amtshilfe.openid.hashers.ClientSecretHasher"]
OAUTH2_PROVIDER = {{**OAUTH2_PROVIDER, "CLIENT_SECRET_HASHER": {secret_hasher!r}}}
"""


# =============================================================================== helpers


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def recreate_postgres_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    name = database_name(url)
    if name in FORBIDDEN_DATABASES or name.startswith("helper_") or not name:
        raise SystemExit(f"refusing to drop and create the database {name!r}")
    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


# ============================================================== 1. argon2id per hash


def hashing(rounds: int) -> dict[str, Any]:
    import importlib

    results: dict[str, Any] = {}
    for key, (label, path) in PROFILES.items():
        hasher = _hasher(path, importlib)
        encoded = hasher.encode(PASSWORD, hasher.salt())
        hasher.verify(PASSWORD, encoded)  # warm-up
        walls, cpus = [], []
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            hasher.verify(PASSWORD, encoded)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        cpu_ms = statistics.median(cpus)
        results[key] = {
            "label": label,
            "time_cost": hasher.time_cost,
            "memory_mib": hasher.memory_cost / 1024,
            "parallelism": hasher.parallelism,
            "wall_ms": statistics.median(walls),
            "cpu_ms": cpu_ms,
            "per_core_per_s": 1000 / cpu_ms if cpu_ms else float("nan"),
        }
        log(f"hash {label}: {statistics.median(walls):.1f} ms wall, {cpu_ms:.1f} ms CPU")
    return results


def _hasher(path: str, importlib: Any) -> Any:
    module, _, name = path.rpartition(".")
    if module == "bench_hashers":
        namespace: dict[str, Any] = {}
        exec(BENCH_HASHERS, namespace)  # noqa: S102  (our own constant, the same as the server's)
        return namespace[name]()
    return getattr(importlib.import_module(module), name)()


# ====================================================================== the server


class Server:
    """``amtshilfe web`` with a settings module of the benchmark (profile and secret hasher)."""

    def __init__(self, workdir: Path, password_hasher: str, secret_hasher: str, name: str):
        self.workdir, self.name = workdir, name
        module = f"bench_accounts_settings_{name}"
        (workdir / f"{module}.py").write_text(
            SETTINGS_MODULE.format(password_hasher=password_hasher, secret_hasher=secret_hasher)
        )
        (workdir / "bench_hashers.py").write_text(BENCH_HASHERS)
        self.env = dict(os.environ)
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": module,
                "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT / "src")]),
                "DEBUG": "false",
            }
        )
        self.port = free_port()

    def __enter__(self) -> Server:
        from django.db import connection

        connection.close()  # the benchmark holds no connection or lock while the server runs
        self.log_path = self.workdir / f"server-{self.name}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "amtshilfe.cli", "web"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "8"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while True:
            try:
                status, _headers, _body = request(self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"server did not start, see {self.log_path}")
            time.sleep(0.3)

    def __exit__(self, *exc: Any) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        conn.close()


# =================================================================== load generator

WRK_SCRIPT = """
local plan = {%(plan)s}
local success = %(success)d
local nthreads = %(threads)d
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = id
  good, bad = 0, 0
end
function request()
  local r = plan[(n %% #plan) + 1]
  n = n + nthreads
  return wrk.format(r[1], r[2], r[3], r[4])
end
function response(status, headers, body)
  if status == success then good = good + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%.1f %%.1f %%.1f\\n",
    summary.requests, summary.duration, g, b, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    return json.dumps(str(value))  # ASCII only here: JSON's escapes are Lua's


def load_test(
    port: int,
    plan: list[tuple[str, str, dict[str, str], str]],
    success: int,
    *,
    connections: int,
    seconds: int,
    workdir: Path,
) -> dict[str, Any]:
    """Closed loop over ``plan`` (each request once, threads take disjoint turns): requests
    per second that answered ``success``, latency percentiles in ms."""
    before = loadavg()
    if shutil.which("wrk"):
        threads = min(2, connections)  # wrk needs a connection per thread
        script = workdir / "plan.lua"
        script.write_text(
            WRK_SCRIPT
            % {
                "plan": ",\n".join(_lua(list(r)) for r in plan),
                "success": success,
                "threads": threads,
            }
        )
        out = subprocess.run(
            [
                *("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"),
                *("-s", str(script), f"http://127.0.0.1:{port}"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("RESULT"))
        total, duration_us, good, bad, socket_errors, p50, p95, p99 = (
            float(x) for x in line.split()[1:]
        )
        result = {
            "client": "wrk",
            "requests": int(total),
            "good": int(good),
            "bad": int(bad),
            "socket_errors": int(socket_errors),
            "per_s": good / (duration_us / 1e6),
            "p50_ms": p50 / 1000,
            "p95_ms": p95 / 1000,
            "p99_ms": p99 / 1000,
        }
    else:
        result = _python_load_test(port, plan, success, connections, seconds)
    result.update({"connections": connections, "seconds": seconds, "loadavg": [before, loadavg()]})
    if result["good"] >= len(plan):
        result["warning"] = "the plan ran out: requests were repeated"
    return result


def _python_load_test(
    port: int,
    plan: list[tuple[str, str, dict[str, str], str]],
    success: int,
    clients: int,
    seconds: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    counts = {"good": 0, "bad": 0}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, good, bad, n = [], 0, 0, offset
        while time.perf_counter() < stop:
            method, path, headers, body = plan[n % len(plan)]
            started = time.perf_counter()
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            good, bad = (good + 1, bad) if response.status == success else (good, bad + 1)
            n += clients
        with lock:
            latencies.extend(mine)
            counts["good"] += good
            counts["bad"] += bad

    started = time.perf_counter()
    pool = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {
        "client": "python threads",
        "requests": len(latencies),
        **counts,
        "socket_errors": 0,
        "per_s": counts["good"] / elapsed,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


# ======================================================================= 2. logins


def create_users(count: int) -> None:
    from amtshilfe.accounts.models import User

    User.objects.bulk_create(
        User(email=f"bench{i}@example.org", full_name=f"Bench {i}", kind="citizen")
        for i in range(count)
    )


def set_passwords(hasher_path: str) -> None:
    import importlib

    from amtshilfe.accounts.models import User

    hasher = _hasher(hasher_path, importlib)
    User.objects.filter(email__startswith="bench").update(
        password=hasher.encode(PASSWORD, hasher.salt())
    )


def login_plan(port: int, users: int) -> tuple[list[tuple[str, str, dict[str, str], str]], str]:
    """One login per account, each with the CSRF cookie and token of one page view."""
    from django.urls import reverse

    path = reverse("accounts:login")
    status, headers, html = request(port, "GET", path)
    assert status == 200, status
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert cookie and token, "no CSRF cookie or token on the login page"
    plan = []
    for i in range(users):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": f"bench{i}@example.org",
                "password": PASSWORD,
            }
        )
        plan.append(
            (
                "POST",
                path,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie.group(1)}",
                },
                body,
            )
        )
    return plan, path


def logins(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for key, (label, path) in PROFILES.items():
        set_passwords(path)
        with Server(workdir, path, "client_secret_hmac_sha256", f"login_{key}") as server:
            plan, login_path = login_plan(server.port, args.users)
            status, headers, _ = request(server.port, *plan[0][:2], plan[0][2], plan[0][3])
            location = headers.get("location", "")
            assert status == 302 and login_path not in location, (status, location)
            load_test(
                server.port, plan, 302, connections=args.connections, seconds=3, workdir=workdir
            )
            result = load_test(
                server.port,
                plan,
                302,
                connections=args.connections,
                seconds=args.seconds,
                workdir=workdir,
            )
        result["label"] = label
        result["per_core_per_s"] = result["per_s"] / (os.cpu_count() or 1)
        results[key] = result
        log(
            f"logins {label}: {result['per_s']:.1f}/s, "
            f"p95 {result['p95_ms']:.0f} ms, failed {result['bad']}"
        )
    return results


# =================================================================== 3. token endpoint


def create_portals() -> dict[str, Any]:
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    secret = secrets.token_urlsafe(64)
    common = {"client_type": Application.CLIENT_CONFIDENTIAL, "client_secret": secret}
    machine = Application.objects.create(
        name="bench machine",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        **common,
    )
    portal = Application.objects.create(
        name="bench portal",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=REDIRECT_URI,
        **common,
    )
    return {"secret": secret, "machine": machine, "portal": portal}


def store_secret(portals: dict[str, Any], hasher_path: str) -> None:
    """Store the portals' secret as the given hasher makes it (bypassing DOT's own hashing)."""
    import importlib

    from oauth2_provider.models import get_application_model

    hasher = _hasher(hasher_path, importlib)
    get_application_model().objects.filter(
        pk__in=[portals["machine"].pk, portals["portal"].pk]
    ).update(client_secret=hasher.encode(portals["secret"], hasher.salt()))


def create_codes(portal: Any, count: int) -> tuple[list[str], str]:
    """``count`` authorization codes as the authorization view leaves them (PKCE S256)."""
    from django.utils import timezone
    from oauth2_provider.models import get_grant_model

    from amtshilfe.accounts.models import User
    from amtshilfe.openid.models import GrantAuthentication

    Grant = get_grant_model()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    user = User.objects.filter(email__startswith="bench").first()
    codes = [secrets.token_urlsafe(24) for _ in range(count)]
    grants = Grant.objects.bulk_create(
        Grant(
            application=portal,
            user=user,
            code=code,
            expires=timezone.now() + datetime.timedelta(hours=2),
            redirect_uri=REDIRECT_URI,
            scope="openid profile email",
            code_challenge=challenge.decode(),
            code_challenge_method="S256",
            nonce="bench",
            claims="{}",
        )
        for code in codes
    )
    GrantAuthentication.objects.bulk_create(
        GrantAuthentication(grant=g, acr="niedrig", amr=["pwd"], auth_time=int(time.time()))
        for g in grants
    )
    return codes, verifier


def tokens(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from amtshilfe.openid.hashers import ClientSecretHasher

    portals = create_portals()
    hashers = {
        "fast": (
            "client secret: salted HMAC (ours)",
            "amtshilfe.openid.hashers.ClientSecretHasher",
            ClientSecretHasher.algorithm,
        ),
        "argon2": ("client secret: argon2id (DOT's default)", PROFILES["ours"][1], "default"),
    }
    results: dict[str, Any] = {}
    path = "/oidc/token/"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for key, (label, hasher_path, setting) in hashers.items():
        store_secret(portals, hasher_path)
        expected_rate = 900 if key == "fast" else 300  # upper bounds: no code is used twice
        codes, verifier = create_codes(portals["portal"], expected_rate * (args.seconds + 4))
        with Server(workdir, PROFILES["ours"][1], setting, f"tokens_{key}") as server:
            basic = {
                name: "Basic "
                + base64.b64encode(
                    f"{portals[name].client_id}:{portals['secret']}".encode()
                ).decode()
                for name in ("machine", "portal")
            }
            cc_plan = [
                (
                    "POST",
                    path,
                    form | {"Authorization": basic["machine"]},
                    "grant_type=client_credentials",
                )
            ]
            code_plan = [
                (
                    "POST",
                    path,
                    form | {"Authorization": basic["portal"]},
                    urllib.parse.urlencode(
                        {
                            "grant_type": "authorization_code",
                            "code": code,
                            "redirect_uri": REDIRECT_URI,
                            "code_verifier": verifier,
                        }
                    ),
                )
                for code in codes
            ]
            status, _, body = request(
                server.port, *code_plan[0][:2], code_plan[0][2], code_plan[0][3]
            )
            assert status == 200 and "id_token" in body, (status, body[:300])
            status, _, body = request(server.port, *cc_plan[0][:2], cc_plan[0][2], cc_plan[0][3])
            assert status == 200, (status, body[:300])
            load_test(
                server.port, cc_plan, 200, connections=args.connections, seconds=3, workdir=workdir
            )
            cc = load_test(
                server.port,
                cc_plan,
                200,
                connections=args.connections,
                seconds=args.seconds,
                workdir=workdir,
            )
            code = load_test(
                server.port,
                code_plan[1:],
                200,
                connections=args.connections,
                seconds=args.seconds,
                workdir=workdir,
            )
        results[key] = {"label": label, "client_credentials": cc, "code_exchange": code}
        log(
            f"tokens {label}: client_credentials {cc['per_s']:.0f}/s, "
            f"code exchange {code['per_s']:.0f}/s"
        )
    return results


# ========================================================================== report


def report(results: dict[str, Any]) -> str:
    lines = [
        f"Machine: {results['cpu']}, {results['cpus']} cores; database {results['backend']}; "
        f"load average at start {results['loadavg_start']}, at end {results['loadavg_end']}.",
        "",
    ]
    if "hashing" in results:
        h = results["hashing"]
        lines += [
            "| argon2id, one verification | " + " | ".join(v["label"] for v in h.values()) + " |",
            "|---|" + "---:|" * len(h),
            "| parameters (t, m, p) | "
            + " | ".join(
                f"{v['time_cost']}, {v['memory_mib']:.0f} MiB, {v['parallelism']}"
                for v in h.values()
            )
            + " |",
            "| wall time (median) | "
            + " | ".join(f"{v['wall_ms']:.1f} ms" for v in h.values())
            + " |",
            "| CPU time (median) | "
            + " | ".join(f"{v['cpu_ms']:.1f} ms" for v in h.values())
            + " |",
            "| verifications per second per core | "
            + " | ".join(f"{v['per_core_per_s']:.0f}" for v in h.values())
            + " |",
            "",
        ]
    if "logins" in results:
        lg = results["logins"]
        any_result = next(iter(lg.values()))
        lines += [
            f"| logins over HTTP ({any_result['connections']} connections, "
            f"{any_result['seconds']} s, {any_result['client']}) | "
            + " | ".join(v["label"] for v in lg.values())
            + " |",
            "|---|" + "---:|" * len(lg),
            "| logins/s | " + " | ".join(f"{v['per_s']:.1f}" for v in lg.values()) + " |",
            f"| logins/s per core (goal ≥ {GOAL_LOGINS_PER_CORE:.0f}) | "
            + " | ".join(f"{v['per_core_per_s']:.1f}" for v in lg.values())
            + " |",
            "| p50 / p95 | "
            + " | ".join(f"{v['p50_ms']:.0f} / {v['p95_ms']:.0f} ms" for v in lg.values())
            + " |",
            "| failed (not 302) | "
            + " | ".join(str(v["bad"] + v["socket_errors"]) for v in lg.values())
            + " |",
            "| load average before → after | "
            + " | ".join(f"{v['loadavg'][0][0]} → {v['loadavg'][1][0]}" for v in lg.values())
            + " |",
            "",
        ]
    if "tokens" in results:
        tk = results["tokens"]
        lines += [
            f"| token endpoint (goal ≥ {GOAL_TOKENS_PER_SECOND:.0f}/s on 2 cores) | "
            + " | ".join(v["label"] for v in tk.values())
            + " |",
            "|---|" + "---:|" * len(tk),
        ]
        for kind, name in (
            ("client_credentials", "client_credentials"),
            ("code_exchange", "code + PKCE → tokens + ID token"),
        ):
            lines += [
                f"| {name}: requests/s | "
                + " | ".join(f"{v[kind]['per_s']:.0f}" for v in tk.values())
                + " |",
                f"| {name}: p50 / p95 | "
                + " | ".join(
                    f"{v[kind]['p50_ms']:.0f} / {v[kind]['p95_ms']:.0f} ms" for v in tk.values()
                )
                + " |",
                f"| {name}: failed | "
                + " | ".join(str(v[kind]["bad"] + v[kind]["socket_errors"]) for v in tk.values())
                + " |",
            ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=PG_URL, help="postgres://…/NAME or 'sqlite'")
    parser.add_argument(
        "--workdir", default="", help="scratch folder (default: a new temporary one)"
    )
    parser.add_argument("--seconds", type=int, default=15, help="length of each load test")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--hash-rounds", type=int, default=20)
    parser.add_argument("--only", action="append", choices=["hashing", "logins", "tokens"])
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    parts = args.only or ["hashing", "logins", "tokens"]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-accounts-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    postgres = args.database_url != "sqlite"
    url = args.database_url if postgres else f"sqlite:///{workdir / 'bench_accounts.sqlite3'}"
    if not postgres:
        (workdir / "bench_accounts.sqlite3").unlink(missing_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
            "AMTSHILFE_MODE": "embedded",
            "AMTSHILFE_VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": url,
            "LOGIN_FAILURE_LIMIT": "1000000000",
            "DEBUG": "false",
        }
    )
    os.environ.pop("SECRET_KEY", None)
    if postgres:
        recreate_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    log(f"migrating {'PostgreSQL' if postgres else 'SQLite'} database …")
    call_command("migrate", verbosity=0)
    results: dict[str, Any] = {
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "backend": "PostgreSQL" if postgres else "SQLite",
        "loadavg_start": loadavg(),
    }
    try:
        if "hashing" in parts:
            results["hashing"] = hashing(args.hash_rounds)
        create_users(args.users)
        # Logins before tokens: the token runs write and delete tens of thousands of rows,
        # and PostgreSQL's autovacuum cleaning up after them would slow the logins.
        if "logins" in parts:
            results["logins"] = logins(args, workdir)
        if "tokens" in parts:
            results["tokens"] = tokens(args, workdir)
    finally:
        results["loadavg_end"] = loadavg()
        (workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
        if postgres and not args.keep_database:
            from django.db import connections

            connections.close_all()
            recreate_postgres_database(url, drop_only=True)
    print(report(results))
    log(f"raw results: {workdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
