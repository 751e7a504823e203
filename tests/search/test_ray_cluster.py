"""A real cluster join: ``ray start --head`` on 127.0.0.1 (every port chosen free, its own temp
directory, stopped by killing only the process tree this test started, never ``ray stop``,
which would stop other users' clusters too), then ``codesign run --ray-address`` on it; a
cluster that goes away mid-run: the run stops as interrupted and resumes on a fresh cluster; and
a worker node (a second ``ray start --address``) that dies mid-run while the head lives: its
worker's candidate is retried on the survivor and the run reaches its budget.

Ray 2.60 turns token authentication on for a cluster that ``ray start`` creates; the head and
the driver here share a fresh random token through ``RAY_AUTH_MODE=token`` and
``RAY_AUTH_TOKEN`` (nothing is written to ``~/.ray``)."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codesign.report.status import run_status
from codesign.storage.run_dir import RunDir
from tests.faults.helpers import (
    HANG_S,
    cli_argv,
    completed,
    counts,
    process_tree,
    start,
    wait_for,
    write_config,
)

PORT_OPTIONS = ("--port", "--node-manager-port", "--object-manager-port",
                "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port", "--metrics-export-port",
                "--runtime-env-agent-port")


#: Ports handed out in this process (a node's ports and worker range never meet another's).
_TAKEN: set[int] = set()


def _local_port_range() -> tuple[int, int]:
    """The kernel's ephemeral ports, where outgoing connections (Ray's own among them) take a
    port at any moment: the ports chosen here lie below them."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports(n: int) -> list[int]:
    """``n`` ports that nothing listens on, outside the ephemeral range and Ray's default worker
    ports (10002-19999), a block of ``n`` consecutive ones none of which this process handed out."""
    high = _local_port_range()[0] - n
    for base in range(20000 + secrets.randbelow(high - 20000), high):
        block = range(base, base + n)
        if not _TAKEN.intersection(block) and all(_bindable(p) for p in block):
            _TAKEN.update(block)
            return list(block)
    raise AssertionError("no block of free ports")


@pytest.fixture(scope="module")
def ray_env():
    """The environment of the head and of every driver that joins it: one shared auth token."""
    return {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}


@contextlib.contextmanager
def ray_head(temp, env: dict[str, str], num_cpus: int = 2, join: str | None = None,
             ) -> Iterator[tuple[str, subprocess.Popen]]:
    """A Ray head on 127.0.0.1 in ``temp`` (every port free; a short path: Ray's socket paths
    must fit in 107 bytes): its address and process; stopped on the way out. With ``join``, a
    worker node of the cluster at that address instead (the address yielded is ``join``)."""
    ports = _free_ports(len(PORT_OPTIONS) + 41)  # the node's own ports, then 41 for its workers
    worker_low = ports[len(PORT_OPTIONS)]
    options = zip(PORT_OPTIONS, ports, strict=False)
    role = [f"--address={join}"] if join else ["--head", "--include-dashboard=false", f"--temp-dir={temp}"]
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", *role, "--block", "--node-ip-address=127.0.0.1",
           f"--num-cpus={num_cpus}", "--disable-usage-stats",
           f"--min-worker-port={worker_low}", f"--max-worker-port={worker_low + 40}",
           *(f"{opt}={port}" for opt, port in options if not (join and opt == "--port"))]
    head = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=env)
    listens = ports[PORT_OPTIONS.index("--node-manager-port")] if join else ports[0]
    try:
        deadline = time.monotonic() + HANG_S  # hang detector
        while True:
            if head.poll() is not None:
                pytest.fail(f"ray start exited ({head.returncode}): {head.stderr.read()[-2000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", listens)) == 0:
                    break
            assert time.monotonic() < deadline, "hang: the Ray node did not start"
            time.sleep(0.5)
        yield join or f"127.0.0.1:{ports[0]}", head
    finally:
        stop_head(head)


def stop_head(head: subprocess.Popen) -> set[int]:
    """Kill a node at once, as a machine that dies: ``ray start``, GCS, raylet and the workers,
    every process of its tree (Ray's workers leave the raylet's process group); their PIDs.
    (``SIGTERM`` is no kinder to the run and takes ``ray start`` half a minute; ``ray stop``
    would stop other users' clusters too.)"""
    tree = process_tree(head.pid)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    head.wait(timeout=HANG_S)
    return tree


@pytest.fixture(scope="module")
def joined_head(tmp_path_factory, ray_env):
    with ray_head(tmp_path_factory.mktemp("ray"), ray_env) as (address, _):
        yield address


def test_a_search_joins_a_running_cluster(joined_head, ray_env, tmp_path):
    config = write_config(tmp_path, {}, 6, executor={"name": "ray", "workers": 2})
    out = tmp_path / "run"
    proc = subprocess.run(cli_argv("run", str(config), "--out", str(out), "--quiet", "--ray-address", joined_head),
                          capture_output=True, text=True, timeout=HANG_S, env=ray_env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = RunDir(out).trials()
    assert len(records) == 6 and all(r.state == "COMPLETE" for r in records)
    pids = {r.metrics["worker_pid"] for r in records}
    assert len(pids) == 2  # two actors on the cluster, neither of them the driver
    session = json.loads((out / "session.json").read_text())
    assert session["reason"] == "budget" and session["pid"] not in pids


def _paused_run(tmp_path, budget: int):
    """A two-worker Ray experiment whose workers pause in their third evaluation while the
    returned pause file exists: (pause file, experiment file, run directory)."""
    pause = tmp_path / "pause"
    pause.touch()
    options = {"pause_file": str(pause), "pause_after": 2, "hang_s": HANG_S}
    return pause, write_config(tmp_path, options, budget, executor={"name": "ray", "workers": 2}), tmp_path / "run"


def _evaluated(out, n: int):
    """``n`` trials evaluated (complete, not answered as a repeat) in the journal."""
    def check() -> bool:
        c = counts(out)
        return c.get("COMPLETE", 0) - c.get("REPEAT", 0) >= n
    return check


def test_a_cluster_that_goes_away_stops_the_run_as_interrupted_and_it_resumes(ray_env, tmp_path,
                                                                              tmp_path_factory, joined_head):
    """Both workers are paused in their third evaluation (four done) when the head's process
    group is killed: the run sees its cluster gone, stops as interrupted with one line, keeps
    the four, and a resume on another cluster (the module's) reaches the budget."""
    budget = 10
    pause, config, out = _paused_run(tmp_path, budget)
    try:
        with ray_head(tmp_path_factory.mktemp("ray"), ray_env) as (address, head):
            proc = start(["run", str(config), "--out", str(out), "--quiet", "--ray-address", address], env=ray_env)
            wait_for(_evaluated(out, 4), proc, "four trials evaluated on the cluster")
            stop_head(head)  # the cluster goes away while both workers evaluate
            code = proc.wait(timeout=HANG_S)  # hang detector: the run must notice on its own
    finally:
        pause.unlink()
    err = proc.stderr.read()
    ours = [line for line in err.splitlines() if line.startswith("codesign:")]
    assert code == 130 and "Traceback" not in err, err[-3000:]
    assert len(ours) == 1 and f"the Ray cluster at {address} went away" in ours[0], err[-3000:]
    assert f"codesign run --resume {out}" in ours[0]
    session = json.loads((out / "session.json").read_text())
    assert session["reason"] == "interrupted" and "went away" in session["detail"]
    status = run_status(RunDir(out))
    assert status["state"] == "interrupted" and status["running"] >= 1 and "went away" in status["detail"]
    kept = completed(out)  # the journal reads back: every trial told before the loss is there
    assert len(kept) >= 4

    done = subprocess.run(cli_argv("run", "--resume", str(out), "--quiet", "--ray-address", joined_head),
                          capture_output=True, text=True, timeout=HANG_S, env=ray_env)
    assert done.returncode == 0, done.stderr[-3000:]
    now = completed(out)
    assert all(now.get(n) == v for n, v in kept.items()), "a completed trial was lost or changed"
    status = run_status(RunDir(out))
    assert status["state"] == "complete" and status["finished"] == budget and status["requeued"] >= 1


def test_a_worker_node_that_dies_mid_run_loses_no_trial(ray_env, tmp_path, tmp_path_factory):
    """A cluster of two one-CPU nodes, one worker on each; both paused in their third evaluation
    when the second node's process group (raylet, its worker) is killed, head alive. The dead
    worker's candidate goes back to the queue and the survivor, unpaused, evaluates it and the
    rest: the run reaches its budget, exit 0, every trial complete, none lost."""
    budget = 8
    pause, config, out = _paused_run(tmp_path, budget)
    try:
        with ray_head(tmp_path_factory.mktemp("ray"), ray_env, num_cpus=1) as (address, _), \
                ray_head(None, ray_env, num_cpus=1, join=address) as (_, node):
            proc = start(["run", str(config), "--out", str(out), "--quiet", "--ray-address", address], env=ray_env)
            wait_for(_evaluated(out, 4), proc, "four trials evaluated on the two nodes")
            on_node = stop_head(node)  # the second machine dies; the head and its worker stay
            pause.unlink()
            code = proc.wait(timeout=HANG_S)  # hang detector
    finally:
        pause.unlink(missing_ok=True)
    err = proc.stderr.read()
    assert code == 0 and "Traceback" not in err, err[-3000:]
    records = RunDir(out).trials()
    assert len(records) == budget and all(r.state == "COMPLETE" for r in records)
    pids = [r.metrics["worker_pid"] for r in records]
    lost = [p for p in pids if p in on_node]
    assert len(lost) == 2, (pids, on_node)  # the dead node's worker finished two before it died
    assert len(set(pids) - on_node) == 1  # the head's worker did the rest, the retried one too
    assert json.loads((out / "session.json").read_text())["reason"] == "budget"
