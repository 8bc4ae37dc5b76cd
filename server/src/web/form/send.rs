//! Sending a draft: the payload as the apps build it, pushed as a Submit (or a Revise of the
//! returned request) through the sync API's own function, so the request is validated and
//! stored exactly as an app's would be and shows in the app after its next sync. The draft id
//! is the operation's `op_id`: a double click or a replayed post is the same operation, which
//! the push answers with the same outcome instead of a second request.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::sync::push_operations;
use crate::store::drafts::WebDraft;
use crate::web::form::Filer;
use ceria_core::Catalog;
use ceria_core::Issue;
use ceria_core::catalog::source::{FieldKind, ServiceSource};
use ceria_core::protocol::{Operation, OperationOutcome, PushRequest, RequestPayload};
use ceria_core::{RegionLevel, validate::region::parse_code};
use std::collections::BTreeSet;

/// The service's first village-level region field: the nagari whose office checks a
/// citizen's request (the apps take the same field).
pub(crate) fn village_field(service: &ServiceSource) -> Option<&str> {
    service
        .fields
        .iter()
        .find(|f| f.kind == FieldKind::Region && f.region_level == Some(RegionLevel::Village))
        .map(|f| f.id.as_str())
}

/// The payload of `draft` as `filer` sends it. With `relevant` given, only the values of
/// those fields are kept (hidden fields are not sent); computed fields never are.
pub(crate) fn payload(
    catalog: &Catalog,
    filer: &Filer,
    draft: &WebDraft,
    relevant: Option<&BTreeSet<String>>,
) -> RequestPayload {
    let service = catalog.service(&draft.service);
    let values = draft
        .values
        .iter()
        .filter(|(id, value)| {
            !value.trim().is_empty()
                && service.is_some_and(|s| {
                    s.fields
                        .iter()
                        .any(|f| &f.id == *id && f.calculate.is_none())
                })
                && relevant.is_none_or(|r| r.contains(*id))
        })
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let village = if filer.for_residents() {
        filer.user.village.clone().unwrap_or_default()
    } else {
        service
            .and_then(village_field)
            .and_then(|f| draft.values.get(f))
            .map(|v| {
                parse_code(v).map_or_else(|_| v.trim().to_string(), |c| c.as_str().to_string())
            })
            .unwrap_or_default()
    };
    RequestPayload {
        service: draft.service.clone(),
        catalog_version: catalog.version().to_string(),
        values,
        attachments: draft.attachments.clone(),
        village,
        on_behalf_of: draft.on_behalf_of.clone(),
    }
}

/// What became of a send.
#[derive(Debug)]
pub(crate) enum Sent {
    /// Stored (or stored before, for a replay): the request's id.
    Accepted(String),
    /// Refused: what to fix.
    Rejected(Vec<Issue>),
    /// Not applied (the request is no longer returned, the key was used for other content):
    /// the message, in Indonesian and English.
    Conflict(String, String),
}

/// Pushes `payload` as the operation of `draft`.
pub(crate) async fn send(
    state: &AppState,
    filer: &Filer,
    draft: &WebDraft,
    payload: RequestPayload,
) -> Result<Sent, ApiError> {
    let op = match &draft.request_id {
        Some(request_id) => Operation::Revise {
            op_id: draft.id.clone(),
            request_id: request_id.clone(),
            request: payload,
        },
        None => Operation::Submit {
            op_id: draft.id.clone(),
            local_id: draft.id.clone(),
            request: payload,
        },
    };
    let results = push_operations(
        state,
        filer.user.clone(),
        PushRequest {
            operations: vec![op],
        },
    )
    .await?;
    let outcome = results
        .into_iter()
        .next()
        .map(|r| r.outcome)
        .ok_or_else(|| ApiError::internal("a push of one operation answered nothing"))?;
    Ok(match outcome {
        OperationOutcome::Accepted { request_id, .. } => Sent::Accepted(request_id),
        OperationOutcome::Rejected { issues } => Sent::Rejected(issues),
        OperationOutcome::Conflict {
            message_id,
            message_en,
            ..
        } => Sent::Conflict(message_id, message_en),
        OperationOutcome::CatalogOutdated { current_version } => {
            let text = state
                .catalog()
                .message("catalog.outdated", &[("version", current_version)]);
            Sent::Conflict(text.id, text.en)
        }
    })
}
