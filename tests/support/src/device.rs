//! Devices for the end-to-end tests (feature `device`): a configuration with short timeouts
//! and backoffs, a finalised request with attachments in one call, and syncing until nothing
//! waits.

use crate::fixtures::{example_form, write_file};
use crate::now_ms;
use ceria_core::{CancelToken, Device, DeviceConfig, DeviceError, SyncReport};
use std::path::Path;
use std::time::Duration;

/// The device key of the test devices.
pub const TEST_DEVICE_KEY: [u8; 32] = [0x42; 32];

/// A device configuration for tests: encrypted, short timeouts and backoffs.
pub fn device_config(data_dir: &Path, url: &str) -> DeviceConfig {
    let mut c = DeviceConfig::new(data_dir.to_string_lossy(), url);
    // Encrypted at rest, as in the apps (a fixed key: tests reopen their stores).
    c.encryption_key = Some(TEST_DEVICE_KEY.to_vec());
    c.connect_timeout_ms = 2_000;
    c.read_timeout_ms = 5_000;
    c.write_timeout_ms = 5_000;
    c.backoff_base_ms = 20;
    c.backoff_max_ms = 200;
    c.retry_pause_ms = 10;
    c
}

/// Creates and finalises a `ktp_baru` request with `files` attachments for `kk`, each of
/// `size` bytes; returns the local request id.
pub fn queue_ktp(device: &Device, scratch: &Path, files: usize, size: usize, seed: u64) -> String {
    let (values, _) = example_form("ktp_baru");
    let draft = device.create_draft("ktp_baru").expect("draft");
    device.set_values(&draft.id, values).expect("values");
    for f in 0..files {
        let path = scratch.join(format!("kk-{seed}-{f}.jpg"));
        write_file(&path, size, seed * 100 + f as u64);
        device
            .attach(&draft.id, "kk", &path.to_string_lossy(), "image/jpeg")
            .expect("attach");
    }
    device.finalise(&draft.id).expect("finalise").id
}

/// Syncs until nothing is pending (waiting out backoffs); gives up after `max_passes`.
pub fn sync_until_done(device: &Device, max_passes: usize) -> Result<SyncReport, DeviceError> {
    let mut last = Err(None);
    for _ in 0..max_passes {
        match device.sync(None, &CancelToken::new()) {
            Ok(r) if r.pending_operations == 0 => return Ok(r),
            Ok(r) => {
                let wait = r
                    .next_retry_ms
                    .map_or(10, |t| (t - now_ms()).clamp(1, 2_000));
                std::thread::sleep(Duration::from_millis(wait as u64));
                last = Ok(r);
            }
            Err(e) if e.is_retryable() => {
                std::thread::sleep(Duration::from_millis(20));
                last = Err(Some(e));
            }
            Err(e) => return Err(e),
        }
    }
    match last {
        Ok(r) => panic!("still pending after {max_passes} passes: {r:?}"),
        Err(Some(e)) => Err(e),
        Err(None) => panic!("no pass ran"),
    }
}
