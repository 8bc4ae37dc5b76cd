//! [`DeviceConfig`]: where a device keeps its data, the key it is encrypted with, which server
//! it talks to, the timeouts, chunk size and retry pacing of its sync passes (defaults for
//! phones on 3G), and whether attached files start uploading while their draft is still being
//! filled in.

use crate::device::sync::transport::Timeouts;
use std::time::Duration;

/// How a device talks to its server and stores its data.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeviceConfig {
    /// Directory for the database and the attached files (created if missing).
    pub data_dir: String,
    /// The 32-byte key the store is encrypted with at rest (SQLCipher database, sealed
    /// attachment files). Apps always give one: Android generates it once and keeps it
    /// wrapped by the Android Keystore; the desktop CLI derives it from a passphrase. `None`
    /// (the default, so existing callers compile) keeps the store unencrypted: for tests and
    /// development only. A plain store is encrypted on the first open with a key; a key that
    /// does not open the store is refused with `device.key_wrong`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub encryption_key: Option<Vec<u8>>,
    /// The registry server's base URL, e.g. `https://ceria.padangpariamankab.go.id`.
    pub server_url: String,
    /// TCP + TLS connect timeout.
    pub connect_timeout_ms: u64,
    /// Timeout for waiting for and reading a response.
    pub read_timeout_ms: u64,
    /// Timeout for sending a request.
    pub write_timeout_ms: u64,
    /// Upload chunk size in bytes: how often the server confirms an offset (and the device
    /// records it, reports progress and checks for cancellation). A broken connection costs
    /// almost nothing whatever the size: the server keeps the bytes that reached it.
    pub chunk_size: u32,
    /// First retry delay after a failed attempt; doubles per attempt.
    pub backoff_base_ms: u64,
    /// Longest retry delay.
    pub backoff_max_ms: u64,
    /// Network drops retried within one sync pass before it gives up.
    pub network_retries: u32,
    /// Pause before such a retry (times the number of drops in a row before it, with jitter):
    /// the first drop in a row, and a drop after which the server's offset moved, are retried
    /// at once.
    pub retry_pause_ms: u64,
    /// Upload files attached to a draft during sync passes, before the draft is sent, so that
    /// sending costs one small push. Off by default (each frontend opts in); a deleted draft
    /// releases the uploads of its files on the server (tus termination) in the next pass.
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub background_uploads: bool,
}

impl DeviceConfig {
    /// Defaults for phones on 3G.
    pub fn new(data_dir: impl Into<String>, server_url: impl Into<String>) -> DeviceConfig {
        let t = Timeouts::default();
        DeviceConfig {
            data_dir: data_dir.into(),
            encryption_key: None,
            server_url: server_url.into(),
            connect_timeout_ms: millis(t.connect),
            read_timeout_ms: millis(t.read),
            write_timeout_ms: millis(t.write),
            chunk_size: 256 * 1024,
            backoff_base_ms: 5_000,
            backoff_max_ms: 30 * 60 * 1000,
            network_retries: 3,
            retry_pause_ms: 1_000,
            background_uploads: false,
        }
    }

    pub(crate) fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_millis(self.connect_timeout_ms),
            read: Duration::from_millis(self.read_timeout_ms),
            write: Duration::from_millis(self.write_timeout_ms),
        }
    }
}

impl std::fmt::Debug for DeviceConfig {
    /// Everything but the key (logs and panic messages must never carry it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceConfig")
            .field("data_dir", &self.data_dir)
            .field(
                "encryption_key",
                &self.encryption_key.as_ref().map(|_| "<redacted>"),
            )
            .field("server_url", &self.server_url)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("read_timeout_ms", &self.read_timeout_ms)
            .field("write_timeout_ms", &self.write_timeout_ms)
            .field("chunk_size", &self.chunk_size)
            .field("backoff_base_ms", &self.backoff_base_ms)
            .field("backoff_max_ms", &self.backoff_max_ms)
            .field("network_retries", &self.network_retries)
            .field("retry_pause_ms", &self.retry_pause_ms)
            .field("background_uploads", &self.background_uploads)
            .finish()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
