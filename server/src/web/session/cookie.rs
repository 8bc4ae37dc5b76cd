//! The web pages' cookies: read from the `Cookie` header, written with `HttpOnly`,
//! `SameSite=Lax`, the path of their pages (`/console`, `/layanan`: the JSON API never sees
//! them) and, when the server is reached through TLS (`Config::secure_cookies`), `Secure`.

use axum::http::{HeaderMap, HeaderValue, header};
use std::time::Duration;

/// The session cookie: a token of the `sessions` table.
pub(crate) const SESSION: &str = "ceria_session";
/// The language chosen in this browser (`id` or `en`).
pub(crate) const LANG: &str = "ceria_lang";
/// The sign-in form's anti-forgery value (there is no session yet to derive one from).
pub(crate) const SIGNIN: &str = "ceria_signin";

/// The value of cookie `name`, if the request carries it.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value for `name=value` of the pages under `path`, kept `max_age` (or for
/// the browser session). `value` is ours (tokens, language codes): base64url or hex, never a
/// person's text. The citizens' pages keep their cookies apart from the console's: a
/// citizen's browser never sends a staff cookie, nor the other way round.
pub(crate) fn set_at(
    path: &str,
    name: &str,
    value: &str,
    max_age: Option<Duration>,
    secure: bool,
) -> HeaderValue {
    let mut text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ceria_session=abc; ceria_lang=en"),
        );
        assert_eq!(get(&h, SESSION), Some("abc"));
        assert_eq!(get(&h, LANG), Some("en"));
        assert_eq!(get(&h, SIGNIN), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_on_request() {
        let c = set_at(
            "/console",
            SESSION,
            "t",
            Some(Duration::from_secs(60)),
            false,
        );
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Max-Age=60"));
        assert!(!c.contains("Secure"));
        assert!(c.contains("Path=/console"));
        let s = set_at("/layanan", SESSION, "t", None, true);
        assert!(s.to_str().unwrap().ends_with("; Secure"));
    }
}
