//! `GET /console/requests/{id}`: one request for its reviewer: the form as labelled fields
//! (code lists as their labels, regions as names), the attachments inline (photos with zoom
//! and rotate, PDFs linked), the core's warnings, the history, and the actions the workflow
//! allows this account (`workflow::check_review`, the rule the API applies).
//! `GET /console/requests/{id}/files/{sha256}` serves an attachment through the API's
//! handler (same scope check, same headers).

use crate::http::review::{attachment_response, request_detail};
use crate::http::state::AppState;
use crate::web::format;
use crate::web::i18n::{Lang, Texts};
use crate::web::pages::review::queue::village_name;
use crate::web::render::{Page, WebError, html};
use crate::web::session::Staff;
use crate::workflow::check_review;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use ceria_core::catalog::source::{FieldKind, ServiceSource};
use ceria_core::protocol::{RequestDetail, RequestState, Role};
use std::collections::HashMap;

/// A field of the form, worded.
pub(crate) struct FieldView {
    label: String,
    value: String,
    warning: Option<String>,
}

/// An attachment.
pub(crate) struct FileView {
    label: String,
    href: String,
    name: String,
    size_kb: u64,
    image: bool,
}

/// A reason of a return, worded.
pub(crate) struct ReasonView {
    target: String,
    message: String,
}

/// One entry of the history.
pub(crate) struct HistoryView {
    when: String,
    actor: String,
    role: String,
    to: String,
    note: Option<String>,
    reasons: Vec<ReasonView>,
    document: Option<(String, String)>,
}

/// What a return reason may point at: a field or an attachment requirement.
pub(crate) struct Target {
    value: String,
    label: String,
}

/// The actions this account may take on the request now.
#[derive(Default)]
pub(crate) struct Actions {
    verify: bool,
    give_back: bool,
    process: bool,
    complete: bool,
    reject: bool,
}

impl Actions {
    fn any(&self) -> bool {
        self.verify || self.give_back || self.process || self.complete || self.reject
    }
}

#[derive(Template)]
#[template(path = "review/request.html")]
struct RequestPage {
    page: Page,
    id: String,
    notice: Option<String>,
    problem: Option<String>,
    tracking_code: String,
    service: String,
    state_code: &'static str,
    state: String,
    village: String,
    nik: String,
    submitted: String,
    service_days: u32,
    fields: Vec<FieldView>,
    general_warnings: Vec<String>,
    files: Vec<FileView>,
    history: Vec<HistoryView>,
    actions: Actions,
    targets: Vec<Target>,
    reason_rows: [u8; 3],
}

/// The label of a reason's target (a field or an attachment of `service`).
pub(crate) fn target_label(
    t: &Texts,
    service: Option<&ServiceSource>,
    target: Option<&str>,
) -> String {
    let Some(target) = target else {
        return t.get("web.reason.general");
    };
    let found = service.and_then(|s| {
        s.fields
            .iter()
            .find(|f| f.id == target)
            .map(|f| &f.label)
            .or_else(|| {
                s.attachments
                    .iter()
                    .find(|a| a.id == target)
                    .map(|a| &a.label)
            })
    });
    found.map_or_else(|| target.to_string(), |l| t.label(l).to_string())
}

/// A field's value as a person reads it.
pub(crate) fn show_value(
    state: &AppState,
    t: &Texts,
    kind: FieldKind,
    list: Option<&str>,
    raw: &str,
) -> String {
    match kind {
        FieldKind::Choice => list
            .and_then(|l| t.catalog().code_label(l, raw))
            .map_or_else(|| raw.to_string(), |label| t.label(label).to_string()),
        FieldKind::Region => {
            let name = village_name(state, raw);
            if name == raw {
                name
            } else {
                format!("{name} ({raw})")
            }
        }
        FieldKind::Bool => match raw {
            "true" | "1" | "ya" => t.get("web.yes"),
            "false" | "0" | "tidak" => t.get("web.no"),
            other => other.to_string(),
        },
        _ => raw.to_string(),
    }
}

fn view(
    state: &AppState,
    staff: &Staff,
    page: Page,
    detail: RequestDetail,
    q: &HashMap<String, String>,
) -> RequestPage {
    let t = page.t.clone();
    let catalog = t.catalog();
    let offset = catalog.utc_offset_minutes();
    let r = &detail.request;
    let service = catalog.service(&r.service);
    let lang = t.lang.code();
    let warning_of = |field: &str| {
        let texts: Vec<&str> = detail
            .warnings
            .iter()
            .filter(|w| w.field.as_deref() == Some(field))
            .map(|w| {
                if lang == "en" {
                    w.message_en.as_str()
                } else {
                    w.message_id.as_str()
                }
            })
            .collect();
        (!texts.is_empty()).then(|| texts.join(" "))
    };
    let mut fields: Vec<FieldView> = Vec::new();
    let values = &detail.payload.values;
    if let Some(s) = service {
        for f in &s.fields {
            if let Some(raw) = values.get(&f.id) {
                fields.push(FieldView {
                    label: t.label(&f.label).to_string(),
                    value: show_value(state, &t, f.kind, f.list.as_deref(), raw),
                    warning: warning_of(&f.id),
                });
            }
        }
    }
    // Values the catalog in force does not know (a field since removed) still show.
    for (id, raw) in values {
        if service.is_none_or(|s| s.fields.iter().all(|f| &f.id != id)) {
            fields.push(FieldView {
                label: id.clone(),
                value: raw.clone(),
                warning: warning_of(id),
            });
        }
    }
    let general_warnings = detail
        .warnings
        .iter()
        .filter(|w| w.field.as_deref().is_none_or(|f| !values.contains_key(f)))
        .map(|w| {
            if lang == "en" {
                w.message_en.clone()
            } else {
                w.message_id.clone()
            }
        })
        .collect();
    let files = detail
        .attachments
        .iter()
        .map(|a| FileView {
            label: target_label(&t, service, Some(&a.requirement)),
            href: format!("/console/requests/{}/files/{}", r.id, a.sha256),
            name: format!(
                "{}-{}",
                a.requirement,
                a.sha256.get(..8).unwrap_or_default()
            ),
            size_kb: a.size.div_ceil(1024),
            image: a.media_type.starts_with("image/"),
        })
        .collect();
    let history = detail
        .history
        .iter()
        .map(|h| HistoryView {
            when: format::date_time(h.at_ms, offset),
            actor: h.actor.clone(),
            role: t.get(&format!("web.role.{}", h.actor_role.code())),
            to: t.state(h.to.code()),
            note: h.note.clone(),
            reasons: h
                .reasons
                .iter()
                .map(|x| ReasonView {
                    target: target_label(&t, service, x.target.as_deref()),
                    message: x.message.clone(),
                })
                .collect(),
            document: h
                .document
                .as_ref()
                .map(|d| (d.number.clone(), d.pickup.clone())),
        })
        .collect();
    let may = |to: RequestState| check_review(&staff.user, &r.village, r.state, to).is_ok();
    let actions = Actions {
        verify: may(RequestState::Verified),
        give_back: may(RequestState::Returned),
        process: may(RequestState::Processing),
        complete: may(RequestState::Completed),
        reject: may(RequestState::Rejected),
    };
    let mut targets = vec![Target {
        value: String::new(),
        label: t.get("web.reason.general"),
    }];
    if let Some(s) = service {
        targets.extend(s.fields.iter().map(|f| Target {
            value: f.id.clone(),
            label: format!("{}: {}", t.get("web.reason.field"), t.label(&f.label)),
        }));
        targets.extend(s.attachments.iter().map(|a| Target {
            value: a.id.clone(),
            label: format!("{}: {}", t.get("web.reason.attachment"), t.label(&a.label)),
        }));
    }
    let notice = q
        .get("done")
        .and_then(|s| RequestState::from_code(s))
        .map(|s| t.with("web.request.done", &[("state", t.state(s.code()))]));
    let problem = q
        .get("problem")
        .filter(|code| code.starts_with("web.") && catalog.has_message(code))
        .map(|code| t.get(code));
    RequestPage {
        id: r.id.clone(),
        notice,
        problem,
        tracking_code: r.tracking_code.clone(),
        service: service.map_or_else(|| r.service.clone(), |s| t.label(&s.name).to_string()),
        state_code: r.state.code(),
        state: t.state(r.state.code()),
        village: village_name(state, &r.village),
        nik: r.citizen_nik.clone(),
        submitted: format::date_time(r.created_ms, offset),
        service_days: service.map_or(0, |s| s.service_days),
        fields,
        general_warnings,
        files,
        history,
        actions,
        targets,
        reason_rows: [1, 2, 3],
        page,
    }
}

/// `GET /console/requests/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    Path(id): Path<String>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, WebError> {
    staff.require(&[Role::Operator, Role::Officer])?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let detail = request_detail(&state, &staff.user, id).await?;
    let here = format!("/console/requests/{}", detail.request.id);
    let page = Page::new(&state, &staff, lang, &here, "web.request.title");
    html(&view(&state, &staff, page, detail, &q))
}

/// `GET /console/requests/{id}/files/{sha256}`.
pub(crate) async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, WebError> {
    staff.require(&[Role::Operator, Role::Officer])?;
    Ok(attachment_response(&state, &staff.user, id, sha256).await?)
}
