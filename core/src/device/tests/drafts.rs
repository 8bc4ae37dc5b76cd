//! Drafting on the device: attachment limits checked at attach time, finalising only valid
//! forms, and logging out wiping an account with its files.

use super::*;

#[test]
fn attach_refuses_at_attach_time() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    let big = e.file("big.jpg", TEST_MAX_BYTES as usize + 1, 1);
    match e
        .device
        .attach(&d.id, "kk", big.to_str().unwrap(), "image/jpeg")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.too_large");
            assert_eq!(issues[0].params["max_mb"], "1");
        }
        other => panic!("{other:?}"),
    }
    let small = e.file("a.gif", 10, 1);
    match e
        .device
        .attach(&d.id, "kk", small.to_str().unwrap(), "image/gif")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.media_type");
            assert_eq!(issues[0].params["media_type"], "image/gif");
        }
        other => panic!("{other:?}"),
    }
    for seed in 0..2 {
        let f = e.file(&format!("p{seed}.pdf"), 10, seed);
        e.device
            .attach(&d.id, "kk", f.to_str().unwrap(), "application/pdf")
            .unwrap();
    }
    let third = e.file("c.jpg", 10, 3);
    match e
        .device
        .attach(&d.id, "kk", third.to_str().unwrap(), "image/jpeg")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.too_many");
            assert_eq!(issues[0].params["max"], "2");
            assert_eq!(issues[0].params["attachment"], "kk");
            // Worded with the requirement's label, not its id.
            assert!(
                issues[0].message_id.contains("Kartu Keluarga"),
                "{}",
                issues[0].message_id
            );
            assert!(
                issues[0].message_en.contains("Family card"),
                "{}",
                issues[0].message_en
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        e.device
            .attach(&d.id, "tidak_ada", small.to_str().unwrap(), "image/jpeg"),
        Err(DeviceError::Validation { .. })
    ));
    assert!(matches!(
        e.device.attach(&d.id, "kk", "/tidak/ada.jpg", "image/jpeg"),
        Err(DeviceError::InvalidInput { .. })
    ));
    assert_eq!(e.device.draft(&d.id).unwrap().attachments.len(), 2);
    // Nothing refused was copied in.
    let blobs = walk(&e.dir.path().join("data/files/blobs"));
    assert_eq!(blobs, 2);
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn finalise_requires_a_valid_form() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    let values = [("keterangan".to_string(), "isi".to_string())]
        .into_iter()
        .collect();
    let report = e.device.set_values(&d.id, values).unwrap();
    assert!(!report.valid);
    match e.device.finalise(&d.id) {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "draft.invalid");
            assert!(issues.iter().any(|i| i.field.as_deref() == Some("desa")));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.device.requests().unwrap().is_empty());
    assert_eq!(e.device.drafts().unwrap().len(), 1);
    // Autosaved: a reopened device (a killed app) still has the value.
    drop(e.device);
    let device = open(&e.dir, &e.server);
    assert_eq!(device.draft(&d.id).unwrap().values["keterangan"], "isi");
    assert!(matches!(
        device.create_draft("tidak_ada"),
        Err(DeviceError::InvalidInput { .. })
    ));
}

#[test]
fn logout_wipes_the_account_and_its_files() {
    let e = env();
    e.server.add_user(
        "operator1",
        "kuat-sekali",
        crate::protocol::Role::Operator,
        Some("13.05.02.2002"),
    );
    let citizen = e.device.current_account().unwrap().unwrap();
    let a = e.device.finalise(&e.draft(2000, 14)).unwrap();
    let op = e.device.login("operator1", "kuat-sekali").unwrap();
    assert!(op.current);
    let d = e.draft(3000, 15);
    e.device
        .set_draft_context(&d, None, Some("1305014101900001".into()))
        .unwrap();
    let b = e.device.finalise(&d).unwrap();
    assert_eq!(
        b.village.as_deref(),
        Some("13.05.02.2002"),
        "the operator's village"
    );
    assert_eq!(e.device.requests().unwrap().len(), 1, "only the operator's");
    e.device.sync(None, &CancelToken::new()).unwrap();
    assert_eq!(
        e.server.requests().len(),
        2,
        "one pass serves every account"
    );

    e.device.logout(&citizen.id).unwrap();
    assert_eq!(e.device.accounts().unwrap().len(), 1);
    assert_eq!(
        walk(&e.dir.path().join("data/files/blobs")),
        1,
        "the citizen's file is gone"
    );
    assert_eq!(e.device.current_account().unwrap().unwrap().id, op.id);
    assert!(matches!(
        e.device.request(&a.id),
        Err(DeviceError::NotFound { .. })
    ));
    e.device.logout(&op.id).unwrap();
    assert!(matches!(
        e.device.requests(),
        Err(DeviceError::Unauthorized { .. })
    ));
    assert!(matches!(
        e.device.logout(&op.id),
        Err(DeviceError::NotFound { .. })
    ));
}
