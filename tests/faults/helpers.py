"""Running ``codesign run`` as a real process and waiting for events in its run directory.

Waits poll the run directory until a condition holds; the limit is a hang detector (the
condition never came), not a timed assertion."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from codesign.storage.run_dir import RunDir
from tests.search.helpers import synthetic_config

#: Seconds after which a wait is taken to hang.
HANG_S = 600


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "codesign.cli.main", *args]


def _default_sigint() -> None:
    # A test run started in the background of a non-interactive shell inherits SIGINT ignored,
    # and Python then installs no Ctrl-C handler: the run starts as it would from a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _proc_stat(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def process_parents() -> dict[int, int]:
    """Every process now and its parent."""
    parents = {}
    for entry in os.listdir("/proc"):
        fields = _proc_stat(entry) if entry.isdigit() else None
        if fields is not None:
            parents[int(entry)] = int(fields[1])
    return parents


def process_tree(root: int) -> set[int]:
    """``root`` and every process descended from it now."""
    parents = process_parents()
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def exited(pid: int) -> bool:
    """``pid`` has exited (a zombie that no init reaps counts as exited)."""
    fields = _proc_stat(pid)
    return fields is None or fields[0] == "Z"


def start(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """``codesign ARGS`` in the background (stderr kept for the assertions), with Ctrl-C's
    default disposition whatever this process inherited."""
    return subprocess.Popen(cli_argv(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint, **kwargs)


def write_config(folder: Path, options: dict[str, Any], trials: int, **overrides: Any) -> Path:
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(synthetic_config(options, budget={"trials": trials}, **overrides)))
    return path


def counts(out: Path) -> dict[str, int]:
    """Trials by state as the journal holds them now (a torn last line is not read)."""
    if not (out / "study.journal").exists():
        return {}
    out_counts: dict[str, int] = {}
    for r in RunDir(out).trials():
        out_counts[r.state] = out_counts.get(r.state, 0) + 1
        if r.state == "COMPLETE" and r.result.get("repeat_of") is not None:
            out_counts["REPEAT"] = out_counts.get("REPEAT", 0) + 1
    return out_counts


def completed(out: Path) -> dict[int, tuple[float, ...] | None]:
    """Complete trials: number → objective values."""
    return {r.number: r.values for r in RunDir(out).trials() if r.state == "COMPLETE"}


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen | None, what: str) -> None:
    """Return once ``condition()`` holds; fail if ``proc`` exits first or nothing happens."""
    deadline = time.monotonic() + HANG_S
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process exited ({proc.returncode}) before {what}: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"hang: {what} did not happen")
        time.sleep(0.2)  # each look parses the journal: leave the CPU to the run


def paused_at(out: Path, complete: int) -> Callable[[], bool]:
    """The run has ``complete`` trials done and the next one running (paused in evaluation)."""
    def check() -> bool:
        c = counts(out)
        # Repeats are answered without an evaluation, so they do not move the pause point.
        return c.get("COMPLETE", 0) - c.get("REPEAT", 0) == complete and c.get("RUNNING", 0) == 1
    return check


#: ``prctl`` option, ``capget``/``capset`` header version and the capability that lets root
#: write whatever the permission bits say (linux/capability.h, linux/prctl.h).
_PR_CAPBSET_DROP = 24
_CAPABILITY_VERSION_3 = 0x20080522
_CAP_DAC_OVERRIDE = 1


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def bound_by_permissions() -> None:
    """``preexec_fn`` of a child for which file permissions apply even when the tests run as root:
    ``CAP_DAC_OVERRIDE`` leaves the bounding set, so the program exec'd next does not have it
    (a non-root child needs nothing)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE)")


@contextlib.contextmanager
def permissions_binding() -> Iterator[None]:
    """This thread (and the threads it starts) bound by file permissions while inside, as root
    too: ``CAP_DAC_OVERRIDE`` leaves its effective set and comes back on the way out
    (capabilities are per thread; a process exec'd meanwhile gets it back, see
    ``bound_by_permissions``)."""
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    saved = data[0].effective
    data[0].effective = saved & ~(1 << _CAP_DAC_OVERRIDE)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    try:
        yield
    finally:
        data[0].effective = saved
        if libc.capset(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capset (restoring CAP_DAC_OVERRIDE)")


def permissions_bind(folder: Path) -> str:
    """Why this process under ``permissions_binding``, or a child started with
    ``bound_by_permissions``, could still write into a read-only folder (``""``: neither can,
    read-only tests are meaningful)."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        with permissions_binding():
            try:
                (probe / "x").write_text("")
                return "this process writes into a mode-555 folder without CAP_DAC_OVERRIDE"
            except PermissionError:
                pass
        child = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"], capture_output=True,
                               text=True, preexec_fn=bound_by_permissions, timeout=HANG_S)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot drop CAP_DAC_OVERRIDE: {exc}"
    finally:
        probe.chmod(0o755)
    return "" if "PermissionError" in child.stderr else "a child process writes into a mode-555 folder"


def read_only(path: Path) -> None:
    """``path`` (a folder: and every file in it) without write permission."""
    for child in path.iterdir() if path.is_dir() else ():
        child.chmod(0o444)
    path.chmod(0o555 if path.is_dir() else 0o444)


def writable(path: Path) -> None:
    """Undo ``read_only``."""
    path.chmod(0o755 if path.is_dir() else 0o644)
    for child in path.iterdir() if path.is_dir() else ():
        child.chmod(0o644)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
