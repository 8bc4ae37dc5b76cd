"""The Python bindings offline: catalog in both languages, form and NIK validation, and typed
errors, the way a second frontend (a desktop or web-view app) would use them."""

import pytest


def test_catalog_in_indonesian_and_english(ceria, tmp_dir):
    client = ceria.ffi.CeriaClient(str(tmp_dir), "http://127.0.0.1:9")
    groups = client.groups()
    assert [g.id for g in groups] == ["pendaftaran_penduduk", "pencatatan_sipil"]
    assert sum(len(client.services(g.id)) for g in groups) == len(client.services(None))
    ktp = client.service("ktp_baru")
    assert ktp.name.text("id") == "KTP-el Baru"
    assert ktp.name.text("en") == "New electronic identity card (KTP-el)"
    assert client.service("ktp_palsu") is None
    assert len(client.code_list("religion").items) == 7


def test_a_ktp_form_with_mistakes(ceria, tmp_dir, ktp_examples):
    client = ceria.ffi.CeriaClient(str(tmp_dir), "http://127.0.0.1:9")
    today = ktp_examples["today"]
    valid = ktp_examples["valid"]
    report = client.validate_form(ceria.ffi.FormInput(
        service="ktp_baru", values=valid["values"], attached=valid["attachments"], today=today))
    assert report.valid, report.issues
    for mistake in ktp_examples["mistakes"]:
        report = client.validate_form(
            ceria.ffi.FormInput(service="ktp_baru", values=mistake["values"],
                                attached=mistake["attachments"], today=today))
        assert not report.valid
        for expected in mistake["expect"]:
            found = [i for i in report.issues
                     if i.code == expected["code"] and i.field == expected.get("field")]
            assert found, (expected, [(i.field, i.code) for i in report.issues])
            assert found[0].message_in("id") == found[0].message_id
            assert found[0].message_in("en") != found[0].message_id


def test_validate_nik(ceria):
    assert ceria.ffi.validate_nik("1305021005090003", "2009-05-10", "L") == []
    issues = ceria.ffi.validate_nik("1305082106080002", "2008-06-21", "P")
    assert [i.code for i in issues] == ["nik.sex_mismatch"]
    assert issues[0].severity == ceria.core.Severity.ERROR
    with pytest.raises(ceria.core.CeriaError.InvalidInput) as e:
        ceria.ffi.validate_nik("1305021005090003", "10/05/2009", None)
    assert e.value.code == "request.malformed"


def test_errors_are_typed(ceria, tmp_dir):
    client = ceria.ffi.CeriaClient(str(tmp_dir), "http://127.0.0.1:9")
    with pytest.raises(ceria.core.CeriaError.Unauthorized) as e:
        client.create_draft("ktp_baru")
    assert e.value.error_code() == "account.none"
    with pytest.raises(ceria.core.CeriaError.InvalidInput) as e:
        client.validate_form(ceria.ffi.FormInput(service="ktp_palsu", values={}))
    assert e.value.code == "service.unknown"
    with pytest.raises(ceria.core.CeriaError.Offline) as e:
        client.login("1305021005090003", "kata-sandi")
    assert e.value.is_retryable()


def test_an_encrypted_store_needs_its_key(ceria, tmp_dir):
    key = bytes(range(32))
    config = ceria.ffi.default_config(str(tmp_dir / "phone"), "http://127.0.0.1:9")
    assert config.encryption_key is None  # the default: unencrypted (tests, development)
    config.encryption_key = key
    first = ceria.ffi.CeriaClient.with_config(config)
    assert first.accounts() == []
    del first
    raw = (tmp_dir / "phone" / "ceria.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3"), "the database file is encrypted"

    config.encryption_key = bytes(32)
    with pytest.raises(ceria.core.CeriaError.Storage) as e:
        ceria.ffi.CeriaClient.with_config(config)
    assert e.value.code == "device.key_wrong"
    assert "locked" in e.value.message_in("en")
    with pytest.raises(ceria.core.CeriaError.Storage) as e:
        ceria.ffi.CeriaClient(str(tmp_dir / "phone"), "http://127.0.0.1:9")
    assert e.value.code == "device.key_wrong"

    config.encryption_key = key
    client = ceria.ffi.CeriaClient.with_config(config)
    assert client.accounts() == []
