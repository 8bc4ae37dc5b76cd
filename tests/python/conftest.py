"""Fixtures of the Python bindings tests: the generated `ceria_bindings` package (built by
scripts/suites/python.sh into tests/python/generated), the catalog's example forms, and a real
ceria-server on a random loopback port with the staff accounts the review steps need."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

OPERATOR = "operator.sungai-geringging"
OFFICER = "petugas.disdukcapil"
STAFF_PASSWORD = "rahasia-uji-2026"
# The village of the KTP-el example form (field `desa`).
OPERATOR_VILLAGE = "13.05.02.2002"


def _env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"environment variable {name} is not set (run scripts/suites/python.sh)")
    return Path(value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RegistryServer:
    """A ceria-server process with an operator of OPERATOR_VILLAGE and an officer."""

    def __init__(self, binary: Path, data: Path):
        self.binary = binary
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._admin("--role", "operator", "--username", OPERATOR, "--password", STAFF_PASSWORD,
                    "--village", OPERATOR_VILLAGE)
        self._admin("--role", "officer", "--username", OFFICER, "--password", STAFF_PASSWORD)

    def _admin(self, *args: str) -> None:
        subprocess.run([str(self.binary), "--data", str(self.data), "admin", "create-user", *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        log = open(self.data / "server.log", "ab")
        env = dict(os.environ, RUST_LOG="warn")
        self.process = subprocess.Popen(
            [str(self.binary), "--data", str(self.data), "--listen", f"127.0.0.1:{self.port}"],
            stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    pytest.fail("ceria-server exited: " + (self.data / "server.log").read_text())
                time.sleep(0.05)
        pytest.fail("ceria-server did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def _call(self, method: str, path: str, token: str | None, body: dict | None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            pytest.fail(f"{method} {path}: {e.code} {e.read().decode()}")

    def staff_token(self, username: str) -> str:
        body = {"username": username, "password": STAFF_PASSWORD}
        return self._call("POST", "/v1/sessions", None, body)["token"]

    def transition(self, token: str, request_id: str, to: str, **extra) -> dict:
        return self._call("POST", f"/v1/requests/{request_id}/transitions", token,
                          {"to": to, **extra})


@pytest.fixture(scope="session")
def ceria():
    """The generated bindings: `ceria.ffi` (CeriaClient, validate_nik) and `ceria.core`."""
    from ceria_bindings import ceria_core, ceria_ffi

    class Bindings:
        ffi = ceria_ffi
        core = ceria_core

    return Bindings


@pytest.fixture(scope="session")
def ktp_examples() -> dict:
    """The KTP-el example forms of the catalog tests (valid one and typical mistakes)."""
    path = _env_path("CERIA_FIXTURES") / "ktp_baru.json"
    return json.loads(path.read_text())


@pytest.fixture()
def tmp_dir():
    d = Path(tempfile.mkdtemp(prefix="ceria-py-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    data = Path(tempfile.mkdtemp(prefix="ceria-py-server-"))
    srv = RegistryServer(_env_path("CERIA_SERVER"), data)
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(data, ignore_errors=True)
