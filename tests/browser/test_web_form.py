"""The web request form in a real browser: a citizen registers, picks KTP-el Baru, fills the
form with the keyboard (typing, Tab, the selects' type-ahead), sees the two Indonesian
messages of the live check next to the fields before sending (a NIK whose date is not the
birth date, a name with a title), fixes them, picks the nagari with the region pickers,
attaches the KK photo without the upload script (a plain multipart post), and sends; the
request page says "Diajukan". An operator opens "Ajukan untuk warga". Every page is
screenshotted (1024x768 and a phone) and checked with axe-core."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import OPERATOR, PASSWORD, ROOT, XSS, Registry

REGIONS = Path(os.environ.get(
    "CERIA_REGIONS_2025", ROOT.parent / "shared" / "data" / "wilayah" / "wilayah_2025.csv"))

# The KTP-el Baru sample of the catalog's fixtures (born 10 May 2009, nagari Kasang).
NIK = "1305021005090003"
NAME = "Andika Pratama"


@pytest.fixture(scope="module")
def registry(ceria_bin: Path):
    """A registry of this module's own, with the 2025 region table when it is present."""
    with tempfile.TemporaryDirectory(prefix="ceria-web-form-") as d:
        data = Path(d) / "server"
        data.mkdir()
        server = Registry(ceria_bin, data)
        if REGIONS.exists():
            subprocess.run([str(ceria_bin), "admin", "--data", str(data), "regions", "import",
                            str(REGIONS)], check=True, capture_output=True, timeout=120)
        else:
            print(f"region table {REGIONS} absent: the nagari is typed as a code")
        server.start()
        yield server
        server.stop()


def register(web) -> None:
    web.page.goto("/layanan/daftar")
    web.page.get_by_label("NIK").fill(NIK)
    web.page.get_by_label("Nama lengkap").fill(NAME)
    web.page.get_by_label("Nomor ponsel").fill("081234567890")
    web.page.get_by_label("Kata sandi").fill(PASSWORD)
    web.page.get_by_role("button", name="Daftar").last.click()
    web.page.wait_for_load_state()
    assert web.page.url.endswith("/layanan/akun"), web.page.url


def type_into(page, selector: str, text: str) -> None:
    """Focus an input, clear it and type, as a person does with the keyboard."""
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)
    page.keyboard.press("Tab")


def choose(page, selector: str, label: str) -> None:
    """Pick a select's option with the keyboard's type-ahead."""
    page.focus(selector)
    page.keyboard.type(label)
    page.keyboard.press("Tab")


def message(page, field: str) -> str:
    return page.inner_text(f"#msg-{field}")


def test_citizen_fills_the_form_with_the_keyboard_and_sends(console_factory, workdir):
    web = console_factory()
    register(web)
    page = web.page
    page.goto("/layanan/permohonan")
    page.get_by_role("link", name="Permohonan baru").click()
    page.wait_for_load_state()
    web.check_page("f01-new-request-services")
    page.get_by_role("button", name="KTP-el Baru").click()
    page.wait_for_load_state()
    assert "/layanan/draf/" in page.url
    draft_url = page.url
    web.check_page("f02-form-empty")

    # Two mistakes: the NIK says 10 May 2009, the birth date typed is the 11th; a title.
    type_into(page, "#v-nik", NIK)
    type_into(page, "#v-nama", NAME + ", S.Kom")
    type_into(page, "#v-tempat_lahir", "Padang Pariaman " + XSS[0])
    # The date input takes the digits in the browser's order (en-US: month, day, year).
    type_into(page, "#v-tanggal_lahir", "05112009")
    # Both messages appear next to their fields before anything is sent.
    page.wait_for_function(
        "() => document.querySelector('#msg-nama').textContent.length > 0"
        " && (document.querySelector('#msg-nik').textContent.length > 0"
        " || document.querySelector('#msg-tanggal_lahir').textContent.length > 0)")
    nik_message = message(page, "nik") or message(page, "tanggal_lahir")
    assert "Tanggal lahir pada NIK" in nik_message, nik_message
    assert "tanda baca" in message(page, "nama") or "," in message(page, "nama"), \
        message(page, "nama")
    assert page.get_attribute("#v-nama", "aria-invalid") == "true"
    assert "msg-nama" in page.get_attribute("#v-nama", "aria-describedby")
    web.check_page("f03-form-live-messages")

    # Fixed.
    type_into(page, "#v-nama", NAME)
    type_into(page, "#v-tempat_lahir", "Padang Pariaman")
    type_into(page, "#v-tanggal_lahir", "05102009")
    page.wait_for_function(
        "() => document.querySelector('#msg-nama').textContent === ''"
        " && document.querySelector('#msg-nik').textContent === ''"
        " && document.querySelector('#msg-tanggal_lahir').textContent === ''")
    assert page.get_attribute("#v-nama", "aria-invalid") is None
    choose(page, "#v-jenis_kelamin", "Laki")
    type_into(page, "#v-nomor_kk", "1305021203150007")
    choose(page, "#v-status_kawin", "Belum")
    choose(page, "#v-sudah_rekam", "Ya")
    choose(page, "#v-pengambilan", "Kantor")
    type_into(page, "#v-telepon", "081234567890")
    if page.locator("#r-desa-3").count():
        # The region pickers: the regency is preselected; the district, then the nagari.
        page.focus("#r-desa-3")
        with page.expect_navigation():
            page.keyboard.type("Batang Anai")
        page.wait_for_load_state()
        choose(page, "#v-desa", "Kasang")
        assert page.input_value("#v-desa").startswith("13.05.02."), page.input_value("#v-desa")
    else:
        type_into(page, "#v-desa", "13.05.02.2002")
    # The values were kept in the draft on the server all along.
    assert page.input_value("#v-nama") == NAME

    # The KK photo, posted with the form (no upload script on this page).
    photo = workdir / "kk-web-form.jpg"
    from PIL import Image

    Image.new("RGB", (800, 500), (230, 236, 226)).save(photo, "JPEG", quality=85)
    page.set_input_files("#file-kk", str(photo))
    # The final check first, then send, with the keyboard.
    page.focus("button[value=check]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.inner_text("#summary")
    assert "Tidak ada masalah" in summary, summary
    assert "Terlampir: 1 berkas" in page.inner_text("#attachment-kk")
    web.check_page("f04-form-final-check")
    page.set_viewport_size({"width": 390, "height": 844})
    web.check_page("f05-form-phone")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.focus("button[value=send]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "/layanan/permohonan/" in page.url, page.url
    assert "Diajukan" in page.inner_text(".state")
    web.check_page("f06-request-sent")
    # The draft is gone.
    assert page.goto(draft_url).status == 404


def test_operator_opens_file_for_a_resident(console_factory):
    op = console_factory()
    op.sign_in(OPERATOR)
    op.page.get_by_role("link", name="Ajukan untuk warga").click()
    op.page.wait_for_load_state()
    op.check_page("f07-console-file-for-resident")
    op.page.get_by_role("button", name="Akta Kelahiran").click()
    op.page.wait_for_load_state()
    assert op.page.locator("#v-on_behalf_of").count() == 1
    op.check_page("f08-console-form")
