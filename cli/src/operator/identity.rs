//! `ceria operator identity ...`: what a nagari operator or registry officer does at the
//! counter about who owns a NIK: verify a citizen's account after checking the KTP-el or KK,
//! give the owner of a NIK someone else registered a new verified account (reclaim), and
//! (officers) read the identity audit log of a NIK.

use super::client::Client;
use crate::exit::{self, Failure};
use crate::output::{json_line, local_time};
use ceria_core::Catalog;
use ceria_core::protocol::{IdentityDocument, InPersonCheck, ReclaimRequest, UserInfo};

/// The document checked in person.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Document {
    /// The KTP-el (electronic identity card).
    KtpEl,
    /// The KK (family card).
    Kk,
}

impl From<Document> for IdentityDocument {
    fn from(d: Document) -> IdentityDocument {
        match d {
            Document::KtpEl => IdentityDocument::KtpEl,
            Document::Kk => IdentityDocument::Kk,
        }
    }
}

/// `ceria operator identity` commands.
#[derive(Debug, clap::Subcommand)]
pub enum IdentityCommand {
    /// Verifikasi akun / Verifies the account of a NIK after checking the KTP-el or KK in
    /// person.
    Verify {
        /// The NIK on the document.
        #[arg(long)]
        nik: String,
        /// The document checked.
        #[arg(long, value_enum)]
        document: Document,
        /// Note for the audit log.
        #[arg(long)]
        note: Option<String>,
    },
    /// Ambil alih NIK / Gives the owner of a NIK, checked in person, a new verified account;
    /// an account someone else registered with that NIK is disabled and logged out.
    Reclaim {
        /// The owner's NIK.
        #[arg(long)]
        nik: String,
        /// Full name as on the KTP-el / KK.
        #[arg(long)]
        name: String,
        /// The owner's mobile number.
        #[arg(long)]
        phone: String,
        /// The new password the owner chose (at least 8 characters).
        #[arg(long, env = "CERIA_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        /// The document checked.
        #[arg(long, value_enum)]
        document: Document,
        /// Note for the audit log.
        #[arg(long)]
        note: Option<String>,
    },
    /// Riwayat verifikasi / The identity audit log of a NIK (officers).
    Log {
        /// The NIK.
        #[arg(long)]
        nik: String,
    },
}

fn account_text(catalog: &Catalog, user: &UserInfo) -> Vec<String> {
    let mut out = vec![format!("{} ({}), id {}", user.username, user.name, user.id)];
    if let Some(state) = user.identity {
        let m = catalog.message(state.message_code(), &[]);
        out.push(format!("  {}", m.id));
        out.push(format!("  {}", m.en));
    }
    out
}

/// Runs an identity command.
pub fn run(
    catalog: &Catalog,
    client: &Client,
    command: IdentityCommand,
    json: bool,
) -> Result<u8, Failure> {
    match command {
        IdentityCommand::Verify {
            nik,
            document,
            note,
        } => {
            let user = client.verify_identity(&InPersonCheck {
                nik,
                document: document.into(),
                note,
            })?;
            if json {
                json_line(&user);
            } else {
                say!("Akun terverifikasi / account verified:");
                account_text(catalog, &user)
                    .iter()
                    .for_each(|l| say!("{l}"));
            }
        }
        IdentityCommand::Reclaim {
            nik,
            name,
            phone,
            password,
            document,
            note,
        } => {
            let done = client.reclaim_nik(&ReclaimRequest {
                nik,
                name,
                phone,
                password,
                document: document.into(),
                note,
            })?;
            if json {
                json_line(&done);
            } else {
                say!("Akun baru untuk pemilik NIK / new account for the owner of the NIK:");
                account_text(catalog, &done.user)
                    .iter()
                    .for_each(|l| say!("{l}"));
                if let Some(old) = &done.replaced {
                    say!(
                        "Akun lama {old} dinonaktifkan, {} sesi diakhiri / the old account was disabled, {} sessions ended",
                        done.sessions_ended,
                        done.sessions_ended
                    );
                }
            }
        }
        IdentityCommand::Log { nik } => {
            let events = client.identity_events(&nik)?;
            if json {
                json_line(&events);
            } else if events.is_empty() {
                say!("Belum ada catatan / nothing recorded");
            } else {
                for e in &events {
                    say!(
                        "{}  {:<9} {:<8} {} ({:?}{})  akun/account {}{}",
                        local_time(e.at_ms, catalog.utc_offset_minutes()),
                        e.action,
                        e.method.code(),
                        e.actor,
                        e.actor_role,
                        e.actor_village
                            .as_deref()
                            .map(|v| format!(", {v}"))
                            .unwrap_or_default(),
                        e.account,
                        e.note
                            .as_deref()
                            .map(|n| format!("  \"{n}\""))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_map_to_the_protocol() {
        assert_eq!(IdentityDocument::from(Document::Kk), IdentityDocument::Kk);
        assert_eq!(
            IdentityDocument::from(Document::KtpEl),
            IdentityDocument::KtpEl
        );
    }
}
