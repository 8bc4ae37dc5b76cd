//! The layer around every console answer: words the [`ErrorPage`] a handler left into an HTML
//! page in the browser's language (in the citizens' layout under `/layanan`, else the
//! console's), and sets the security headers.
//!
//! The Content-Security-Policy allows scripts, styles, images and frames from this origin only
//! and nothing inline (no `'unsafe-inline'`: the page's behaviour is in `assets/console.js`,
//! its looks in `assets/console.css`), no plugins, forms posting only here, and no framing
//! of the console by anyone (`frame-ancestors 'none'`, against clickjacking). An answer that
//! set its own policy (an attachment, sandboxed) keeps it.

use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{ErrorPage, Page, html};
use crate::web::session::citizen;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The console's Content-Security-Policy.
pub(crate) const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self'; frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

/// The error page of the console.
#[derive(Template)]
#[template(path = "error.html")]
struct ConsoleError {
    page: Page,
    status: u16,
    message: String,
}

/// The error page of the citizens' pages (their layout and navigation, never the console's).
#[derive(Template)]
#[template(path = "public/error.html")]
struct PortalError {
    page: Page,
    status: u16,
    message: String,
}

/// Whether `path` is one of the citizens' pages.
fn is_portal(path: &str) -> bool {
    path.strip_prefix(citizen::BASE)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The error page of `error` for the page at `here`, in the layout of its audience.
fn error_page(state: &AppState, lang: Lang, here: &str, error: &ErrorPage) -> Response {
    let title = "web.error.title";
    let status = error.status.as_u16();
    let message = Texts::new(state, lang).with(error.code, &error.params);
    let rendered = if is_portal(here) {
        let page = Page::portal(state, lang, here, title);
        html(&PortalError {
            page,
            status,
            message,
        })
    } else {
        let page = Page::public(state, lang, here, title);
        html(&ConsoleError {
            page,
            status,
            message,
        })
    };
    rendered.unwrap_or_else(IntoResponse::into_response)
}

/// Renders error pages and sets the security headers of every console answer.
pub(crate) async fn console_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let lang = Lang::of(request.headers());
    let here = request.uri().path().to_string();
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<ErrorPage>() {
        let (parts, _) = response.into_parts();
        let (_, body) = error_page(&state, lang, &here, &error).into_parts();
        response = Response::from_parts(parts, body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    let headers = response.headers_mut();
    let own_policy = headers.contains_key(header::CONTENT_SECURITY_POLICY);
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONSOLE_CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    // Pages show personal data: never kept in a shared cache or the browser's history cache.
    set(header::CACHE_CONTROL, "no-store");
    if !own_policy {
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    response
}
