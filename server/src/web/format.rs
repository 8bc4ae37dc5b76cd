//! How values are written in the console: dates and times in the regency's local time, and
//! query-string components.

use ceria_core::Date;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

const DAY_MS: i64 = 86_400_000;

/// `2026-12-02` in local time.
pub(crate) fn date(ms: i64, utc_offset_minutes: i32) -> String {
    Date::from_unix_seconds(ms.div_euclid(1000), utc_offset_minutes).to_string()
}

/// `2026-12-02 14:05` in local time.
pub(crate) fn date_time(ms: i64, utc_offset_minutes: i32) -> String {
    let local = ms + i64::from(utc_offset_minutes) * 60_000;
    let minutes = local.rem_euclid(DAY_MS) / 60_000;
    format!(
        "{} {:02}:{:02}",
        date(ms, utc_offset_minutes),
        minutes / 60,
        minutes % 60
    )
}

/// Whole days from `from_ms` to `to_ms`.
pub(crate) fn days_between(from_ms: i64, to_ms: i64) -> i64 {
    (to_ms - from_ms).max(0) / DAY_MS
}

/// What [`url_component`] encodes: everything but unreserved characters and `/`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` percent-encoded for a query string or path segment (only unreserved characters
/// and `/` stay as they are).
pub(crate) fn url_component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// A query string (`?a=1&b=2`) of the non-empty pairs; empty when there are none.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_component(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dates_and_times() {
        // 2026-12-01 20:30 UTC is 2026-12-02 03:30 in WIB.
        let ms = 1_796_157_000_000;
        assert_eq!(date(ms, 0), "2026-12-01");
        assert_eq!(date_time(ms, 420), "2026-12-02 03:30");
        assert_eq!(days_between(0, 3 * DAY_MS + 5), 3);
    }

    #[test]
    fn queries_encode_their_values() {
        assert_eq!(query(&[("a", ""), ("b", "")]), "");
        assert_eq!(
            query(&[("state", "verified"), ("q", "a&b <c>")]),
            "?state=verified&q=a%26b%20%3Cc%3E"
        );
        assert_eq!(url_component("/a-b_c.d~e/ü?#"), "/a-b_c.d~e/%C3%BC%3F%23");
    }
}
