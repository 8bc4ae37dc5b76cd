//! Downloads for officers and admins: the yearly figures and the request list as CSV or
//! XLSX (`?format=csv|xlsx`, labels in `?lang=id|en`), built by [`crate::export`].

use crate::export::{self, Format, RequestFilter};
use crate::http::auth::Caller;
use crate::http::catalog::plausible_parent;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::stats::{figures, reader, year_param};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ceria_core::protocol::RequestState;
use std::collections::HashMap;

/// The routes of the downloads.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/exports/stats", get(stats_file))
        .route("/v1/exports/requests", get(requests_file))
}

type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// A trimmed, non-empty query parameter.
fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// `format` (required) and `lang` (`en`, otherwise Indonesian).
fn format_and_lang(query: &HashMap<String, String>) -> Result<(Format, &'static str), ApiError> {
    let format = param(query, "format")
        .and_then(Format::from_code)
        .ok_or_else(|| ApiError::malformed("format must be csv or xlsx"))?;
    let lang = if param(query, "lang").is_some_and(|l| l.eq_ignore_ascii_case("en")) {
        "en"
    } else {
        "id"
    };
    Ok((format, lang))
}

/// A file download answer.
pub(crate) fn download(bytes: Vec<u8>, format: Format, stem: &str) -> Response {
    let name = export::file_name(stem, format);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

/// The figures of `year` as a download (the API's and the console's).
pub(crate) async fn stats_download(
    state: &AppState,
    year: i64,
    format: Format,
    lang: &str,
) -> Result<Response, ApiError> {
    let catalog = state.catalog();
    let figures = figures(state, Some(year)).await?.year(year);
    let bytes = export::render(&export::statistics(&figures, &catalog, lang), format)
        .map_err(ApiError::internal)?;
    Ok(download(bytes, format, &format!("statistik-{year}")))
}

/// The request list matching `filter` as a download (the API's and the console's).
pub(crate) async fn requests_download(
    state: &AppState,
    filter: RequestFilter,
    format: Format,
    lang: &'static str,
) -> Result<Response, ApiError> {
    let catalog = state.catalog();
    let regions = state.regions();
    let stem = match filter.year {
        Some(y) => format!("permohonan-{y}"),
        None => "permohonan".to_string(),
    };
    let sheet = state
        .db_call(move |db| export::request_list(db, &catalog, regions.as_deref(), &filter, lang))
        .await?;
    let bytes = export::render(&[sheet], format).map_err(ApiError::internal)?;
    Ok(download(bytes, format, &stem))
}

/// This year in the regency's local time.
pub(crate) fn this_year(state: &AppState) -> i64 {
    i64::from(ceria_core::Date::today(state.catalog().utc_offset_minutes()).year())
}

/// `GET /v1/exports/stats?year=&format=&lang=`: the figures of a year (default: this year).
pub(crate) async fn stats_file(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryMap,
) -> Result<Response, ApiError> {
    reader(&caller)?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let (format, lang) = format_and_lang(&query)?;
    let year = year_param(&query)?.unwrap_or_else(|| this_year(&state));
    stats_download(&state, year, format, lang).await
}

/// `GET /v1/exports/requests?format=&lang=&year=&state=&service=&region=`: the request
/// list, oldest first.
pub(crate) async fn requests_file(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryMap,
) -> Result<Response, ApiError> {
    reader(&caller)?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let (format, lang) = format_and_lang(&query)?;
    let filter = request_filter(&query)?;
    requests_download(&state, filter, format, lang).await
}

/// The list filter of a query.
pub(crate) fn request_filter(query: &HashMap<String, String>) -> Result<RequestFilter, ApiError> {
    let state = param(query, "state")
        .map(|s| {
            RequestState::from_code(s)
                .ok_or_else(|| ApiError::malformed(format!("unknown state `{s}`")))
        })
        .transpose()?;
    let region = param(query, "region")
        .map(|r| {
            plausible_parent(r)
                .then(|| r.to_string())
                .ok_or_else(|| ApiError::malformed("region must be a dotted code such as 13.05.01"))
        })
        .transpose()?;
    Ok(RequestFilter {
        state,
        service: param(query, "service").map(str::to_string),
        region,
        year: year_param(query)?,
    })
}
