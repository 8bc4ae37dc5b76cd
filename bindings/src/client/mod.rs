//! [`CeriaClient`], the object an app holds for its whole life: opening the store, accounts,
//! and sync with progress and cancellation. The catalog, drafts and requests are in
//! [`catalog`] and [`drafts`] (same object, further `impl` blocks).
//!
//! Every method delegates to [`ceria_core::Device`] inside the panic firewall; the only state
//! kept here is the cancel token of the running sync passes.

pub(crate) mod catalog;
mod drafts;

use crate::guard::{GuardedListener, guard};
use ceria_core::{
    Account, CancelToken, Device, DeviceConfig, DeviceError, SyncListener, SyncReport,
};
use std::sync::{Arc, Mutex, MutexGuard};

/// The Ceria core for one app installation: the offline store (drafts, attachments, requests,
/// accounts) in a data directory, synced with one registry server.
///
/// Thread-safe (`Send + Sync`): share one instance; calls may come from any thread at once.
/// Methods marked "Blocking" do disk or network I/O: call them off the main thread (in
/// Kotlin, `withContext(Dispatchers.IO)`, as the Android app's `CoreRunner` does).
/// Errors are `CeriaError` (Kotlin: the sealed `CeriaException`), each with a stable `code`
/// and its message in Bahasa Indonesia and English.
#[derive(uniffi::Object)]
pub struct CeriaClient {
    pub(crate) device: Device,
    config: DeviceConfig,
    /// Shared by the passes started since the last `cancel_sync`.
    sync_cancel: Mutex<CancelToken>,
}

impl std::fmt::Debug for CeriaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CeriaClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl CeriaClient {
    fn open(config: DeviceConfig) -> Result<Arc<CeriaClient>, DeviceError> {
        guard(|| {
            let device = Device::open_with(config.clone())?;
            Ok(Arc::new(CeriaClient {
                device,
                config,
                sync_cancel: Mutex::new(CancelToken::new()),
            }))
        })
    }

    fn cancel_slot(&self) -> MutexGuard<'_, CancelToken> {
        // The slot holds a plain token; a panic elsewhere cannot leave it half-written.
        self.sync_cancel.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[uniffi::export]
impl CeriaClient {
    /// Opens (creating if needed) the store in `data_dir` for the registry server at
    /// `server_url` (e.g. `https://ceria.padangpariamankab.go.id`), with the defaults of
    /// `default_config`. Works offline: nothing is sent until an account call or `sync`.
    ///
    /// Blocking: call off the main thread. Errors: `Storage` when the directory or database
    /// cannot be opened (not writable, damaged, written by a newer app).
    #[uniffi::constructor]
    pub fn new(data_dir: String, server_url: String) -> Result<Arc<CeriaClient>, DeviceError> {
        CeriaClient::open(DeviceConfig::new(data_dir, server_url))
    }

    /// Opens with explicit settings (timeouts, upload chunk size, retry policy, background
    /// uploads of draft files); start from `default_config(dataDir, serverUrl)` and change
    /// what you need.
    ///
    /// Blocking: call off the main thread. Errors: as `new`.
    #[uniffi::constructor]
    pub fn with_config(config: DeviceConfig) -> Result<Arc<CeriaClient>, DeviceError> {
        CeriaClient::open(config)
    }

    /// The settings this client was opened with.
    pub fn config(&self) -> DeviceConfig {
        self.config.clone()
    }

    // ---- accounts ----

    /// Registers a citizen account on the server (NIK, full name, phone, password) and logs
    /// it in; it becomes the current account.
    ///
    /// Blocking (network): call off the main thread. Errors: `Offline`, `Validation` (the
    /// server's issues, e.g. an invalid NIK), `Server` (e.g. `auth.nik_taken`,
    /// `auth.weak_password`).
    pub fn register(
        &self,
        nik: String,
        name: String,
        phone: String,
        password: String,
    ) -> Result<Account, DeviceError> {
        guard(|| self.device.register(&nik, &name, &phone, &password))
    }

    /// Logs in with a NIK (citizens) or user name (staff) and password; the account becomes
    /// current. Logging in again to an account already on the device keeps its data.
    ///
    /// Blocking (network): call off the main thread. Errors: `Unauthorized`
    /// (`auth.invalid_credentials`), `Offline`, `Server` (e.g. `auth.rate_limited`).
    pub fn login(&self, username: String, password: String) -> Result<Account, DeviceError> {
        guard(|| self.device.login(&username, &password))
    }

    /// Logs an account out and wipes its drafts, requests, queued operations and files from
    /// the device. Works offline (the server session then expires on its own).
    ///
    /// Blocking: call off the main thread. Errors: `NotFound` (`account.not_found`).
    pub fn logout(&self, account_id: String) -> Result<(), DeviceError> {
        guard(|| self.device.logout(&account_id))
    }

    /// Every account on this device.
    ///
    /// Blocking (disk): call off the main thread.
    pub fn accounts(&self) -> Result<Vec<Account>, DeviceError> {
        guard(|| self.device.accounts())
    }

    /// The current account (the one that owns new drafts), or null when nobody is logged in.
    ///
    /// Blocking (disk): call off the main thread.
    pub fn current_account(&self) -> Result<Option<Account>, DeviceError> {
        guard(|| self.device.current_account())
    }

    /// Makes another account on this device current (a shared family phone, an operator
    /// serving several citizens); drafts and requests are then that account's.
    ///
    /// Blocking (disk): call off the main thread. Errors: `NotFound` (`account.not_found`).
    pub fn switch_account(&self, account_id: String) -> Result<Account, DeviceError> {
        guard(|| self.device.switch_account(&account_id))
    }

    /// Proves that the current citizen account owns its NIK with the facts the population
    /// register holds: No. KK, birth date (`YYYY-MM-DD`) and mother's name. On a match the
    /// account becomes verified (`Account.identity`) and its next sync also brings the
    /// requests staff filed for the NIK. Show `identity.unverified` from the catalog to say
    /// what else the person can do (visit the nagari office with the KTP-el or KK).
    ///
    /// Blocking (network): call off the main thread. Errors: `Unauthorized`, `Offline`,
    /// `Validation` (a fact cannot be read), `Server` (`identity.mismatch` with the attempts
    /// left, `identity.attempts_exceeded`, `identity.no_register`).
    pub fn prove_identity(
        &self,
        nomor_kk: String,
        birth_date: String,
        mother_name: String,
    ) -> Result<Account, DeviceError> {
        guard(|| {
            self.device
                .prove_identity(&nomor_kk, &birth_date, &mother_name)
        })
    }

    // ---- sync ----

    /// One sync pass for every logged-in account (the current one first): uploads files
    /// (resumable), sends queued requests, fetches status changes and a newer catalog.
    /// `listener` receives progress on the syncing thread (keep it quick; if it throws, it is
    /// not called again in this pass and the report's `problems` says so).
    ///
    /// Safe to call at any time, from any thread (passes run one at a time) and to interrupt
    /// at any point: nothing is lost or sent twice. Blocking (network): call off the main
    /// thread. Errors: `Offline` / `Server` (nothing lost; try later), `Unauthorized` (the
    /// current account must log in again), `Cancelled` (`cancel_sync`), `Protocol`.
    pub fn sync(&self, listener: Option<Arc<dyn SyncListener>>) -> Result<SyncReport, DeviceError> {
        guard(|| {
            let token = self.cancel_slot().clone();
            let guarded = listener.map(|l| Arc::new(GuardedListener::new(l)));
            let as_listener = guarded.clone().map(|g| -> Arc<dyn SyncListener> { g });
            let mut report = self.device.sync(as_listener, &token)?;
            if guarded.is_some_and(|g| g.failed()) {
                report
                    .problems
                    .push("progress listener threw; it was not called again in this pass".into());
            }
            Ok(report)
        })
    }

    /// Stops the sync passes running or waiting now at their next safe point (at most one
    /// upload chunk later); they fail with `Cancelled` and keep what was done. Passes started
    /// afterwards run normally. Returns at once.
    pub fn cancel_sync(&self) {
        let mut slot = self.cancel_slot();
        slot.cancel();
        *slot = CancelToken::new();
    }
}
