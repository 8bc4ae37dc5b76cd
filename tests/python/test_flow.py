"""The request story through the Python bindings against a real ceria-server: register, draft,
attach, finalise, sync, review by the operator and the officer, sync again."""

import threading

import pytest

from conftest import OFFICER, OPERATOR

PASSWORD = "Rumah-Gadang-Biru-27"


def tiny_jpeg(path):
    path.write_bytes(bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9"))
    return path


def test_register_draft_sync_review_and_complete(ceria, server, tmp_dir, ktp_examples):
    values = ktp_examples["valid"]["values"]
    client = ceria.ffi.CeriaClient(str(tmp_dir / "phone"), server.url)
    account = client.register(values["nik"], "Andika Pratama", "081234567890", PASSWORD)
    assert account.role == ceria.core.Role.CITIZEN and account.current

    draft = client.create_draft("ktp_baru")
    report = client.set_values(draft.id, {**values, "jenis_kelamin": "P"})
    assert [i.code for i in report.issues_for("nik")] == ["nik.sex_mismatch"]
    assert report.missing_attachments == ["kk"]
    with pytest.raises(ceria.core.CeriaError.Validation) as e:
        client.finalise(draft.id)
    assert e.value.code == "draft.invalid"

    client.set_values(draft.id, {"jenis_kelamin": "L"})
    client.attach(draft.id, "kk", str(tiny_jpeg(tmp_dir / "kk.jpg")), "image/jpeg")
    request = client.finalise(draft.id)
    assert request.state == ceria.core.LocalState.QUEUED

    steps = []

    class Progress(ceria.core.SyncListener):
        def on_progress(self, progress):
            steps.append(progress.step)

    sync = client.sync(Progress())
    assert sync.accepted == 1
    assert steps[-1] == ceria.core.SyncStep.DONE
    submitted = client.request(request.id)
    assert submitted.state == ceria.core.LocalState.SUBMITTED
    assert submitted.tracking_code.startswith("CR-")

    operator = server.staff_token(OPERATOR)
    server.transition(operator, submitted.server_id, "verified")
    officer = server.staff_token(OFFICER)
    server.transition(officer, submitted.server_id, "processing")
    server.transition(officer, submitted.server_id, "completed",
                      document={"number": "1305021005090003", "pickup": "Kantor wali nagari"})

    client.sync(None)
    done = client.request(request.id)
    assert done.state == ceria.core.LocalState.COMPLETED
    assert done.tracking_code == submitted.tracking_code
    assert done.document.number == "1305021005090003"
    assert [s.state for s in done.timeline][-1] == ceria.core.LocalState.COMPLETED
    assert client.state_label(done.state).text("en")


def test_bad_password_and_stopped_server(ceria, server, tmp_dir, ktp_examples):
    nik = ktp_examples["valid"]["values"]["nik"]
    client = ceria.ffi.CeriaClient(str(tmp_dir / "other"), server.url)
    with pytest.raises(ceria.core.CeriaError.Unauthorized) as e:
        client.login(nik, "salah-sandi")
    assert e.value.code == "auth.invalid_credentials"
    client.login(nik, PASSWORD)
    server.stop()
    try:
        with pytest.raises(ceria.core.CeriaError.Offline):
            client.sync(None)
    finally:
        server.start()
    assert client.sync(None).accounts_synced == 1


def test_threads_share_one_client(ceria, server, tmp_dir, ktp_examples):
    values = ktp_examples["valid"]["values"]
    client = ceria.ffi.CeriaClient(str(tmp_dir / "shared"), server.url)
    client.login(values["nik"], PASSWORD)
    errors = []

    def work(n):
        try:
            draft = client.create_draft("ktp_baru")
            for i in range(10):
                client.set_values(draft.id, {**values, "tempat_lahir": f"Pariaman {n}-{i}"})
            client.delete_draft(draft.id)
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert client.drafts() == []
