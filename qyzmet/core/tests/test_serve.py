"""`manage.py serve` supervises its children: a worker killed with SIGKILL is started again
while the web server keeps answering; the wait before a restart doubles while a child keeps
dying."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qyzmet.core.management.commands.serve import supervisor_delay

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("deaths", "seconds"), [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (40, 30.0)]
)
def test_the_wait_before_a_restart_doubles_up_to_half_a_minute(deaths: int, seconds: float) -> None:
    assert supervisor_delay(deaths=deaths) == seconds


def _children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found[int(entry.name)] = line
    return found


def _worker_of(serve: int) -> int | None:
    return next((p for p, line in _children(serve).items() if "manage.py worker" in line), None)


def _answers(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


def _until(what: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("not within the time allowed")


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads children from /proc")
def test_a_killed_worker_is_started_again_while_the_web_keeps_answering(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "QYZMET_VAR_DIR": str(tmp_path),
        "QYZMET_LOG_LEVEL": "ERROR",
        "WEB_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)  # a database of its own: a file in tmp_path
    python = sys.executable
    subprocess.run(  # noqa: S603 - our own interpreter and command
        [python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = subprocess.Popen(  # noqa: S603
        [python, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--threads", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def up() -> bool:
            try:
                return _answers(port) in (200, 503)
            except OSError:
                return False

        _until(up)
        _until(lambda: _worker_of(serve.pid) is not None)
        first = _worker_of(serve.pid)
        assert first is not None

        os.kill(first, signal.SIGKILL)

        assert serve.poll() is None  # the supervisor is still there
        assert _answers(port) in (200, 503)  # and so is the web, at once
        _until(lambda: _worker_of(serve.pid) not in (None, first))
        assert _answers(port) in (200, 503)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
