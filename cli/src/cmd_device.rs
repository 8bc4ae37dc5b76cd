//! `ceria device ...`: a desktop frontend of the core's on-device store and sync engine, for
//! citizens and nagari operators with a laptop. Everything but `register`, `login` and `sync`
//! works offline; the device data lives in `HOME/device`.

use crate::device_sync::SyncBars;
use crate::device_view as view;
use crate::exit::{self, Failure};
use crate::home;
use crate::interrupt;
use crate::output::json_line;
use ceria_core::{CancelToken, Catalog, Device, SyncListener, SyncReport};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `ceria device`.
#[derive(Debug, clap::Args)]
pub struct DeviceArgs {
    /// Where the CLI keeps its state, and the server.
    #[command(flatten)]
    pub at: home::HomeArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: DeviceCommand,
}

/// `ceria device` commands.
#[derive(Debug, clap::Subcommand)]
pub enum DeviceCommand {
    /// Daftar akun / Registers a citizen account with a NIK and logs in (online).
    Register {
        /// NIK (16 digits).
        #[arg(long)]
        nik: String,
        /// Full name as on the KTP-el / KK.
        #[arg(long)]
        name: String,
        /// Mobile number.
        #[arg(long)]
        phone: String,
        /// Password (at least 8 characters).
        #[arg(long, env = "CERIA_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Masuk / Logs in: NIK for citizens, user name for staff (online).
    Login {
        /// NIK or user name.
        #[arg(long)]
        username: String,
        /// Password.
        #[arg(long, env = "CERIA_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Keluar / Logs the current account out and removes its data from this device.
    Logout,
    /// Akun / Accounts on this device.
    Accounts,
    /// Daftar layanan / The services one can request.
    Services,
    /// Rincian layanan / One service: requirements, fields, service time.
    Service {
        /// Service id, e.g. `ktp_baru`.
        id: String,
    },
    /// Daftar draf / The current account's drafts.
    Drafts,
    /// Draf permohonan / Drafts: create, fill in, attach, check.
    Draft {
        /// What to do.
        #[command(subcommand)]
        command: DraftCommand,
    },
    /// Kirim / Finalises a draft into a queued request (sent at the next sync).
    Submit {
        /// Draft id (or a unique prefix).
        draft: String,
    },
    /// Sinkronkan / Sends queued requests and files, fetches status changes (online).
    Sync {
        /// Keep trying for up to this many seconds while something waits for a retry (the
        /// engine backs off after a failure) or the server cannot be reached.
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
    },
    /// Daftar permohonan / The current account's requests.
    Requests,
    /// Rincian permohonan / One request with its status timeline.
    Request {
        /// Request id, unique prefix or tracking code.
        id: String,
    },
    /// Batalkan / Cancels a request (while submitted or returned).
    Cancel {
        /// Request id, unique prefix or tracking code.
        id: String,
    },
    /// Perbaiki / Opens a draft to fix a returned or refused request.
    Revise {
        /// Request id, unique prefix or tracking code.
        id: String,
    },
}

/// `ceria device draft` commands.
#[derive(Debug, clap::Subcommand)]
pub enum DraftCommand {
    /// Draf baru / Starts a draft of a service.
    New {
        /// Service id, e.g. `ktp_baru`.
        service: String,
    },
    /// Lihat draf / Shows a draft with its validation.
    Show {
        /// Draft id (or a unique prefix).
        id: String,
    },
    /// Isi formulir / Sets fields (`field=value`; an empty value clears).
    Set {
        /// Draft id (or a unique prefix).
        id: String,
        /// `field=value` pairs.
        #[arg(required_unless_present_any = ["village", "on_behalf_of"])]
        values: Vec<String>,
        /// The village whose nagari handles the request (default: the form's village).
        #[arg(long)]
        village: Option<String>,
        /// Operators: the NIK of the citizen the request is for.
        #[arg(long)]
        on_behalf_of: Option<String>,
    },
    /// Lampirkan berkas / Attaches a file (photo or scan) for a requirement.
    Attach {
        /// Draft id (or a unique prefix).
        id: String,
        /// Attachment requirement id, e.g. `kk` (see `ceria device service ID`).
        requirement: String,
        /// The file (JPG, PNG or PDF).
        file: PathBuf,
        /// Media type when the file name does not tell (e.g. `image/jpeg`).
        #[arg(long)]
        media_type: Option<String>,
    },
    /// Periksa / Validates the whole draft; exit status 1 while something must be fixed.
    Check {
        /// Draft id (or a unique prefix).
        id: String,
    },
    /// Hapus draf / Deletes a draft.
    Delete {
        /// Draft id (or a unique prefix).
        id: String,
    },
}

/// Opens the device store of `home` for `server`.
pub fn open_device(home: &Path, server: &str) -> Result<Device, Failure> {
    let dir = home.join("device");
    let dir = dir.to_str().ok_or_else(|| {
        Failure::new(
            exit::USAGE,
            format!(
                "--home {}: path must be UTF-8 / jalur harus UTF-8",
                home.display()
            ),
        )
    })?;
    Ok(Device::open(dir, server)?)
}

/// The media type of a file from its extension (what a phone's picker would report).
pub fn media_type_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

/// Parses `field=value` pairs.
pub fn parse_assignments(pairs: &[String]) -> Result<HashMap<String, String>, Failure> {
    let mut out = HashMap::new();
    for pair in pairs {
        let Some((field, value)) = pair.split_once('=') else {
            return Err(Failure::new(
                exit::USAGE,
                format!("`{pair}`: tulis / write field=value (mis./e.g. nama=\"Andika Pratama\")"),
            ));
        };
        let field = field.trim();
        if field.is_empty() {
            return Err(Failure::new(
                exit::USAGE,
                format!("`{pair}`: nama isian kosong / empty field name"),
            ));
        }
        out.insert(field.to_string(), value.to_string());
    }
    Ok(out)
}

/// Finds one id among `ids` by exact match or unique prefix.
fn pick<'a>(ids: impl Iterator<Item = &'a str>, wanted: &str) -> Result<Option<String>, usize> {
    let matches: Vec<&str> = ids.filter(|id| id.starts_with(wanted)).collect();
    if let Some(exact) = matches.iter().find(|id| **id == wanted) {
        return Ok(Some((*exact).to_string()));
    }
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).to_string())),
        many => Err(many.len()),
    }
}

fn ambiguous(wanted: &str, n: usize) -> Failure {
    Failure::new(
        exit::USAGE,
        format!(
            "`{wanted}` cocok dengan {n} / matches {n}: tulis lebih panjang / give more characters"
        ),
    )
}

/// A draft id from an id or unique prefix.
pub fn resolve_draft(device: &Device, wanted: &str) -> Result<String, Failure> {
    let drafts = device.drafts()?;
    match pick(drafts.iter().map(|d| d.id.as_str()), wanted.trim()) {
        Ok(Some(id)) => Ok(id),
        // Let the core word "not found" with its own code.
        Ok(None) => Ok(wanted.trim().to_string()),
        Err(n) => Err(ambiguous(wanted, n)),
    }
}

/// A request id from an id, unique prefix or tracking code.
pub fn resolve_request(device: &Device, wanted: &str) -> Result<String, Failure> {
    let wanted = wanted.trim();
    let requests = device.requests()?;
    if let Some(r) = requests.iter().find(|r| {
        r.tracking_code
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(wanted))
    }) {
        return Ok(r.id.clone());
    }
    match pick(requests.iter().map(|r| r.id.as_str()), wanted) {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Ok(wanted.to_string()),
        Err(n) => Err(ambiguous(wanted, n)),
    }
}

fn print_lines(lines: Vec<String>) {
    for l in lines {
        say!("{l}");
    }
}

/// Runs one sync pass with progress bars; `cancel` stops it at the next step.
pub fn sync_with_bars(
    device: &Device,
    cancel: &CancelToken,
) -> Result<(ceria_core::SyncReport, crate::device_sync::Seen), Failure> {
    let bars = Arc::new(SyncBars::default());
    let listener: Arc<dyn SyncListener> = bars.clone();
    let result = device.sync(Some(listener), cancel);
    bars.finish();
    let report = result.map_err(|e| {
        let interrupted = matches!(e, ceria_core::DeviceError::Cancelled { .. });
        let mut failure = Failure::from(e);
        if interrupted {
            failure.status = interrupt::INTERRUPTED;
        }
        failure
    })?;
    Ok((report, bars.seen()))
}

/// Sleeps for `pause`, waking early when `cancel` fires (Ctrl-C between passes).
fn sleep_unless_cancelled(
    device: &Device,
    pause: Duration,
    cancel: &CancelToken,
) -> Result<(), Failure> {
    let until = Instant::now() + pause;
    loop {
        if cancel.is_cancelled() {
            let catalog = device.catalog();
            return Err(Failure::coded(
                interrupt::INTERRUPTED,
                &catalog,
                "sync.cancelled",
                &[],
            ));
        }
        let now = Instant::now();
        if now >= until {
            return Ok(());
        }
        std::thread::sleep((until - now).min(Duration::from_millis(100)));
    }
}

/// Adds a later pass's figures to `total` (counts add up; the waiting state is the later's).
fn merge(total: &mut SyncReport, pass: SyncReport) {
    total.accounts_synced = total.accounts_synced.max(pass.accounts_synced);
    total.files_uploaded += pass.files_uploaded;
    total.bytes_uploaded += pass.bytes_uploaded;
    total.operations_pushed += pass.operations_pushed;
    total.accepted += pass.accepted;
    total.needs_fix += pass.needs_fix;
    total.conflicts += pass.conflicts;
    total.changes_pulled += pass.changes_pulled;
    total.catalog_updated |= pass.catalog_updated;
    total.pending_operations = pass.pending_operations;
    total.next_retry_ms = pass.next_retry_ms;
    total.needs_login = pass.needs_login;
    total.problems.extend(pass.problems);
}

/// Sync passes until nothing waits, or until `wait` is over (one pass without `wait`).
/// Ctrl-C stops the current pass at its next step and ends the command with status 130.
pub fn sync_until(device: &Device, wait: Option<Duration>) -> Result<SyncReport, Failure> {
    let cancel = CancelToken::new();
    interrupt::cancel_on_ctrl_c(cancel.clone());
    let deadline = wait.map(|w| Instant::now() + w);
    let mut total: Option<SyncReport> = None;
    loop {
        let pass = sync_with_bars(device, &cancel).map(|(report, _)| report);
        let now = Instant::now();
        let time_left = deadline.filter(|d| *d > now).map(|d| d - now);
        let pause = match (&pass, time_left) {
            (Ok(report), Some(left)) if report.pending_operations > 0 => {
                let until = report.next_retry_ms.unwrap_or(0);
                let ms = u64::try_from(until.saturating_sub(now_ms())).unwrap_or(0);
                Some(Duration::from_millis(ms.max(200)).min(left))
            }
            (Err(f), Some(left)) if f.status == exit::UNAVAILABLE => {
                Some(Duration::from_secs(1).min(left))
            }
            _ => None,
        };
        let report = match pass {
            Ok(report) => report,
            Err(f) if pause.is_some() => {
                complain!(
                    "{} (coba lagi / retrying)",
                    f.message.lines().next().unwrap_or("")
                );
                if let Some(p) = pause {
                    sleep_unless_cancelled(device, p, &cancel)?;
                }
                continue;
            }
            Err(f) => return Err(f),
        };
        match &mut total {
            Some(t) => merge(t, report),
            None => total = Some(report),
        }
        match pause {
            Some(p) => sleep_unless_cancelled(device, p, &cancel)?,
            None => break,
        }
    }
    total.ok_or_else(|| Failure::new(exit::INTERNAL, "sync: no pass ran"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Runs a device command; returns the exit status.
pub fn run(args: DeviceArgs, json: bool) -> Result<u8, Failure> {
    run_command(args, json).map_err(with_hint)
}

/// Adds the command that gets a person out of a state the error describes.
fn with_hint(f: Failure) -> Failure {
    match f.code.as_deref() {
        Some("account.none" | "auth.session_expired") => f.context(
            "-> ceria device login --username NIK --password ... (atau/or ceria device register)",
        ),
        Some("draft.not_found") => f.context("-> ceria device drafts"),
        Some("request.not_found") => f.context("-> ceria device requests"),
        Some("service.unknown") => f.context("-> ceria device services"),
        Some("sync.offline" | "sync.timeout") => {
            f.context("-> server: ceria device --server URL ... (lihat/see ceria serve)")
        }
        _ => f,
    }
}

fn run_command(args: DeviceArgs, json: bool) -> Result<u8, Failure> {
    let home = home::home_dir(args.at.home);
    let server = home::server_url(&home, args.at.server)?;
    let device = open_device(&home, &server)?;
    let catalog: Arc<Catalog> = device.catalog();
    match args.command {
        DeviceCommand::Register {
            nik,
            name,
            phone,
            password,
        } => {
            let account = device.register(&nik, &name, &phone, &password)?;
            if json {
                json_line(&view::account_json(&account));
            } else {
                say!("Terdaftar dan masuk / registered and logged in ({server}):");
                say!("{}", view::account_line(&account));
            }
        }
        DeviceCommand::Login { username, password } => {
            let account = device.login(&username, &password)?;
            if json {
                json_line(&view::account_json(&account));
            } else {
                say!("Masuk / logged in ({server}):");
                say!("{}", view::account_line(&account));
            }
        }
        DeviceCommand::Logout => {
            let Some(account) = device.current_account()? else {
                return Err(Failure::coded(exit::AUTH, &catalog, "account.none", &[]));
            };
            device.logout(&account.id)?;
            if json {
                json_line(&json!({"logged_out": account.username}));
            } else {
                say!("Keluar / logged out: {}", account.username);
            }
        }
        DeviceCommand::Accounts => {
            let accounts = device.accounts()?;
            if json {
                json_line(&accounts.iter().map(view::account_json).collect::<Vec<_>>());
            } else if accounts.is_empty() {
                say!("Belum ada akun / no account yet (`ceria device register` / `login`)");
            } else {
                accounts
                    .iter()
                    .for_each(|a| say!("{}", view::account_line(a)));
            }
        }
        DeviceCommand::Services => {
            if json {
                json_line(&view::services_json(&catalog));
            } else {
                print_lines(view::services_text(&catalog));
            }
        }
        DeviceCommand::Service { id } => {
            let Some(service) = catalog.service(id.trim()) else {
                return Err(Failure::coded(
                    exit::NOT_FOUND,
                    &catalog,
                    "service.unknown",
                    &[("service", id.clone())],
                )
                .context(format!("`{id}` (`ceria device services`)")));
            };
            if json {
                json_line(service);
            } else {
                print_lines(view::service_text(&catalog, service));
            }
        }
        DeviceCommand::Drafts => {
            let drafts = device.drafts()?;
            if json {
                json_line(
                    &drafts
                        .iter()
                        .map(view::draft_summary_json)
                        .collect::<Vec<_>>(),
                );
            } else if drafts.is_empty() {
                say!("Belum ada draf / no drafts");
            } else {
                let off = catalog.utc_offset_minutes();
                drafts
                    .iter()
                    .for_each(|d| say!("{}", view::draft_summary_line(d, off)));
            }
        }
        DeviceCommand::Draft { command } => return draft(&device, &catalog, command, json),
        DeviceCommand::Submit { draft } => {
            let id = resolve_draft(&device, &draft)?;
            let request = device.finalise(&id)?;
            if json {
                json_line(&view::request_json(&catalog, &request));
            } else {
                say!(
                    "Permohonan disimpan dan menunggu dikirim / request queued: {}",
                    request.id
                );
                say!("Kirim dengan / send with: ceria device sync");
            }
        }
        DeviceCommand::Sync { wait } => {
            let report = sync_until(&device, wait.map(Duration::from_secs))?;
            if json {
                json_line(&view::sync_json(&report));
            } else {
                print_lines(view::sync_text(&catalog, &report));
            }
            if !report.needs_login.is_empty() {
                return Ok(exit::AUTH);
            }
        }
        DeviceCommand::Requests => {
            let requests = device.requests()?;
            if json {
                let items: Vec<_> = requests
                    .iter()
                    .map(|r| view::request_summary_json(&catalog, r))
                    .collect();
                json_line(&items);
            } else if requests.is_empty() {
                say!("Belum ada permohonan / no requests");
            } else {
                requests
                    .iter()
                    .for_each(|r| say!("{}", view::request_summary_line(&catalog, r)));
            }
        }
        DeviceCommand::Request { id } => {
            let id = resolve_request(&device, &id)?;
            let request = device.request(&id)?;
            if json {
                json_line(&view::request_json(&catalog, &request));
            } else {
                print_lines(view::request_text(&catalog, &request));
            }
        }
        DeviceCommand::Cancel { id } => {
            let id = resolve_request(&device, &id)?;
            let request = device.cancel(&id)?;
            if json {
                json_line(&view::request_json(&catalog, &request));
            } else {
                print_lines(view::request_text(&catalog, &request));
            }
        }
        DeviceCommand::Revise { id } => {
            let id = resolve_request(&device, &id)?;
            let draft = device.revise(&id)?;
            if json {
                json_line(&view::draft_json(&draft));
            } else {
                print_lines(view::draft_text(&catalog, &draft));
            }
        }
    }
    Ok(exit::OK)
}

fn draft(
    device: &Device,
    catalog: &Catalog,
    command: DraftCommand,
    json: bool,
) -> Result<u8, Failure> {
    match command {
        DraftCommand::New { service } => {
            let draft = device.create_draft(service.trim())?;
            if json {
                json_line(&view::draft_json(&draft));
            } else {
                say!("Draf baru / new draft: {}", draft.id);
                say!(
                    "Isi dengan / fill in with: ceria device draft set {} field=value ...",
                    draft.id
                );
            }
        }
        DraftCommand::Show { id } => {
            let id = resolve_draft(device, &id)?;
            let draft = device.draft(&id)?;
            if json {
                json_line(&view::draft_json(&draft));
            } else {
                print_lines(view::draft_text(catalog, &draft));
            }
        }
        DraftCommand::Set {
            id,
            values,
            village,
            on_behalf_of,
        } => {
            let id = resolve_draft(device, &id)?;
            let values = parse_assignments(&values)?;
            if village.is_some() || on_behalf_of.is_some() {
                let current = device.draft(&id)?;
                device.set_draft_context(
                    &id,
                    village.or(current.village),
                    on_behalf_of.or(current.on_behalf_of),
                )?;
            }
            let mut fields: Vec<String> = values.keys().cloned().collect();
            fields.sort();
            let report = device.set_values(&id, values)?;
            if json {
                json_line(&view::report_json(&id, &report));
            } else {
                print_lines(view::set_report_text(&report, &fields));
            }
        }
        DraftCommand::Attach {
            id,
            requirement,
            file,
            media_type,
        } => {
            let id = resolve_draft(device, &id)?;
            let media = match media_type {
                Some(m) => m,
                None => media_type_of(&file).map(str::to_string).ok_or_else(|| {
                    Failure::new(
                        exit::USAGE,
                        format!(
                            "{}: jenis berkas tidak dikenali, gunakan --media-type / unknown file type, use --media-type",
                            file.display()
                        ),
                    )
                })?,
            };
            let path = file.to_str().ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    format!("{}: path must be UTF-8", file.display()),
                )
            })?;
            let attachment = device.attach(&id, requirement.trim(), path, &media)?;
            if json {
                json_line(&json!({
                    "id": attachment.id, "requirement": attachment.requirement,
                    "sha256": attachment.sha256, "size": attachment.size,
                    "media_type": attachment.media_type, "file_name": attachment.file_name,
                }));
            } else {
                say!(
                    "Terlampir / attached: {} -> {} ({}, {})",
                    attachment.file_name,
                    attachment.requirement,
                    attachment.media_type,
                    crate::output::bytes(attachment.size)
                );
            }
        }
        DraftCommand::Check { id } => {
            let id = resolve_draft(device, &id)?;
            let draft = device.draft(&id)?;
            if json {
                json_line(&view::draft_json(&draft));
            } else {
                print_lines(view::verdict_lines(draft.valid, &draft.issues));
            }
            if !draft.valid {
                return Ok(exit::INVALID);
            }
        }
        DraftCommand::Delete { id } => {
            let id = resolve_draft(device, &id)?;
            device.delete_draft(&id)?;
            if json {
                json_line(&json!({"deleted": id}));
            } else {
                say!("Draf dihapus / draft deleted: {id}");
            }
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments() {
        let v = parse_assignments(&[
            "nama=Andika Pratama".into(),
            "x=a=b".into(),
            "telepon=".into(),
        ])
        .unwrap();
        assert_eq!(v["nama"], "Andika Pratama");
        assert_eq!(v["x"], "a=b");
        assert_eq!(v["telepon"], "");
        assert_eq!(
            parse_assignments(&["nama".into()]).unwrap_err().status,
            exit::USAGE
        );
        assert_eq!(
            parse_assignments(&["=x".into()]).unwrap_err().status,
            exit::USAGE
        );
    }

    #[test]
    fn prefixes() {
        let ids = ["0193aa", "0193ab", "0194"];
        assert_eq!(pick(ids.iter().copied(), "0194"), Ok(Some("0194".into())));
        assert_eq!(pick(ids.iter().copied(), "0193a"), Err(2));
        assert_eq!(
            pick(ids.iter().copied(), "0193ab"),
            Ok(Some("0193ab".into()))
        );
        assert_eq!(pick(ids.iter().copied(), "x"), Ok(None));
    }

    #[test]
    fn media_types_from_names() {
        assert_eq!(media_type_of(Path::new("kk.JPG")), Some("image/jpeg"));
        assert_eq!(media_type_of(Path::new("a/b.pdf")), Some("application/pdf"));
        assert_eq!(media_type_of(Path::new("notes.txt")), None);
        assert_eq!(media_type_of(Path::new("noext")), None);
    }
}
