"""The pages under load: a real gunicorn on loopback, as ``docker-compose.yml`` runs it, and concurrent
clients that request one page as fast as it answers for a few seconds; requests per second and p95.

The server is another process: it reads only committed rows, so the load runs on a kept database
(``--keep NAME``). Static files are collected into a temporary folder first, as the image does.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from benchmark import kept
from benchmark.cfa import Personas
from benchmark.pages import percentile

P95_TARGET_MS = 250
FLOOR_PAGE = "Mon compte (plancher)"

# (label, role, URL name, arguments, requests per second wanted or None, p95 wanted or None)
LOAD_PAGES = [
    ("Accueil de l'apprenti", "apprentice", "home", lambda p: [], 100, P95_TARGET_MS),
    ("Fiche de liaison", "apprentice", "livret:sheet_detail", lambda p: [p.sheet.pk], 100, P95_TARGET_MS),
    ("Tableau de bord (personnel)", "staff", "reports:dashboard", lambda p: [], 20, None),
    # Not a goal: the floor of any signed-in page (the session, the account and its roles, the layout
    # with its navigation, a small form), to read what each page above costs of its own.
    (FLOOR_PAGE, "apprentice", "profile", lambda p: [], None, None),
]


@dataclass
class LoadRow:
    page: str
    role: str
    url: str
    clients: int
    seconds: float
    done: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    rps_target: int | None  # None: a reference, not a goal
    p95_target: int | None
    # Where the CPU went while the page was measured, in % of one core (200 = two cores busy): the
    # server's processes, the database's (None: not on this machine) and the clients (this process).
    cpu: dict[str, float | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.errors == 0
            and (self.rps_target is None or self.rps >= self.rps_target)
            and (self.p95_target is None or self.p95_ms < self.p95_target)
        )

    @property
    def server_ms(self) -> float | None:
        """Milliseconds of the server's CPU per request: what a page costs, whatever the clients."""
        return server_ms(self.cpu, self.rps)

    def as_json(self) -> dict:
        return {**self.__dict__, "ok": self.ok, "server_ms": self.server_ms}


@dataclass
class LoadTimings:
    workers: int
    rows: list[LoadRow] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"workers": self.workers, "pages": [row.as_json() for row in self.rows]}


PROC = "/proc"


def _processes() -> list[tuple[int, int, str, float]]:
    """Every process of this machine: its id, its parent's, its command line, and the user and system
    CPU it has used so far (``/proc/PID/stat``, read once)."""
    found = []
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir(PROC):
        if not pid.isdigit():
            continue
        try:
            with open(f"{PROC}/{pid}/stat") as stat:
                # After the name: the parent is field 4, utime and stime are fields 14 and 15.
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"{PROC}/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            found.append((int(pid), int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick))
        except (OSError, IndexError, ValueError):
            continue  # gone since it was listed
    return found


def database_here() -> bool:
    """Whether the configured database is a PostgreSQL server on this machine, whose processes can be read."""
    database = settings.DATABASES["default"]
    host = database.get("HOST") or ""
    return database["ENGINE"] == "django.db.backends.postgresql" and (
        host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")
    )


class CpuMeter:
    """The CPU used by the server (gunicorn and its workers), the database (PostgreSQL's processes, when
    they run on this machine) and the clients (this process), between two readings. Linux only: where
    there is no ``/proc``, nothing is read and the row says nothing of it."""

    def __init__(self, server_pid: int, database_here: bool):
        self.server_pid = server_pid
        self.database_here = database_here
        self.available = os.path.isdir(f"{PROC}/self")

    def reading(self) -> dict[str, float | None]:
        if not self.available:
            return {}
        server, database = 0.0, None
        for pid, parent, command, seconds in _processes():
            if self.server_pid in (pid, parent):
                server += seconds
            elif self.database_here and command.startswith("postgres:"):
                database = (database or 0.0) + seconds
        return {
            "server": server,
            "database": database,
            "clients": time.process_time(),
        }

    @staticmethod
    def shares(before: dict, after: dict, seconds: float) -> dict[str, float | None]:
        """Each group's CPU between two readings, in % of one core over ``seconds``."""
        return {
            group: None
            if before[group] is None or after.get(group) is None
            else round(100 * max(0.0, after[group] - before[group]) / seconds)
            for group in before
        }


CPU_GROUPS = {"server": "gunicorn", "database": "PostgreSQL", "clients": "clients"}


def cpu_shares(cpu: dict) -> str:
    """« gunicorn 147 %, PostgreSQL 46 %, clients 3 % d'un cœur » (a database elsewhere is not read)."""
    parts = [f"{CPU_GROUPS[group]} {share} %" for group, share in cpu.items() if share is not None]
    return ", ".join(parts) + " d'un cœur"


def server_ms(cpu: dict, rps: float) -> float | None:
    """The server's share of the CPU (% of one core) spread over the requests it answered, in ms."""
    share = (cpu or {}).get("server")
    return round(share * 10 / rps, 1) if share and rps else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(static_root: str) -> dict[str, str]:
    """The production settings, on loopback over plain HTTP: the proxy's HTTPS is not there."""
    return {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": kept.database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions written here are read there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        # Staff have enrolled their second factor in production: the check passes once per session.
        "MFA_REQUIRED_FOR_STAFF": "0",
        "STATIC_ROOT": static_root,
    }


class Server:
    """gunicorn serving the platform on a free loopback port, for the duration of a ``with``."""

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.folder = tempfile.TemporaryDirectory(prefix="bench-static-")
        self.env = server_environment(self.folder.name)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)

    def __enter__(self) -> Server:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], env=self.env, check=True)
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--timeout", "60"]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=settings.BASE_DIR, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn s'est arrêté au démarrage ; voir {self.log.name}.")
            try:
                status, _ = request(self.port, "/sante/", "")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise CommandError(f"gunicorn ne répond pas sur 127.0.0.1:{self.port} ; voir {self.log.name}.")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.folder.cleanup()


def request(port: int, path: str, cookie: str) -> tuple[int, float]:
    """One GET on a fresh connection (gunicorn's sync workers close each one): status, milliseconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        connection.close()


def hammer(port: int, path: str, cookie: str, clients: int, seconds: float) -> tuple[list[float], int]:
    """``clients`` threads request ``path`` back to back for ``seconds``: the latencies, the errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        mine, failed = [], 0
        while time.monotonic() < stop:
            try:
                status, elapsed = request(port, path, cookie)
            except OSError:
                failed += 1
                continue
            if status == 200:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def session_cookie(user) -> str:
    """A session of ``user`` in the database, as a login leaves it."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def measure(personas: Personas, *, clients: int, seconds: float, workers: int) -> LoadTimings:
    timings = LoadTimings(workers=workers)
    with Server(workers) as server:
        for label, role, name, arguments, rps_target, p95_target in LOAD_PAGES:
            user = personas.users.get(role)
            if user is None or (name == "livret:sheet_detail" and personas.sheet is None):
                continue
            path = reverse(name, args=arguments(personas))
            cookie = session_cookie(user)
            status, _ = request(server.port, path, cookie)
            if status != 200:
                raise CommandError(f"{path} a répondu {status} à {role} sous gunicorn.")
            hammer(server.port, path, cookie, clients, min(2.0, seconds))  # every worker warmed up
            meter = CpuMeter(server.process.pid, database_here())
            before = meter.reading()
            started = time.perf_counter()
            latencies, errors = hammer(server.port, path, cookie, clients, seconds)
            elapsed = time.perf_counter() - started
            cpu = CpuMeter.shares(before, meter.reading(), elapsed) if before else {}
            ordered = sorted(latencies) or [0.0]
            timings.rows.append(
                LoadRow(
                    page=label,
                    role=role,
                    url=path,
                    clients=clients,
                    seconds=round(elapsed, 1),
                    done=len(latencies),
                    errors=errors,
                    rps=round(len(latencies) / elapsed, 1),
                    p50_ms=round(ordered[len(ordered) // 2], 1),
                    p95_ms=round(percentile(ordered, 0.95), 1),
                    rps_target=rps_target,
                    p95_target=p95_target,
                    cpu=cpu,
                )
            )
    return timings
