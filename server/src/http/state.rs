//! The state shared by all handlers: database, catalog in force, blob store, password hashing
//! gate. (The login and registration limits live in the database, shared by every instance.)

use crate::config::Config;
use crate::http::error::ApiError;
use crate::http::hashing::PasswordHashing;
use crate::store::blobs::BlobStore;
use crate::store::{Db, DbError};
use ceria_core::{Catalog, RegionTable};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};

/// Cheap to clone handle on the shared state.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Inner {
    /// The database.
    pub(crate) db: Arc<Db>,
    /// Configuration.
    pub(crate) config: Config,
    /// The bound on concurrent password hashing.
    pub(crate) hashing: PasswordHashing,
    /// Attachments.
    pub(crate) blobs: BlobStore,
    catalog: RwLock<Arc<Catalog>>,
    /// The region table in force (see [`crate::regions`]): validation warns about NIK and
    /// No. KK prefixes it does not list; the console names villages with it.
    regions: RwLock<Option<Arc<RegionTable>>>,
    upload_locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    /// What stored files are (see [`KnownBlobs`]).
    pub(crate) known_blobs: KnownBlobs,
}

/// Size and media type (by content) of stored files, remembered by SHA-256: a file's
/// content never changes under its hash, and every push of a request referring to it
/// would otherwise read the blob index and the first bytes of the file again (from object
/// storage, a GET per attachment). Bounded: forgotten all at once when full. Whether the
/// caller may use the file is still checked in the push's transaction.
#[derive(Debug, Default)]
pub(crate) struct KnownBlobs(Mutex<HashMap<String, (u64, &'static str)>>);

impl KnownBlobs {
    /// Files remembered at most.
    const CAPACITY: usize = 10_000;

    /// What `sha256` is, if remembered.
    pub(crate) fn get(&self, sha256: &str) -> Option<(u64, &'static str)> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sha256)
            .copied()
    }

    /// Remembers what `sha256` is.
    pub(crate) fn remember(&self, sha256: &str, facts: (u64, &'static str)) {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= Self::CAPACITY {
            known.clear();
        }
        known.insert(sha256.to_string(), facts);
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state.
    pub(crate) fn new(
        db: Arc<Db>,
        config: Config,
        blobs: BlobStore,
        catalog: Arc<Catalog>,
        regions: Option<Arc<RegionTable>>,
    ) -> AppState {
        let hashing =
            PasswordHashing::new(config.password_hashes_at_once, config.password_hash_wait);
        AppState(Arc::new(Inner {
            db,
            config,
            hashing,
            blobs,
            catalog: RwLock::new(catalog),
            regions: RwLock::new(regions),
            upload_locks: Mutex::new(HashMap::new()),
            known_blobs: KnownBlobs::default(),
        }))
    }

    /// The catalog in force.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Puts a newly published catalog in force.
    pub(crate) fn set_catalog(&self, catalog: Arc<Catalog>) {
        *self.catalog.write().unwrap_or_else(|p| p.into_inner()) = catalog;
    }

    /// The region table in force, if one was imported.
    pub(crate) fn regions(&self) -> Option<Arc<RegionTable>> {
        self.regions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Puts a newly imported region table in force.
    pub(crate) fn set_regions(&self, regions: Arc<RegionTable>) {
        *self.regions.write().unwrap_or_else(|p| p.into_inner()) = Some(regions);
    }

    /// Runs blocking database work off the async threads.
    pub(crate) async fn db_call<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> Result<T, DbError> + Send + 'static,
    {
        let db = self.db.clone();
        blocking(move || f(&db).map_err(ApiError::from)).await
    }

    /// Serialises work on one upload (two PATCHes of the same upload never interleave).
    pub(crate) async fn lock_upload(&self, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, weak| weak.strong_count() > 0);
            match map.get(id).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert(id.to_string(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}

/// Runs blocking work (SQLite, argon2, hashing files) on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}
