//! The staff web console: server-rendered HTML pages for nagari operators, registry officers
//! and admins, served by the same server at `/console/` (`/` redirects there); and the
//! citizens' desktop link at `/layanan/` (the service catalog and status check for everyone,
//! registration, sign-in and the citizen's requests), on the same layer with a session kind
//! of its own (`session::citizen`, cookies under `/layanan`).
//!
//! The console is a thin layer over the same domain functions the JSON API calls (the review
//! queue, request detail, transitions, login checks in `crate::http`); it adds no rules of
//! its own. Layout:
//!
//! - `session/`: staff sign-in on the existing accounts (argon2id, the login limits and the
//!   bounded hashing of the API, through `http::accounts::check_login`), the session cookie
//!   (a token of the `sessions` table, so logout, expiry and disabling an account work as for
//!   the API), and the [`session::Staff`] extractor every page takes.
//! - `csrf`: the token every state-changing form carries (refused without it).
//! - `i18n`: Indonesian first, English on request (remembered in a cookie); every text is a
//!   `web.*` message of the catalog (`core/catalog/catalog.json`).
//! - `headers`: the security headers of every console answer (CSP without inline script or
//!   style, `frame-ancestors 'none'`, `nosniff`, `no-store`) and the error pages.
//! - `assets/`: the one stylesheet and the small scripts (our own, no third-party file),
//!   embedded in the binary and served under content-hashed names.
//! - `form`: the one request form generated from the catalog (fields, region pickers,
//!   drafts on the server, live checks with the core's validation, no-JS file posts, sending
//!   through the sync push), used by the citizens' pages and the operators' "file for a
//!   resident".
//! - `uploads`: the forms' resumable uploads (`/layanan/unggah`, `/console/unggah`): the
//!   API's tus handlers behind the web session and its anti-forgery header.
//! - `format`: dates in local time, query strings.
//! - `render`: the page context every template gets, and [`render::WebError`].
//! - `templates/`: askama templates: `skeleton.html` (the page skeleton), the two layouts
//!   over it (`layout.html` for the console, `public/layout.html` for the citizens) and one
//!   per page.
//! - `pages/`: the handlers, one folder per audience: `review/` (operators and officers),
//!   `admin/` (admins), plus sign-in and the home page that routes by role; `public/` and
//!   `citizen/` for the citizens' pages (templates in `templates/public/` and
//!   `templates/citizen/`, with their own layout `templates/public/layout.html`).
//!
//! # How to add a page
//!
//! 1. Write the handler in `pages/<audience>/<page>.rs`. Take [`session::Staff`] (it redirects
//!    to the sign-in page without a session) and check the role with
//!    `staff.require(&[Role::Admin])?` (404 for other roles, like the API's scope rule). Read
//!    and change data through the domain functions the JSON handlers use, never through SQL
//!    or rules of your own.
//! 2. Write the template `templates/<audience>/<page>.html`: `{% extends "layout.html" %}`,
//!    fill `{% block content %}`; the struct has a `page: render::Page` field
//!    (`Page::new(&state, &staff, &lang, "/console/...")`), texts come from
//!    `page.t.get("web.<page>.<text>")` (add the code with `id` and `en` to the catalog's
//!    `messages`). askama escapes every `{{ }}`; never use `|safe` on anything a person typed.
//! 3. A form that changes anything is a POST carrying
//!    `<input type="hidden" name="_csrf" value="{{ page.csrf }}">`; the handler calls
//!    `staff.check_csrf(&form)?` before it acts, then answers with a redirect (303) to a page.
//! 4. Add the route to the audience's `router()` (full path under `/console/`), and the
//!    audience's router to [`router`] below.
//! 5. Add the page to the browser suite (`tests/browser/`): a screenshot, axe-core, and the
//!    "no session" check.

pub(crate) mod assets;
pub(crate) mod csrf;
pub(crate) mod form;
pub(crate) mod format;
pub(crate) mod headers;
pub(crate) mod i18n;
pub(crate) mod pages;
pub(crate) mod render;
pub(crate) mod session;
pub(crate) mod uploads;

use crate::http::state::AppState;
use axum::Router;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{any, get};
use render::WebError;

/// The console's routes, with their security headers and error pages.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .merge(assets::router())
        .merge(uploads::router())
        .merge(pages::router())
        // A path under the pages that no route takes is their 404 page (in the layout of
        // its audience), not the API's problem JSON.
        .route("/console/{*rest}", any(no_page))
        .route("/layanan/{*rest}", any(no_page))
        .layer(middleware::from_fn_with_state(
            state,
            headers::console_layer,
        ))
}

/// The page that does not exist.
async fn no_page() -> WebError {
    WebError::NotFound
}
