//! Personal data at rest: nothing readable in the raw files, the key checked on open, logout
//! destroying an account's file key, and stores from before encryption converted, not lost.

use super::*;
use crate::device::store::db::is_encrypted_file;
use crate::device::store::sealed::{SealedFile, SecretKey};

const NIK: &str = "1305014101900001";
const NOTE: &str = "Mohon diproses";

/// Every file under the data directory, read raw.
fn raw_files(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn open_with_key(
    dir: &tempfile::TempDir,
    server: &FakeServer,
    key: Option<Vec<u8>>,
) -> Result<Device, DeviceError> {
    let mut c = config(dir);
    c.encryption_key = key;
    Device::open_with_catalog(c, Arc::new(server.clone()), test_catalog("1.0.0"))
}

/// The content of the `kk` photo `Env::draft` attaches for `size` and `seed`.
fn content(size: usize, seed: u8) -> Vec<u8> {
    file_content("kk.jpg", size, seed)
}

#[test]
fn no_personal_data_in_the_raw_files() {
    let env = env();
    let draft = env.draft(200_000, 9);
    let photo = content(200_000, 9);
    // The source file is the app's; only the managed store is checked.
    let data = env.dir.path().join("data");
    let files = raw_files(&data);
    assert!(files.iter().any(|(p, _)| p.ends_with("ceria.db")));
    assert!(is_encrypted_file(&data.join("ceria.db")));
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, NIK.as_bytes()),
            "NIK in {}",
            path.display()
        );
        assert!(
            !contains(bytes, NOTE.as_bytes()),
            "form value in {}",
            path.display()
        );
        assert!(
            !contains(bytes, &photo[1000..1064]),
            "photo bytes in {}",
            path.display()
        );
    }
    // Still readable through the device, and the upload sends the plaintext.
    assert_eq!(env.device.draft(&draft).unwrap().attachments.len(), 1);
    env.device.finalise(&draft).unwrap();
    env.sync_until_ok();
    let sha = hex::encode(Sha256::digest(&photo));
    assert_eq!(env.server.blob(&sha).as_deref(), Some(photo.as_slice()));
}

#[test]
fn the_key_is_checked_on_open() {
    let env = env();
    let draft = env.draft(1000, 1);
    let Env {
        dir,
        server,
        device,
    } = env;
    drop(device);

    let again = open_with_key(&dir, &server, Some(TEST_KEY.to_vec())).unwrap();
    assert_eq!(again.draft(&draft).unwrap().attachments.len(), 1);
    drop(again);

    for wrong in [Some(vec![0x11; 32]), None] {
        match open_with_key(&dir, &server, wrong) {
            Err(DeviceError::Storage {
                code, message_en, ..
            }) => {
                assert_eq!(code, "device.key_wrong");
                assert!(message_en.contains("locked"), "{message_en}");
            }
            other => panic!("expected device.key_wrong, got {other:?}"),
        }
    }
    match open_with_key(&dir, &server, Some(vec![1; 16])) {
        Err(DeviceError::InvalidInput { code, .. }) => assert_eq!(code, "request.malformed"),
        other => panic!("expected request.malformed, got {other:?}"),
    }
    // A refused key changed nothing.
    let again = open_with_key(&dir, &server, Some(TEST_KEY.to_vec())).unwrap();
    assert_eq!(again.drafts().unwrap().len(), 1);
}

#[test]
fn logout_destroys_the_accounts_file_key() {
    let env = env();
    let draft = env.draft(100_000, 4);
    let photo = content(100_000, 4);
    let path = PathBuf::from(&env.device.draft(&draft).unwrap().attachments[0].path);
    // What a thief could recover from the flash after the logout.
    let recovered = env.dir.path().join("recovered");
    std::fs::copy(&path, &recovered).unwrap();
    let account = env.device.current_account().unwrap().unwrap().id;
    let old_key = env
        .device
        .db
        .read(|c| env.device.files.account_key(c, &account))
        .unwrap()
        .unwrap();
    assert_eq!(
        SealedFile::open(&recovered, &old_key)
            .unwrap()
            .read_at(0, 100_000)
            .unwrap(),
        photo
    );

    env.device.logout(&account).unwrap();
    assert!(!path.exists());
    let keys: i64 = env
        .device
        .db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM account_keys", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(keys, 0);
    // Logging in again gives the account a new key: the old files stay unreadable.
    env.device.login(NIK, "rahasia123").unwrap();
    let new_key = env
        .device
        .db
        .read(|c| env.device.files.account_key(c, &account))
        .unwrap()
        .unwrap();
    assert_ne!(new_key.bytes(), old_key.bytes());
    assert!(
        SealedFile::open(&recovered, &new_key)
            .unwrap()
            .read_at(0, 10)
            .is_err()
    );
    let random = SecretKey::random();
    assert!(
        SealedFile::open(&recovered, &random)
            .unwrap()
            .read_at(0, 10)
            .is_err()
    );
}

#[test]
fn a_plain_store_is_encrypted_on_first_open_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    let plain = open_with_key(&dir, &server, None).unwrap();
    plain.login(NIK, "rahasia123").unwrap();
    let env = Env {
        dir,
        server,
        device: plain,
    };
    let queued = env.draft(150_000, 7);
    let request = env.device.finalise(&queued).unwrap().id;
    let kept = env.draft(70_000, 8);
    let photo = content(150_000, 7);
    let data = env.dir.path().join("data");
    assert!(!is_encrypted_file(&data.join("ceria.db")));
    let plain_blob = PathBuf::from(&env.device.draft(&kept).unwrap().attachments[0].path);
    assert!(plain_blob.exists());
    let Env {
        dir,
        server,
        device,
    } = env;
    drop(device);

    let device = open_with_key(&dir, &server, Some(TEST_KEY.to_vec())).unwrap();
    assert!(is_encrypted_file(&data.join("ceria.db")));
    assert!(!plain_blob.exists(), "the plain copy is collected");
    for (path, bytes) in raw_files(&data) {
        assert!(
            !contains(&bytes, NIK.as_bytes()),
            "NIK in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, &photo[500..564]),
            "photo in {}",
            path.display()
        );
    }
    // Everything is still there: drafts, the queued request, accounts, and the files, which
    // upload as they were.
    assert_eq!(device.drafts().unwrap().len(), 1);
    assert_eq!(device.draft(&kept).unwrap().attachments.len(), 1);
    assert_eq!(device.request(&request).unwrap().state, LocalState::Queued);
    assert_eq!(device.accounts().unwrap().len(), 1);
    let env = Env {
        dir,
        server,
        device,
    };
    env.sync_until_ok();
    let sha = hex::encode(Sha256::digest(&photo));
    assert_eq!(env.server.blob(&sha).as_deref(), Some(photo.as_slice()));
    // And it opens again with the key (the conversion happens once).
    let Env {
        dir,
        server,
        device,
    } = env;
    drop(device);
    let again = open_with_key(&dir, &server, Some(TEST_KEY.to_vec())).unwrap();
    assert_eq!(again.draft(&kept).unwrap().attachments.len(), 1);
}

#[test]
fn a_damaged_plain_file_is_not_sealed_as_the_attachment() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    let plain = open_with_key(&dir, &server, None).unwrap();
    plain.login(NIK, "rahasia123").unwrap();
    let env = Env {
        dir,
        server,
        device: plain,
    };
    let draft = env.draft(40_000, 21);
    let attachment = env.device.draft(&draft).unwrap().attachments[0].clone();
    // The plain copy rots on disk before the app version with encryption first opens it.
    let mut bytes = std::fs::read(&attachment.path).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&attachment.path, &bytes).unwrap();
    let Env {
        dir,
        server,
        device,
    } = env;
    drop(device);

    let device = open_with_key(&dir, &server, Some(TEST_KEY.to_vec())).unwrap();
    assert!(
        !PathBuf::from(&attachment.path).exists(),
        "the damaged plain copy is collected"
    );
    // The attachment is still listed (the person sees what to replace), its content is gone
    // rather than wrong, and nothing damaged ever reaches the registry under the old hash.
    assert_eq!(device.draft(&draft).unwrap().attachments.len(), 1);
    assert!(device.attachment_content(&attachment.id).is_err());
    let _ = device.finalise(&draft);
    let _ = device.sync(None, &CancelToken::new());
    assert_eq!(server.blob(&attachment.sha256), None);
}

#[test]
fn another_accounts_attachment_is_not_found() {
    let env = env();
    let draft = env.draft(5_000, 22);
    let attachment = env.device.draft(&draft).unwrap().attachments[0].id.clone();
    assert_eq!(
        env.device.attachment_content(&attachment).unwrap(),
        content(5_000, 22)
    );
    env.server.add_user(
        "operator1",
        "kuat-sekali",
        crate::protocol::Role::Operator,
        Some("13.05.02.2002"),
    );
    env.device.login("operator1", "kuat-sekali").unwrap();
    assert!(matches!(
        env.device.attachment_content(&attachment),
        Err(DeviceError::NotFound { .. })
    ));
}
