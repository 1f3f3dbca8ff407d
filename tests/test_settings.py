"""Production settings come from the environment alone, and refuse to run without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def run(args, **env):
    """Run ``python args`` in the project with a clean environment plus ``env``."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def dotenv_defines_secret_key() -> bool:
    dotenv = BASE_DIR / ".env"
    return dotenv.exists() and any(
        line.strip().startswith("SECRET_KEY=") for line in dotenv.read_text().splitlines()
    )


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_process_refuses_to_start_without_secret_key_when_debug_is_off(secret_key):
    if secret_key is None and dotenv_defines_secret_key():
        pytest.skip("le fichier .env de ce poste définit SECRET_KEY")
    env = {"DEBUG": "0"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = run(["-c", "import django; django.setup()"], **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY est obligatoire quand DEBUG est désactivé" in result.stderr


def test_development_runs_without_secret_key_when_debug_is_on():
    result = run(["-c", "import django; django.setup()"], DEBUG="1", SECRET_KEY="")

    assert result.returncode == 0, result.stderr


def test_a_secret_key_starting_with_a_dollar_is_taken_as_it_is():
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        DEBUG="0",
        SECRET_KEY="$DJANGO_LIKE_KEY-1234567890-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="livret.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "$DJANGO_LIKE_KEY-1234567890-abcdefghijklmnopqrstuvwxyz" in result.stdout


def test_deploy_check_passes_with_production_variables():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="livret.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_server_leaves_what_start_up_loaded_out_of_the_garbage_collector():
    """config/wsgi.py, which gunicorn loads, freezes the start-up objects: a full collection every few
    requests then traverses what requests allocate, not the whole process."""
    result = run(
        ["-c", "import gc; import config.wsgi; print(gc.get_freeze_count())"], DEBUG="1", SECRET_KEY="t"
    )

    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000


@pytest.mark.parametrize(
    ("variable", "expected"),
    [(None, "True 5"), ("1", "True 5"), ("0", "None None")],
    ids=["default", "on", "off-behind-a-pooler"],
)
def test_postgresql_connections_prepare_what_they_repeat_unless_told_not_to(variable, expected):
    """Server-side binding is what lets psycopg prepare; without it nothing is prepared."""
    env = {
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "DATABASE_URL": "postgres://u@db.example:5432/livret",
    }
    if variable is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = variable
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )

    result = run(["-c", f"import django; django.setup(); {code}"], **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == expected


def test_sqlite_is_left_as_it_is():
    code = "from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS']))"

    result = run(
        ["-c", f"import django; django.setup(); {code}"], DEBUG="1", DATABASE_URL="sqlite:////tmp/x.sqlite3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("\n")[-1] == "['init_command', 'timeout']"
