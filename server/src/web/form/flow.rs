//! The form's handlers, shared by the citizens' pages and the console: start a draft (of a
//! service, or from a returned request), show it, take a post (save, choose a region level,
//! final check, send), answer a live check, delete it. Each audience's page module extracts
//! its session into a [`Filer`] and wraps the [`FormView`] in its own layout.

use crate::http::error::ApiError;
use crate::http::state::{AppState, blocking};
use crate::store::drafts::{DraftLimits, DraftRefused, WebDraft};
use crate::store::new_id;
use crate::store::now_ms;
use crate::store::requests::Scope;
use crate::web::csrf;
use crate::web::form::Filer;
use crate::web::form::check::{self, Checked, LiveAnswer};
use crate::web::form::fields::Show;
use crate::web::form::posted::{Posted, VALUE};
use crate::web::form::send::{self, Sent, village_field};
use crate::web::form::view::{Build, FormView, ON_BEHALF_OF};
use crate::web::form::{files, regions};
use crate::web::i18n::Texts;
use crate::web::render::{Fields, WebError, see_other};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ceria_core::catalog::source::FieldKind;
use ceria_core::protocol::{AttachmentRef, RequestPayload, RequestState, ReturnReason};
use ceria_core::validate::nik::strip_separators;
use ceria_core::{Issue, RegionLevel, ValidationContext};
use std::collections::BTreeMap;

/// The bounds of an account's drafts: a citizen files a handful of requests a year, an
/// operator a few a day; the values of a form are at most a few KB.
pub(crate) const DRAFT_LIMITS: DraftLimits = DraftLimits {
    max_drafts: 20,
    max_bytes: 64 * 1024,
};

/// What a post answers: the form again (with its status), or a redirect.
pub(crate) enum Answer {
    /// The form, with messages.
    Form(StatusCode, Box<FormView>),
    /// Go there.
    Redirect(String),
}

fn refused(r: DraftRefused) -> WebError {
    match r {
        DraftRefused::NotYours => WebError::NotFound,
        DraftRefused::TooMany(max) => WebError::Api(
            ApiError::new(StatusCode::CONFLICT, "web.form.too_many_drafts")
                .with("max", max.to_string()),
        ),
        DraftRefused::TooLarge(max) => WebError::Api(
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "web.form.too_large")
                .with("max_kb", (max / 1024).to_string()),
        ),
    }
}

async fn save(state: &AppState, draft: &WebDraft) -> Result<(), WebError> {
    let stored = draft.clone();
    state
        .db_call(move |db| db.save_draft(&stored, &DRAFT_LIMITS, now_ms()))
        .await?
        .map_err(refused)
}

async fn load(state: &AppState, filer: &Filer, id: &str) -> Result<Option<WebDraft>, WebError> {
    let (id, user) = (id.to_string(), filer.user.id.clone());
    Ok(state.db_call(move |db| db.draft(&id, &user)).await?)
}

fn empty_draft(filer: &Filer, id: String, service: String) -> WebDraft {
    WebDraft {
        id,
        user_id: filer.user.id.clone(),
        service,
        request_id: None,
        on_behalf_of: None,
        values: BTreeMap::new(),
        attachments: Vec::new(),
        updated_ms: 0,
    }
}

/// `POST …/baru` (field `service`): a new draft of that service, then its page.
pub(crate) async fn start(
    state: &AppState,
    filer: &Filer,
    form: &Fields,
) -> Result<Response, WebError> {
    csrf::check(&filer.csrf, form.get(csrf::FIELD))?;
    let service = form
        .get("service")
        .filter(|s| state.catalog().service(s).is_some())
        .ok_or(WebError::NotFound)?;
    let draft = empty_draft(filer, new_id(), service.to_string());
    save(state, &draft).await?;
    Ok(see_other(&filer.draft_url(&draft.id)))
}

/// `POST …/permohonan/{id}/perbaiki`: a draft revising the returned request `request_id`,
/// prefilled with its values and files, then its page. A request that is not returned (any
/// more) goes back to its page; one outside the account's scope is 404.
pub(crate) async fn start_revision(
    state: &AppState,
    filer: &Filer,
    request_id: &str,
    form: &Fields,
) -> Result<Response, WebError> {
    csrf::check(&filer.csrf, form.get(csrf::FIELD))?;
    let scope = Scope::of(&filer.user);
    let wanted = request_id.to_string();
    let detail = state
        .db_call(move |db| db.request_detail(&wanted, &scope))
        .await?
        .ok_or(WebError::NotFound)?;
    if detail.request.state != RequestState::Returned {
        return Ok(see_other(&filer.request_url(request_id)));
    }
    let mut draft = empty_draft(filer, new_id(), detail.payload.service.clone());
    draft.request_id = Some(detail.request.id.clone());
    draft.on_behalf_of = detail.payload.on_behalf_of.clone();
    draft.values = detail.payload.values.clone();
    draft.attachments = detail.attachments.iter().map(AttachmentRef::from).collect();
    save(state, &draft).await?;
    Ok(see_other(&filer.draft_url(&draft.id)))
}

/// `POST …/draf/{id}/hapus`: deletes a draft, back to the list.
pub(crate) async fn delete(
    state: &AppState,
    filer: &Filer,
    id: &str,
    form: &Fields,
) -> Result<Response, WebError> {
    csrf::check(&filer.csrf, form.get(csrf::FIELD))?;
    let (key, user) = (id.to_string(), filer.user.id.clone());
    state
        .db_call(move |db| db.delete_draft(&key, &user))
        .await?;
    Ok(see_other(filer.list_url()))
}

/// The reasons of the last return of the request a draft revises.
async fn reasons(
    state: &AppState,
    filer: &Filer,
    draft: &WebDraft,
) -> Result<Vec<ReturnReason>, WebError> {
    let Some(request_id) = draft.request_id.clone() else {
        return Ok(Vec::new());
    };
    let scope = Scope::of(&filer.user);
    let detail = state
        .db_call(move |db| db.request_detail(&request_id, &scope))
        .await?;
    Ok(detail
        .and_then(|d| {
            d.history
                .iter()
                .rev()
                .find(|h| h.to == RequestState::Returned)
                .map(|h| h.reasons.clone())
        })
        .unwrap_or_default())
}

/// Checks a draft as the push will (on the blocking pool: the files' heads are read).
async fn check_draft(
    state: &AppState,
    filer: &Filer,
    draft: &WebDraft,
) -> Result<(Checked, RequestPayload), WebError> {
    let (st, filer, draft) = (state.clone(), filer.clone(), draft.clone());
    Ok(blocking(move || {
        let catalog = st.catalog();
        let payload = send::payload(&catalog, &filer, &draft, None);
        let facts = check::facts(&st, &payload)?;
        let regions = st.regions();
        let ctx = ValidationContext {
            today: st.config.validation_today,
            regions: regions.as_deref(),
        };
        let village = village_field(&catalog, &filer, &draft.service);
        let checked = check::check(&catalog, &ctx, &filer.user, &payload, &facts, village);
        Ok((checked, payload))
    })
    .await?)
}

/// Puts the values of a post into `draft`. A field the post does not carry keeps its value
/// (a hidden field is disabled, so a browser does not send it); a blank one is cleared.
fn take_values(state: &AppState, filer: &Filer, draft: &mut WebDraft, fields: &Fields) {
    let catalog = state.catalog();
    let Some(service) = catalog.service(&draft.service) else {
        return;
    };
    let carries = |name: &str| fields.0.iter().any(|(k, _)| k == name);
    for f in service.fields.iter().filter(|f| f.calculate.is_none()) {
        let name = format!("{VALUE}{}", f.id);
        let value = if f.kind == FieldKind::Region {
            let picked = carries(&name) || carries(&format!("r.{}.1", f.id));
            if !picked {
                continue;
            }
            let level = f.region_level.unwrap_or(RegionLevel::Village);
            regions::read(fields, &f.id, level)
        } else if carries(&name) {
            fields.get(&name).map(str::to_string)
        } else {
            continue;
        };
        match value {
            Some(v) => draft.values.insert(f.id.clone(), v),
            None => draft.values.remove(&f.id),
        };
    }
    if filer.for_residents() && carries(ON_BEHALF_OF) {
        draft.on_behalf_of = fields.get(ON_BEHALF_OF).map(strip_separators);
    }
}

/// The draft a post is about: the stored one, or, for a send whose draft is gone (sent
/// already: a double click, a replayed post), the one the post describes, so the push
/// answers the same operation with the same outcome.
async fn posted_draft(
    state: &AppState,
    filer: &Filer,
    id: &str,
    posted: &Posted,
) -> Result<(WebDraft, bool), WebError> {
    if let Some(draft) = load(state, filer, id).await? {
        return Ok((draft, true));
    }
    let f = &posted.fields;
    if posted.action() != "send" || id.is_empty() || id.len() > 128 {
        return Err(WebError::NotFound);
    }
    let service = f
        .get("service")
        .filter(|s| state.catalog().service(s).is_some())
        .ok_or(WebError::NotFound)?;
    let mut draft = empty_draft(filer, id.to_string(), service.to_string());
    draft.request_id = f.get("request").map(str::to_string);
    if !filer.for_residents() {
        draft.on_behalf_of = f.get(ON_BEHALF_OF).map(str::to_string);
    }
    Ok((draft, false))
}

/// What a form view shows: the draft, its check, which messages, files refused by this
/// post, messages of the push, whether it was just saved.
struct Shown<'a> {
    draft: &'a WebDraft,
    checked: &'a Checked,
    show: Show,
    refused: &'a BTreeMap<String, Issue>,
    extra: Vec<String>,
    saved: bool,
}

impl<'a> Shown<'a> {
    /// Every message (the final check, a refused send).
    fn all(
        draft: &'a WebDraft,
        checked: &'a Checked,
        refused: &'a BTreeMap<String, Issue>,
    ) -> Shown<'a> {
        Shown {
            draft,
            checked,
            show: Show::All,
            refused,
            extra: Vec::new(),
            saved: false,
        }
    }
}

/// The form view of `s`, with the reviewer's reasons and the region table.
async fn view(
    state: &AppState,
    filer: &Filer,
    t: &Texts,
    s: Shown<'_>,
) -> Result<Box<FormView>, WebError> {
    let reasons = reasons(state, filer, s.draft).await?;
    let regions = state.regions();
    FormView::build(Build {
        t,
        filer,
        draft: s.draft,
        checked: s.checked,
        show: s.show,
        refused: s.refused,
        regions: regions.as_deref(),
        reasons: &reasons,
        extra: s.extra,
        saved: s.saved,
    })
    .map(Box::new)
    .ok_or(WebError::NotFound)
}

/// `GET …/draf/{id}`: the form of a draft, with messages on what is filled in.
pub(crate) async fn show(
    state: &AppState,
    filer: &Filer,
    t: &Texts,
    id: &str,
    saved: bool,
) -> Result<Box<FormView>, WebError> {
    let draft = load(state, filer, id).await?.ok_or(WebError::NotFound)?;
    let (checked, _) = check_draft(state, filer, &draft).await?;
    let none = BTreeMap::new();
    view(
        state,
        filer,
        t,
        Shown {
            draft: &draft,
            checked: &checked,
            show: Show::Filled,
            refused: &none,
            extra: Vec::new(),
            saved,
        },
    )
    .await
}

/// `POST …/draf/{id}`: saves what was posted (values and files), then by `action`: `send`
/// (checked, then pushed; refused: the form with every message), `check` (the form with the
/// final check), otherwise back to the draft's page (a region level chosen, or saved).
pub(crate) async fn post(
    state: &AppState,
    filer: &Filer,
    t: &Texts,
    id: &str,
    posted: Posted,
) -> Result<Answer, WebError> {
    csrf::check(&filer.csrf, posted.fields.get(csrf::FIELD))?;
    let (mut draft, stored) = posted_draft(state, filer, id, &posted).await?;
    take_values(state, filer, &mut draft, &posted.fields);
    let catalog = state.catalog();
    let refused = files::apply(state, &filer.user, &catalog, &mut draft, &posted).await?;
    let action = posted.action().to_string();
    if action != "send" {
        save(state, &draft).await?;
    }
    // A file refused on a save or a region choice is said at its input, never dropped
    // behind a "saved" redirect.
    if !refused.is_empty() && !matches!(action.as_str(), "send" | "check") {
        let (checked, _) = check_draft(state, filer, &draft).await?;
        let shown = Shown {
            saved: true,
            ..Shown::all(&draft, &checked, &refused)
        };
        let form = view(state, filer, t, shown).await?;
        return Ok(Answer::Form(StatusCode::UNPROCESSABLE_ENTITY, form));
    }
    match action.as_str() {
        "send" => {}
        "check" => {
            let (checked, _) = check_draft(state, filer, &draft).await?;
            let form = view(
                state,
                filer,
                t,
                Shown {
                    saved: true,
                    ..Shown::all(&draft, &checked, &refused)
                },
            )
            .await?;
            return Ok(Answer::Form(StatusCode::OK, form));
        }
        "choose" => {
            let anchor = posted
                .fields
                .0
                .iter()
                .find_map(|(k, _)| k.strip_prefix("r.").and_then(|r| r.split('.').next()))
                .map(|f| format!("#field-{f}"))
                .unwrap_or_default();
            return Ok(Answer::Redirect(format!("{}{anchor}", filer.draft_url(id))));
        }
        _ => {
            return Ok(Answer::Redirect(format!(
                "{}?disimpan=1",
                filer.draft_url(id)
            )));
        }
    }
    let (mut checked, _) = check_draft(state, filer, &draft).await?;
    if checked.errors() > 0 || !refused.is_empty() {
        if stored {
            save(state, &draft).await?;
        }
        let form = view(state, filer, t, Shown::all(&draft, &checked, &refused)).await?;
        return Ok(Answer::Form(StatusCode::UNPROCESSABLE_ENTITY, form));
    }
    let payload = send::payload(&catalog, filer, &draft, Some(&checked.relevant));
    let extra = match send::send(state, filer, &draft, payload).await? {
        Sent::Accepted(request_id) => {
            let (key, user) = (draft.id.clone(), filer.user.id.clone());
            state
                .db_call(move |db| db.delete_draft(&key, &user))
                .await?;
            return Ok(Answer::Redirect(filer.request_url(&request_id)));
        }
        Sent::Rejected(issues) => {
            let village = village_field(&catalog, filer, &draft.service);
            for issue in issues {
                checked.add(village, issue);
            }
            Vec::new()
        }
        // Sent before under this id with other content, or no longer returned: nothing more
        // to do here.
        Sent::Conflict(..) if !stored => return Ok(Answer::Redirect(filer.list_url().into())),
        Sent::Conflict(id_text, en_text) => {
            vec![if t.lang.code() == "en" {
                en_text
            } else {
                id_text
            }]
        }
    };
    save(state, &draft).await?;
    let form = view(
        state,
        filer,
        t,
        Shown {
            extra,
            ..Shown::all(&draft, &checked, &refused)
        },
    )
    .await?;
    Ok(Answer::Form(StatusCode::UNPROCESSABLE_ENTITY, form))
}

/// `POST …/draf/{id}/cek` (the form's values, urlencoded): saves them into the draft and
/// answers the check as JSON (the message of each field, which fields are relevant).
pub(crate) async fn live(
    state: &AppState,
    filer: &Filer,
    t: &Texts,
    id: &str,
    fields: &Fields,
) -> Result<Response, WebError> {
    csrf::check(&filer.csrf, fields.get(csrf::FIELD))?;
    let mut draft = load(state, filer, id).await?.ok_or(WebError::NotFound)?;
    take_values(state, filer, &mut draft, fields);
    save(state, &draft).await?;
    let (checked, _) = check_draft(state, filer, &draft).await?;
    Ok(Json(LiveAnswer::of(&checked, t.lang.code())).into_response())
}
