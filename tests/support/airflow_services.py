"""Run a real Airflow (scheduler, dag-processor, api-server) as child processes.

Used by the Airflow integration test: every service runs in its own process group with an
explicit environment (nothing inherited from the parent's Airflow settings), logs to a file,
and is stopped with SIGTERM then SIGKILL. Each child's environment carries a marker variable
so that anything the services spawned (executor workers, task supervisors, uvicorn workers)
can be found afterwards, even if it left the process group.
"""

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
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import psutil

from common.settings import DAGS_DIR

MARKER_VARIABLE = "PIPELINE_TEST_SERVICES_ID"  # tags our child processes; not a setting
SERVICES = {
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "api-server": ("api-server",),
}
# Variables of the parent that must not leak into the services' configuration.
_INHERITED_PREFIXES_DROPPED = ("AIRFLOW", "MOC_", "_AIRFLOW")


def free_port() -> int:
    """A TCP port nobody listens on right now (another process could still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_bin() -> Path:
    return Path(sys.executable).parent


def service_environment(
    *,
    airflow_home: Path,
    sql_alchemy_conn: str,
    api_port: int,
    data_dir: Path,
    log_server_port: int | None = None,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment for the services and the ``airflow`` CLI: LocalExecutor, this
    repository's dags/, quick DAG parsing and scheduling, the execution API on ``api_port``."""
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith(_INHERITED_PREFIXES_DROPPED)}
    bin_dir = str(venv_bin())
    env.update(
        {
            "PATH": os.pathsep.join([bin_dir, env.get("PATH", "/usr/bin:/bin")]),
            MARKER_VARIABLE: secrets.token_hex(8),
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql_alchemy_conn,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            # Shared by every service (JWTs for the execution API, UI sessions).
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_server_port or free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
            "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "2",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "MOC_DATA_DIR": str(data_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "False",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class AirflowServices:
    """Start, watch and stop Airflow's services; ``with AirflowServices(...) as s:`` stops
    them on exit."""

    def __init__(self, env: Mapping[str, str], log_dir: Path):
        self.env = dict(env)
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self._log_files: list = []

    # --- the CLI ---------------------------------------------------------------------------
    def airflow(self, *args: str, timeout: float = 300, check: bool = True):
        """Run ``airflow <args>`` to completion in the services' environment."""
        result = subprocess.run(
            [str(venv_bin() / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
            cwd=self.log_dir,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"airflow {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
            )
        return result

    # --- the services ----------------------------------------------------------------------
    def start(self, names: Iterable[str] = tuple(SERVICES)) -> None:
        for name in names:
            log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
            self._log_files.append(log)
            self.processes[name] = subprocess.Popen(
                [str(venv_bin() / "airflow"), *SERVICES[name]],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as a whole
                cwd=self.log_dir,
            )

    def check_running(self) -> None:
        """Raise (with the logs) if a service has exited."""
        dead = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow service(s) exited: {dead}\n{self.log_tails()}")

    def health(self) -> dict:
        port = self.env["AIRFLOW__API__PORT"]
        url = f"http://127.0.0.1:{port}/api/v2/monitor/health"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return json.load(response)

    def wait_healthy(self, timeout: float = 180, components=("scheduler", "dag_processor")):
        """Wait until the api-server answers and reports the components healthy."""

        def healthy():
            try:
                report = self.health()
            except (OSError, urllib.error.URLError, ValueError):
                return None
            statuses = [report.get(c, {}).get("status") for c in ("metadatabase", *components)]
            return report if all(s == "healthy" for s in statuses) else None

        return self.wait_for(healthy, timeout, "Airflow services to report healthy")

    def wait_for(self, condition: Callable[[], object], timeout: float, what: str, every=2.0):
        """Poll ``condition`` until it returns something other than None or False (and return
        that); fail early if a service dies."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            value = condition()
            if value is not None and value is not False:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(every)

    def log_tails(self, lines: int = 40) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            parts.append(f"--- {path.name} (last {lines} lines)\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    # --- stopping --------------------------------------------------------------------------
    def marked_processes(self) -> list[psutil.Process]:
        """Every live process started by these services (it carries the marker variable)."""
        marker = self.env[MARKER_VARIABLE]
        found = []
        for proc in psutil.process_iter():
            if proc.pid == os.getpid():
                continue
            with contextlib.suppress(psutil.Error):
                if proc.environ().get(MARKER_VARIABLE) == marker and proc.status() != (
                    psutil.STATUS_ZOMBIE
                ):
                    found.append(proc)
        return found

    def stop(self, timeout: float = 30) -> list[psutil.Process]:
        """SIGTERM every service's process group, SIGKILL what is left after ``timeout``;
        returns the processes still alive afterwards (none, normally)."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.marked_processes():
            time.sleep(0.5)
        if self.marked_processes():
            self._signal_all(signal.SIGKILL)
        for proc in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        for log in self._log_files:
            log.close()
        self._log_files.clear()
        psutil.wait_procs(self.marked_processes(), timeout=5)
        return self.marked_processes()

    def _signal_all(self, signum: int) -> None:
        # A service not yet reaped still owns its pid, so its group id cannot have been reused.
        for proc in self.processes.values():
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signum)
        for proc in self.marked_processes():  # anything that left its group
            with contextlib.suppress(psutil.Error):
                proc.send_signal(signum)

    def __enter__(self) -> AirflowServices:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
