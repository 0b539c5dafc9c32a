"""Entry point for `gunicorn wsgi:app` and `flask --app wsgi ...`.

A misconfigured production start ends with the reason and no traceback: under the flask command
ConfigError is a click error (exit code 1); under gunicorn the reason goes to stderr and the exit
code 4 ("App failed to load") makes gunicorn's master stop rather than restart workers forever.
"""

import sys

import click

from config import ConfigError
from surveyapp import create_app

try:
    app = create_app()
except ConfigError as exc:
    if click.get_current_context(silent=True) is not None:
        raise
    print(f"Voice Survey cannot start. {exc.message}", file=sys.stderr, flush=True)
    sys.exit(4)
