//! `ceria admin population ...`: the population register extract against which citizens
//! prove that a NIK is theirs (No. KK, birth date, mother's name). The server stores it only
//! as keyed hashes (see `ceria_server::population`); a running server uses an import at once.

use crate::admin::admin_failure;
use crate::exit::Failure;
use ceria_server::Db;
use serde_json::json;
use std::path::{Path, PathBuf};

/// `ceria admin population ...`.
#[derive(Debug, clap::Subcommand)]
pub enum PopulationCommand {
    /// Replaces the register extract with a CSV: columns `nik`, `no_kk`, `birth_date`,
    /// `mother_name` (or `NIK`, `No KK`, `Tanggal Lahir`, `Nama Ibu Kandung`), `,` or `;`.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// Runs a population command on the data directory `data`.
pub fn run(db: &Db, data: &Path, command: PopulationCommand, json: bool) -> Result<u8, Failure> {
    match command {
        PopulationCommand::Import { file } => {
            let report = ceria_server::population::import(db, data, &file)
                .map_err(|e| admin_failure(&e, Some(&file)))?;
            if json {
                crate::output::json_line(&json!(report));
            } else {
                say!(
                    "{} penduduk diimpor (disimpan sebagai hash berkunci) / residents imported (stored as keyed hashes) from {}",
                    report.imported,
                    file.display()
                );
                if report.skipped > 0 {
                    say!(
                        "{} baris dilewati / rows skipped: {}",
                        report.skipped,
                        report.skipped_lines.join("; ")
                    );
                }
                say!(
                    "Kunci / key: {} (simpan terpisah dari cadangan basis data / keep apart from database backups)",
                    data.join(ceria_server::population::KEY_FILE).display()
                );
            }
            Ok(crate::exit::OK)
        }
    }
}
