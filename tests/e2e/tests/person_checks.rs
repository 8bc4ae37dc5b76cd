//! On the phone: a birth report whose father was born after the child (issue 16) shows the
//! catalog's `parent.born_after_child` on the father's birth date while it is typed, and the
//! device refuses to finalise it, before anything is sent.

use ceria_core::{Device, DeviceError, Severity};
use ceria_test_support::{TestServer, device_config, example_form, nik as citizen_nik};
use std::collections::HashMap;

#[test]
fn the_device_refuses_a_father_born_after_the_child() {
    let server = TestServer::start();
    let dir = server.scratch("ayah");
    let device = Device::open_with(device_config(&dir.join("data"), &server.base_url())).unwrap();
    device
        .register(
            &citizen_nik(61),
            "Ilham Saputra",
            "081234567890",
            "Pohon-Kelapa-Tinggi-3",
        )
        .unwrap();
    let draft = device.create_draft("akta_kelahiran").unwrap();
    let (mut values, _): (HashMap<String, String>, Vec<String>) = example_form("akta_kelahiran");
    // Child born 2026-10-20; the father (who reports) born 2026-11-05, NIK matching.
    for (field, value) in [
        ("tanggal_lahir_ayah", "2026-11-05"),
        ("nik_ayah", "1305090511260004"),
        ("nik_pelapor", "1305090511260004"),
    ] {
        values.insert(field.into(), value.into());
    }
    let report = device.set_values(&draft.id, values).unwrap();
    let on_father = |issues: &[ceria_core::Issue]| {
        issues.iter().any(|i| {
            i.code == "parent.born_after_child"
                && i.field.as_deref() == Some("tanggal_lahir_ayah")
                && i.severity == Severity::Error
        })
    };
    assert!(on_father(&report.issues), "{:?}", report.issues);
    match device.finalise(&draft.id) {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "draft.invalid");
            assert!(on_father(&issues), "{issues:?}");
        }
        other => panic!("finalised a father born after his child: {other:?}"),
    }
}
