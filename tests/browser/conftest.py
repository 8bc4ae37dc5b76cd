"""Fixtures of the browser suite: a real `ceria serve` on a random loopback port with staff
accounts, a citizen's desktop device (`ceria device`) that files requests through the sync
API, Debian's chromium driven by Playwright (no browser download), axe-core injected into
each page, and the screenshots folder.

Environment (set by scripts/suites/browser.sh): CERIA_BIN (the `ceria` binary), CHROMIUM
(the browser), AXE_JS (axe.min.js), SCREENSHOTS (where the screenshots go)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

PASSWORD = "Tebu-Manis-Pariaman-2026"
OPERATOR = "op.sintuk"
OPERATOR_NAME = "Rina Operator"
OTHER_OPERATOR = "op.lain"
OFFICER = "petugas.satu"
# A display name that tries to run a script wherever it is shown.
OFFICER_NAME = '<script>window.__xss=1</script>Petugas "><img src=x onerror="window.__xss=1">'
VILLAGE = "13.05.08.2002"
OTHER_VILLAGE = "13.05.02.2002"

# The citizen of the story (valid sample data of the catalog's KTP-el form).
CITIZEN_NIK = "1305086106080002"
# The desktop device keeps its data encrypted at rest under this passphrase (as a person
# would type it at the prompt; the tests give it in the environment).
DEVICE_ENV = dict(os.environ, CERIA_PASSPHRASE="Kunci-Perangkat-Uji-2026")
CITIZEN_FORM = {
    "nik": CITIZEN_NIK,
    "nama": "Yuliana Putri",
    "tempat_lahir": "Padang Pariaman",
    "tanggal_lahir": "2008-06-21",
    "jenis_kelamin": "P",
    "nomor_kk": "1305080302110005",
    "status_kawin": "1",
    "sudah_rekam": "true",
    "pengambilan": "nagari",
    "desa": VILLAGE,
    "telepon": "081234567890",
}

# What a hostile person types into every free-text box.
XSS = ['<script>window.__xss=1</script>', '"><img src=x onerror="window.__xss=1">']


def env_path(name: str, default: Path | None = None) -> Path:
    value = os.environ.get(name)
    if value:
        return Path(value)
    if default is not None:
        return default
    pytest.fail(f"environment variable {name} is not set (run scripts/suites/browser.sh)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """`ceria serve` with an operator of VILLAGE, one of OTHER_VILLAGE, and an officer."""

    def __init__(self, binary: Path, data: Path):
        self.binary = binary
        self.data = data
        self.url = ""
        self.process: subprocess.Popen | None = None
        self.admin("--role", "operator", "--username", OPERATOR, "--name", OPERATOR_NAME,
                   "--village", VILLAGE)
        self.admin("--role", "operator", "--username", OTHER_OPERATOR, "--village", OTHER_VILLAGE)
        self.admin("--role", "officer", "--username", OFFICER, "--name", OFFICER_NAME)

    def admin(self, *args: str) -> None:
        subprocess.run([str(self.binary), "admin", "--data", str(self.data), "create-user",
                        "--password", PASSWORD, *args], check=True, capture_output=True,
                       timeout=60)

    def start(self) -> None:
        log = open(self.data / "server.log", "ab")
        env = dict(os.environ, RUST_LOG="warn")
        port = free_port()
        self.process = subprocess.Popen(
            [str(self.binary), "--json", "serve", "--data", str(self.data),
             "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        assert self.process.stdout is not None
        first = json.loads(self.process.stdout.readline())
        self.url = first["url"]
        assert first["console"] == self.url + "/console/"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail("ceria serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Citizen:
    """A citizen's desktop device: the same core and sync engine as the phone app."""

    def __init__(self, binary: Path, home: Path, server: str, photos: Path):
        self.binary = binary
        self.home = home
        self.server = server
        self.photos = photos
        self.run("--server", server, "register", "--nik", CITIZEN_NIK, "--name",
                 CITIZEN_FORM["nama"], "--phone", CITIZEN_FORM["telepon"],
                 "--password", PASSWORD)

    def run(self, *args: str) -> dict:
        out = subprocess.run([str(self.binary), "device", "--home", str(self.home), "--json",
                              *args], capture_output=True, text=True, timeout=120,
                             env=DEVICE_ENV)
        if out.returncode != 0:
            raise AssertionError(f"ceria device {' '.join(args)}: {out.stdout}{out.stderr}")
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}

    def photo(self, name: str, text: str) -> Path:
        """A photo of a family card (a drawn card with `text` on it)."""
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (900, 600), (236, 240, 228))
        draw = ImageDraw.Draw(img)
        draw.rectangle((30, 30, 870, 570), outline=(40, 90, 60), width=6)
        draw.text((60, 60), "KARTU KELUARGA", fill=(20, 40, 30))
        draw.text((60, 110), "No. 1305080302110005", fill=(20, 40, 30))
        draw.text((60, 160), text, fill=(120, 20, 20))
        for y in range(220, 540, 40):
            draw.line((60, y, 840, y), fill=(150, 160, 150), width=2)
        path = self.photos / name
        img.save(path, "JPEG", quality=80)
        return path

    def file_request(self, photo_name: str = "kk.jpg") -> str:
        """Fills in, attaches, submits and syncs a KTP-el request; its tracking code."""
        draft = self.run("draft", "new", "ktp_baru")["id"]
        self.run("draft", "set", draft, *[f"{k}={v}" for k, v in CITIZEN_FORM.items()])
        self.run("draft", "attach", draft, "kk", str(self.photo(photo_name, "foto pertama")))
        local_id = self.run("submit", draft)["id"]
        self.run("sync")
        return next(r for r in self.requests() if r["id"] == local_id)["tracking_code"]

    def requests(self) -> list[dict]:
        out = subprocess.run([str(self.binary), "device", "--home", str(self.home), "--json",
                              "requests"], capture_output=True, text=True, timeout=60,
                             check=True, env=DEVICE_ENV)
        return json.loads(out.stdout)

    def request(self, tracking_code: str) -> dict:
        return self.run("request", tracking_code)


@contextlib.contextmanager
def own_registry(binary: Path, prefix: str):
    """A registry of a test module's own (so what it files never changes what other modules
    count), in a temporary folder named `prefix`…."""
    with tempfile.TemporaryDirectory(prefix=prefix) as d:
        data = Path(d) / "server"
        data.mkdir()
        server = Registry(binary, data)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextlib.contextmanager
def own_citizen(binary: Path, registry: Registry, prefix: str):
    """The story's citizen on a desktop device of its own, registered with `registry`."""
    with tempfile.TemporaryDirectory(prefix=prefix) as d:
        photos = Path(d) / "photos"
        photos.mkdir()
        yield Citizen(binary, Path(d) / "warga", registry.url, photos)


@pytest.fixture(scope="session")
def ceria_bin() -> Path:
    return env_path("CERIA_BIN", ROOT / "target" / "debug" / "ceria")


@pytest.fixture(scope="session")
def workdir():
    with tempfile.TemporaryDirectory(prefix="ceria-browser-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def registry(ceria_bin: Path, workdir: Path):
    data = workdir / "server"
    data.mkdir()
    server = Registry(ceria_bin, data)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def citizen(ceria_bin: Path, workdir: Path, registry: Registry) -> Citizen:
    photos = workdir / "photos"
    photos.mkdir()
    return Citizen(ceria_bin, workdir / "warga", registry.url, photos)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = env_path("SCREENSHOTS", ROOT / "target" / "browser-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    chromium = env_path("CHROMIUM", Path("/usr/bin/chromium"))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return env_path("AXE_JS", HERE / "node_modules" / "axe-core" / "axe.min.js").read_text()


class Console:
    """One browser session of the console (its own cookies) with helpers."""

    def __init__(self, browser: Browser, base: str, shots: Path, axe: str, phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1024, "height": 768}
        self.context = browser.new_context(base_url=base, viewport=viewport,
                                           is_mobile=phone, has_touch=phone)
        self.page: Page = self.context.new_page()
        self.shots = shots
        self.axe = axe
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)
        self.page.on("dialog", lambda d: d.accept())

    def _console(self, msg) -> None:
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            self.csp_violations.append(msg.text)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto("/console/")
        self.page.get_by_label("Nama pengguna").fill(username)
        self.page.get_by_label("Kata sandi").fill(password)
        self.page.get_by_role("button", name="Masuk").click()
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def check_page(self, name: str) -> None:
        """Screenshot, no script ran from user data, axe-core finds nothing serious."""
        self.shot(name)
        assert self.page.evaluate("() => window.__xss") is None, f"{name}: a payload ran"
        assert self.page.locator("img[src='x']").count() == 0, f"{name}: a payload became markup"
        self.page.evaluate(self.axe)
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,"
            " target: v.nodes[0] && v.nodes[0].target}))")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: axe-core violations {json.dumps(bad, indent=1)}"
        assert not self.csp_violations, f"{name}: CSP violations {self.csp_violations}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def console_factory(browser, registry, screenshots, axe_source):
    opened: list[Console] = []

    def make(phone: bool = False) -> Console:
        c = Console(browser, registry.url, screenshots, axe_source, phone)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()
