"""Start the dashboard: ``python dashboard/run.py [--port 8501] [--address 127.0.0.1]``.

Checks that the marts snapshot exists first (and says how to make one when it does not), then
runs Streamlit headless, without usage statistics, bound to loopback unless told otherwise.
``make dashboard`` calls this; tests and docker-compose use the same settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common.settings import load_settings  # noqa: E402
from dashboard.queries import SnapshotUnavailable, connect, snapshot_location  # noqa: E402

APP = Path(__file__).resolve().parent / "app.py"
# Streamlit settings as environment variables (same names in tests and docker-compose.yml).
STREAMLIT_ENV = {
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "STREAMLIT_SERVER_HEADLESS": "true",
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
    "STREAMLIT_CLIENT_TOOLBAR_MODE": "viewer",
    "STREAMLIT_GLOBAL_DEVELOPMENT_MODE": "false",
}


def streamlit_command(port: int, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
    ]


def streamlit_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(STREAMLIT_ENV)
    return env


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=settings.dashboard_port)
    parser.add_argument("--address", default=settings.dashboard_address)
    args = parser.parse_args(argv)
    path = snapshot_location()
    try:
        connect(path).close()
    except SnapshotUnavailable as error:
        print(
            f"{error}\nThe dashboard reads a snapshot of the marts. Create it with `make demo` "
            "(sample data through the whole pipeline), or from an existing warehouse with "
            "`.venv/bin/python -m transform.marts_snapshot`; or point MOC_MARTS_SNAPSHOT at one.",
            file=sys.stderr,
        )
        return 1
    print(f"Dashboard on http://{args.address}:{args.port} reading {path}", flush=True)
    command = streamlit_command(args.port, args.address)
    os.execve(sys.executable, command, streamlit_environment())
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    sys.exit(main())
