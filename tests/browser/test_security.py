"""The console's security rules, checked over HTTP and in the browser: no page or action
without a session, another village's request is a 404 for an operator, a form without the
anti-forgery token is refused, the security headers are present, and every string a person
typed is shown as text (never run)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import APIRequestContext

from conftest import OFFICER, OPERATOR, OTHER_OPERATOR, XSS

PAGES = ["/console/", "/console/requests", "/console/admin/"]


@pytest.fixture
def anonymous(browser, registry) -> APIRequestContext:
    context = browser.new_context(base_url=registry.url)
    yield context.request
    context.close()


def request_id(console, code: str) -> str:
    console.page.goto("/console/requests")
    href = console.page.get_by_role("link", name=code).get_attribute("href")
    return href.rsplit("/", 1)[-1]


def csrf_of(console) -> str:
    return console.page.locator("input[name=_csrf]").first.get_attribute("value")


def test_no_page_or_action_without_a_session(anonymous, citizen, console_factory):
    code = citizen.file_request("anon.jpg")
    op = console_factory()
    op.sign_in(OPERATOR)
    rid = request_id(op, code)
    for path in PAGES + [f"/console/requests/{rid}"]:
        r = anonymous.get(path, max_redirects=0)
        assert r.status == 303 and r.headers["location"] == "/console/signin", path
    r = anonymous.post(f"/console/requests/{rid}/transition", form={"to": "verified"},
                       max_redirects=0)
    assert r.status == 303 and r.headers["location"] == "/console/signin"
    r = anonymous.post("/console/requests/process", form={"id": rid}, max_redirects=0)
    assert r.status == 303
    # Nothing happened.
    op.page.goto(f"/console/requests/{rid}")
    assert op.page.locator(".state").first.inner_text() == "Diajukan"


def test_another_villages_request_is_not_found(citizen, console_factory):
    code = citizen.file_request("other.jpg")
    op = console_factory()
    op.sign_in(OPERATOR)
    rid = request_id(op, code)
    photo = op.page.goto(f"/console/requests/{rid}")
    assert photo.ok
    src = op.page.locator("figure img").first.get_attribute("src")

    other = console_factory()
    other.sign_in(OTHER_OPERATOR)
    token = csrf_of(other)
    assert code not in other.page.content()
    for path in (f"/console/requests/{rid}", src):
        assert other.page.request.get(path).status == 404, path
    r = other.page.request.post(f"/console/requests/{rid}/transition",
                                form={"_csrf": token, "to": "verified"}, max_redirects=0)
    assert r.status == 404
    r = other.page.goto(f"/console/requests/{rid}")
    assert r.status == 404
    other.check_page("20-other-village-not-found")
    op.page.goto(f"/console/requests/{rid}")
    assert op.page.locator(".state").first.inner_text() == "Diajukan"


def test_forms_without_the_csrf_token_are_refused(citizen, console_factory):
    code = citizen.file_request("csrf.jpg")
    op = console_factory()
    op.sign_in(OPERATOR)
    rid = request_id(op, code)
    for form in ({"to": "verified"}, {"to": "verified", "_csrf": "0" * 64}):
        r = op.page.request.post(f"/console/requests/{rid}/transition", form=form,
                                 max_redirects=0)
        assert r.status == 403, form
        assert "Formulir ini sudah kedaluwarsa" in r.text()
    r = op.page.request.post("/console/signout", form={}, max_redirects=0)
    assert r.status == 403
    op.page.goto(f"/console/requests/{rid}")
    assert op.page.locator(".state").first.inner_text() == "Diajukan"
    # The sign-in form has its own token.
    anon = console_factory()
    r = anon.page.request.post("/console/signin",
                               form={"username": OPERATOR, "password": "x"}, max_redirects=0)
    assert r.status == 403


def test_security_headers(console_factory):
    c = console_factory()
    response = c.page.goto("/console/signin")
    h = response.headers
    csp = h["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-store"
    cookie = response.header_value("set-cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    c.sign_in(OPERATOR)
    session = [k for k in c.context.cookies() if k["name"] == "ceria_session"][0]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    # No inline script or style anywhere in the markup.
    html = c.page.content()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


def test_user_strings_are_escaped(citizen, console_factory):
    """Reasons, notes, document numbers and staff names carrying script payloads are shown
    as text on every page they appear on."""
    returned, completed, rejected = (citizen.file_request(f"x{i}.jpg") for i in range(3))
    op = console_factory()
    op.sign_in(OPERATOR)
    open_rid = request_id(op, returned)
    op.page.goto(f"/console/requests/{open_rid}")
    op.page.select_option("#rt-1", "nama")
    op.page.fill("#rm-1", XSS[0])
    op.page.select_option("#rt-2", "kk")
    op.page.fill("#rm-2", XSS[1])
    op.page.fill("#r-general", XSS[0] + XSS[1])
    op.page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
    op.page.wait_for_load_state()
    assert XSS[0] in op.page.inner_text(".history")
    assert XSS[1] in op.page.inner_text(".history")
    op.check_page("21-escaped-return-reasons")

    off = console_factory()
    off.sign_in(OFFICER)
    # The officer's display name is itself a payload: shown as text in the header.
    assert XSS[0] in off.page.inner_text("header")
    for code, last in ((completed, "complete"), (rejected, "reject")):
        off.page.goto(f"/console/requests/{request_id(off, code)}")
        off.page.get_by_role("button", name="Proses", exact=True).click()
        off.page.wait_for_load_state()
        if last == "complete":
            off.page.fill("#doc-number", XSS[1])
            off.page.fill("#doc-pickup", XSS[0])
            off.page.get_by_role("button", name="Selesaikan").click()
        else:
            off.page.fill("#reject-note", XSS[0] + XSS[1])
            off.page.get_by_role("button", name="Tolak").click()
        off.page.wait_for_load_state()
        text = off.page.inner_text(".history")
        assert XSS[0] in text and XSS[1] in text, text
        off.check_page(f"22-escaped-{last}")
    off.page.goto("/console/requests")
    off.check_page("23-escaped-queue")
    # The citizen's device gets the same strings as data.
    citizen.run("sync")
    assert XSS[0] in str(citizen.request(returned))
