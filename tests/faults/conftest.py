"""Fault tests on the real services: PostgreSQL, and a Redis server of their own that they stop and
start again. They skip (and fail under REQUIRE_SERVICES=1) when a service is missing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.services


def missing(problem: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 : {problem}")
    pytest.skip(problem)


@pytest.fixture
def postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        missing("les tests de pannes demandent PostgreSQL : définissez DATABASE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: ``stop()`` loses what it
    held, as a Redis restarted without its data."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server ne démarre pas sur le port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server est introuvable (paquet redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_at(settings):
    """``cache_at(url)``: the shared cache is the platform's tolerant Redis cache at ``url``."""

    def point(url: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.TolerantRedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }

    return point


def worker_database_url() -> str:
    """The URL of the test database, for a worker started in another process."""
    from django.db import connection

    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/"
        f"{params['NAME']}"
    )
