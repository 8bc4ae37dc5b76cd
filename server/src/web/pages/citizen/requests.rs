//! The citizen's requests, whether filed here, in the app or by an operator for their NIK
//! (the same account and tables, so the same scope as the sync API): `GET
//! /layanan/permohonan` (state, receipt code, service), `GET /layanan/permohonan/{id}` (the
//! data, the files, the reviewer's reasons next to the field or attachment they name, the
//! timeline, the document number and pickup place once completed) and `POST
//! /layanan/permohonan/{id}/batal` (cancel while the workflow allows it: a push of one
//! cancel operation through the sync API's own function).

use crate::http::state::AppState;
use crate::http::sync::push_operations;
use crate::store::requests::{QueueFilter, Scope};
use crate::web::format;
use crate::web::i18n::Lang;
use crate::web::pages::citizen::account::citizen_page;
use crate::web::pages::review::request::{show_value, target_label};
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::citizen::Citizen;
use crate::workflow;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use ceria_core::protocol::{Operation, OperationOutcome, PushRequest, RequestState, ReturnReason};

/// The most requests listed (a citizen files a handful a year).
const MAX_LISTED: usize = 500;

/// The routes of the citizen's requests.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan/permohonan", get(list))
        .route("/layanan/permohonan/{id}", get(show))
        .route("/layanan/permohonan/{id}/batal", post(cancel))
}

/// One row of the list.
struct Row {
    id: String,
    code: String,
    service: String,
    state: String,
    updated: String,
}

/// A draft not sent yet (web form), to continue.
struct DraftRow {
    id: String,
    service: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "citizen/requests.html")]
struct List {
    page: Page,
    rows: Vec<Row>,
    drafts: Vec<DraftRow>,
}

/// A field of the request, with what the reviewer said about it.
struct Value {
    label: String,
    value: String,
    reasons: Vec<String>,
}

/// A requirement with its files and what the reviewer said about it.
struct File {
    label: String,
    /// How many files, worded.
    count: String,
    reasons: Vec<String>,
}

/// One step of the timeline.
struct Step {
    at: String,
    state: String,
    note: Option<String>,
    reasons: Vec<(String, String)>,
    document: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "citizen/request.html")]
struct Detail {
    page: Page,
    id: String,
    code: String,
    service: String,
    service_id: String,
    state: String,
    completed: bool,
    returned: bool,
    can_cancel: bool,
    general_reasons: Vec<String>,
    values: Vec<Value>,
    files: Vec<File>,
    steps: Vec<Step>,
    document: Option<(String, String)>,
}

/// `GET /layanan/permohonan`.
async fn list(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
) -> Result<Response, WebError> {
    let page = citizen_page(
        &state,
        &citizen,
        lang,
        "/layanan/permohonan",
        "web.portal.requests.title",
    );
    let scope = Scope::of(&citizen.user);
    let filter = QueueFilter {
        limit: MAX_LISTED,
        ..QueueFilter::default()
    };
    let mut items = state.db_call(move |db| db.queue(&scope, &filter)).await?;
    items.sort_by_key(|r| std::cmp::Reverse(r.updated_ms));
    let owner = citizen.user.id.clone();
    let drafts = state.db_call(move |db| db.drafts_of(&owner)).await?;
    let t = &page.t;
    let offset = t.catalog().utc_offset_minutes();
    let service_name = |id: &str| {
        t.catalog()
            .service(id)
            .map_or_else(|| id.to_string(), |s| t.label(&s.name).to_string())
    };
    let drafts = drafts
        .into_iter()
        .map(|d| {
            let revised = d.request_id.as_deref().map(|rid| {
                let code = items
                    .iter()
                    .find(|r| r.id == rid)
                    .map_or_else(|| rid.to_string(), |r| r.tracking_code.clone());
                t.with("web.form.drafts.revision", &[("code", code)])
            });
            DraftRow {
                service: match revised {
                    Some(r) => format!("{} ({r})", service_name(&d.service)),
                    None => service_name(&d.service),
                },
                updated: format::date_time(d.updated_ms, offset),
                id: d.id,
            }
        })
        .collect();
    let rows = items
        .into_iter()
        .map(|r| Row {
            service: service_name(&r.service),
            state: t.state(r.state.code()),
            updated: format::date(r.updated_ms, offset),
            code: r.tracking_code,
            id: r.id,
        })
        .collect();
    html(&List { page, rows, drafts })
}

/// The messages of `reasons` about `target`.
fn about(reasons: &[ReturnReason], target: &str) -> Vec<String> {
    reasons
        .iter()
        .filter(|r| r.target.as_deref() == Some(target))
        .map(|r| r.message.clone())
        .collect()
}

/// `GET /layanan/permohonan/{id}`: 404 for a request that is not theirs.
async fn show(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let scope = Scope::of(&citizen.user);
    let wanted = id.clone();
    let detail = state
        .db_call(move |db| db.request_detail(&wanted, &scope))
        .await?
        .ok_or(WebError::NotFound)?;
    let here = format!("/layanan/permohonan/{id}");
    let mut page = citizen_page(&state, &citizen, lang, &here, "web.portal.request.title");
    let t = page.t.clone();
    let catalog = t.catalog();
    let service = catalog.service(&detail.request.service);
    page.title = format!("{} {}", page.title, detail.request.tracking_code);
    let offset = catalog.utc_offset_minutes();
    let current = detail.request.state;
    // What to fix: the reasons of the last return, while the request is returned.
    let reasons: Vec<ReturnReason> = if current == RequestState::Returned {
        detail
            .history
            .iter()
            .rev()
            .find(|h| h.to == RequestState::Returned)
            .map(|h| h.reasons.clone())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let values = match service {
        Some(s) => s
            .fields
            .iter()
            .filter_map(|f| {
                let raw = detail.payload.values.get(&f.id)?;
                Some(Value {
                    label: t.label(&f.label).to_string(),
                    value: show_value(&state, &t, f.kind, f.list.as_deref(), raw),
                    reasons: about(&reasons, &f.id),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let files = match service {
        Some(s) => s
            .attachments
            .iter()
            .filter_map(|a| {
                let count = detail
                    .attachments
                    .iter()
                    .filter(|f| f.requirement == a.id)
                    .count();
                let reasons = about(&reasons, &a.id);
                (count > 0 || !reasons.is_empty()).then(|| File {
                    label: t.label(&a.label).to_string(),
                    count: t.with(
                        "web.portal.request.file_count",
                        &[("count", count.to_string())],
                    ),
                    reasons,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let known = |target: &str| {
        service.is_some_and(|s| {
            s.fields.iter().any(|f| f.id == target) || s.attachments.iter().any(|a| a.id == target)
        })
    };
    let general_reasons = reasons
        .iter()
        .filter(|r| r.target.as_deref().is_none_or(|tg| !known(tg)))
        .map(|r| r.message.clone())
        .collect();
    let steps = detail
        .history
        .iter()
        .map(|h| Step {
            at: format::date_time(h.at_ms, offset),
            state: t.state(h.to.code()),
            note: h.note.clone(),
            reasons: h
                .reasons
                .iter()
                .map(|r| {
                    (
                        target_label(&t, service, r.target.as_deref()),
                        r.message.clone(),
                    )
                })
                .collect(),
            document: h
                .document
                .as_ref()
                .map(|d| (d.number.clone(), d.pickup.clone())),
        })
        .collect::<Vec<_>>();
    let document = detail
        .history
        .iter()
        .rev()
        .find_map(|h| h.document.as_ref())
        .map(|d| (d.number.clone(), d.pickup.clone()));
    html(&Detail {
        id: detail.request.id.clone(),
        code: detail.request.tracking_code.clone(),
        service: service.map_or_else(
            || detail.request.service.clone(),
            |s| t.label(&s.name).to_string(),
        ),
        service_id: detail.request.service.clone(),
        state: t.state(current.code()),
        completed: current == RequestState::Completed,
        returned: current == RequestState::Returned,
        can_cancel: workflow::can_cancel(current),
        general_reasons,
        values,
        files,
        steps,
        document,
        page,
    })
}

/// `POST /layanan/permohonan/{id}/batal`: cancels through the sync API's push (so the app
/// learns it on its next pull); a request that may no longer be cancelled stays as it is.
async fn cancel(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    citizen.check_csrf(&form)?;
    let back = format!("/layanan/permohonan/{id}");
    let op = Operation::Cancel {
        op_id: crate::store::new_id(),
        request_id: id,
    };
    let results = push_operations(
        &state,
        citizen.user,
        PushRequest {
            operations: vec![op],
        },
    )
    .await?;
    match results.into_iter().next().map(|r| r.outcome) {
        Some(OperationOutcome::Conflict { code, .. }) if code == "request.not_found" => {
            Err(WebError::NotFound)
        }
        // Cancelled, or no longer cancellable: the page shows the state as it is.
        Some(_) => Ok(see_other(&back)),
        None => Err(WebError::NotFound),
    }
}
