//! What the fuzz targets share: a fixed "today" (so a finding replays the same on any day)
//! and the splitting of one fuzz input into several text parts.

use ceria_core::Date;

/// The day every target validates on: fixed, so a crash reproduces on any later day.
pub fn today() -> Date {
    Date::from_ymd(2026, 12, 1).expect("2026-12-01 is a date")
}

/// Splits an input into `N` parts at its first `N - 1` newlines (the last part keeps the
/// rest, newlines included; missing parts are empty).
pub fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => {
                *slot = &rest[..at];
                rest = &rest[at + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out
}
