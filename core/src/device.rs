//! The [`Device`] facade: what an app (through UniFFI: Kotlin, Swift, Python) calls. Opened on
//! a data directory and the registry server's URL; `Send + Sync`; every method blocks, so
//! apps call it off the main thread. Drafts, attachments and requests live in
//! `device_drafts.rs` and `device_requests.rs`; this file holds opening, accounts, the
//! catalog and sync.

use crate::accounts::{self, Account};
use crate::attachments::{self, FileStore};
use crate::catalog::Catalog;
use crate::catalog::compare_versions;
use crate::db::{Db, Fault, FaultResult, now_ms};
use crate::device_error::{DeviceError, ErrorKind};
use crate::http_api::{Api, Failure};
use crate::progress::{CancelToken, SyncListener};
use crate::protocol::{LoginRequest, LoginResponse, RegisterRequest, UserInfo};
use crate::sync::{Engine, SyncReport, read_catalog};
use crate::transport::{HttpRequest, Timeouts, Transport, UreqTransport};
use rusqlite::OptionalExtension;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How a device talks to its server and stores its data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeviceConfig {
    /// Directory for the database and the attached files (created if missing).
    pub data_dir: String,
    /// The registry server's base URL, e.g. `https://ceria.padangpariamankab.go.id`.
    pub server_url: String,
    /// TCP + TLS connect timeout.
    pub connect_timeout_ms: u64,
    /// Timeout for waiting for and reading a response.
    pub read_timeout_ms: u64,
    /// Timeout for sending a request.
    pub write_timeout_ms: u64,
    /// Upload chunk size in bytes: what a broken connection can cost at most.
    pub chunk_size: u32,
    /// First retry delay after a failed attempt; doubles per attempt.
    pub backoff_base_ms: u64,
    /// Longest retry delay.
    pub backoff_max_ms: u64,
    /// Network drops retried within one sync pass before it gives up.
    pub network_retries: u32,
    /// Pause before such a retry (times the number of drops in a row).
    pub retry_pause_ms: u64,
}

impl DeviceConfig {
    /// Defaults for phones on 3G.
    pub fn new(data_dir: impl Into<String>, server_url: impl Into<String>) -> DeviceConfig {
        let t = Timeouts::default();
        DeviceConfig {
            data_dir: data_dir.into(),
            server_url: server_url.into(),
            connect_timeout_ms: millis(t.connect),
            read_timeout_ms: millis(t.read),
            write_timeout_ms: millis(t.write),
            chunk_size: 256 * 1024,
            backoff_base_ms: 5_000,
            backoff_max_ms: 30 * 60 * 1000,
            network_retries: 3,
            retry_pause_ms: 1_000,
        }
    }

    fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_millis(self.connect_timeout_ms),
            read: Duration::from_millis(self.read_timeout_ms),
            write: Duration::from_millis(self.write_timeout_ms),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The on-device store and sync engine for one app installation.
pub struct Device {
    pub(crate) config: DeviceConfig,
    pub(crate) db: Db,
    pub(crate) files: FileStore,
    pub(crate) api: Api,
    pub(crate) catalog: RwLock<Arc<Catalog>>,
    /// Held while a file is copied in and recorded, and while unreferenced files are
    /// deleted, so a fresh copy is never collected before its row exists.
    pub(crate) files_lock: Mutex<()>,
    sync_lock: Mutex<()>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Opens the device store in `data_dir` for the server at `server_url`, with defaults.
    pub fn open(data_dir: &str, server_url: &str) -> Result<Device, DeviceError> {
        Device::open_with(DeviceConfig::new(data_dir, server_url))
    }

    /// Opens with explicit settings and the default HTTP transport.
    pub fn open_with(config: DeviceConfig) -> Result<Device, DeviceError> {
        let transport = Arc::new(UreqTransport::new(config.timeouts()));
        Device::open_with_transport(config, transport)
    }

    /// Opens with explicit settings and transport (tests inject faults through it).
    pub fn open_with_transport(
        config: DeviceConfig,
        transport: Arc<dyn Transport>,
    ) -> Result<Device, DeviceError> {
        Device::open_with_catalog(config, transport, Catalog::embedded())
    }

    /// Opens with `fallback` as the catalog used until a newer one is cached.
    pub(crate) fn open_with_catalog(
        config: DeviceConfig,
        transport: Arc<dyn Transport>,
        fallback: Arc<Catalog>,
    ) -> Result<Device, DeviceError> {
        let dir = PathBuf::from(&config.data_dir);
        let opened = (|| -> FaultResult<(Db, FileStore)> {
            std::fs::create_dir_all(&dir)?;
            let db = Db::open(&dir.join("ceria.db"))?;
            let files = FileStore::open(&dir.join("files"))?;
            // Files copied in by a process killed before their row was stored.
            let keep = db.read(attachments::referenced)?;
            files.collect_garbage(&keep)?;
            Ok((db, files))
        })();
        let (db, files) = opened.map_err(|f| f.into_device(&fallback))?;
        let catalog = load_cached_catalog(&db, &fallback).unwrap_or(fallback);
        let api = Api::new(&config.server_url, transport);
        Ok(Device {
            config,
            db,
            files,
            api,
            catalog: RwLock::new(catalog),
            files_lock: Mutex::new(()),
            sync_lock: Mutex::new(()),
        })
    }

    /// The catalog in use: the newest one received from the server, else the embedded one.
    pub fn catalog(&self) -> Arc<Catalog> {
        read_catalog(&self.catalog)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        Path::new(&self.config.data_dir)
    }

    /// Words a storage fault.
    pub(crate) fn fault(&self, f: Fault) -> DeviceError {
        f.into_device(&self.catalog())
    }

    /// The current account's id, or `Unauthorized` (`account.none`) when nobody is logged in.
    pub(crate) fn current(&self) -> Result<String, DeviceError> {
        match self
            .db
            .read(accounts::current_id)
            .map_err(|f| self.fault(f))?
        {
            Some(id) => Ok(id),
            None => Err(DeviceError::worded(
                &self.catalog(),
                ErrorKind::Unauthorized,
                "account.none",
                &[],
            )),
        }
    }

    /// A `NotFound` error with `code`.
    pub(crate) fn not_found(&self, code: &str) -> DeviceError {
        DeviceError::worded(&self.catalog(), ErrorKind::NotFound, code, &[])
    }

    /// An `InvalidInput` error with `code` and parameters.
    pub(crate) fn invalid(&self, code: &str, params: &[(&str, String)]) -> DeviceError {
        DeviceError::worded(&self.catalog(), ErrorKind::InvalidInput, code, params)
    }

    // ---- accounts ----

    /// Registers a citizen account on the server (NIK, name, phone, password) and logs in.
    pub fn register(
        &self,
        nik: &str,
        name: &str,
        phone: &str,
        password: &str,
    ) -> Result<Account, DeviceError> {
        let body = RegisterRequest {
            nik: nik.trim().to_string(),
            name: name.trim().to_string(),
            phone: phone.trim().to_string(),
            password: password.to_string(),
        };
        let _: UserInfo = self
            .api
            .json("POST", "/v1/accounts", None, Some(&body))
            .map_err(|f| self.failure(f))?;
        self.login(nik.trim(), password)
    }

    /// Logs in (NIK for citizens, user name for staff). The account becomes current; logging
    /// in again to an account already on the device keeps its data.
    pub fn login(&self, username: &str, password: &str) -> Result<Account, DeviceError> {
        let body = LoginRequest {
            username: username.trim().to_string(),
            password: password.to_string(),
        };
        let login: LoginResponse = self
            .api
            .json("POST", "/v1/sessions", None, Some(&body))
            .map_err(|f| match f {
                Failure::Unauthorized(None) => DeviceError::worded(
                    &self.catalog(),
                    ErrorKind::Unauthorized,
                    "auth.invalid_credentials",
                    &[],
                ),
                other => self.failure(other),
            })?;
        let id = login.user.id.clone();
        self.db
            .write(|tx| accounts::record_login(tx, &login, now_ms()))
            .map_err(|f| self.fault(f))?;
        self.account(&id)
    }

    /// Logs the account out and wipes its drafts, requests, queued operations and files from
    /// the device. Works offline: the server session is ended when reachable, and expires
    /// on its own otherwise.
    pub fn logout(&self, account_id: &str) -> Result<(), DeviceError> {
        let session = self
            .db
            .read(|c| accounts::session(c, account_id))
            .map_err(|f| self.fault(f))?;
        if let Some(session) = session {
            let request = HttpRequest::new("DELETE", self.api.url("/v1/sessions/current"))
                .header("Authorization", format!("Bearer {}", session.token));
            // Best effort by design: logging out must never depend on the network.
            let _ = self.api.call(request);
        }
        let existed = self
            .db
            .write(|tx| accounts::delete(tx, account_id))
            .map_err(|f| self.fault(f))?;
        if !existed {
            return Err(self.not_found("account.not_found"));
        }
        self.collect_files_locked()
    }

    /// Every account on the device.
    pub fn accounts(&self) -> Result<Vec<Account>, DeviceError> {
        self.db.read(accounts::list).map_err(|f| self.fault(f))
    }

    /// The current account, if any.
    pub fn current_account(&self) -> Result<Option<Account>, DeviceError> {
        let id = self
            .db
            .read(accounts::current_id)
            .map_err(|f| self.fault(f))?;
        match id {
            Some(id) => self.account(&id).map(Some),
            None => Ok(None),
        }
    }

    /// Makes another account on the device current (for its drafts and requests).
    pub fn switch_account(&self, account_id: &str) -> Result<Account, DeviceError> {
        self.account(account_id)?;
        self.db
            .write(|tx| accounts::set_current(tx, Some(account_id)))
            .map_err(|f| self.fault(f))?;
        self.account(account_id)
    }

    fn account(&self, id: &str) -> Result<Account, DeviceError> {
        self.db
            .read(|c| accounts::get(c, id))
            .map_err(|f| self.fault(f))?
            .ok_or_else(|| self.not_found("account.not_found"))
    }

    /// Deletes managed files no draft or request refers to any more.
    pub(crate) fn collect_files(&self) -> FaultResult<()> {
        let keep = self.db.read(attachments::referenced)?;
        self.files.collect_garbage(&keep)?;
        Ok(())
    }

    /// Words a network or server failure.
    pub(crate) fn failure(&self, f: Failure) -> DeviceError {
        f.into_device(&self.catalog())
    }

    // ---- sync ----

    /// One sync pass for every logged-in account (the current one first): uploads, pushes,
    /// pulls the status feed, refreshes the catalog. Safe to call at any time and from any
    /// thread (passes run one at a time); safe to kill at any instruction.
    ///
    /// Errors: `Offline` / `Server` (nothing lost; try later, see the report's
    /// `next_retry_ms` of a later pass), `Unauthorized` (the current account must log in
    /// again), `Cancelled`.
    pub fn sync(
        &self,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: &CancelToken,
    ) -> Result<SyncReport, DeviceError> {
        let _pass = self.sync_lock.lock().unwrap_or_else(|p| p.into_inner());
        let engine = Engine::new(
            &self.db,
            &self.files,
            &self.api,
            &self.catalog,
            &self.config,
            listener.as_deref(),
            cancel,
        );
        engine.run()
    }
}

/// The cached server catalog, when it loads and is not older than `fallback`.
fn load_cached_catalog(db: &Db, fallback: &Catalog) -> Option<Arc<Catalog>> {
    let json: Option<String> = db
        .read(|c| {
            Ok(
                c.query_row("SELECT json FROM catalog_cache WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
        .ok()
        .flatten();
    let cached = Catalog::from_json(&json?).ok()?;
    if compare_versions(cached.version(), fallback.version()) == std::cmp::Ordering::Less {
        // An app update brought a newer embedded catalog than the cached one.
        return None;
    }
    Some(Arc::new(cached))
}
