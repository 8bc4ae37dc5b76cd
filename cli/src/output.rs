//! Printing for people and for scripts: with `--json` every result is one JSON object per
//! line on stdout and a failure is one JSON object on stderr; otherwise readable text,
//! Bahasa Indonesia first and English second.

use crate::exit::Failure;
use ceria_core::protocol::RequestState;
use ceria_core::{Catalog, Date, Issue, LocalState, Severity};
use serde::Serialize;
use serde_json::json;
use std::io::Write;

/// `println!` that never panics: a closed stdout (`ceria ... | head`) ends the program
/// quietly instead of with a backtrace.
macro_rules! say {
    ($($arg:tt)*) => { $crate::output::write_line(format_args!($($arg)*)) };
}

/// `complain!` that never panics (a closed stderr is ignored).
macro_rules! complain {
    ($($arg:tt)*) => { $crate::output::write_err_line(format_args!($($arg)*)) };
}

/// Writes one line on stdout; exits when nobody reads stdout any more.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}").and_then(|()| out.flush()) {
        // The reader went away (a pipe into `head`): what it wanted was printed.
        let status = if e.kind() == std::io::ErrorKind::BrokenPipe {
            crate::exit::OK
        } else {
            crate::exit::INTERNAL
        };
        std::process::exit(i32::from(status));
    }
}

/// Writes one line on stderr, ignoring a closed stderr.
pub fn write_err_line(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// Prints one value as a single JSON line on stdout.
pub fn json_line<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(line) => say!("{line}"),
        // Only maps with non-text keys fail to serialise; none of ours has them.
        Err(e) => complain!(
            "{}",
            json!({"error": {"code": "internal", "detail": e.to_string()}})
        ),
    }
}

/// Prints a failure on stderr: text with its issues, or one JSON object.
pub fn failure(f: &Failure, json_mode: bool) {
    if json_mode {
        let body = json!({"error": {
            "status": f.status,
            "code": f.code,
            "message": f.message,
            "issues": f.issues,
        }});
        complain!("{body}");
        return;
    }
    let mut lines = f.message.lines();
    let first = lines.next().unwrap_or_default();
    match &f.code {
        Some(code) if code == first => complain!("galat/error [{code}]"),
        Some(code) => complain!("galat/error [{code}]: {first}"),
        None => complain!("galat/error: {first}"),
    }
    for line in lines {
        complain!("  {line}");
    }
    for line in issue_lines(&f.issues) {
        complain!("{line}");
    }
}

/// Issues as lines for a person: severity, field and code, Indonesian, then English.
pub fn issue_lines(issues: &[Issue]) -> Vec<String> {
    let mut out = Vec::with_capacity(issues.len() * 2);
    for i in issues {
        let sev = match i.severity {
            Severity::Error => "galat/error",
            Severity::Warning => "peringatan/warning",
        };
        let field = i.field.as_deref().unwrap_or("-");
        out.push(format!("  [{sev}] {field} {}: {}", i.code, i.message_id));
        if i.message_en != i.message_id {
            out.push(format!("      {}", i.message_en));
        }
    }
    out
}

/// The catalog's label of a device state ("Selesai" for completed). States that exist only
/// on the device (queued, uploading, pushed, needs_fix) use the catalog's label when it has
/// one, else their code.
pub fn state_label(catalog: &Catalog, state: LocalState) -> (String, String) {
    let l = catalog.state_label_by_code(state.code());
    (l.id, l.en)
}

/// "Selesai / Completed" for a server state.
pub fn server_state_label(catalog: &Catalog, state: RequestState) -> String {
    let l = catalog.state_label(state);
    both(&l.id, &l.en)
}

/// `id / en`, or one of them when they are the same.
pub fn both(id: &str, en: &str) -> String {
    if id == en {
        id.to_string()
    } else {
        format!("{id} / {en}")
    }
}

/// A Unix time in milliseconds as local time of the regency, e.g. `2026-11-29 09:05 UTC+7`.
pub fn local_time(ms: i64, utc_offset_minutes: i32) -> String {
    let secs = ms.div_euclid(1000);
    let date = Date::from_unix_seconds(secs, utc_offset_minutes);
    let local = secs.saturating_add(i64::from(utc_offset_minutes) * 60);
    let of_day = local.rem_euclid(86_400);
    let (h, m) = (of_day / 3600, (of_day % 3600) / 60);
    let (sign, off) = if utc_offset_minutes < 0 {
        ('-', -utc_offset_minutes)
    } else {
        ('+', utc_offset_minutes)
    };
    let zone = if off % 60 == 0 {
        format!("UTC{sign}{}", off / 60)
    } else {
        format!("UTC{sign}{}:{:02}", off / 60, off % 60)
    };
    format!("{date} {h:02}:{m:02} {zone}")
}

/// A byte count for a person: `512 B`, `12.3 KiB`, `4.0 MiB`.
pub fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    // Display only: the precision lost by the cast does not matter.
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KiB", f / KIB)
    } else {
        format!("{:.1} MiB", f / (KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_in_wib() {
        // 2026-11-29 02:34:25 UTC is 09:34 in Padang Pariaman.
        assert_eq!(local_time(1_795_919_665_000, 420), "2026-11-29 09:34 UTC+7");
        // Just before midnight UTC is the next morning in WIB.
        assert_eq!(local_time(1_795_910_399_000, 420), "2026-11-29 06:59 UTC+7");
        assert_eq!(local_time(0, -90), "1969-12-31 22:30 UTC-1:30");
    }

    #[test]
    fn state_labels_come_from_the_catalog() {
        let c = Catalog::embedded();
        assert_eq!(state_label(&c, LocalState::Completed).0, "Selesai");
        assert_eq!(
            server_state_label(&c, RequestState::Completed),
            "Selesai / Completed"
        );
        let queued = state_label(&c, LocalState::Queued);
        assert!(!queued.0.is_empty());
    }

    #[test]
    fn byte_counts() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn issue_lines_show_both_languages() {
        let c = Catalog::embedded();
        let issue = c.issue(Some("nik"), &ceria_core::Finding::error("nik.length"));
        let lines = issue_lines(&[issue]);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("[galat/error] nik nik.length"));
    }
}
