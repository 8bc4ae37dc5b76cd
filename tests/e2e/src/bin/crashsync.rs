//! The crash test's child: opens the device store in `DATA_DIR` and syncs with the server at
//! `URL` until nothing is pending. The parent kills it with SIGKILL at random moments.
//! Usage: `crashsync DATA_DIR URL`. Exit 0 when done, 2 on a non-retryable error, 64 on usage.

use ceria_core::{CancelToken, Device};
use ceria_e2e::crash::crash_config;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(data_dir), Some(url)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: crashsync DATA_DIR URL");
        return ExitCode::from(64);
    };
    let device = match Device::open_with(crash_config(Path::new(data_dir), url)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("open: {e}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        match device.sync(None, &CancelToken::new()) {
            Ok(report) if report.pending_operations == 0 => return ExitCode::SUCCESS,
            Ok(_) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) if e.is_retryable() => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                eprintln!("sync: {e}");
                return ExitCode::from(2);
            }
        }
    }
    eprintln!("sync did not finish in 120 s");
    ExitCode::from(3)
}
