//! `POST /console/requests/{id}/transition`: verify, return (reasons tied to a field or an
//! attachment, plus free text), process, complete (document number and pickup place) or
//! reject (a note). The form is turned into the API's `TransitionRequest` and applied by
//! `http::review::apply_transition`, the same path as `POST /v1/requests/{id}/transitions`.

use crate::http::review::apply_transition;
use crate::http::state::AppState;
use crate::web::format::url_component;
use crate::web::render::{Fields, WebError, see_other};
use crate::web::session::Staff;
use crate::workflow::missing_part;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use ceria_core::protocol::{DocumentInfo, RequestState, ReturnReason, Role, TransitionRequest};

/// Longest text kept from one box of the form.
const MAX_TEXT: usize = 2000;
/// Most field- or attachment-bound reasons of one return.
const MAX_REASONS: usize = 10;

fn text(form: &Fields, name: &str) -> Option<String> {
    form.get(name).map(|s| s.chars().take(MAX_TEXT).collect())
}

/// The API's transition request of a posted form.
pub(crate) fn transition_of(form: &Fields) -> Option<TransitionRequest> {
    let to = RequestState::from_code(form.get("to")?)?;
    let mut reasons = Vec::new();
    if to == RequestState::Returned {
        for i in 1..=MAX_REASONS {
            if let Some(message) = text(form, &format!("reason_message_{i}")) {
                reasons.push(ReturnReason {
                    target: text(form, &format!("reason_target_{i}")),
                    message,
                });
            }
        }
        if let Some(message) = text(form, "reason_general") {
            reasons.push(ReturnReason {
                target: None,
                message,
            });
        }
    }
    let document = match (text(form, "document_number"), text(form, "pickup")) {
        (Some(number), Some(pickup)) if to == RequestState::Completed => {
            Some(DocumentInfo { number, pickup })
        }
        _ => None,
    };
    Some(TransitionRequest {
        to,
        note: text(form, "note"),
        reasons,
        document,
    })
}

/// `POST /console/requests/{id}/transition`.
pub(crate) async fn transition(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    staff.check_csrf(&form)?;
    staff.require(&[Role::Operator, Role::Officer])?;
    let back = format!("/console/requests/{}", url_component(&id));
    let Some(request) = transition_of(&form) else {
        return Ok(see_other(&format!("{back}?problem=web.problem.action")));
    };
    // What is missing is said on the page, next to the form (the workflow checks it again).
    if let Some(part) = missing_part(
        request.to,
        request.note.as_deref(),
        &request.reasons,
        request.document.as_ref(),
    ) {
        return Ok(see_other(&format!("{back}?problem=web.missing.{part}")));
    }
    match apply_transition(&state, &staff.user, id, request).await {
        Ok(change) => Ok(see_other(&format!("{back}?done={}", change.state.code()))),
        // Someone else acted first: the page shows the state it is in now.
        Err(e) if e.status == StatusCode::CONFLICT => {
            Ok(see_other(&format!("{back}?problem=web.problem.conflict")))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        Fields::of(pairs)
    }

    #[test]
    fn a_return_carries_its_bound_and_free_reasons() {
        let t = transition_of(&form(&[
            ("to", "returned"),
            ("reason_target_1", "kk"),
            ("reason_message_1", "Foto KK buram"),
            ("reason_target_2", "nama"),
            ("reason_message_2", " "),
            ("reason_general", "Mohon datang ke kantor nagari"),
        ]))
        .unwrap();
        assert_eq!(t.to, RequestState::Returned);
        assert_eq!(t.reasons.len(), 2);
        assert_eq!(t.reasons[0].target.as_deref(), Some("kk"));
        assert_eq!(t.reasons[1].target, None);
    }

    #[test]
    fn completion_needs_both_document_parts() {
        let t = transition_of(&form(&[("to", "completed"), ("document_number", "1")])).unwrap();
        assert!(t.document.is_none());
        let t = transition_of(&form(&[
            ("to", "completed"),
            ("document_number", "1305-KTP-0001"),
            ("pickup", "Kantor nagari"),
        ]))
        .unwrap();
        assert_eq!(t.document.unwrap().pickup, "Kantor nagari");
        assert!(transition_of(&form(&[("to", "done")])).is_none());
    }
}
