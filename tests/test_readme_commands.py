"""The README's command-line examples run as written, in a copy of the checkout after `make demo`'s set-up.

Each command in the README's code blocks that needs no running server is run in a subprocess, with no
SURVEYAPP_ENV (or any other setting) in the environment: the `.env` that `make demo` writes
(scripts/dev_env.sh), read by python-dotenv, must be enough. Each must exit 0 without a traceback. A
misconfigured production start must say why, also without a traceback (flask: exit 1; gunicorn: exit 4).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NEEDS_A_SERVER = ("curl ", "gunicorn ", "make ", "pip install", "export ", "bash scripts/build_assets.sh")


def readme_commands() -> list[str]:
    """Every line of the README's sh code blocks that runs the flask command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if not line or line.startswith("#") or any(line.startswith(p) for p in NEEDS_A_SERVER):
                continue
            if re.search(r"(^|\$\(|/)flask ", line):
                commands.append(line)
    return commands


def _clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SURVEYAPP_", "FLASK_", "MAIL_")) and k not in ("DATABASE_URL", "SECRET_KEY")
    }
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env


def _run(command: str, cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=cwd,
        env=env or _clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the checkout's code (not its instance folder or .env), set up as `make demo` does before serving."""
    where = tmp_path_factory.mktemp("checkout")
    ignore = shutil.ignore_patterns("__pycache__", "dist", "*.db", "*.db-*")
    for name in ("surveyapp", "templates", "migrations", "scripts", "docs"):
        shutil.copytree(ROOT / name, where / name, ignore=ignore)
    for name in ("config.py", "wsgi.py", ".flaskenv", "README.md"):
        shutil.copy2(ROOT / name, where / name)
    (where / ".venv").symlink_to(ROOT / ".venv")
    for step in (
        "bash scripts/dev_env.sh 5000",
        ".venv/bin/flask --app wsgi db upgrade",
        ".venv/bin/flask --app wsgi demo",
    ):
        result = _run(step, where)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (step, result.stdout, result.stderr)
    assert (where / "instance" / "surveyapp.db").is_file()  # the copy's own database, not the checkout's
    return where


def test_the_readme_has_the_commands_people_copy():
    commands = " ".join(readme_commands())
    for example in ("users token", "contacts import", "invitations create", "mail send --watch", "db upgrade"):
        assert example in commands, example


def _worker_starts(command: str, checkout: Path) -> None:
    """The mail worker runs until stopped: it must start, say so, keep running, and stop without a traceback."""
    worker = subprocess.Popen(
        command,
        shell=True,
        cwd=checkout,
        env={**_clean_env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        started = ""  # "worker … watching the outbox" is printed once the app is loaded and the worker started
        while "watching the outbox" not in started and len(started.splitlines()) < 5:
            line = worker.stdout.readline()
            if not line:
                break
            started += line
        assert "watching the outbox" in started, (command, started)
        time.sleep(2)
        assert worker.poll() is None, command
    finally:
        os.killpg(worker.pid, 15)
        rest = worker.communicate(timeout=30)[0]
    assert "Traceback" not in rest, (command, rest)


def test_every_readme_command_runs_as_written_without_a_traceback(checkout):
    for command in readme_commands():
        if "--watch" in command:
            _worker_starts(command, checkout)
            continue
        result = _run(command, checkout, timeout=120)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, (command, result.stderr)


def test_a_second_demo_prints_the_accounts_and_links_again(checkout):
    result = _run(".venv/bin/flask --app wsgi demo", checkout, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "loaded already" in result.stdout and "admin@example.org" in result.stdout
    assert "demo-password-not-for-real-use" in result.stdout
    assert re.search(r"http://127\.0\.0\.1:5000/s/[A-Za-z0-9_-]{40,}", result.stdout)
    assert "/admin/surveys/carers-support/invitations" in result.stdout


def test_production_without_settings_refuses_to_start_with_the_reason_and_no_traceback(tmp_path):
    env = {**_clean_env(), "SURVEYAPP_ENV": "production", "SURVEYAPP_INSTANCE_PATH": str(tmp_path)}
    flask = _run(".venv/bin/flask --app wsgi users token someone@example.org", ROOT, env, timeout=60)
    assert flask.returncode == 1
    assert "Refusing to start in production" in flask.stderr and "SECRET_KEY" in flask.stderr
    assert "Traceback" not in flask.stderr + flask.stdout
    gunicorn = _run(".venv/bin/gunicorn --bind 127.0.0.1:0 wsgi:app", ROOT, env, timeout=60)
    assert gunicorn.returncode != 0
    assert "Refusing to start in production" in gunicorn.stderr and "App failed to load" in gunicorn.stderr
    assert "Traceback" not in gunicorn.stderr
