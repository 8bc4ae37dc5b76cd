//! `ceria serve`: the reference registry server on embedded defaults (SQLite and files in one
//! data directory), in the foreground until SIGTERM or SIGINT.

use crate::exit::{self, Failure};
use ceria_server::{Config, Server, StartError};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Options of `ceria serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Data directory (database `ceria.db`, `blobs/`, `uploads/`); created on first run.
    #[arg(long, env = "CERIA_DATA", default_value = "ceria-data")]
    pub data: PathBuf,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "CERIA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest attachment accepted, in MiB.
    #[arg(long, default_value_t = 10)]
    pub max_upload_mb: u64,
}

/// Words a start failure: a taken port or an unusable data directory are the usual causes.
pub fn start_failure(e: &StartError, args_data: &std::path::Path) -> Failure {
    let status = match e {
        StartError::Io(io) if io.kind() == std::io::ErrorKind::AddrInUse => exit::UNAVAILABLE,
        StartError::Io(_) | StartError::Db(_) | StartError::Catalog(_) => exit::INTERNAL,
    };
    Failure::new(
        status,
        format!(
            "server tidak dapat dimulai / the server cannot start (data: {}): {e}",
            args_data.display()
        ),
    )
}

/// Runs the server until a termination signal; returns the exit status.
pub fn run(args: ServeArgs, json: bool) -> Result<u8, Failure> {
    init_logging();
    let mut config = Config::new(&args.data, args.listen);
    config.max_upload_bytes = args.max_upload_mb.saturating_mul(1024 * 1024);
    let server = Server::start(config).map_err(|e| start_failure(&e, &args.data))?;
    let url = format!("http://{}", server.local_addr);
    if json {
        crate::output::json_line(&serde_json::json!({
            "url": url,
            "data": args.data.display().to_string(),
        }));
    } else {
        say!("Server Ceria berjalan di / Ceria server listening on {url}");
        say!(
            "Data: {}  (Ctrl-C atau SIGTERM untuk berhenti / Ctrl-C or SIGTERM to stop)",
            args.data.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(exit::INTERNAL, format!("runtime: {e}")))?;
    runtime.block_on(termination());
    server.shutdown();
    if !json {
        say!("Server berhenti / server stopped");
    }
    Ok(exit::OK)
}

/// One log line per request on stderr (`RUST_LOG` filters; default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Already set (never in practice: serve runs once per process): keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn termination() {
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
}
