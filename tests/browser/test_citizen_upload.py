"""Resumable uploads from the browser (issue 13), with the request form of the desktop link:
a citizen files a KTP-el request on the web and uploads a 3 MB KK photo while a TCP proxy on loopback (written here, asyncio) cuts the
connection once in the middle of a PATCH: `upload.js` asks the server for its offset and
goes on, and the server holds the file byte for byte. Then the whole story: the operator
returns it with a reason on the KK photo, the citizen sees it, replaces the photo and resends,
the operator verifies, the officer completes it with a document number and pickup place, the
citizen sees "Selesai" with the pickup details, and the same account syncs with `ceria device`
and lists the request. Also: a photo over the limit is scaled down in the browser (the server
receives a smaller JPEG)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import threading
from pathlib import Path

import pytest

from conftest import (CITIZEN_FORM, CITIZEN_NIK, OFFICER, OPERATOR, PASSWORD, VILLAGE, Console,
                      Registry, own_citizen, own_registry)

DOCUMENT = "1305-KTP-2026-000123"
PICKUP = "Kantor Wali Nagari Sintuk, loket 2"
# Bytes of a PATCH the proxy lets through before it cuts the connection (the script sends
# PATCHes of 1 MiB).
CUT_AFTER = 400_000


# A registry and a citizen of this module's own.
@pytest.fixture(scope="module")
def registry(ceria_bin: Path):
    with own_registry(ceria_bin, "ceria-upload-") as server:
        yield server


@pytest.fixture(scope="module")
def citizen(ceria_bin: Path, registry: Registry):
    with own_citizen(ceria_bin, registry, "ceria-upload-device-") as c:
        yield c


class CuttingProxy:
    """A TCP proxy on loopback in front of the server. Bytes are forwarded both ways; once
    armed, the first connection that sends more than `cut_after` bytes after a PATCH's
    request line is cut (both sides closed), exactly once."""

    def __init__(self, target: str, cut_after: int):
        host, port = target.removeprefix("http://").rsplit(":", 1)
        self.target = (host, int(port))
        self.cut_after = cut_after
        self.armed = False
        self.cuts = 0
        self.patches = 0
        # Its own event loop on its own thread (Playwright's sync API runs one on this one).
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.handle, "127.0.0.1", 0), self.loop).result(timeout=10)
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return

        def cut() -> None:
            writer.transport.abort()
            up_writer.transport.abort()

        async def upstream() -> None:
            counted = None
            while data := await reader.read(65536):
                if b"PATCH /" in data:
                    self.patches += 1
                    counted = len(data) - data.index(b"PATCH /")
                elif counted is not None:
                    counted += len(data)
                if self.armed and counted is not None and counted > self.cut_after:
                    self.armed = False
                    self.cuts += 1
                    keep = max(0, len(data) - (counted - self.cut_after))
                    up_writer.write(data[:keep])
                    await up_writer.drain()
                    cut()
                    return
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def downstream() -> None:
            while data := await up_reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def proxy(registry: Registry):
    p = CuttingProxy(registry.url, CUT_AFTER)
    yield p
    p.close()


def photo(path: Path, size: int, text: str) -> Path:
    """A JPEG of a family card padded to `size` bytes (an APP15 segment of filler, so it
    stays a valid JPEG by content)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 800), (236, 240, 228))
    draw = ImageDraw.Draw(img)
    draw.text((60, 60), "KARTU KELUARGA 1305080302110005", fill=(20, 40, 30))
    draw.text((60, 120), text, fill=(120, 20, 20))
    img.save(path, "JPEG", quality=85)
    data = path.read_bytes()
    filler = bytearray()
    rng = os.urandom(size)
    while len(data) + len(filler) < size:
        chunk = rng[len(filler):len(filler) + 65000] or b"\0" * 65000
        filler += b"\xff\xef" + (len(chunk) + 2).to_bytes(2, "big") + chunk
    path.write_bytes(data[:2] + bytes(filler) + data[2:])
    return path


def sign_in(web: Console, nik: str) -> None:
    web.page.goto("/layanan/masuk")
    web.page.get_by_label("NIK").fill(nik)
    web.page.get_by_label("Kata sandi").fill(PASSWORD)
    web.page.get_by_role("button", name="Masuk").click()
    web.page.wait_for_load_state()


def new_ktp_draft(web: Console) -> None:
    """Signs the story's citizen in and opens a new KTP-el Baru draft."""
    sign_in(web, CITIZEN_NIK)
    web.page.goto("/layanan/permohonan/baru")
    with web.page.expect_navigation():
        web.page.get_by_role("button", name="KTP-el Baru").click()
    web.page.wait_for_load_state()


def set_value(page, field: str, value: str) -> None:
    """Sets a field of the request form as a person would (select, date or text)."""
    target = page.locator(f"#v-{field}")
    if target.count() == 0 or not target.is_visible():
        return
    tag = target.evaluate("el => el.tagName")
    if tag == "SELECT":
        target.select_option(value)
    else:
        target.fill(value)
    target.press("Tab")


def choose_village(page) -> None:
    """The region picker down to the nagari (or a text box for the code without a region
    table): the district first (the page reloads with its nagari), then the nagari."""
    district = page.locator("select[name='r.desa.3']")
    if district.count():
        with page.expect_navigation():
            district.select_option(VILLAGE.rsplit(".", 1)[0])
        page.wait_for_load_state()
    set_value(page, "desa", VILLAGE)


def upload(page, path: Path, previous: str = "") -> str:
    """Chooses `path` for the KK photo; the SHA-256 the upload script reports when done."""
    page.set_input_files("#file-kk", str(path))
    try:
        page.wait_for_function(
            "prev => { const v = document.querySelector(\"input[name='upload.kk']\").value;"
            " return v.length === 64 && v !== prev; }", arg=previous, timeout=120_000)
    except Exception as e:
        # Say where the upload stood (the script's status line), not only that time ran out.
        status = page.inner_text("#attachment-kk .upload-status")
        raise AssertionError(f"upload not finished; its status: {status!r}") from e
    status = page.inner_text("#attachment-kk .upload-status")
    assert "Terunggah" in status, status
    assert page.locator("#file-kk").input_value() == "", "the file field is cleared"
    return page.locator("input[name='upload.kk']").input_value()


def test_web_request_with_a_cut_upload_through_to_completion(
        browser, screenshots, axe_source, console_factory, registry, citizen, proxy, tmp_path):
    # The citizen's browser reaches the server through the proxy.
    web = Console(browser, proxy.url, screenshots, axe_source)
    try:
        new_ktp_draft(web)
        page = web.page
        assert page.locator("[data-upload]").count() >= 1

        for field, value in CITIZEN_FORM.items():
            if field != "desa":
                set_value(page, field, value)
        choose_village(page)

        # The 3 MB KK photo, the connection cut once in the middle of a PATCH.
        kk = photo(tmp_path / "kk-3mb.jpg", 3 * 1024 * 1024, "foto pertama")
        proxy.armed = True
        sha = upload(page, kk)
        assert proxy.cuts == 1, "the proxy cut the upload once"
        assert proxy.patches >= 4, f"{proxy.patches} PATCHes: it went on after the cut"
        assert sha == hashlib.sha256(kk.read_bytes()).hexdigest()
        held = registry.data / "blobs" / sha
        assert held.read_bytes() == kk.read_bytes(), "the server holds the file byte for byte"
        web.check_page("u02-form-uploaded")

        with page.expect_navigation():
            page.locator("button[name=action][value=send]").click()
        page.wait_for_load_state()
        match = re.search(r"/layanan/permohonan/([^/?#]+)$", page.url)
        assert match, page.url
        request_id = match.group(1)
        code = page.locator("dl dd").nth(2).inner_text().strip()
        assert "Diajukan" in page.inner_text(".state")
        web.check_page("u03-request-sent")

        # The operator returns it with a reason on the KK photo.
        op = console_factory()
        op.sign_in(OPERATOR)
        op.page.goto(f"/console/requests/{request_id}")
        op.page.select_option("#rt-1", "kk")
        op.page.fill("#rm-1", "Foto KK buram, foto ulang dengan terang")
        op.page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
        op.page.wait_for_load_state()

        # The citizen sees the reason next to the photo, replaces it and resends.
        page.reload()
        assert "Foto KK buram" in page.inner_text("#files + ul")
        web.check_page("u04-request-returned")
        with page.expect_navigation():
            page.get_by_role("button", name="Perbaiki").click()
        page.wait_for_load_state()
        assert "Foto KK buram" in page.inner_text("#attachment-kk")
        web.check_page("u05-revise-form")
        second = photo(tmp_path / "kk-ulang.jpg", 1024 * 1024, "foto ulang, jelas")
        sha2 = upload(page, second, previous=page.locator("input[name='upload.kk']").input_value())
        assert sha2 == hashlib.sha256(second.read_bytes()).hexdigest()
        with page.expect_navigation():
            page.locator("button[name=action][value=send]").click()
        page.wait_for_load_state()
        assert "Diajukan" in page.inner_text(".state"), page.inner_text("main")

        # The operator verifies; the officer processes and completes it.
        op.page.goto(f"/console/requests/{request_id}")
        op.page.get_by_role("button", name="Verifikasi").click()
        op.page.wait_for_load_state()
        off = console_factory()
        off.sign_in(OFFICER)
        off.page.goto(f"/console/requests/{request_id}")
        off.page.get_by_role("button", name="Proses", exact=True).click()
        off.page.wait_for_load_state()
        off.page.fill("#doc-number", DOCUMENT)
        off.page.fill("#doc-pickup", PICKUP)
        off.page.get_by_role("button", name="Selesaikan").click()
        off.page.wait_for_load_state()
        assert "Selesai" in off.page.inner_text(".notice.ok")

        # The citizen sees "Selesai" with the pickup details.
        page.reload()
        assert "Selesai" in page.inner_text(".state")
        done = page.inner_text(".notice.ok")
        assert DOCUMENT in done and PICKUP in done, done
        web.check_page("u06-request-completed")
    finally:
        web.close()

    # The same account on the desktop app: after a sync it lists the request, completed.
    citizen.run("sync")
    listed = {r["tracking_code"]: r for r in citizen.requests()}
    assert code in listed, listed
    assert citizen.request(code)["state"] == "completed"


def test_a_photo_over_the_limit_is_scaled_down_before_upload(browser, screenshots, axe_source,
                                                              registry, citizen, tmp_path):
    from PIL import Image

    web = Console(browser, registry.url, screenshots, axe_source)
    try:
        new_ktp_draft(web)
        page = web.page
        limit = int(page.get_attribute("#attachment-kk", "data-max-bytes"))
        # A photo of noise (it hardly compresses) saved as PNG: over the limit.
        side = int(((limit * 1.3) / 3) ** 0.5) + 1
        big = tmp_path / "kk-besar.png"
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(big, "PNG")
        assert big.stat().st_size > limit
        sha = upload(page, big)
        held = (registry.data / "blobs" / sha).read_bytes()
        assert held[:3] == b"\xff\xd8\xff", "the server received a JPEG"
        assert len(held) <= limit < big.stat().st_size
        assert "kk-besar.jpg" in page.inner_text("#attachment-kk .upload-status")
        web.check_page("u07-scaled-photo")
    finally:
        web.close()
