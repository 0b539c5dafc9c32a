"""Blueprint: response rates, results, the printable report and exports, for admins and analysts."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")

from . import routes  # noqa: E402,F401
