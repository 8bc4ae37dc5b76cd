//! The console's language: Bahasa Indonesia first, English when a browser asks for it with
//! the switch in the page header (remembered in the `ceria_lang` cookie for a year). Every
//! text is a message of the catalog (`web.*` codes in `core/catalog/catalog.json`), so the
//! wording lives in one place with the apps' messages. A text the catalog in force lacks
//! (an older published catalog) is taken from the embedded one.

use crate::http::state::AppState;
use crate::web::session::cookie;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use ceria_core::Catalog;
use ceria_core::catalog::source::Localized;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// How long a browser remembers its language.
const LANG_COOKIE_AGE: Duration = Duration::from_secs(365 * 24 * 3600);

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    /// Bahasa Indonesia (the default).
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// `id` or `en` (also the `lang` attribute of the page).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The language of a code; none for anything else.
    pub(crate) fn from_code(code: &str) -> Option<Lang> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language (what the switch offers).
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// The language this browser chose.
    pub(crate) fn of(headers: &HeaderMap) -> Lang {
        cookie::get(headers, cookie::LANG)
            .and_then(Lang::from_code)
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Lang::of(&parts.headers))
    }
}

/// The texts of one page: the catalog's messages in the browser's language.
#[derive(Debug, Clone)]
pub(crate) struct Texts {
    catalog: Arc<Catalog>,
    /// The page's language.
    pub lang: Lang,
}

impl Texts {
    /// The texts of the catalog in force, in `lang`.
    pub(crate) fn new(state: &AppState, lang: Lang) -> Texts {
        Texts {
            catalog: state.catalog(),
            lang,
        }
    }

    /// The catalog the texts come from (labels of services, fields and code lists).
    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The message `code` with `{name}` placeholders filled from `params`.
    pub(crate) fn with(&self, code: &str, params: &[(&str, String)]) -> String {
        let catalog = if self.catalog.has_message(code) {
            self.catalog.clone()
        } else {
            Catalog::embedded()
        };
        catalog
            .message(code, params)
            .get(self.lang.code())
            .to_string()
    }

    /// The message `code`.
    pub(crate) fn get(&self, code: &str) -> String {
        self.with(code, &[])
    }

    /// A catalog label in the page's language.
    pub(crate) fn label<'a>(&self, text: &'a Localized) -> &'a str {
        text.get(self.lang.code())
    }

    /// The label of a request state code.
    pub(crate) fn state(&self, code: &str) -> String {
        self.label(&self.catalog.state_label_by_code(code))
            .to_string()
    }
}

/// `GET /console/lang/{code}?back=/console/...`: remembers the language and goes back to
/// the page (only a console path: never an open redirect).
pub(crate) async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    remember(&state, &code, query.get("back"), "/console")
}

/// Remembers language `code` in a cookie of the pages under `base` and goes back to `back`
/// if it is one of those pages (never an open redirect), else to `base/`.
pub(crate) fn remember(
    state: &AppState,
    code: &str,
    back: Option<&String>,
    base: &str,
) -> Response {
    let home = format!("{base}/");
    let back = back
        .filter(|b| {
            b.starts_with(&home) && !b.contains('\\') && b.chars().all(|c| c.is_ascii_graphic())
        })
        .cloned()
        .unwrap_or(home);
    let lang = Lang::from_code(code).unwrap_or_default();
    let set = cookie::set_at(
        base,
        cookie::LANG,
        lang.code(),
        Some(LANG_COOKIE_AGE),
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, set)], Redirect::to(&back)).into_response()
}
