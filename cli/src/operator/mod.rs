//! `ceria operator ...`: the review tool of nagari operators and registry officers over the
//! server's HTTP API: log in, list the queue, look at a request, and move it through the
//! workflow (verify, return with reasons, process, complete with a document number, reject),
//! and check who owns a NIK at the counter ([`identity`]).
//! The session is kept in `HOME/operator-session.json`.

pub mod client;
pub mod identity;

use crate::exit::{self, Failure};
use crate::home::{self, OperatorSession};
use crate::output::{json_line, local_time, server_state_label};
use ceria_core::Catalog;
use ceria_core::protocol::{
    DocumentInfo, MAX_QUEUE_PAGE, RequestDetail, RequestState, RequestSummary, ReturnReason, Role,
    StatusChange, TransitionRequest,
};
use client::{Client, QueueQuery};
use serde_json::json;

/// Options of `ceria operator`.
#[derive(Debug, clap::Args)]
pub struct OperatorArgs {
    /// Where the CLI keeps its state, and the server.
    #[command(flatten)]
    pub at: home::HomeArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: OperatorCommand,
}

/// `ceria operator` commands.
#[derive(Debug, clap::Subcommand)]
pub enum OperatorCommand {
    /// Masuk / Logs in as a nagari operator or registry officer.
    Login {
        /// User name.
        #[arg(long)]
        username: String,
        /// Password.
        #[arg(long, env = "CERIA_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Keluar / Ends the session.
    Logout,
    /// Siapa yang masuk / Who is logged in.
    Whoami,
    /// Antrean / The review queue, oldest first.
    Queue {
        /// Only this state: submitted, verified, returned, processing, completed, rejected,
        /// cancelled.
        #[arg(long)]
        state: Option<String>,
        /// Only this village (officers; an operator always sees their own).
        #[arg(long)]
        village: Option<String>,
        /// Most requests to list.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Rincian permohonan / One request: form, files and audit log.
    Show {
        /// Request id or tracking code (CR-XXXX-XXXX).
        id: String,
    },
    /// Verifikasi / Verifies a request (nagari operator or officer).
    Verify {
        /// Request id or tracking code.
        id: String,
        /// Note for the citizen.
        #[arg(long)]
        note: Option<String>,
    },
    /// Kembalikan untuk diperbaiki / Returns a request to the citizen for fixing.
    Return {
        /// Request id or tracking code.
        id: String,
        /// What to fix: `field=message` or just `message`; repeat for several.
        #[arg(long = "reason", required = true)]
        reasons: Vec<String>,
        /// Note for the citizen.
        #[arg(long)]
        note: Option<String>,
    },
    /// Proses / Starts processing at the registry (officer).
    Process {
        /// Request id or tracking code.
        id: String,
        /// Note for the citizen.
        #[arg(long)]
        note: Option<String>,
    },
    /// Selesaikan / Completes a request with its document (officer).
    Complete {
        /// Request id or tracking code.
        id: String,
        /// Document number.
        #[arg(long)]
        number: String,
        /// Where and how to get the document.
        #[arg(long)]
        pickup: String,
        /// Note for the citizen.
        #[arg(long)]
        note: Option<String>,
    },
    /// Tolak / Rejects a request with a reason (officer).
    Reject {
        /// Request id or tracking code.
        id: String,
        /// Why (required).
        #[arg(long)]
        note: String,
    },
    /// Identitas / Who owns a NIK: verify in person, reclaim, audit log.
    Identity {
        /// What to do.
        #[command(subcommand)]
        command: identity::IdentityCommand,
    },
}

/// Parses a state code for `--state`.
pub fn parse_state(code: &str) -> Result<RequestState, Failure> {
    RequestState::from_code(code.trim()).ok_or_else(|| {
        let all: Vec<&str> = RequestState::ALL.iter().map(|s| s.code()).collect();
        Failure::new(
            exit::USAGE,
            format!("--state `{code}`: pilih / choose one of {}", all.join(", ")),
        )
    })
}

/// Parses `--reason field=message` (a field id before `=`) or `--reason message`.
pub fn parse_reason(text: &str) -> ReturnReason {
    if let Some((target, message)) = text.split_once('=') {
        let target = target.trim();
        let is_id = !target.is_empty()
            && target
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if is_id {
            return ReturnReason {
                target: Some(target.to_string()),
                message: message.trim().to_string(),
            };
        }
    }
    ReturnReason {
        target: None,
        message: text.trim().to_string(),
    }
}

/// Runs an operator command; returns the exit status.
pub fn run(args: OperatorArgs, json: bool) -> Result<u8, Failure> {
    let home = home::home_dir(args.at.home);
    let catalog = Catalog::embedded();
    let hint = |f: Failure| match f.code.as_deref() {
        Some("auth.session_expired") => {
            f.context("-> ceria operator login --username U --password P")
        }
        _ => f,
    };
    if let OperatorCommand::Login { username, password } = &args.command {
        let server = home::server_url(&home, args.at.server.clone())?;
        return login(&home, &catalog, &server, username, password, json);
    }
    let Some(session) = home::load_session(&home) else {
        return Err(
            Failure::coded(exit::AUTH, &catalog, "auth.session_expired", &[])
                .context("-> ceria operator --server URL login --username U --password P"),
        );
    };
    let server = match args.at.server {
        Some(s) => s.trim().trim_end_matches('/').to_string(),
        None => session.server.clone(),
    };
    let client = Client::new(&server).with_token(session.token.clone());
    command(&home, &catalog, &client, &session, args.command, json).map_err(hint)
}

fn login(
    home: &std::path::Path,
    catalog: &Catalog,
    server: &str,
    username: &str,
    password: &str,
    json: bool,
) -> Result<u8, Failure> {
    let client = Client::new(server);
    let session = client.login(username, password)?;
    if !matches!(session.user.role, Role::Operator | Role::Officer) {
        // Citizens use `ceria device`; admins use `ceria admin`. Do not keep their token.
        let with_token = Client::new(server).with_token(session.token.clone());
        let _ = with_token.logout();
        return Err(Failure::coded(exit::AUTH, catalog, "auth.forbidden", &[])
            .context("ceria operator: operator atau petugas saja / operators and officers only"));
    }
    let saved = OperatorSession {
        server: client.base().to_string(),
        token: session.token,
        user: session.user,
        expires_at_ms: session.expires_at_ms,
    };
    home::save_session(home, &saved)?;
    if json {
        json_line(&saved.user);
    } else {
        say!(
            "Masuk / logged in: {} ({}, {:?}{}) di/at {}",
            saved.user.username,
            saved.user.name,
            saved.user.role,
            saved
                .user
                .village
                .as_deref()
                .map(|v| format!(", nagari/village {v}"))
                .unwrap_or_default(),
            saved.server
        );
    }
    Ok(exit::OK)
}

fn command(
    home: &std::path::Path,
    catalog: &Catalog,
    client: &Client,
    session: &OperatorSession,
    command: OperatorCommand,
    json: bool,
) -> Result<u8, Failure> {
    let step = |id: &str, t: TransitionRequest| -> Result<u8, Failure> {
        let id = client.resolve(id)?;
        let change = client.transition(&id, &t)?;
        print_change(catalog, &change, json);
        Ok(exit::OK)
    };
    match command {
        OperatorCommand::Login { .. } => Ok(exit::OK),
        OperatorCommand::Logout => {
            // The local session goes even when the server cannot be told.
            let told = client.logout();
            home::clear_session(home)?;
            if json {
                json_line(&json!({"logged_out": session.user.username}));
            } else {
                say!("Keluar / logged out: {}", session.user.username);
            }
            told.map(|()| exit::OK)
        }
        OperatorCommand::Whoami => {
            let me = client.me()?;
            if json {
                json_line(&me);
            } else {
                say!(
                    "{} ({}, {:?}) {}",
                    me.username,
                    me.name,
                    me.role,
                    me.village.as_deref().unwrap_or("")
                );
                say!("server: {}", client.base());
            }
            Ok(exit::OK)
        }
        OperatorCommand::Queue {
            state,
            village,
            limit,
        } => {
            let state = state.as_deref().map(parse_state).transpose()?;
            let items = queue(client, state, village, limit.max(1))?;
            if json {
                json_line(&items);
            } else if items.is_empty() {
                say!("Antrean kosong / the queue is empty");
            } else {
                for r in &items {
                    say!("{}", queue_line(catalog, r));
                }
            }
            Ok(exit::OK)
        }
        OperatorCommand::Show { id } => {
            let id = client.resolve(&id)?;
            let detail = client.detail(&id)?;
            if json {
                json_line(&detail);
            } else {
                for l in detail_text(catalog, &detail) {
                    say!("{l}");
                }
            }
            Ok(exit::OK)
        }
        OperatorCommand::Verify { id, note } => step(&id, transition(RequestState::Verified, note)),
        OperatorCommand::Return { id, reasons, note } => {
            let mut t = transition(RequestState::Returned, note);
            t.reasons = reasons.iter().map(|r| parse_reason(r)).collect();
            step(&id, t)
        }
        OperatorCommand::Process { id, note } => {
            step(&id, transition(RequestState::Processing, note))
        }
        OperatorCommand::Complete {
            id,
            number,
            pickup,
            note,
        } => {
            let mut t = transition(RequestState::Completed, note);
            t.document = Some(DocumentInfo {
                number: number.trim().to_string(),
                pickup: pickup.trim().to_string(),
            });
            step(&id, t)
        }
        OperatorCommand::Reject { id, note } => {
            step(&id, transition(RequestState::Rejected, Some(note)))
        }
        OperatorCommand::Identity { command } => identity::run(catalog, client, command, json),
    }
}

fn transition(to: RequestState, note: Option<String>) -> TransitionRequest {
    TransitionRequest {
        to,
        note: note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        reasons: Vec::new(),
        document: None,
    }
}

/// Up to `limit` queue entries, following pages.
fn queue(
    client: &Client,
    state: Option<RequestState>,
    village: Option<String>,
    limit: usize,
) -> Result<Vec<RequestSummary>, Failure> {
    let mut out = Vec::new();
    let mut query = QueueQuery {
        state,
        village,
        limit: Some(limit.min(MAX_QUEUE_PAGE)),
        after: None,
    };
    loop {
        let page = client.queue(&query)?;
        out.extend(page.items);
        match page.next {
            Some(next) if out.len() < limit => query.after = Some(next),
            _ => break,
        }
    }
    out.truncate(limit);
    Ok(out)
}

fn queue_line(catalog: &Catalog, r: &RequestSummary) -> String {
    format!(
        "{}  {:<20} {}  NIK {}  {}  {}  id {}",
        r.tracking_code,
        r.service,
        r.village,
        r.citizen_nik,
        local_time(r.created_ms, catalog.utc_offset_minutes()),
        server_state_label(catalog, r.state),
        r.id
    )
}

fn detail_text(catalog: &Catalog, d: &RequestDetail) -> Vec<String> {
    let r = &d.request;
    let offset = catalog.utc_offset_minutes();
    let service = catalog
        .service(&r.service)
        .map(|s| s.name.id.clone())
        .unwrap_or_else(|| r.service.clone());
    let mut out = vec![
        format!("{}  {service} ({})", r.tracking_code, r.service),
        format!("  Status: {}", server_state_label(catalog, r.state)),
        format!("  Nagari/village {}  NIK {}", r.village, r.citizen_nik),
        format!(
            "  id {}  katalog/catalog {}",
            r.id, d.payload.catalog_version
        ),
        "  Isian / form:".to_string(),
    ];
    for (field, value) in &d.payload.values {
        let label = catalog
            .field(&r.service, field)
            .map(|f| f.label.id.clone())
            .unwrap_or_else(|| field.clone());
        out.push(format!("    {field:<22} {value}   ({label})"));
    }
    if !d.warnings.is_empty() {
        out.push("  Perlu diperhatikan / to check:".to_string());
        out.extend(
            crate::output::issue_lines(&d.warnings)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }
    out.push("  Lampiran / attachments:".to_string());
    for a in &d.attachments {
        out.push(format!(
            "    {:<12} {} {} sha256 {}",
            a.requirement,
            a.media_type,
            crate::output::bytes(a.size),
            a.sha256
        ));
    }
    out.push("  Riwayat / history:".to_string());
    for h in &d.history {
        let from = h
            .from
            .map(|s| server_state_label(catalog, s))
            .unwrap_or_else(|| "-".to_string());
        let mut line = format!(
            "    {}  {} ({:?}): {from} -> {}",
            local_time(h.at_ms, offset),
            h.actor,
            h.actor_role,
            server_state_label(catalog, h.to)
        );
        if let Some(n) = &h.note {
            line.push_str(&format!("  \"{n}\""));
        }
        if let Some(doc) = &h.document {
            line.push_str(&format!(
                "  dokumen/document {} ({})",
                doc.number, doc.pickup
            ));
        }
        out.push(line);
        for reason in &h.reasons {
            out.push(format!(
                "        perbaiki/fix [{}] {}",
                reason.target.as_deref().unwrap_or("-"),
                reason.message
            ));
        }
    }
    out
}

fn print_change(catalog: &Catalog, c: &StatusChange, json: bool) {
    if json {
        json_line(c);
        return;
    }
    say!(
        "{} ({}) -> {}",
        c.tracking_code,
        c.service,
        server_state_label(catalog, c.state)
    );
    if let Some(doc) = &c.document {
        say!("  dokumen / document {} ({})", doc.number, doc.pickup);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_a_field_when_they_can() {
        let r = parse_reason("nik=NIK tidak sesuai KK");
        assert_eq!(r.target.as_deref(), Some("nik"));
        assert_eq!(r.message, "NIK tidak sesuai KK");
        let r = parse_reason("Foto KK buram, mohon foto ulang");
        assert_eq!(r.target, None);
        let r = parse_reason("Rumus: a = b");
        assert_eq!((r.target, r.message.as_str()), (None, "Rumus: a = b"));
    }

    #[test]
    fn states() {
        assert_eq!(parse_state("verified").unwrap(), RequestState::Verified);
        let e = parse_state("done").unwrap_err();
        assert_eq!(e.status, exit::USAGE);
        assert!(e.message.contains("submitted"), "{}", e.message);
    }
}
