"""Run a ``moc`` command in this process and SIGKILL it at a chosen point: a real crash at a known
place, for tests/test_crash_safety.py and tests/test_run_lock.py.

    python crash_driver.py [--kill-after MODULE:ATTR N [--if-arg-contains TEXT]] -- <moc args>
    python crash_driver.py --hold-lock DATA_DIR COMMAND

``--kill-after ingest.pipeline:_settle 3`` lets the real function run and, when its third call
returns, sends SIGKILL to this process: nothing of ours runs after it (no ``finally``, no
exception handler), exactly as when the kernel or an operator kills a run. ATTR may name a method
(``pathlib:Path.write_bytes``); ``--if-arg-contains`` counts only the calls with an argument
whose text holds TEXT (a path, say). Nothing is stood in for: the code under test runs as it is,
and only the moment of death is chosen.

``--hold-lock`` takes the data folder's run lock as COMMAND would, prints ``held`` and waits to be
killed: another run, as the next command sees it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
from pathlib import Path


def kill_after(target: str, calls: int, contains: str | None) -> None:
    module_name, attribute = target.split(":")
    owner = importlib.import_module(module_name)
    *parents, name = attribute.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    counted = 0

    def then_die(*args, **kwargs):
        nonlocal counted
        result = original(*args, **kwargs)
        if contains is None or any(contains in str(arg) for arg in args):
            counted += 1
            if counted == calls:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, then_die)


def hold_lock(data_dir: str, command: str) -> None:
    from common.run_lock import run_lock

    with run_lock(Path(data_dir), command):
        print("held", flush=True)
        while True:
            time.sleep(60)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-after", nargs=2, metavar=("MODULE:ATTR", "N"))
    parser.add_argument("--if-arg-contains")
    parser.add_argument("--hold-lock", nargs=2, metavar=("DATA_DIR", "COMMAND"))
    parser.add_argument("moc_args", nargs="*")
    args = parser.parse_args(argv)
    if args.hold_lock:
        hold_lock(*args.hold_lock)
    if args.kill_after:
        target, calls = args.kill_after
        kill_after(target, int(calls), args.if_arg_contains)
    from orchestration.cli import main as moc

    return moc(args.moc_args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
