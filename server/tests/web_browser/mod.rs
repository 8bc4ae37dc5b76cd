//! A cookie-keeping HTTP client that reads pages as a browser would (no redirects followed,
//! forms posted url-encoded), shared by the web tests (`web_console`, `web_citizen`).
#![allow(dead_code)]

use ceria_test_support::TestServer;
use std::time::Duration;

/// One answer as a browser sees it.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

/// A cookie-keeping client that does not follow redirects.
pub struct Browser {
    pub base: String,
    pub agent: ureq::Agent,
    pub cookies: Vec<(String, String)>,
}

/// `application/x-www-form-urlencoded` value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Text as askama writes it into a page.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

impl Browser {
    pub fn new(ts: &TestServer) -> Browser {
        Browser {
            base: ts.base_url(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
            cookies: Vec::new(),
        }
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
        extra: &[(&str, &str)],
    ) -> Page {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", jar.join("; "));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let body = form.map(|pairs| {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        if body.is_some() {
            req = req.header("content-type", "application/x-www-form-urlencoded");
        }
        let resp = self
            .agent
            .run(req.body(body.unwrap_or_default().into_bytes()).unwrap())
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let cookies: Vec<String> = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &cookies {
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let body = resp.into_body().read_to_string().unwrap_or_default();
        Page {
            status,
            location,
            cookies,
            headers,
            body,
        }
    }

    pub fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None, &[])
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", path, Some(form), &[])
    }

    /// Posts a form shown before any session (sign-in, registration) with its token.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = csrf_in(&self.get(path).body);
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a form with a token") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}
