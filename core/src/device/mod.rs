//! The on-device part of Ceria (feature `device`): the [`Device`] facade an app calls (through
//! UniFFI: Kotlin, Swift, Python), its local store (`store/`) and the offline sync engine (`sync/`).
//!
//! A device is opened on a data directory and the registry server's URL; `Send + Sync`; every
//! method blocks, so apps call it off the main thread. Each public method runs its body
//! through `Device::handle`, the one place an internal `error::Error` is worded into the
//! public [`DeviceError`]. Drafts and attachments live in `drafts.rs`, requests in
//! `requests.rs`; this file holds opening, accounts, the catalog and sync.

pub(crate) mod config;
mod drafts;
pub(crate) mod error;
mod identity;
mod requests;
pub(crate) mod store;
pub(crate) mod sync;
#[cfg(test)]
mod tests;

pub use config::DeviceConfig;
pub use error::{DEVICE_CODES, DeviceError};
pub use store::accounts::Account;
pub use store::attachments::Attachment;
pub use store::drafts::{Draft, DraftSummary};
pub use store::requests::{LocalState, RequestInfo, RequestSummary, StatusEntry};
pub use sync::engine::SyncReport;
pub use sync::progress::{CancelToken, SyncListener, SyncProgress, SyncStep};
pub use sync::{http_api, transport};

use crate::catalog::Catalog;
use crate::catalog::compare_versions;
use crate::device::error::{Error, Result};
use crate::device::store::attachments;
use crate::device::store::files::FileStore;
use crate::device::store::keys::DeviceKey;
use crate::device::store::{accounts, db::Db};
use crate::device::sync::engine::{Engine, read_catalog};
use crate::device::sync::http_api::{Api, Failure};
use crate::device::sync::transport::{HttpRequest, Transport, UreqTransport};
use crate::now_ms;
use crate::protocol::{LoginRequest, LoginResponse, RegisterRequest, UserInfo};
use rusqlite::OptionalExtension;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

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
        let opened = (|| -> Result<(Db, FileStore)> {
            let key = DeviceKey::from_config(config.encryption_key.as_deref())?;
            std::fs::create_dir_all(&dir)?;
            let db = Db::open(&dir.join("ceria.db"), key.as_ref())?;
            let files = FileStore::open(&dir.join("files"), key)?;
            // Plain files of a store that was not encrypted before get their sealed copies.
            db.read(|c| files.seal_plain_files(c))?;
            // Files copied in by a process killed before their row was stored, and the plain
            // copies just sealed.
            let keep = db.read(|c| attachments::referenced(c, &files))?;
            files.collect_garbage(&keep)?;
            Ok((db, files))
        })();
        // No device yet to word the error with: the catalog it would start with does.
        let (db, files) = opened.map_err(|e| e.word(&fallback))?;
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

    /// The public API boundary: runs a public method's `body` and words its error once, with
    /// the catalog in use when it failed.
    pub(crate) fn handle<T>(
        &self,
        body: impl FnOnce() -> Result<T>,
    ) -> std::result::Result<T, DeviceError> {
        body().map_err(|e| e.word(&self.catalog()))
    }

    /// The current account's id, or `Unauthorized` (`account.none`) when nobody is logged in.
    pub(crate) fn current(&self) -> Result<String> {
        self.db
            .read(accounts::current_id)?
            .ok_or_else(|| Error::unauthorized("account.none"))
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
        self.handle(|| {
            let body = RegisterRequest {
                nik: nik.trim().to_string(),
                name: name.trim().to_string(),
                phone: phone.trim().to_string(),
                password: password.to_string(),
            };
            let _: UserInfo = self.api.json("POST", "/v1/accounts", None, Some(&body))?;
            self.log_in(nik.trim(), password)
        })
    }

    /// Logs in (NIK for citizens, user name for staff). The account becomes current; logging
    /// in again to an account already on the device keeps its data.
    pub fn login(&self, username: &str, password: &str) -> Result<Account, DeviceError> {
        self.handle(|| self.log_in(username, password))
    }

    fn log_in(&self, username: &str, password: &str) -> Result<Account> {
        let body = LoginRequest {
            username: username.trim().to_string(),
            password: password.to_string(),
        };
        let login: LoginResponse = self
            .api
            .json("POST", "/v1/sessions", None, Some(&body))
            .map_err(|f| match f {
                Failure::Unauthorized(None) => Error::unauthorized("auth.invalid_credentials"),
                other => other.into(),
            })?;
        let id = login.user.id.clone();
        self.db
            .write(|tx| accounts::record_login(tx, &login, now_ms()))?;
        self.account(&id)
    }

    /// Logs the account out and wipes its drafts, requests, queued operations, files and its
    /// file key from the device. Works offline: the server session is ended when reachable, and expires
    /// on its own otherwise.
    pub fn logout(&self, account_id: &str) -> Result<(), DeviceError> {
        self.handle(|| {
            let session = self.db.read(|c| accounts::session(c, account_id))?;
            if let Some(session) = session {
                let request = HttpRequest::new("DELETE", self.api.url("/v1/sessions/current"))
                    .header("Authorization", format!("Bearer {}", session.token));
                // Best effort by design: logging out must never depend on the network.
                let _ = self.api.call(request);
            }
            // Deleting the account deletes its file key (cascade): its sealed files are
            // unreadable from here on, and then deleted.
            let existed = self.db.write(|tx| accounts::delete(tx, account_id))?;
            if !existed {
                return Err(Error::not_found("account.not_found"));
            }
            self.db.truncate_log()?;
            self.collect_files_locked()
        })
    }

    /// Every account on the device.
    pub fn accounts(&self) -> Result<Vec<Account>, DeviceError> {
        self.handle(|| self.db.read(accounts::list))
    }

    /// The current account, if any.
    pub fn current_account(&self) -> Result<Option<Account>, DeviceError> {
        self.handle(|| match self.db.read(accounts::current_id)? {
            Some(id) => self.account(&id).map(Some),
            None => Ok(None),
        })
    }

    /// Makes another account on the device current (for its drafts and requests).
    pub fn switch_account(&self, account_id: &str) -> Result<Account, DeviceError> {
        self.handle(|| {
            self.account(account_id)?;
            self.db
                .write(|tx| accounts::set_current(tx, Some(account_id)))?;
            self.account(account_id)
        })
    }

    /// An account on the device, or `NotFound` (`account.not_found`).
    pub(crate) fn account(&self, id: &str) -> Result<Account> {
        self.db
            .read(|c| accounts::get(c, id))?
            .ok_or_else(|| Error::not_found("account.not_found"))
    }

    /// Deletes managed files no draft or request refers to any more.
    pub(crate) fn collect_files(&self) -> Result<()> {
        let keep = self.db.read(|c| attachments::referenced(c, &self.files))?;
        self.files.collect_garbage(&keep)?;
        Ok(())
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
        self.handle(|| {
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
        })
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
