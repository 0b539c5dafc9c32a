"""The floor for bench/bench_journey.py: a bare Flask + SQLAlchemy Core app serving the same journey shape.

Same requests as the product's public-link journey (GET link, POST start, GET page, POST page with four
answers, GET check, POST submit, and GET of the completion page after its 303), CSRF through Flask-WTF, a signed cookie session, Jinja templates
(compiled once per process and cached, as Flask does), one transaction per POST and nothing else:
no ORM, no questionnaire engine, no design system. Whatever the product spends above this is its own.

    DATABASE_URL=sqlite:////tmp/floor.db gunicorn --chdir bench floor_app:app
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, abort, redirect, render_template, request, session
from flask_wtf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)

metadata = MetaData()
floor_response = Table(
    "floor_response",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("respondent_key", String(64), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("started_at", DateTime, server_default=func.current_timestamp()),
)
floor_answer = Table(
    "floor_answer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("response_id", ForeignKey("floor_response.id"), nullable=False, index=True),
    Column("question", String(40), nullable=False),
    Column("value_text", Text),
)

QUESTIONS = {
    "service": ["a", "b", "c", "d", "e"],
    "score": [str(n) for n in range(11)],
    "recommend": ["yes", "no"],
    "note": None,  # free text
}
PUBLIC_KEY = "floor"

LAYOUT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main>{% block main %}{% endblock %}</main></body></html>"""
TEMPLATES = {
    "layout.html": LAYOUT,
    "start.html": """{% extends "layout.html" %}{% block main %}<h1>{{ title }}</h1>
<form method="post" action="/p/{{ key }}/start"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<button type="submit">Start now</button></form>{% endblock %}""",
    "page.html": """{% extends "layout.html" %}{% block main %}<form method="post" action="/p/{{ key }}/page/about">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
{% for name, choices in questions.items() %}<fieldset><legend>{{ name }}</legend>
{% if choices %}{% for c in choices %}<input type="radio" name="{{ name }}" value="{{ c }}"
{% if answers.get(name) == c %}checked{% endif %}>{% endfor %}
{% else %}<input type="text" name="{{ name }}" value="{{ answers.get(name, '') }}">{% endif %}
<input type="hidden" name="_shown" value="{{ name }}"></fieldset>{% endfor %}
<button type="submit">Continue</button></form>{% endblock %}""",
    "check.html": """{% extends "layout.html" %}{% block main %}<dl>{% for q, v in answers %}<dt>{{ q }}</dt>
<dd>{{ v }}</dd>{% endfor %}</dl><form method="post" action="/p/{{ key }}/submit">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}"><button type="submit">Submit</button></form>
{% endblock %}""",
    "done.html": """{% extends "layout.html" %}{% block main %}<h1>Thank you: your answers have been sent</h1>
{% endblock %}""",
}


def create_floor_app(database_url: str) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.jinja_loader = DictLoader(TEMPLATES)
    CSRFProtect(app)
    engine = create_engine(database_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    app.extensions["floor_engine"] = engine

    def response_id(key: str) -> int:
        if key != PUBLIC_KEY or "rid" not in session:
            abort(404)
        return session["rid"]

    @app.get("/p/<key>")
    def start(key):
        if key != PUBLIC_KEY:
            abort(404)
        return render_template("start.html", title="Journey benchmark survey", key=key)

    @app.post("/p/<key>/start")
    def begin(key):
        if key != PUBLIC_KEY:
            abort(404)
        with engine.begin() as connection:
            rid = connection.execute(
                insert(floor_response).values(respondent_key=secrets.token_urlsafe(18), status="in_progress")
            ).inserted_primary_key[0]
        session["rid"] = rid
        return redirect(f"/p/{key}/page/about")

    @app.route("/p/<key>/page/about", methods=["GET", "POST"])
    def page(key):
        rid = response_id(key)
        if request.method == "GET":
            with engine.connect() as connection:
                rows = connection.execute(
                    select(floor_answer.c.question, floor_answer.c.value_text).where(floor_answer.c.response_id == rid)
                ).all()
            return render_template("page.html", key=key, questions=QUESTIONS, answers=dict(rows))
        values = {}
        for name, choices in QUESTIONS.items():
            value = request.form.get(name, "").strip()
            if not value or (choices and value not in choices) or len(value) > 500:
                abort(400)
            values[name] = value
        with engine.begin() as connection:
            connection.execute(delete(floor_answer).where(floor_answer.c.response_id == rid))
            connection.execute(
                insert(floor_answer), [{"response_id": rid, "question": q, "value_text": v} for q, v in values.items()]
            )
        return redirect(f"/p/{key}/check")

    @app.get("/p/<key>/check")
    def check(key):
        rid = response_id(key)
        with engine.connect() as connection:
            rows = connection.execute(
                select(floor_answer.c.question, floor_answer.c.value_text)
                .where(floor_answer.c.response_id == rid)
                .order_by(floor_answer.c.id)
            ).all()
        return render_template("check.html", key=key, title="Check your answers", answers=rows)

    @app.post("/p/<key>/submit")
    def submit(key):
        rid = response_id(key)
        with engine.begin() as connection:
            done = connection.execute(
                update(floor_response)
                .where(floor_response.c.id == rid, floor_response.c.status == "in_progress")
                .values(status="completed")
            ).rowcount
        if not done:
            abort(409)
        return redirect(f"/p/{key}/done", code=303)

    @app.get("/p/<key>/done")
    def finished(key):
        response_id(key)
        return render_template("done.html", title="Thank you")

    return app


def create_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()


if os.environ.get("DATABASE_URL"):
    app = create_floor_app(os.environ["DATABASE_URL"])
