//! `ceria validate nik ...` and `ceria validate form SERVICE FILE.json`: the core's validators
//! for scripts and for registry staff checking data by hand.

use crate::exit::{self, Failure};
use ceria_core::validate::nik::{self, Nik, Sex};
use ceria_core::{Catalog, Date, Issue, RegionTable, Severity, ValidationContext};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// `ceria validate ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ValidateCommand {
    /// Memeriksa NIK / Checks NIKs (arguments, or one per line on stdin).
    Nik {
        /// NIKs to check; none: read one per line from stdin.
        niks: Vec<String>,
        /// The holder's birth date (YYYY-MM-DD) to cross-check with the NIK.
        #[arg(long)]
        birth_date: Option<String>,
        /// The holder's sex, `L` or `P`, to cross-check with the NIK (day + 40 for women).
        #[arg(long)]
        sex: Option<String>,
        /// A Kemendagri region CSV (`code,name`) for district names and unknown regions.
        #[arg(long)]
        regions: Option<PathBuf>,
    },
    /// Memeriksa formulir / Checks a whole form of a service from a JSON file.
    Form {
        /// Catalog service id, e.g. `ktp_baru` (see `ceria device services`).
        service: String,
        /// `{"values": {...}, "attachments": [...]}` or just the values object.
        file: PathBuf,
        /// A Kemendagri region CSV (`code,name`) for unknown-region warnings.
        #[arg(long)]
        regions: Option<PathBuf>,
    },
}

/// Runs a `validate` command; returns the exit status.
pub fn run(command: ValidateCommand, json: bool) -> Result<u8, Failure> {
    match command {
        ValidateCommand::Nik {
            niks,
            birth_date,
            sex,
            regions,
        } => nik(NikArgs {
            niks,
            birth_date,
            sex,
            regions,
            json,
        }),
        ValidateCommand::Form {
            service,
            file,
            regions,
        } => form(&service, &file, json, regions.as_deref()),
    }
}

/// Options of `validate nik`.
pub struct NikArgs {
    /// NIKs given on the command line; when empty, read one per line from stdin.
    pub niks: Vec<String>,
    /// The holder's birth date to cross-check.
    pub birth_date: Option<String>,
    /// The holder's sex (`L`/`P`) to cross-check.
    pub sex: Option<String>,
    /// A Kemendagri region CSV for district names and the unknown-region warning.
    pub regions: Option<PathBuf>,
    /// One JSON object per line instead of text.
    pub json: bool,
}

fn load_regions(path: Option<&Path>) -> Result<Option<RegionTable>, Failure> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            exit::NOT_FOUND,
            format!("tidak dapat membaca {}: {e}", path.display()),
        )
    })?;
    RegionTable::from_csv(&text)
        .map(Some)
        .map_err(|e| Failure::new(exit::INVALID, format!("{}: {e}", path.display())))
}

/// Runs `validate nik`; returns the exit status.
pub fn nik(args: NikArgs) -> Result<u8, Failure> {
    let catalog = Catalog::embedded();
    let regions = load_regions(args.regions.as_deref())?;
    let birth = match &args.birth_date {
        None => None,
        Some(s) => Some(Date::parse_iso(s).ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                format!("--birth-date `{s}`: gunakan YYYY-MM-DD / use YYYY-MM-DD"),
            )
        })?),
    };
    let sex = match &args.sex {
        None => None,
        Some(s) => Some(Sex::from_code(&s.to_uppercase()).ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                format!("--sex `{s}`: gunakan L atau P / use L or P"),
            )
        })?),
    };
    let today = Date::today(catalog.utc_offset_minutes());
    let mut inputs = args.niks;
    if inputs.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Failure::new(exit::INVALID, format!("stdin: {e}")))?;
            if !line.trim().is_empty() {
                inputs.push(line);
            }
        }
    }
    let mut all_valid = true;
    for input in inputs {
        let mut issues: Vec<Issue> = Vec::new();
        let mut info = serde_json::Map::new();
        match Nik::parse(&input) {
            Ok(n) => {
                info.insert("sex".into(), json!(n.sex().code().to_string()));
                if let Some(d) = n.birth_date(today) {
                    info.insert("birth_date".into(), json!(d.to_string()));
                }
                info.insert("district".into(), json!(n.district().as_str()));
                let mut findings = nik::cross_check(&n, birth, sex);
                if let Some(t) = &regions {
                    findings.extend(nik::check_region(&n, t));
                    if let Some(name) = t.name_of(&n.district()) {
                        info.insert("district_name".into(), json!(name));
                    }
                }
                issues.extend(findings.iter().map(|f| catalog.issue(Some("nik"), f)));
            }
            Err(findings) => issues.extend(findings.iter().map(|f| catalog.issue(Some("nik"), f))),
        }
        let valid = issues.iter().all(|i| i.severity != Severity::Error);
        all_valid &= valid;
        let shown = input.trim();
        if args.json {
            let mut obj = serde_json::Map::new();
            obj.insert("nik".into(), json!(shown));
            obj.insert("valid".into(), json!(valid));
            obj.insert("issues".into(), json!(issues));
            obj.extend(info);
            crate::output::json_line(&serde_json::Value::Object(obj));
        } else {
            let verdict = if valid {
                "sah / valid"
            } else {
                "TIDAK SAH / invalid"
            };
            let mut line = format!("{shown}: {verdict}");
            for key in ["sex", "birth_date", "district", "district_name"] {
                if let Some(v) = info.get(key).and_then(|v| v.as_str()) {
                    line.push_str(&format!("  {key}={v}"));
                }
            }
            say!("{line}");
            print_issues(&issues);
        }
    }
    Ok(if all_valid { exit::OK } else { exit::INVALID })
}

/// Prints issues for a person: severity, code, Indonesian then English.
pub fn print_issues(issues: &[Issue]) {
    for line in crate::output::issue_lines(issues) {
        say!("{line}");
    }
}

/// Runs `validate form SERVICE FILE.json`; returns the exit status. The file holds
/// `{"values": {...}, "attachments": ["id", ...]}` or just the values object.
pub fn form(
    service: &str,
    file: &Path,
    json_out: bool,
    regions: Option<&Path>,
) -> Result<u8, Failure> {
    let catalog = Catalog::embedded();
    let regions = load_regions(regions)?;
    let text = std::fs::read_to_string(file).map_err(|e| {
        Failure::new(
            exit::NOT_FOUND,
            format!("tidak dapat membaca {}: {e}", file.display()),
        )
    })?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::new(
            exit::INVALID,
            format!(
                "{}: JSON tidak sah / malformed JSON (baris/line {}, kolom/column {}): {e}",
                file.display(),
                e.line(),
                e.column()
            ),
        )
    })?;
    let (values_json, attachments_json) = match doc.get("values") {
        Some(v) => (
            v.clone(),
            doc.get("attachments").cloned().unwrap_or(json!([])),
        ),
        None => (doc.clone(), json!([])),
    };
    let values = ceria_core::form_values_from_json(&values_json)
        .map_err(|e| Failure::new(exit::INVALID, format!("{}: {e}", file.display())))?;
    let attached: BTreeSet<String> = match attachments_json {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|x| match x {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(Failure::new(
                    exit::INVALID,
                    "attachments: daftar teks / a list of strings",
                )),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(Failure::new(
                exit::INVALID,
                "attachments: daftar teks / a list of strings",
            ));
        }
    };
    let ctx = ValidationContext {
        today: None,
        regions: regions.as_ref(),
    };
    let report = catalog.validate(service, &values, &attached, &ctx).map_err(|e| match e {
        ceria_core::ValidateError::UnknownService(s) => Failure::new(
            exit::NOT_FOUND,
            format!("layanan `{s}` tidak ada / unknown service `{s}` (lihat/see `ceria device services`)"),
        ),
        other => Failure::new(exit::INVALID, other.to_string()),
    })?;
    if json_out {
        crate::output::json_line(&report);
    } else {
        let verdict = if report.valid {
            "lengkap dan sah / complete and valid"
        } else {
            "belum sah / not valid"
        };
        say!("{service}: {verdict}");
        print_issues(&report.issues);
    }
    Ok(if report.valid {
        exit::OK
    } else {
        exit::INVALID
    })
}
