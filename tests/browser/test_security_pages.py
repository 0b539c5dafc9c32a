"""Issue 13's pages in a real Chromium: Your account (revoking a token), an account's tokens as the admin sees
them, and a contacts import report with many bad rows. Every page is scanned by axe-core (web.check)."""

from __future__ import annotations

import re

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import select

from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import ApiToken
from surveyapp.services.tokens import issue_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(web, email: str):
    page = web.new_page()
    page.goto("/login")
    page.get_by_label("Email address").press_sequentially(email)
    page.get_by_label("Password", exact=True).press_sequentially(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_owner_revokes_a_token_and_the_admin_sees_it_and_an_import_report(app, web, tmp_path):
    analyst = make_user("cochair@example.org", "analyst")
    make_user("admin@example.org", "admin")
    for _ in range(2):
        issue_token(db.session, analyst)
    db.session.commit()
    release_database()

    page = sign_in(web, "cochair@example.org")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("#api-tokens tbody tr")).to_have_count(2)
    web.check(page)
    page.get_by_role("button", name="Revoke token 1").click()
    expect(page.locator(".govuk-notification-banner, .govuk-body").first).to_be_visible()
    expect(page.locator("#api-tokens")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name="Revoke token 1")).to_have_count(0)
    web.check(page)
    release_database()
    assert db.session.scalar(select(ApiToken).where(ApiToken.id == 1)).revoked_at is not None
    release_database()

    admin = sign_in(web, "admin@example.org")
    admin.goto("/admin/users")
    admin.get_by_role("link", name="API tokens of cochair@example.org").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("API tokens of cochair@example.org")
    expect(admin.locator("#api-tokens tbody tr")).to_have_count(2)
    web.check(admin)

    bad = tmp_path / "bad.csv"
    bad.write_text("email,name\n" + "".join(f"not-an-email-{i},x\n,none {i}\n" for i in range(300)))
    admin.goto("/admin/contacts/upload")
    admin.get_by_label("CSV file").set_input_files(str(bad))
    admin.get_by_role("button", name="Upload").click()
    expect(admin.locator("#import-problem-counts")).to_contain_text("300")
    expect(admin.locator("#problems-invalid_email tbody tr")).to_have_count(100)
    web.check(admin)
    with admin.expect_download() as download:
        admin.get_by_role("link", name=re.compile("Download every problem")).click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert len(text.splitlines()) == 601
