//! The sync API: `POST /v1/sync/push` (batched, idempotent operations; forms, villages and
//! the stored files checked with the core's rules, requests per day limited) and
//! `GET /v1/sync/pull` (status changes visible to the caller, in server order).

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::JsonBody;
use crate::http::state::{AppState, blocking};
use crate::identity;
use crate::store::blobs::is_sha256_hex;
use crate::store::now_ms;
use crate::store::push::{Applied, PreparedOp, PushLimits, Verdict};
use crate::store::requests::Scope;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use ceria_core::catalog::attachments::{AttachedFile, SNIFF_BYTES, media_type_of};
use ceria_core::catalog::compare_versions;
use ceria_core::protocol::{
    MAX_PUSH_OPERATIONS, Operation, OperationOutcome, OperationResult, PULL_PAGE_SIZE,
    PullResponse, PushRequest, PushResponse, RequestPayload, Role, UserInfo,
};
use ceria_core::validate::nik::strip_separators;
use ceria_core::validate::region::{check_code, parse_code};
use ceria_core::{
    Catalog, Date, Finding, Issue, RegionLevel, Severity, ValidateError, ValidationContext,
};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

/// The routes of the sync API.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
}

/// Longest accepted `op_id` / `local_id` / `request_id`.
const MAX_ID_CHARS: usize = 128;

fn conflict(
    catalog: &Catalog,
    code: &'static str,
    state: Option<ceria_core::protocol::RequestState>,
    params: &[(&str, String)],
) -> OperationOutcome {
    let message = catalog.message(code, params);
    OperationOutcome::Conflict {
        code: code.to_string(),
        state,
        message_id: message.id,
        message_en: message.en,
    }
}

fn rejected(catalog: &Catalog, field: Option<&str>, finding: Finding) -> Verdict {
    Verdict::Invalid(vec![catalog.issue(field, &finding)])
}

/// Checks who may submit what: an operator files for a citizen of their own village; a
/// citizen files for themself.
pub(crate) fn check_submitter(
    catalog: &Catalog,
    caller: &UserInfo,
    payload: &RequestPayload,
) -> Option<Verdict> {
    match caller.role {
        Role::Operator => {
            if caller.village.as_deref() != Some(payload.village.as_str()) {
                return Some(rejected(
                    catalog,
                    Some("village"),
                    Finding::error("auth.forbidden"),
                ));
            }
            match payload.on_behalf_of.as_deref() {
                None => Some(rejected(
                    catalog,
                    Some("on_behalf_of"),
                    Finding::error("field.required"),
                )),
                Some(nik) => identity::check_nik(catalog, "on_behalf_of", nik)
                    .err()
                    .map(Verdict::Invalid),
            }
        }
        _ => match payload.on_behalf_of.as_deref() {
            Some(nik) if strip_separators(nik) != caller.username => Some(rejected(
                catalog,
                Some("on_behalf_of"),
                Finding::error("auth.forbidden"),
            )),
            _ => None,
        },
    }
}

/// Checks `payload.village`: a village code (`PP.KK.CC.DDDD`) that the imported region
/// table, if any, lists.
pub(crate) fn check_village(
    catalog: &Catalog,
    regions: Option<&ceria_core::RegionTable>,
    village: &str,
) -> Option<Verdict> {
    let findings = match parse_code(village) {
        Err(finding) => vec![finding],
        Ok(code) => check_code(&code, Some(RegionLevel::Village), regions),
    };
    // For a NIK an unlisted region is only a warning (regions split and old NIKs stay valid);
    // a new request must name a village that exists today.
    let finding = findings
        .into_iter()
        .find(|f| f.severity == Severity::Error || f.code == "region.unknown")?;
    let finding = Finding {
        severity: Severity::Error,
        ..finding
    }
    .with("label", "Desa/Nagari");
    Some(Verdict::Invalid(vec![
        catalog.issue(Some("village"), &finding),
    ]))
}

/// The stored files a push refers to: size from the blob index, media type from the
/// content. Hashes not stored are left out (the push then says `attachment.not_uploaded`).
pub(crate) type BlobFacts = HashMap<String, (u64, &'static str)>;

fn blob_facts(state: &AppState, ops: &[Operation]) -> Result<BlobFacts, ApiError> {
    let payloads = ops.iter().filter_map(|op| match op {
        Operation::Submit { request, .. } | Operation::Revise { request, .. } => Some(request),
        Operation::Cancel { .. } => None,
    });
    payload_blob_facts(state, payloads)
}

/// The [`BlobFacts`] of the files `payloads` refer to (blocking: reads the blob store).
pub(crate) fn payload_blob_facts<'a>(
    state: &AppState,
    payloads: impl IntoIterator<Item = &'a RequestPayload>,
) -> Result<BlobFacts, ApiError> {
    let mut facts = BlobFacts::new();
    for request in payloads {
        for a in &request.attachments {
            let sha256 = a.sha256.to_ascii_lowercase();
            if facts.contains_key(&sha256) || !is_sha256_hex(&sha256) {
                continue;
            }
            if let Some(known) = stored_file(state, &sha256)? {
                facts.insert(sha256, known);
            }
        }
    }
    Ok(facts)
}

/// What the stored file `sha256` is: its size from the blob index and its media type from
/// its content, remembered once known ([`crate::http::state::KnownBlobs`]); `None` when it
/// is not stored (blocking: may read the blob store).
pub(crate) fn stored_file(
    state: &AppState,
    sha256: &str,
) -> Result<Option<(u64, &'static str)>, ApiError> {
    if let Some(known) = state.known_blobs.get(sha256) {
        return Ok(Some(known));
    }
    let Some(size) = state.db.blob_size(sha256)? else {
        return Ok(None);
    };
    let Some(head) = state
        .blobs
        .read_head_blocking(sha256, SNIFF_BYTES)
        .map_err(ApiError::internal)?
    else {
        return Ok(None);
    };
    let known = (size, media_type_of(&head));
    state.known_blobs.remember(sha256, known);
    Ok(Some(known))
}

/// The catalog's attachment rules on the stored files (types by content, counts per
/// requirement, sizes): the same check the phone runs when it finalises a draft.
fn attachment_issues(catalog: &Catalog, payload: &RequestPayload, facts: &BlobFacts) -> Vec<Issue> {
    attachment_problems(catalog, payload, facts)
        .into_iter()
        .map(|(_, issue)| issue)
        .collect()
}

/// [`attachment_issues`] with the requirement each issue is about (the web form shows it
/// next to that requirement's file input).
pub(crate) fn attachment_problems(
    catalog: &Catalog,
    payload: &RequestPayload,
    facts: &BlobFacts,
) -> Vec<(String, Issue)> {
    let files: Vec<AttachedFile<'_>> = payload
        .attachments
        .iter()
        .filter_map(|a| {
            let (size, media_type) = facts.get(&a.sha256.to_ascii_lowercase())?;
            Some(AttachedFile {
                requirement: &a.requirement,
                media_type,
                size: *size,
            })
        })
        .collect();
    catalog
        .check_attachments(&payload.service, files)
        .iter()
        .map(|p| {
            let issue = catalog.attachment_issue(&payload.service, &p.requirement, &p.finding);
            (p.requirement.clone(), issue)
        })
        .collect()
}

/// Validates a payload with the same core code the phone runs.
fn check_payload(
    catalog: &Catalog,
    caller: &UserInfo,
    payload: &RequestPayload,
    ctx: &ValidationContext<'_>,
    facts: &BlobFacts,
) -> Verdict {
    if let Some(verdict) = check_village(catalog, ctx.regions, &payload.village) {
        return verdict;
    }
    if let Some(verdict) = check_submitter(catalog, caller, payload) {
        return verdict;
    }
    let outdated = compare_versions(&payload.catalog_version, catalog.version()) == Ordering::Less;
    let attached = attached_requirements(payload);
    let file_issues = attachment_issues(catalog, payload, facts);
    let issues: Vec<Issue> =
        match catalog.validate(&payload.service, &payload.values, &attached, ctx) {
            Ok(report) if report.valid && file_issues.is_empty() => return Verdict::Valid,
            Ok(report) if report.valid => file_issues,
            Ok(report) => report.issues.into_iter().chain(file_issues).collect(),
            Err(ValidateError::UnknownService(service)) => {
                vec![catalog.issue(
                    Some("service"),
                    &Finding::error("choice.unknown").with("value", service),
                )]
            }
            Err(e) => {
                let mut issue = catalog.issue(None, &Finding::error("request.malformed"));
                issue.params.insert("detail".into(), e.to_string());
                vec![issue]
            }
        };
    if outdated {
        Verdict::Outdated(catalog.version().to_string())
    } else {
        Verdict::Invalid(issues)
    }
}

/// The warnings the core's validators give for a stored request, judged as on the day it was
/// submitted (a birth reported late stays late): late registration, an age near a limit, a NIK
/// or No. KK from a region the imported table does not list. Officers read them in review;
/// errors cannot occur here, since only valid forms were accepted, but if a newer catalog
/// disagrees they are shown too rather than hidden.
///
/// `pinned_today` is the server's configured validation date (tests pin the clock); it
/// replaces the submission day when set.
pub(crate) fn review_warnings(
    catalog: &Catalog,
    regions: Option<&ceria_core::RegionTable>,
    payload: &RequestPayload,
    submitted_ms: i64,
    pinned_today: Option<Date>,
) -> Vec<Issue> {
    let attached = attached_requirements(payload);
    let ctx = ValidationContext {
        today: Some(pinned_today.unwrap_or_else(|| {
            Date::from_unix_seconds(submitted_ms.div_euclid(1000), catalog.utc_offset_minutes())
        })),
        regions,
    };
    match catalog.validate(&payload.service, &payload.values, &attached, &ctx) {
        Ok(report) => report.issues,
        // The service left the catalog since; nothing to judge it by.
        Err(_) => Vec::new(),
    }
}

/// The requirements a payload has files for, as validation wants them.
fn attached_requirements(payload: &RequestPayload) -> BTreeSet<String> {
    payload
        .attachments
        .iter()
        .map(|a| a.requirement.clone())
        .collect()
}

fn op_hash(op: &Operation) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(op).map_err(ApiError::internal)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

fn check_ids(op: &Operation) -> Result<(), ApiError> {
    let ids: Vec<&str> = match op {
        Operation::Submit {
            op_id, local_id, ..
        } => vec![op_id, local_id],
        Operation::Revise {
            op_id, request_id, ..
        }
        | Operation::Cancel { op_id, request_id } => {
            vec![op_id, request_id]
        }
    };
    if ids
        .iter()
        .any(|id| id.trim().is_empty() || id.chars().count() > MAX_ID_CHARS)
    {
        return Err(ApiError::unprocessable(format!(
            "op_id, local_id and request_id must be 1..{MAX_ID_CHARS} characters"
        )));
    }
    Ok(())
}

fn prepare(
    catalog: &Catalog,
    caller: &UserInfo,
    op: Operation,
    ctx: &ValidationContext<'_>,
    facts: &BlobFacts,
) -> Result<PreparedOp, ApiError> {
    check_ids(&op)?;
    // The key's hash covers the operation as the client sent it.
    let hash = op_hash(&op)?;
    let mut op = op;
    let verdict = match &mut op {
        Operation::Submit { request, .. } | Operation::Revise { request, .. } => {
            let verdict = check_payload(catalog, caller, request, ctx, facts);
            // Files are stored and served with the type of their content, not the client's.
            for a in &mut request.attachments {
                if let Some((_, media_type)) = facts.get(&a.sha256.to_ascii_lowercase()) {
                    a.media_type = (*media_type).to_string();
                }
            }
            // Store the NIK as 16 digits however it was typed, so the citizen's scope
            // (matched by NIK) finds the request.
            if let Some(nik) = request.on_behalf_of.as_mut()
                && let Ok(digits) = identity::check_nik(catalog, "on_behalf_of", nik)
            {
                *nik = digits;
            }
            verdict
        }
        Operation::Cancel { .. } => Verdict::Valid,
    };
    Ok(PreparedOp { op, hash, verdict })
}

fn word(catalog: &Catalog, applied: Applied) -> OperationOutcome {
    match applied {
        Applied::Done(outcome) => outcome,
        Applied::KeyReused => conflict(catalog, "idempotency.key_reused", None, &[]),
        Applied::NotFound => conflict(catalog, "request.not_found", None, &[]),
        Applied::NotReturned(state) => conflict(catalog, "state.not_returned", Some(state), &[]),
        Applied::Illegal { from, to } => conflict(
            catalog,
            "state.illegal_transition",
            Some(from),
            &[
                ("from", from.code().to_string()),
                ("to", to.code().to_string()),
            ],
        ),
        Applied::ServiceChanged { service } => OperationOutcome::Rejected {
            issues: vec![catalog.issue(
                Some("service"),
                &Finding {
                    code: "request.malformed",
                    severity: Severity::Error,
                    params: vec![("service", service)],
                },
            )],
        },
        Applied::MissingAttachments(requirements) => OperationOutcome::Rejected {
            issues: requirements
                .into_iter()
                .map(|r| {
                    catalog.issue(
                        None,
                        &Finding::error("attachment.not_uploaded").with("attachment", r),
                    )
                })
                .collect(),
        },
        Applied::Invalid(issues) => OperationOutcome::Rejected { issues },
        Applied::Outdated(current_version) => OperationOutcome::CatalogOutdated { current_version },
        Applied::QuotaReached { max } => OperationOutcome::Rejected {
            issues: vec![catalog.issue(
                Some("service"),
                &Finding::error("quota.requests_per_day").with("max", max.to_string()),
            )],
        },
        Applied::PersonChanged => OperationOutcome::Rejected {
            issues: vec![catalog.issue(
                Some("on_behalf_of"),
                &Finding::error("request.person_changed"),
            )],
        },
    }
}

/// `POST /v1/sync/push`: applies up to [`MAX_PUSH_OPERATIONS`] operations in one transaction.
pub(crate) async fn push(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let results = push_operations(&state, caller.user, req).await?;
    Ok(Json(PushResponse { results }))
}

/// Applies the operations of a push for `user` (a citizen or an operator): the one path of
/// the sync API and the citizens' web pages (a cancel there is a push of one operation).
pub(crate) async fn push_operations(
    state: &AppState,
    user: UserInfo,
    req: PushRequest,
) -> Result<Vec<OperationResult>, ApiError> {
    if !matches!(user.role, Role::Citizen | Role::Operator) {
        return Err(ApiError::forbidden());
    }
    if req.operations.len() > MAX_PUSH_OPERATIONS {
        return Err(ApiError::unprocessable(format!(
            "at most {MAX_PUSH_OPERATIONS} operations per push"
        )));
    }
    let catalog = state.catalog();
    let today = state.config.validation_today;
    let limits = PushLimits {
        max_requests_per_day: state.config.max_requests_per_day,
    };
    let st = state.clone();
    let results = blocking(move || {
        let facts = blob_facts(&st, &req.operations)?;
        let regions = st.regions();
        let ctx = ValidationContext {
            today,
            regions: regions.as_deref(),
        };
        let ids: Vec<String> = req
            .operations
            .iter()
            .map(|o| o.op_id().to_string())
            .collect();
        let prepared = req
            .operations
            .into_iter()
            .map(|op| prepare(&catalog, &user, op, &ctx, &facts))
            .collect::<Result<Vec<_>, _>>()?;
        let applied = st.db.apply_push(&user, &prepared, &limits, now_ms())?;
        Ok(ids
            .into_iter()
            .zip(applied)
            .map(|(op_id, a)| OperationResult {
                op_id,
                outcome: word(&catalog, a),
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(results)
}

/// Reads `since` and `limit` of a pull.
pub(crate) fn pull_params(query: &HashMap<String, String>) -> Result<(i64, usize), ApiError> {
    let since =
        match query
            .get("since")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => 0,
            Some(s) => s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::malformed("since must be a cursor from an earlier pull")
            })?,
        };
    let limit = match query
        .get("limit")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => PULL_PAGE_SIZE,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::malformed("limit must be a positive integer"))?
            .min(PULL_PAGE_SIZE),
    };
    Ok((since, limit))
}

/// `GET /v1/sync/pull?since=CURSOR&limit=N`: status changes visible to the caller.
pub(crate) async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let (since, limit) = pull_params(&query)?;
    let scope = Scope::of(&caller.user);
    let (changes, more) = state
        .db_call(move |db| db.pull(&scope, since, limit))
        .await?;
    let next = changes.last().map_or(since, |c| c.seq);
    Ok(Json(PullResponse {
        changes,
        next_cursor: next.to_string(),
        more,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pull_parameters() {
        assert_eq!(pull_params(&q(&[])).unwrap(), (0, PULL_PAGE_SIZE));
        assert_eq!(
            pull_params(&q(&[("since", ""), ("limit", "5")])).unwrap(),
            (0, 5)
        );
        assert_eq!(
            pull_params(&q(&[("since", "42"), ("limit", "100000")])).unwrap(),
            (42, PULL_PAGE_SIZE)
        );
        assert!(pull_params(&q(&[("since", "-1")])).is_err());
        assert!(pull_params(&q(&[("since", "abc")])).is_err());
        assert!(pull_params(&q(&[("limit", "0")])).is_err());
    }

    #[test]
    fn op_ids_are_bounded() {
        let cancel = |id: &str| Operation::Cancel {
            op_id: id.into(),
            request_id: "r".into(),
        };
        assert!(check_ids(&cancel("a")).is_ok());
        assert!(check_ids(&cancel(" ")).is_err());
        assert!(check_ids(&cancel(&"x".repeat(129))).is_err());
    }

    #[test]
    fn same_operation_same_hash_different_payload_different_hash() {
        let a = Operation::Cancel {
            op_id: "1".into(),
            request_id: "r".into(),
        };
        let b = Operation::Cancel {
            op_id: "1".into(),
            request_id: "s".into(),
        };
        assert_eq!(op_hash(&a).unwrap(), op_hash(&a.clone()).unwrap());
        assert_ne!(op_hash(&a).unwrap(), op_hash(&b).unwrap());
    }
}
