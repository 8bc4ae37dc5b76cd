//! `ceria device draft ...`: starting, filling in, attaching to and deleting drafts, and the
//! parsing of `field=value` arguments and file types those commands need.

use super::{print_lines, resolve_draft, view};
use crate::exit::{self, Failure};
use crate::output::json_line;
use ceria_core::{Catalog, Device};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

pub(super) fn draft(
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
    fn media_types_from_names() {
        assert_eq!(media_type_of(Path::new("kk.JPG")), Some("image/jpeg"));
        assert_eq!(media_type_of(Path::new("a/b.pdf")), Some("application/pdf"));
        assert_eq!(media_type_of(Path::new("notes.txt")), None);
        assert_eq!(media_type_of(Path::new("noext")), None);
    }
}
