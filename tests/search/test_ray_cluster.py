"""A real cluster join: ``ray start --head`` on 127.0.0.1 (every port chosen free, its own temp
directory, stopped by killing only the process group this test started, never ``ray stop``,
which would stop other users' clusters too), then ``codesign run --ray-address`` on it.

Ray 2.60 turns token authentication on for a cluster that ``ray start`` creates; the head and
the driver here share a fresh random token through ``RAY_AUTH_MODE=token`` and
``RAY_AUTH_TOKEN`` (nothing is written to ``~/.ray``)."""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest

from codesign.storage.run_dir import RunDir
from tests.faults.helpers import HANG_S, cli_argv, write_config

PORT_OPTIONS = ("--port", "--node-manager-port", "--object-manager-port",
                "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port", "--metrics-export-port",
                "--runtime-env-agent-port")


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture(scope="module")
def ray_env():
    """The environment of the head and of every driver that joins it: one shared auth token."""
    return {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory, ray_env):
    temp = tmp_path_factory.mktemp("ray")
    ports = _free_ports(len(PORT_OPTIONS) + 1)
    worker_low = ports[-1]
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--node-ip-address=127.0.0.1",
           "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}",
           f"--min-worker-port={worker_low}", f"--max-worker-port={worker_low + 40}",
           *(f"{opt}={port}" for opt, port in zip(PORT_OPTIONS, ports, strict=False))]
    head = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=ray_env)
    address = f"127.0.0.1:{ports[0]}"
    try:
        deadline = time.monotonic() + HANG_S  # hang detector
        while True:
            if head.poll() is not None:
                pytest.fail(f"ray start exited ({head.returncode}): {head.stderr.read()[-2000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", ports[0])) == 0:
                    break
            assert time.monotonic() < deadline, "hang: the Ray head did not start"
            time.sleep(0.5)
        yield address
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(head.pid, sig)  # the head's own process group only
                head.wait(timeout=60)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue


def test_a_search_joins_a_running_cluster(ray_head, ray_env, tmp_path):
    config = write_config(tmp_path, {}, 6, executor={"name": "ray", "workers": 2})
    out = tmp_path / "run"
    proc = subprocess.run(cli_argv("run", str(config), "--out", str(out), "--quiet", "--ray-address", ray_head),
                          capture_output=True, text=True, timeout=HANG_S, env=ray_env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = RunDir(out).trials()
    assert len(records) == 6 and all(r.state == "COMPLETE" for r in records)
    pids = {r.metrics["worker_pid"] for r in records}
    assert len(pids) == 2  # two actors on the cluster, neither of them the driver
    session = json.loads((out / "session.json").read_text())
    assert session["reason"] == "budget" and session["pid"] not in pids
