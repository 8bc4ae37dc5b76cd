//! The handlers of the admin pages that take a text file (the region table, the catalog),
//! written once over an [`UploadPage`]: `GET` shows the page, `POST` (multipart, field
//! `file`, the anti-forgery token) reads the file within the page's limit, hands its text to
//! the page, and answers the page's redirect or the page again with the refusal (422).
//! What each file means, how it is checked and put in force, stays with its page.

use super::{invalid, params};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::pages::admin::QueryMap;
use crate::web::render::{Fields, WebError, see_other};
use crate::web::session::Staff;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::get;
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// What a multipart form carries besides the file (the token, the boundaries).
const FORM_OVERHEAD: usize = 64 * 1024;

/// An admin page that takes a text file.
pub(super) trait UploadPage: 'static {
    /// Its path.
    const PATH: &'static str;
    /// The largest file it takes.
    const MAX_BYTES: usize;

    /// The page (`q`: its query), with `error` about a refused file (then answered 422).
    fn render(
        state: &AppState,
        staff: &Staff,
        lang: Lang,
        q: &HashMap<String, String>,
        error: Option<String>,
    ) -> impl Future<Output = Result<Response, WebError>> + Send;

    /// Takes the file's `text`: where to go once it is in force, or why it is refused
    /// (worded with `t`).
    fn take(
        state: &AppState,
        staff: &Staff,
        t: &Texts,
        text: String,
    ) -> impl Future<Output = Result<Result<String, String>, WebError>> + Send;
}

/// The route of page `P`.
pub(super) fn router<P: UploadPage>() -> Router<AppState> {
    Router::new().route(
        P::PATH,
        get(show::<P>)
            .post(upload::<P>)
            .layer(DefaultBodyLimit::max(P::MAX_BYTES + FORM_OVERHEAD)),
    )
}

/// `GET`: the page.
async fn show<P: UploadPage>(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    P::render(&state, &staff, lang, &params(q), None).await
}

/// `POST` (multipart, field `file`): the file taken, or the page again with its refusal.
async fn upload<P: UploadPage>(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let none = HashMap::new();
    let taken = match uploaded_text(&state, &staff, lang, multipart, P::MAX_BYTES).await? {
        Ok(text) => P::take(&state, &staff, &Texts::new(&state, lang), text).await?,
        Err(error) => Err(error),
    };
    match taken {
        Ok(to) => Ok(see_other(&to)),
        Err(error) => P::render(&state, &staff, lang, &none, Some(error)).await,
    }
}

/// A posted upload form: its text fields (with the anti-forgery token) and the file.
struct Upload {
    /// The text fields.
    pub fields: Fields,
    /// The file's bytes (empty when none was chosen).
    pub file: Vec<u8>,
}

/// Reads a `multipart/form-data` form with one file field `file` of at most `max` bytes.
/// A body that is not such a form reads as an empty one (refused for its missing token).
async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<Upload, WebError> {
    let mut upload = Upload {
        fields: Fields::default(),
        file: Vec::new(),
    };
    let Ok(mut multipart) = multipart else {
        return Ok(upload);
    };
    let too_large = || WebError::Api(ApiError::body_too_large(max));
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                if upload.file.len() + chunk.len() > max {
                    return Err(too_large());
                }
                upload.file.extend_from_slice(&chunk);
            }
        } else {
            let value = field.text().await.map_err(|_| too_large())?;
            upload
                .fields
                .0
                .push((name, value.chars().take(200).collect()));
        }
    }
    Ok(upload)
}

/// The text file of an admin's upload form with its token checked; `Err(notice)` when the
/// file is not UTF-8 text (the notice to show on the form).
async fn uploaded_text(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<Result<String, String>, WebError> {
    staff.require(&[Role::Admin])?;
    let Upload { fields, file } = read_upload(multipart, max).await?;
    staff.check_csrf(&fields)?;
    Ok(String::from_utf8(file).map_err(|_| invalid(&Texts::new(state, lang), "not UTF-8 text")))
}
