//! A cookie-keeping HTTP client for the web tests (the staff console and the citizens'
//! desktop link): signs in through the forms, keeps the session cookies, posts forms with the
//! anti-forgery token, and does not follow redirects (tests look at them).

use crate::server::TestServer;
use std::time::Duration;

/// A browser's view of one answer.
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// Where a redirect goes.
    pub location: Option<String>,
    /// The `Set-Cookie` headers.
    pub cookies: Vec<String>,
    /// Every header.
    pub headers: ureq::http::HeaderMap,
    /// The body as text.
    pub body: String,
}

/// A cookie-keeping client that does not follow redirects.
pub struct Browser {
    base: String,
    agent: ureq::Agent,
    /// The cookies it sends (a test may forge one).
    pub cookies: Vec<(String, String)>,
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
    /// A browser without cookies for `ts`.
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

    /// Sends a request (a form when `form` is given), keeps the cookies it sets.
    pub fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let body = form.map(|pairs| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        });
        let kind = body
            .is_some()
            .then_some("application/x-www-form-urlencoded");
        self.send_body(
            method,
            path,
            kind,
            body.unwrap_or_default().into_bytes(),
            &[],
        )
    }

    /// Posts a `multipart/form-data` form: the text `fields`, and `bytes` as the file field
    /// `file` named `file_name` (as a browser uploads a chosen file).
    pub fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Page {
        let boundary = "----ceria-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .into_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let kind = format!("multipart/form-data; boundary={boundary}");
        self.send_body("POST", path, Some(&kind), body, &[])
    }

    /// Sends a request with a body of `content_type` and the `extra` headers, keeps the
    /// cookies it sets.
    pub fn send_body(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
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
        if let Some(kind) = content_type {
            req = req.header("content-type", kind);
        }
        for (name, value) in extra {
            req = req.header(*name, *value);
        }
        let resp = self.agent.run(req.body(body).unwrap()).unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let cookies: Vec<String> = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
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

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None)
    }

    /// `GET path` with the `extra` headers (e.g. `if-none-match`).
    pub fn get_with(&mut self, path: &str, extra: &[(&str, &str)]) -> Page {
        self.send_body("GET", path, None, Vec::new(), extra)
    }

    /// The value of the cookie `name` this browser keeps.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Posts a form shown before any session (sign-in, registration) with its token.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = csrf_in(&self.get(path).body);
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    /// Signs a citizen in to the desktop link with their NIK; the answer to the form's post.
    pub fn citizen_sign_in(&mut self, nik: &str, password: &str) -> Page {
        self.post_form("/layanan/masuk", &[("nik", nik), ("password", password)])
    }

    /// Posts a form to `path`.
    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", path, Some(form))
    }

    /// Signs a staff member in to the console; the answer to the form's post.
    pub fn sign_in(&mut self, username: &str, password: &str) -> Page {
        self.post_form(
            "/console/signin",
            &[("username", username), ("password", password)],
        )
    }

    /// The anti-forgery token of the current session (from the queue page's forms).
    pub fn csrf(&mut self) -> String {
        self.csrf_of("/console/requests")
    }

    /// The anti-forgery token of the current session, from the forms of the page at `path`.
    pub fn csrf_of(&mut self, path: &str) -> String {
        csrf_in(&self.get(path).body)
    }
}

/// The anti-forgery token of the first form of `html`.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a form with a token") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}
