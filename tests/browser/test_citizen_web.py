"""The citizens' desktop link (/layanan/) in a real browser: the public catalog, a service
standard, the app page and the status check (wrong digits say "not found"); a new citizen
registers through the form; the story's citizen (whose requests were filed in the app with
`ceria device`) signs in with the NIK, sees the request, the operator's reason next to the
KK photo, cancels it; English and phone layouts. Every page is screenshotted and checked
with axe-core (no serious or critical violations, no CSP violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CITIZEN_NIK, OPERATOR, PASSWORD, XSS, Registry, own_citizen, own_registry


# A registry and a citizen of this module's own, so the requests filed here never change
# what the console's tests count.
@pytest.fixture(scope="module")
def registry(ceria_bin: Path):
    with own_registry(ceria_bin, "ceria-citizen-web-") as server:
        yield server


@pytest.fixture(scope="module")
def citizen(ceria_bin: Path, registry: Registry):
    with own_citizen(ceria_bin, registry, "ceria-citizen-web-device-") as c:
        yield c


PUBLIC = [
    ("/layanan/", "c01-catalog"),
    ("/layanan/standar/ktp_baru", "c02-service-ktp-baru"),
    ("/layanan/standar/akta_kelahiran", "c03-service-akta-kelahiran"),
    ("/layanan/aplikasi", "c04-app"),
    ("/layanan/cek", "c05-status-form"),
    ("/layanan/daftar", "c06-register"),
    ("/layanan/masuk", "c07-sign-in"),
]


def sign_in(web, nik: str, password: str = PASSWORD) -> None:
    web.page.goto("/layanan/masuk")
    web.page.get_by_label("NIK").fill(nik)
    web.page.get_by_label("Kata sandi").fill(password)
    web.page.get_by_role("button", name="Masuk").click()
    web.page.wait_for_load_state()


def test_public_pages(console_factory):
    web = console_factory()
    for path, name in PUBLIC:
        response = web.page.goto(path)
        assert response.ok, path
        assert web.page.locator("html").get_attribute("lang") == "id"
        assert web.page.title().endswith("Layanan Disdukcapil"), web.page.title()
        web.check_page(name)
    web.page.goto("/layanan/")
    web.page.get_by_role("link", name="KTP-el Baru").click()
    web.page.wait_for_load_state()
    assert "Kartu Keluarga (KK)" in web.page.inner_text("main")
    assert "UU 23/2006" in web.page.inner_text("main")
    # A page that does not exist under /layanan is the citizens' error page: their layout
    # and navigation, nothing of the console.
    response = web.page.goto("/layanan/standar/tidak_ada")
    assert response.status == 404
    assert web.page.title().endswith("Layanan Disdukcapil"), web.page.title()
    nav = web.page.get_by_role("navigation")
    assert nav.get_by_role("link", name="Cek status").count() == 1, nav.inner_text()
    assert web.page.locator("a[href^='/console']").count() == 0
    web.check_page("c18-layanan-not-found")


def test_status_check(console_factory, citizen):
    code = citizen.file_request("status.jpg")
    web = console_factory()
    web.page.goto("/layanan/cek")
    web.page.get_by_label("Kode tanda terima").fill(code)
    web.page.get_by_label("4 angka terakhir NIK").fill("0000" if CITIZEN_NIK[-4:] != "0000" else "1111")
    web.page.get_by_role("button", name="Cek status").last.click()
    web.page.wait_for_load_state()
    assert "tidak ditemukan" in web.page.inner_text("[role=alert]")
    web.check_page("c08-status-not-found")
    web.page.get_by_label("4 angka terakhir NIK").fill(CITIZEN_NIK[-4:])
    web.page.get_by_role("button", name="Cek status").last.click()
    web.page.wait_for_load_state()
    assert "Diajukan" in web.page.inner_text("main")
    assert CITIZEN_NIK not in web.page.content()
    web.check_page("c09-status-found")


def test_register_through_the_form(console_factory):
    web = console_factory()
    web.page.goto("/layanan/daftar")
    web.page.get_by_label("NIK").fill("1305081506900004")
    web.page.get_by_label("Nama lengkap").fill("Dr. " + XSS[0])
    web.page.get_by_label("Nomor ponsel").fill("0812 7777 8888")
    web.page.get_by_label("Kata sandi").fill(PASSWORD)
    web.page.get_by_role("button", name="Daftar").last.click()
    web.page.wait_for_load_state()
    assert web.page.locator(".field-error").count() >= 1
    web.check_page("c10-register-problems")
    web.page.get_by_label("Nama lengkap").fill("Hendra Saputra")
    web.page.get_by_label("Kata sandi").fill(PASSWORD)
    web.page.get_by_role("button", name="Daftar").last.click()
    web.page.wait_for_load_state()
    assert web.page.url.endswith("/layanan/akun"), web.page.url
    assert "Hendra Saputra" in web.page.inner_text("main")
    web.check_page("c11-account")
    web.page.get_by_role("button", name="Keluar").click()
    web.page.wait_for_load_state()
    assert web.page.url.endswith("/layanan/")


def test_citizen_sees_the_apps_request_the_reason_and_cancels(console_factory, citizen):
    code = citizen.file_request("web.jpg")
    # The operator returns it with a reason on the KK photo.
    op = console_factory()
    op.sign_in(OPERATOR)
    op.page.goto("/console/requests")
    op.page.get_by_role("link", name=code).click()
    op.page.wait_for_load_state()
    op.page.select_option("#rt-1", "kk")
    op.page.fill("#rm-1", "Foto KK buram " + XSS[1])
    op.page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
    op.page.wait_for_load_state()

    web = console_factory()
    sign_in(web, CITIZEN_NIK)
    assert web.page.url.endswith("/layanan/permohonan"), web.page.url
    assert code in web.page.inner_text("table")
    web.check_page("c12-my-requests")
    web.page.get_by_role("link", name=code).click()
    web.page.wait_for_load_state()
    files = web.page.inner_text("#files + ul")
    assert "Kartu Keluarga (KK)" in files and "Foto KK buram" in files, files
    web.check_page("c13-request-returned")
    # A citizen never reaches the console.
    assert web.page.goto("/console/requests").status in (303, 200)
    assert "/console/signin" in web.page.url
    web.page.go_back()
    web.page.wait_for_load_state()
    web.page.get_by_role("button", name="Batalkan permohonan").click()
    web.page.wait_for_load_state()
    assert "Dibatalkan" in web.page.inner_text(".state")
    web.check_page("c14-request-cancelled")
    # The app learns it on its next sync.
    citizen.run("sync")
    assert citizen.request(code)["state"] == "cancelled"

    # English, and a phone.
    web.page.get_by_role("link", name="English").click()
    web.page.wait_for_load_state()
    assert web.page.locator("html").get_attribute("lang") == "en"
    web.check_page("c15-request-english")
    phone = console_factory(phone=True)
    sign_in(phone, CITIZEN_NIK)
    phone.check_page("c16-my-requests-phone")
    phone.page.goto("/layanan/standar/ktp_baru")
    phone.check_page("c17-service-phone")
