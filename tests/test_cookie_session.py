"""The session cookie is signed again only when that buys something (surveyapp/cookie_session.py).

An unchanged permanent session whose signature is under a minute old is not sent again (the browser has
that very value); a changed one, an older one, or any while old secret keys are accepted is
signed anew, as Flask does; a tampered cookie is an empty session.
"""

from __future__ import annotations

import time

from flask import Response

from surveyapp import cookie_session


def _opened(app, value: str | None):
    interface = app.session_interface
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={value}" if value else None
    with app.test_request_context("/", headers={"Cookie": cookie} if cookie else {}):
        return interface.open_session(app, _request())


def _request():
    from flask import request

    return request._get_current_object()


def _saved(app, session) -> str | None:
    response = Response()
    with app.test_request_context("/"):
        app.session_interface.save_session(app, session, response)
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == app.config["SESSION_COOKIE_NAME"]:
            assert "Expires=" in rest  # a permanent session's month runs from this response
            return rest.split(";", 1)[0]
    return None


def _signed(app, **data) -> str:
    session = app.session_interface.session_class(data)
    session.permanent = True
    value = _saved(app, session)
    assert value
    return value


def test_an_unchanged_fresh_session_is_not_sent_again(app, monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 10)  # signed ten seconds ago
    value = _signed(app, csrf_token="abc", public_responses={"1": "pub:x"})
    monkeypatch.setattr(time, "time", lambda: now)
    session = _opened(app, value)
    assert session["public_responses"] == {"1": "pub:x"} and not session.modified
    assert session.signed_value == value
    assert _saved(app, session) is None


def test_a_changed_session_is_signed_anew(app):
    value = _signed(app, csrf_token="abc")
    session = _opened(app, value)
    session["public_responses"] = {"2": "pub:y"}
    saved = _saved(app, session)
    assert saved != value
    assert _opened(app, saved)["public_responses"] == {"2": "pub:y"}


def test_a_signature_older_than_a_minute_is_renewed(app, monkeypatch):
    value = _signed(app, csrf_token="abc")
    later = time.time() + cookie_session.RESIGN_AFTER + 2
    monkeypatch.setattr(time, "time", lambda: later)  # the clock of both the check and the signer
    session = _opened(app, value)
    assert session.signed_value is None
    saved = _saved(app, session)
    assert saved and saved != value  # a new timestamp in the signature
    assert dict(_opened(app, saved)) == dict(session)


def test_while_old_keys_are_accepted_every_session_is_signed_with_the_current_key(app, monkeypatch):
    value = _signed(app, csrf_token="abc")
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "another-secret-key-" + "z" * 40
    session = _opened(app, value)  # signed with what is now the old key: still accepted
    assert session["csrf_token"] == "abc" and session.signed_value is None
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _opened(app, _saved(app, session))["csrf_token"] == "abc"  # the new value verifies with the new key


def test_a_tampered_cookie_is_an_empty_session(app):
    value = _signed(app, csrf_token="abc")
    session = _opened(app, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert dict(session) == {} and session.signed_value is None
    assert _saved(app, session) is None


def test_a_value_is_signed_uncompressed_and_a_compressed_one_still_opens(app):
    big = {"csrf_token": "a" * 40, "public_responses": {str(n): "pub:" + "x" * 24 for n in range(6)}}
    value = _signed(app, **big)
    assert not value.startswith(".")  # "." marks itsdangerous's zlib-compressed payloads
    assert dict(_opened(app, value)) == {**big, "_permanent": True}
    # a cookie signed by Flask's own serializer (compressed, since it is repetitive) opens the same way
    from flask.sessions import SecureCookieSessionInterface

    flask_value = SecureCookieSessionInterface().get_signing_serializer(app).dumps(big)
    assert flask_value.startswith(".")
    assert dict(_opened(app, flask_value)) == big
