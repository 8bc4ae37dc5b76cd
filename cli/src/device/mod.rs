//! `ceria device ...`: a desktop frontend of the core's on-device store and sync engine, for
//! citizens and nagari operators with a laptop. Everything but `register`, `login` and `sync`
//! works offline; the device data lives in `HOME/device`.

pub mod drafts;
pub mod key;
pub mod progress;
pub mod sync;
pub mod view;

use crate::exit::{self, Failure};
use crate::home;
use crate::output::json_line;
use ceria_core::{Catalog, Device, DeviceConfig};
use drafts::{DraftCommand, draft};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use sync::sync_until;

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
    /// Verifikasi NIK / Proves that the current account's NIK is yours with the data of the
    /// population register (online).
    Verify {
        /// No. KK (16 digits).
        #[arg(long = "nomor-kk")]
        nomor_kk: String,
        /// Birth date, YYYY-MM-DD.
        #[arg(long = "birth-date")]
        birth_date: String,
        /// Mother's name as on the KK.
        #[arg(long = "mother-name")]
        mother_name: String,
    },
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

/// Opens the device store of `home` for `server`, encrypted with the key of the device
/// passphrase ([`key`]). Files attached to a draft upload in the background (during
/// `ceria device sync`) before the draft is sent.
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
    let mut config = DeviceConfig::new(dir, server);
    config.background_uploads = true;
    config.encryption_key = Some(key::device_key(home)?);
    Ok(Device::open_with(config)?)
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
        Some("device.key_wrong") => f.context(format!(
            "-> {}: frasa sandi perangkat yang benar / the right device passphrase",
            key::PASSPHRASE_ENV
        )),
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
                print_lines(view::identity_lines(&catalog, &account));
            }
        }
        DeviceCommand::Login { username, password } => {
            let account = device.login(&username, &password)?;
            if json {
                json_line(&view::account_json(&account));
            } else {
                say!("Masuk / logged in ({server}):");
                say!("{}", view::account_line(&account));
                print_lines(view::identity_lines(&catalog, &account));
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
                for a in &accounts {
                    say!("{}", view::account_line(a));
                    print_lines(view::identity_lines(&catalog, a));
                }
            }
        }
        DeviceCommand::Verify {
            nomor_kk,
            birth_date,
            mother_name,
        } => {
            let account = device.prove_identity(&nomor_kk, &birth_date, &mother_name)?;
            if json {
                json_line(&view::account_json(&account));
            } else {
                say!("{}", view::account_line(&account));
                print_lines(view::identity_lines(&catalog, &account));
                say!(
                    "Permohonan untuk NIK ini datang pada sinkron berikut / requests filed for this NIK arrive with the next sync: ceria device sync"
                );
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
