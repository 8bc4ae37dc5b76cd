"""The review story in a real browser: the operator returns a citizen's request with a reason
on the KK photo, the citizen's device revises it, the operator verifies it, the officer
processes and completes it, and the device pulls "completed". Every page is screenshotted
and checked with axe-core."""

from __future__ import annotations

import re

from conftest import OFFICER, OPERATOR

DOCUMENT = "1305-KTP-02122026-0001"
PICKUP = "Kantor wali nagari Sintuk"


def open_request(console, code: str) -> None:
    page = console.page
    page.goto("/console/requests")
    page.get_by_role("link", name=code).click()
    page.wait_for_load_state()
    assert code in page.content()


def test_operator_returns_citizen_revises_officer_completes(console_factory, citizen):
    code = citizen.file_request()

    # The operator signs in and finds the request in the village's queue.
    op = console_factory()
    op.page.goto("/console/")
    op.check_page("01-sign-in")
    op.sign_in(OPERATOR)
    assert op.page.url.endswith("/console/requests")
    op.check_page("02-operator-queue")
    assert "Diajukan: 1" in op.page.inner_text(".counts")

    # The request page: the form as labelled fields, code lists as labels, the photo inline.
    open_request(op, code)
    body = op.page.inner_text("main")
    assert "Perempuan" in body and "Belum Kawin" in body, "code lists shown as labels"
    assert op.page.locator("figure[data-image] img").count() == 1
    op.page.get_by_role("button", name="Putar").click()
    op.page.get_by_role("button", name="Perbesar").click()
    assert op.page.locator("figure.zoomed img.rot90").count() == 1
    op.check_page("03-operator-request")

    # Returned with a reason on the KK attachment.
    op.page.select_option("#rt-1", "kk")
    op.page.fill("#rm-1", "Foto KK buram, mohon foto ulang")
    op.page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
    op.page.wait_for_load_state()
    assert "Dikembalikan untuk diperbaiki" in op.page.inner_text(".notice.ok")
    assert "Kartu Keluarga (KK): Foto KK buram" in op.page.inner_text(".history")
    op.check_page("04-operator-returned")

    # The citizen's device hears it, revises the photo and sends it again.
    citizen.run("sync")
    returned = citizen.request(code)
    assert returned["state"] == "returned", returned
    draft = citizen.run("revise", code)["id"]
    citizen.run("draft", "attach", draft, "kk", str(citizen.photo("kk-2.jpg", "foto ulang, jelas")))
    citizen.run("submit", draft)
    citizen.run("sync")

    # The operator verifies the revised request.
    open_request(op, code)
    assert op.page.locator(".state").first.inner_text() == "Diajukan"
    op.page.get_by_role("button", name="Verifikasi").click()
    op.page.wait_for_load_state()
    assert "Diverifikasi nagari" in op.page.inner_text(".notice.ok")
    op.check_page("05-operator-verified")

    # The officer sees it among the verified ones, processes and completes it.
    off = console_factory()
    off.sign_in(OFFICER)
    off.page.goto("/console/requests?state=verified")
    off.check_page("06-officer-queue-verified")
    open_request(off, code)
    off.page.get_by_role("button", name="Proses", exact=True).click()
    off.page.wait_for_load_state()
    assert "Diproses" in off.page.inner_text(".notice.ok")
    off.check_page("07-officer-processing")
    off.page.fill("#doc-number", DOCUMENT)
    off.page.fill("#doc-pickup", PICKUP)
    off.page.get_by_role("button", name="Selesaikan").click()
    off.page.wait_for_load_state()
    assert "Selesai" in off.page.inner_text(".notice.ok")
    assert DOCUMENT in off.page.inner_text(".history")
    off.check_page("08-officer-completed")

    # The device pulls "completed" with the document number.
    citizen.run("sync")
    done = citizen.request(code)
    assert done["state"] == "completed", done
    assert DOCUMENT in str(done)


def test_english_switch_is_remembered(console_factory):
    c = console_factory()
    c.sign_in(OPERATOR)
    c.page.get_by_role("link", name="English").click()
    c.page.wait_for_load_state()
    assert c.page.locator("h1").inner_text() == "Request queue"
    c.page.goto("/console/requests")
    assert c.page.locator("html").get_attribute("lang") == "en"
    c.check_page("09-queue-english")
    c.page.get_by_role("link", name="Bahasa Indonesia").click()
    assert c.page.locator("h1").inner_text() == "Antrean permohonan"


def test_phone_layout(console_factory, citizen):
    c = console_factory(phone=True)
    c.sign_in(OPERATOR)
    c.check_page("10-phone-queue")
    c.page.locator("table.queue a").first.click()
    c.page.wait_for_load_state()
    c.check_page("11-phone-request")
    width = c.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"


def test_officer_filters_and_bulk_process(console_factory, citizen):
    codes = [citizen.file_request(f"bulk-{i}.jpg") for i in range(2)]
    op = console_factory()
    op.sign_in(OPERATOR)
    for code in codes:
        open_request(op, code)
        op.page.get_by_role("button", name="Verifikasi").click()
        op.page.wait_for_load_state()
    off = console_factory()
    off.sign_in(OFFICER)
    off.page.goto("/console/requests?state=verified&service=ktp_baru")
    boxes = off.page.locator("input[name=id]")
    assert boxes.count() >= 2
    off.page.locator("[data-select-all]").check()
    assert int(off.page.inner_text("[data-selected-count]")) == boxes.count()
    off.check_page("12-officer-bulk-selected")
    off.page.get_by_role("button", name=re.compile("Proses yang dipilih")).click()
    off.page.wait_for_load_state()
    assert re.search(r"\d+ permohonan diproses, 0 tidak", off.page.inner_text(".notice.ok"))
    off.page.goto("/console/requests?state=processing")
    for code in codes:
        assert code in off.page.inner_text("table.queue")
    # Nothing is late yet; the late filter leaves an empty list.
    off.page.goto("/console/requests?late=1")
    assert off.page.locator("table.queue").count() == 0
    off.check_page("13-officer-late-filter")
