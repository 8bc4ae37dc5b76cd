//! How the device commands show things: the service catalog, drafts with their live
//! validation, requests with their timeline, accounts and sync reports; as text for people
//! (Bahasa Indonesia first) and as JSON values for `--json`.

use crate::output::{both, bytes, issue_lines, local_time, state_label};
use ceria_core::catalog::source::ServiceSource;
use ceria_core::protocol::IdentityState;
use ceria_core::{
    Account, Attachment, Catalog, Draft, DraftSummary, Issue, RequestInfo, RequestSummary,
    Severity, SyncReport, ValidationReport,
};
use serde_json::{Value, json};

fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id, "requirement": a.requirement, "sha256": a.sha256, "size": a.size,
        "media_type": a.media_type, "file_name": a.file_name,
    })
}

/// The JSON of an account.
pub fn account_json(a: &Account) -> Value {
    json!({
        "id": a.id, "username": a.username, "name": a.name, "role": a.role,
        "village": a.village, "logged_in": a.logged_in, "needs_login": a.needs_login,
        "current": a.current, "last_sync_ms": a.last_sync_ms,
        "session_expires_ms": a.session_expires_ms, "identity": a.identity,
    })
}

/// A citizen account's identity state and what to do about it, worded by the catalog
/// (Indonesian first, English second); nothing for staff.
pub fn identity_lines(catalog: &Catalog, a: &Account) -> Vec<String> {
    let Some(state) = a.identity else {
        return Vec::new();
    };
    let m = catalog.message(state.message_code(), &[]);
    let mut lines = vec![format!("    {}", m.id), format!("    {}", m.en)];
    if state == IdentityState::Unverified {
        // The catalog's words serve every app; the command is this frontend's own.
        lines.push(
            "    ceria device verify --nomor-kk NO_KK --birth-date YYYY-MM-DD --mother-name NAMA"
                .to_string(),
        );
    }
    lines
}

/// One line for an account.
pub fn account_line(a: &Account) -> String {
    let current = if a.current { "*" } else { " " };
    let status = if a.needs_login {
        "perlu masuk lagi / must log in again"
    } else if a.logged_in {
        "masuk / logged in"
    } else {
        "keluar / logged out"
    };
    format!(
        "{current} {} ({}, {:?}) {status}",
        a.username, a.name, a.role
    )
}

/// The services grouped as the catalog orders them.
pub fn services_text(catalog: &Catalog) -> Vec<String> {
    let mut out = vec![format!(
        "Katalog layanan / service catalog {} ({})",
        catalog.version(),
        catalog.source().regency.name
    )];
    for g in catalog.groups() {
        out.push(String::new());
        out.push(both(&g.name.id, &g.name.en));
        for s in catalog.services().iter().filter(|s| s.group == g.id) {
            out.push(format!(
                "  {:<22} {} ({} hari kerja / working days)",
                s.id, s.name.id, s.service_days
            ));
        }
    }
    out
}

/// The services as JSON: id, group, names and service days.
pub fn services_json(catalog: &Catalog) -> Value {
    let items: Vec<Value> = catalog
        .services()
        .iter()
        .map(|s| {
            json!({"id": s.id, "group": s.group, "name": s.name, "service_days": s.service_days,
                   "fee": s.fee})
        })
        .collect();
    json!({"version": catalog.version(), "services": items})
}

/// One service in full: what it is, who may apply, what to fill in and attach.
pub fn service_text(catalog: &Catalog, s: &ServiceSource) -> Vec<String> {
    let mut out = vec![
        format!("{} ({})", s.name.id, s.id),
        format!("  {}", s.name.en),
        String::new(),
        s.description.id.clone(),
        format!("  {}", s.description.en),
        format!("Syarat / eligibility: {}", s.eligibility.id),
        format!("Hasil / output: {}", s.output.id),
        format!(
            "Waktu layanan / service time: {} hari kerja / working days; biaya / fee: Rp {}",
            s.service_days, s.fee
        ),
    ];
    if let Some(d) = &s.deadline {
        out.push(format!(
            "Batas waktu pelaporan / reporting deadline: {} hari / days",
            d.days
        ));
    }
    if !s.legal_basis.is_empty() {
        out.push(format!(
            "Dasar hukum / legal basis: {}",
            s.legal_basis.join("; ")
        ));
    }
    out.push(String::new());
    out.push("Isian / fields (* wajib / required):".to_string());
    for f in &s.fields {
        let req = if f.required { "*" } else { " " };
        let mut line = format!("  {req} {:<24} {}", f.id, f.label.id);
        if let Some(list) = f.list.as_deref().and_then(|l| catalog.code_list(l)) {
            let codes: Vec<String> = list
                .items
                .iter()
                .take(12)
                .map(|i| format!("{}={}", i.code, i.label.id))
                .collect();
            let more = if list.items.len() > 12 { ", ..." } else { "" };
            line.push_str(&format!("  [{}{more}]", codes.join(", ")));
        }
        out.push(line);
        if let Some(h) = &f.hint {
            out.push(format!("        {}", h.id));
        }
    }
    out.push(String::new());
    out.push("Lampiran / attachments (* wajib / required):".to_string());
    for a in &s.attachments {
        let req = if a.required { "*" } else { " " };
        out.push(format!("  {req} {:<24} {}", a.id, a.label.id));
        if let Some(h) = &a.hint {
            out.push(format!("        {}", h.id));
        }
    }
    out
}

/// A draft as JSON, with its live validation.
pub fn draft_json(d: &Draft) -> Value {
    let mut values: Vec<(&String, &String)> = d.values.iter().collect();
    values.sort();
    let values: serde_json::Map<String, Value> = values
        .into_iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "id": d.id, "service": d.service, "values": values,
        "attachments": d.attachments.iter().map(attachment_json).collect::<Vec<_>>(),
        "village": d.village, "on_behalf_of": d.on_behalf_of, "revises": d.revises,
        "valid": d.valid, "issues": d.issues, "missing_attachments": d.missing_attachments,
        "created_ms": d.created_ms, "updated_ms": d.updated_ms,
    })
}

/// A draft for a person: every field of the service with its value and issues.
pub fn draft_text(catalog: &Catalog, d: &Draft) -> Vec<String> {
    let mut out = vec![format!(
        "Draf / draft {}  layanan / service {}",
        d.id, d.service
    )];
    if let Some(r) = &d.revises {
        out.push(format!("  memperbaiki permohonan / revises request {r}"));
    }
    if let Some(s) = catalog.service(&d.service) {
        for f in &s.fields {
            let value = d.values.get(&f.id).map(String::as_str).unwrap_or("");
            if value.is_empty() && !f.required {
                continue;
            }
            let shown = if value.is_empty() { "-" } else { value };
            out.push(format!("  {:<24} {shown}", f.id));
        }
    }
    for a in &d.attachments {
        out.push(format!(
            "  lampiran/attachment {:<12} {} ({}, {})",
            a.requirement,
            a.file_name,
            a.media_type,
            bytes(a.size)
        ));
    }
    out.extend(verdict_lines(d.valid, &d.issues));
    out
}

/// "Siap dikirim" or the list of what to fix.
pub fn verdict_lines(valid: bool, issues: &[Issue]) -> Vec<String> {
    let errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    let mut out = vec![if valid {
        "Formulir lengkap, siap dikirim / form complete, ready to submit".to_string()
    } else {
        format!("Perlu diperbaiki / to fix: {errors} galat / error(s)")
    }];
    out.extend(issue_lines(issues));
    out
}

/// The validation after `draft set`, limited to the fields just set plus a count of the rest.
pub fn set_report_text(report: &ValidationReport, fields: &[String]) -> Vec<String> {
    let (mine, rest): (Vec<&Issue>, Vec<&Issue>) = report
        .issues
        .iter()
        .partition(|i| i.field.as_ref().is_some_and(|f| fields.contains(f)));
    let mine: Vec<Issue> = mine.into_iter().cloned().collect();
    let mut out = vec!["Tersimpan / saved.".to_string()];
    out.extend(issue_lines(&mine));
    let other_errors = rest
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    if report.valid {
        out.push("Formulir lengkap, siap dikirim / form complete, ready to submit".to_string());
    } else if other_errors > 0 {
        out.push(format!(
            "Isian lain yang belum lengkap / other items still to complete: {other_errors} \
             (`ceria device draft check ID`)"
        ));
    }
    out
}

/// A validation report as JSON.
pub fn report_json(draft_id: &str, r: &ValidationReport) -> Value {
    json!({
        "draft": draft_id, "service": r.service, "valid": r.valid, "issues": r.issues,
        "missing_attachments": r.missing_attachments, "computed": r.computed,
    })
}

/// A draft in a list.
pub fn draft_summary_line(d: &DraftSummary, utc_offset: i32) -> String {
    format!(
        "{}  {:<22} {} isian/fields, {} lampiran/files, {}",
        d.id,
        d.service,
        d.filled_fields,
        d.attachment_count,
        local_time(d.updated_ms, utc_offset)
    )
}

/// A draft summary as JSON.
pub fn draft_summary_json(d: &DraftSummary) -> Value {
    json!({
        "id": d.id, "service": d.service, "revises": d.revises,
        "filled_fields": d.filled_fields, "attachment_count": d.attachment_count,
        "updated_ms": d.updated_ms,
    })
}

/// A request in a list.
pub fn request_summary_line(catalog: &Catalog, r: &RequestSummary) -> String {
    let (id, en) = state_label(catalog, r.state);
    format!(
        "{}  {:<22} {:<14} {}",
        r.id,
        r.service,
        r.tracking_code.as_deref().unwrap_or("-"),
        both(&id, &en)
    )
}

/// A request summary as JSON.
pub fn request_summary_json(catalog: &Catalog, r: &RequestSummary) -> Value {
    let (label_id, label_en) = state_label(catalog, r.state);
    json!({
        "id": r.id, "service": r.service, "state": r.state.code(),
        "state_label": {"id": label_id, "en": label_en},
        "tracking_code": r.tracking_code, "created_ms": r.created_ms, "updated_ms": r.updated_ms,
    })
}

/// A request with everything the detail screen shows.
pub fn request_json(catalog: &Catalog, r: &RequestInfo) -> Value {
    let (label_id, label_en) = state_label(catalog, r.state);
    let timeline: Vec<Value> = r
        .timeline
        .iter()
        .map(|t| {
            json!({"state": t.state.code(), "at_ms": t.at_ms, "from_server": t.from_server,
                   "code": t.code, "note": t.note})
        })
        .collect();
    json!({
        "id": r.id, "service": r.service, "state": r.state.code(),
        "state_label": {"id": label_id, "en": label_en},
        "server_state": r.server_state, "server_id": r.server_id,
        "tracking_code": r.tracking_code, "catalog_version": r.catalog_version,
        "village": r.village, "on_behalf_of": r.on_behalf_of,
        "attachments": r.attachments.iter().map(attachment_json).collect::<Vec<_>>(),
        "issues": r.issues, "reasons": r.reasons, "document": r.document, "note": r.note,
        "timeline": timeline, "cancel_pending": r.cancel_pending, "last_error": r.last_error,
        "next_attempt_ms": r.next_attempt_ms, "can_cancel": r.can_cancel,
        "can_revise": r.can_revise, "created_ms": r.created_ms, "updated_ms": r.updated_ms,
    })
}

/// A request for a person: state, tracking code, document, what to fix, and the timeline.
pub fn request_text(catalog: &Catalog, r: &RequestInfo) -> Vec<String> {
    let offset = catalog.utc_offset_minutes();
    let (label_id, label_en) = state_label(catalog, r.state);
    let service = catalog
        .service(&r.service)
        .map(|s| s.name.id.clone())
        .unwrap_or_else(|| r.service.clone());
    let mut out = vec![
        format!("Permohonan / request {}  {service}", r.id),
        format!("  Status: {}", both(&label_id, &label_en)),
        format!(
            "  Kode lacak / tracking code: {}",
            r.tracking_code
                .as_deref()
                .unwrap_or("(belum ada / not yet)")
        ),
    ];
    if let Some(d) = &r.document {
        out.push(format!("  Nomor dokumen / document number: {}", d.number));
        out.push(format!("  Pengambilan / pickup: {}", d.pickup));
    }
    if let Some(n) = &r.note {
        out.push(format!("  Catatan petugas / reviewer's note: {n}"));
    }
    for reason in &r.reasons {
        let target = reason.target.as_deref().unwrap_or("-");
        out.push(format!("  Perbaiki / fix [{target}]: {}", reason.message));
    }
    out.extend(issue_lines(&r.issues));
    if let Some(e) = &r.last_error {
        out.push(format!(
            "  Pengiriman terakhir gagal / last send failed: {e}"
        ));
    }
    out.push("  Riwayat / timeline:".to_string());
    for t in &r.timeline {
        let (id, en) = state_label(catalog, t.state);
        let origin = if t.from_server {
            "server"
        } else {
            "perangkat/device"
        };
        let mut line = format!(
            "    {}  {:<30} ({origin})",
            local_time(t.at_ms, offset),
            both(&id, &en)
        );
        if let Some(code) = &t.code {
            line.push_str(&format!(" [{code}]"));
        }
        if let Some(note) = &t.note {
            line.push_str(&format!(" {note}"));
        }
        out.push(line);
    }
    out
}

/// A sync report as JSON.
pub fn sync_json(r: &SyncReport) -> Value {
    json!({
        "accounts_synced": r.accounts_synced, "files_uploaded": r.files_uploaded,
        "bytes_uploaded": r.bytes_uploaded, "operations_pushed": r.operations_pushed,
        "accepted": r.accepted, "needs_fix": r.needs_fix, "conflicts": r.conflicts,
        "changes_pulled": r.changes_pulled, "catalog_updated": r.catalog_updated,
        "pending_operations": r.pending_operations, "next_retry_ms": r.next_retry_ms,
        "needs_login": r.needs_login, "problems": r.problems,
    })
}

/// A sync report for a person.
pub fn sync_text(catalog: &Catalog, r: &SyncReport) -> Vec<String> {
    let mut out = vec![format!(
        "Sinkronisasi selesai / sync done: {} berkas/files ({}) diunggah/uploaded, \
             {} operasi/operations dikirim/pushed ({} diterima/accepted, {} perlu perbaikan/need fixing, \
             {} konflik/conflicts), {} perubahan status/status changes",
        r.files_uploaded,
        bytes(r.bytes_uploaded),
        r.operations_pushed,
        r.accepted,
        r.needs_fix,
        r.conflicts,
        r.changes_pulled
    )];
    if r.catalog_updated {
        out.push(format!(
            "Katalog diperbarui / catalog updated to {}",
            catalog.version()
        ));
    }
    if r.pending_operations > 0 {
        let when = r
            .next_retry_ms
            .map(|ms| local_time(ms, catalog.utc_offset_minutes()))
            .unwrap_or_else(|| "-".to_string());
        out.push(format!(
            "Masih menunggu / still waiting: {} operasi/operations; coba lagi / retry at {when}",
            r.pending_operations
        ));
    }
    for who in &r.needs_login {
        out.push(format!(
            "Akun {who} perlu masuk lagi / must log in again (`ceria device login`)"
        ));
    }
    for p in &r.problems {
        out.push(format!("  ! {p}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_listed_under_its_group() {
        let c = Catalog::embedded();
        let text = services_text(&c).join("\n");
        for s in c.services() {
            assert!(text.contains(&s.id), "{} missing", s.id);
        }
        let json = services_json(&c);
        assert_eq!(
            json["services"].as_array().map(Vec::len),
            Some(c.services().len())
        );
    }

    #[test]
    fn service_detail_shows_requirements_and_time() {
        let c = Catalog::embedded();
        let s = c.service("ktp_baru").unwrap();
        let text = service_text(&c, s).join("\n");
        assert!(text.contains("7 hari kerja"), "{text}");
        assert!(text.contains("* nik"), "{text}");
        assert!(text.contains("* kk"), "{text}");
    }

    #[test]
    fn set_report_shows_only_the_fields_set() {
        let c = Catalog::embedded();
        let mut values = std::collections::BTreeMap::new();
        values.insert("nik".to_string(), "123".to_string());
        let report = c
            .validate(
                "ktp_baru",
                &values,
                &Default::default(),
                &ceria_core::ValidationContext::default(),
            )
            .unwrap();
        let lines = set_report_text(&report, &["nik".to_string()]);
        assert!(lines.iter().any(|l| l.contains("nik.length")), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains(" nama ")), "{lines:?}");
        assert!(lines.last().unwrap().contains("draft check"), "{lines:?}");
    }
}
