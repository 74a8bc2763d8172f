"""Health endpoints, and `amtshilfe serve` as one command that runs web server and worker."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtshilfe.core.models import WorkerHeartbeat

REPOSITORY = Path(__file__).resolve().parents[2]

SETTINGS_VARIABLES = (
    "AMTSHILFE_MODE",
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "HOST",
    "PORT",
    "BIND",
    "WEB_WORKERS",
    "WEB_THREADS",
    "WORKER_HEARTBEAT_SECONDS",
    "WORKER_STALE_AFTER_SECONDS",
    "XDG_RUNTIME_DIR",
)


def heartbeat(*, age_seconds: float) -> None:
    seen = timezone.now() - datetime.timedelta(seconds=age_seconds)
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=seen, seen_at=seen)


def test_healthz_answers_ok_without_touching_the_database(client):
    response = client.get("/healthz")  # no django_db mark: a query would fail the test
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_unavailable_while_no_worker_has_ever_beaten(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "worker": False},
    }


@pytest.mark.django_db
def test_readyz_is_ok_with_a_fresh_worker_heartbeat(client, settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    heartbeat(age_seconds=3)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "worker": True}}


@pytest.mark.django_db
def test_readyz_is_unavailable_again_once_the_heartbeat_is_older_than_the_limit(client, settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    heartbeat(age_seconds=0)
    now = timezone.now()

    with time_machine.travel(now + datetime.timedelta(seconds=59)):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(now + datetime.timedelta(seconds=61)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "worker": False}


@pytest.mark.django_db
def test_readyz_takes_the_newest_of_several_heartbeats(client, settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    heartbeat(age_seconds=600)
    seen = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w2", started_at=seen, seen_at=seen)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_probes_over_plain_http_get_the_real_answer_not_the_https_redirect(client, settings):
    """Load balancers and Kubernetes probe the process directly over HTTP and count any 3xx as
    healthy: a redirect would report a server without worker as ready."""
    settings.SECURE_SSL_REDIRECT = True  # the production default
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    assert client.get("/").status_code == 301  # everything else still goes to HTTPS


@pytest.mark.django_db
def test_health_endpoints_only_answer_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- `amtshilfe serve`, end to end ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_get(url: str) -> tuple[int, bytes] | None:
    """Status and body, or None while nothing listens. Never through a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def session_members(session_id: int) -> set[int]:
    """Live processes in the session ``session_id``: serve and everything it started."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        fields = stat.rpartition(")")[2].split()
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            members.add(int(entry.name))
    return members


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_VAR_DIR": str(tmp_path / "var"),
        "WEB_WORKERS": "1",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        "HOME": str(tmp_path / "home"),
        # so the worker can import the tasks of tests/core/tasks_for_tests.py
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")])),
    }
    return env


@pytest.fixture
def start_serve(tmp_path: Path, serve_env: dict[str, str]) -> Iterator[Callable[..., Server]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> Server:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "amtshilfe.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *args,
                ],
                env=serve_env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session: we can find (and end) all it starts
            )
        started.append(process)
        return Server(process=process, port=port, log=log)

    yield start
    for process in started:  # even when the test failed: leave nothing running
        for pid in session_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


class Server:
    def __init__(self, *, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.base = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        """Status and body; status 0 while nothing listens yet."""
        if self.process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{self.output()}")
        return http_get(self.base + path) or (0, b"")

    def wait_until_ready(self) -> None:
        # The worker's first heartbeat makes the installation ready.
        wait_for(lambda: self.get("/readyz")[0] == 200, timeout=30, what="/readyz")


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the child processes through /proc"
)


@needs_proc
def test_serve_runs_web_and_worker(start_serve, serve_env):
    server = start_serve()

    wait_for(lambda: server.get("/healthz")[0] == 200, timeout=30, what="/healthz")
    assert json.loads(server.get("/healthz")[1]) == {"status": "ok"}
    server.wait_until_ready()
    assert json.loads(server.get("/readyz")[1]) == {
        "status": "ok",
        "checks": {"database": True, "worker": True},
    }
    output = server.output()
    assert f"http://127.0.0.1:{server.port}/" in output
    assert "Traceback" not in output
    assert "Warning" not in output, "a clean start prints no warnings"
    children = session_members(server.process.pid) - {server.process.pid}
    assert len(children) >= 2, "web server and worker run as processes of their own"

    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=15) == 0
    wait_for(
        lambda: not session_members(server.process.pid),
        timeout=5,
        what="web server and worker to end",
    )
    assert "Traceback" not in server.output()
    home = Path(serve_env["HOME"])
    assert not home.exists() or not any(home.iterdir()), "serve writes only into its var dir"


@needs_proc
def test_serve_stopped_with_ctrl_c_lets_the_running_task_finish(start_serve, serve_env, tmp_path):
    """Ctrl+C signals the terminal's whole process group. The worker must get one request to
    stop (and finish its task), not the terminal's SIGINT *and* serve's SIGTERM, which the
    worker takes as "abort the running task now" and records it as failed."""
    server = start_serve()
    server.wait_until_ready()
    started, release = tmp_path / "started", tmp_path / "release"
    enqueue = (
        "from tests.core.tasks_for_tests import hold_until_released as t; "
        f"print(t.enqueue(started={str(started)!r}, release={str(release)!r}).id)"
    )
    task_id = subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", "shell", "--no-imports", "-c", enqueue],
        env=serve_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    wait_for(started.exists, timeout=15, what="the worker to start the task")

    os.killpg(server.process.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
    # Release the task only once serve has asked the worker to stop as well.
    wait_for(
        lambda: "Received Terminated" in server.output() or server.process.poll() is not None,
        timeout=10,
        what="serve to stop the worker",
    )
    release.touch()

    assert server.process.wait(timeout=15) == 0
    database = Path(serve_env["AMTSHILFE_VAR_DIR"]) / "amtshilfe.sqlite3"
    with sqlite3.connect(database) as db:
        (status,) = db.execute(
            f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = ?",  # noqa: S608
            [task_id.replace("-", "")],
        ).fetchone()
    assert status == "SUCCESSFUL", server.output()
