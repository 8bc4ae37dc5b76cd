//! # ceria-server
//!
//! The reference registry server of Ceria: receives requests from phones (sync push with
//! idempotent operations, resumable tus uploads), validates them with `ceria-core` (the same
//! code the phone runs), lets nagari operators and registry officers review them through an
//! explicit state machine with an audit log, and sends status changes back (sync pull).
//!
//! Start it with [`Server::start`] (tests, the `ceria` CLI) or [`run`] (until SIGTERM/SIGINT).
//! The HTTP API is described in `docs/protocol.md` and `docs/openapi.json`; its bodies are the
//! types of `ceria_core::protocol`.
//!
//! ## Layout
//!
//! - `http/`: the HTTP edge: serving connections within timeouts and a cap (`serve`), the
//!   application and its layers (`app`), authentication of
//!   callers (`auth`), problem responses (`error`), input limits (`limits`), the tus protocol
//!   (`tus`), the served OpenAPI document (`openapi`), the shared state (`state`), and one
//!   module per resource (`accounts`, `catalog`, `identity`, `review`, `stats`, `sync`,
//!   `uploads`), each with its own `router()`.
//! - `store/`: persistence: the database handle (`db`) over SQLite or PostgreSQL through
//!   the executor seam (`sql`), the schemas, one module per table
//!   group (`accounts`, `catalog`, `identity`, `push`, `requests`, `uploads`) and the
//!   attachment files (`blobs`: the data directory or an S3-compatible bucket). Every SQL
//!   statement lives here.
//! - The domain, free of HTTP and SQL: the review state machine (`workflow`), identity data
//!   checks (`identity`), the population register extract citizens prove their NIK against
//!   ([`population`]), password and token handling (`credentials`), yearly figures
//!   (`stats`) counted in the working days of the holiday calendar ([`calendar`]), their
//!   CSV and XLSX files (`export`), receipt codes ([`tracking`]), the catalog in force
//!   (`catalog_store`), the region table in force (`regions`), the administration
//!   commands ([`admin`]) used by the CLIs, backups of a SQLite registry ([`backup`]), and
//!   the move of a SQLite registry into PostgreSQL ([`migrate`]).
//! - `web/`: the staff web console at `/console/` (server-rendered pages for operators,
//!   officers and admins over the same domain functions as the API; see its module doc).
//! - `fuzzing` (cargo feature `fuzzing`, for `fuzz/` only): the HTTP layer's parsers of
//!   untrusted input, opened to the fuzz targets.

#![warn(missing_docs)]

pub mod admin;
pub mod backup;
pub mod calendar;
mod catalog_store;
mod config;
mod credentials;
pub mod export;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod http;
mod identity;
pub mod migrate;
pub mod population;
mod regions;
pub mod stats;
pub mod store;
pub mod tracking;
mod web;
mod workflow;

pub use catalog_store::PublishError;
pub use config::{BlobStoreLocation, Config, DatabaseLocation};
pub use http::state::AppState;
pub use store::{Db, DbError, SchemaError};

use crate::store::blobs::BlobStore;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long shutdown waits for in-flight requests before closing anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory or the listener failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The stored catalog could not be loaded.
    #[error(transparent)]
    Catalog(#[from] PublishError),
}

/// Opens the data directory and the database (SQLite there, or PostgreSQL), the blob store
/// and the catalog in force.
pub fn open_state(config: &Config) -> Result<AppState, StartError> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = Arc::new(config.database.open(&config.data_dir)?);
    let blobs = BlobStore::open(config)?;
    let catalog = catalog_store::load(&db)?;
    let regions = regions::load(&db)?;
    // Before serving, so no request (with a client's read timeout running) waits for it.
    identity::warm_up_password_policy();
    Ok(AppState::new(db, config.clone(), blobs, catalog, regions))
}

/// Serves until `shutdown` resolves, then finishes in-flight requests (up to
/// [`SHUTDOWN_GRACE`]), within the connection limits of the configuration.
async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let sweeper = tokio::spawn(sweep_forever(state.clone()));
    let limits = http::serve::ConnectionLimits::of(&state.config);
    let app = http::app::router(state);
    http::serve::serve_connections(listener, app, limits, shutdown, SHUTDOWN_GRACE).await;
    sweeper.abort();
}

/// Removes expired uploads, sessions and idle rate-limit counters every `sweep_interval`.
async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(state.config.sweep_interval);
    loop {
        tick.tick().await;
        match http::uploads::sweep(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(uploads = n, "expired uploads removed"),
            Err(e) => tracing::warn!(status = e.status.as_u16(), "upload sweep failed"),
        }
        match http::uploads::sweep_unattached(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "expired files no request refers to removed"),
            Err(e) => tracing::warn!(status = e.status.as_u16(), "file sweep failed"),
        }
        let db = state.db.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let now = store::now_ms();
            (db.sweep_sessions(now), db.sweep_rate_limits(now))
        })
        .await;
    }
}

/// Entry point for embedding: starts the server on its own runtime thread.
#[derive(Debug)]
pub struct Server;

/// A server started by [`Server::start`]; stops on [`RunningServer::shutdown`] or drop.
#[derive(Debug)]
pub struct RunningServer {
    /// The address actually bound (useful with port 0).
    pub local_addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Opens the data directory, binds the listener and serves on a background thread.
    pub fn start(config: Config) -> Result<RunningServer, StartError> {
        let state = open_state(&config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(config.listen))?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ceria-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, state, async move {
                    let _ = stopped.await;
                }));
            })?;
        Ok(RunningServer {
            local_addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl RunningServer {
    /// Stops accepting, finishes in-flight requests, and waits until the server is down.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Logs one line per request to stderr (`RUST_LOG` filters; default `info`). Calling it
/// twice keeps the first setup.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Runs the server until SIGTERM or SIGINT, finishing in-flight requests.
pub fn run(config: Config) -> Result<(), StartError> {
    let state = open_state(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(config.listen).await?;
        tracing::info!(addr = %listener.local_addr()?, data = %config.data_dir.display(), "ceria-server listening");
        serve(listener, state, wait_for_termination()).await;
        tracing::info!("ceria-server stopped");
        Ok(())
    })
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM. Shared with the `ceria serve` command.
pub async fn wait_for_termination() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested");
}
