//! `ceria serve`: the reference registry server on embedded defaults (SQLite and files in one
//! data directory), in the foreground until SIGTERM or SIGINT.

use crate::exit::{self, Failure};
use ceria_server::{BlobStoreLocation, Config, DatabaseLocation, Server, StartError};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The server's data directory, one definition for `ceria serve`, `ceria admin` and the
/// `ceria-server` binary. Global, so it may also follow a subcommand (`admin create-user --data`).
#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// Data directory (database `ceria.db`, `blobs/`, `uploads/`); created on first run.
    #[arg(long, env = "CERIA_DATA", default_value = "ceria-data", global = true)]
    pub data: PathBuf,
    /// Keep the registry's rows in PostgreSQL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
    /// (plain TCP: loopback or a private network), shared by several instances; the data
    /// directory still holds the blobs unless `--blob-store` names a bucket. Default: SQLite
    /// `ceria.db` in the data directory.
    #[arg(long, env = "CERIA_DATABASE_URL", value_parser = DatabaseLocation::parse, global = true)]
    pub database: Option<DatabaseLocation>,
}

impl DataDir {
    /// Where the rows are kept.
    pub fn database(&self) -> DatabaseLocation {
        self.database.clone().unwrap_or_default()
    }
}

/// Options of `ceria serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where the server keeps its data.
    #[command(flatten)]
    pub dir: DataDir,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "CERIA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest attachment accepted, in MiB.
    #[arg(long, default_value_t = 10)]
    pub max_upload_mb: u64,
    /// Take the client address for the login and registration limits from the last
    /// `X-Forwarded-For` entry. Only behind a reverse proxy that appends it: otherwise any
    /// client could claim a fresh address for every attempt.
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// Mark the web console's cookies `Secure` (HTTPS only). Set it when the console is
    /// reached through a TLS-terminating reverse proxy.
    #[arg(long, env = "CERIA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Keep attachments in an S3-compatible bucket, `s3://BUCKET[/prefix]`, that every
    /// instance reaches (endpoint, region and credentials from AWS_ENDPOINT_URL, AWS_REGION,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); default: `blobs/` in the data directory.
    #[arg(long, env = "CERIA_BLOB_STORE", value_parser = BlobStoreLocation::parse)]
    pub blob_store: Option<BlobStoreLocation>,
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
    ceria_server::init_logging();
    let mut config = Config::new(&args.dir.data, args.listen);
    config.database = args.dir.database();
    config.max_upload_bytes = args.max_upload_mb.saturating_mul(1024 * 1024);
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.secure_cookies = args.secure_cookies;
    if let Some(location) = args.blob_store {
        config.blob_store = location;
    }
    let server = Server::start(config).map_err(|e| start_failure(&e, &args.dir.data))?;
    let url = format!("http://{}", server.local_addr);
    if json {
        crate::output::json_line(&serde_json::json!({
            "url": url,
            "console": format!("{url}/console/"),
            "citizen_web": format!("{url}/layanan/"),
            "data": args.dir.data.display().to_string(),
        }));
    } else {
        say!("Server Ceria berjalan di / Ceria server listening on {url}");
        say!("Konsol petugas / staff console: {url}/console/");
        say!("Layanan warga / citizens' desktop link: {url}/layanan/");
        say!(
            "Data: {}  (Ctrl-C atau SIGTERM untuk berhenti / Ctrl-C or SIGTERM to stop)",
            args.dir.data.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(exit::INTERNAL, format!("runtime: {e}")))?;
    runtime.block_on(ceria_server::wait_for_termination());
    server.shutdown();
    if !json {
        say!("Server berhenti / server stopped");
    }
    Ok(exit::OK)
}
