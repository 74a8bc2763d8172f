"""Fresh clone → `./dev run` → home page lists the municipalities of Hesse: how long?

Simulates a fresh machine as far as this one allows: a new clone, no virtual environment,
no pip or npm cache (both pointed at empty folders), an empty database. Run:

    python3 bench/fresh_start.py [--port 8765]

and copy the printed line into bench/RESULTS.md. The goal (issue 3): within 3 minutes.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 180


def wait_for_home(url: str, process: subprocess.Popen[bytes], deadline: float) -> float | None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if "Büdingen" in response.read().decode():
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(0.5)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amtshilfe-fresh-") as tmp:
        clone = Path(tmp) / "amtshilfe"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}},
            "PIP_NO_CACHE_DIR": "1",
            "npm_config_cache": str(Path(tmp) / "npm-cache"),
        }
        started = time.monotonic()
        log = open(Path(tmp) / "run.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            ["./dev", "run", "--port", str(args.port)],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            ready = wait_for_home(
                f"http://127.0.0.1:{args.port}/", process, started + GOAL_SECONDS * 2
            )
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.close()
        if ready is None:
            sys.stdout.write((Path(tmp) / "run.log").read_text(errors="replace")[-3000:])
            sys.stdout.write("\nFAILED: the home page did not answer\n")
            return 1
        seconds = ready - started
        verdict = "within" if seconds <= GOAL_SECONDS else "OVER"
        sys.stdout.write(
            f"fresh clone → home page with municipalities: {seconds:.1f} s "
            f"({verdict} the {GOAL_SECONDS} s goal); Python {platform.python_version()}, "
            f"{os.cpu_count()} cores\n"
        )
        return 0 if seconds <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
