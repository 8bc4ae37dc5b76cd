//! What the benchmark examples share: their command-line options and percentiles.

use std::time::Duration;

/// The value of option `name` on the command line (`--rounds 300`), else `default`.
pub fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile (0.5, 0.99) of the sorted `times`, in milliseconds.
pub fn quantile_ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
}
