//! The crash test's device settings, shared by the parent test and the `crashsync` child: small
//! chunks so a pass has many steps to be killed in, and near-immediate retries.

use ceria_core::DeviceConfig;
use ceria_test_support::device_config;
use std::path::Path;

/// The device configuration of the crash test.
pub fn crash_config(data_dir: &Path, url: &str) -> DeviceConfig {
    let mut c = device_config(data_dir, url);
    c.chunk_size = 16 * 1024;
    c.backoff_base_ms = 1;
    c.backoff_max_ms = 20;
    c.retry_pause_ms = 0;
    c.network_retries = 5;
    c
}
