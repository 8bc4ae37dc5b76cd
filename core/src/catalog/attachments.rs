//! The attachment rules of a catalog, shared by the phone (at attach time and when a draft is
//! finalised) and the registry server (on every push): which media types a requirement takes,
//! how many files, how large. A file's type is what its content is ([`media_type_of`], from
//! its first bytes), never what a client says it is.

use crate::catalog::Catalog;
use crate::report::{Finding, Issue};

/// How many leading bytes [`media_type_of`] needs.
pub const SNIFF_BYTES: usize = 16;

/// The media type given to content no signature matches.
pub const UNKNOWN_MEDIA_TYPE: &str = "application/octet-stream";

/// Signatures of the file kinds a catalog may accept (and a few common ones it may refuse
/// by name, so the message says what the file really is).
const SIGNATURES: &[(&[u8], &str)] = &[
    (&[0xFF, 0xD8, 0xFF], "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\0", "image/tiff"),
    (b"MM\0*", "image/tiff"),
];

/// The media type of content starting with `head` (give at least [`SNIFF_BYTES`] bytes when
/// the file has them): JPEG, PNG, PDF, GIF, TIFF, WebP, HEIC; [`UNKNOWN_MEDIA_TYPE`] for
/// anything else (HTML, scripts, archives...).
pub fn media_type_of(head: &[u8]) -> &'static str {
    if let Some((_, media)) = SIGNATURES.iter().find(|(sig, _)| head.starts_with(sig)) {
        return media;
    }
    match (head.get(..4), head.get(4..8), head.get(8..12)) {
        (Some(b"RIFF"), _, Some(b"WEBP")) => "image/webp",
        (_, Some(b"ftyp"), Some(b"heic" | b"heix" | b"mif1" | b"msf1")) => "image/heic",
        _ => UNKNOWN_MEDIA_TYPE,
    }
}

/// One file of a form as the rules see it: its requirement, its content's media type and
/// its stored size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachedFile<'a> {
    /// The requirement id it is attached for.
    pub requirement: &'a str,
    /// The media type of its content ([`media_type_of`]).
    pub media_type: &'a str,
    /// Its size in bytes.
    pub size: u64,
}

/// A refused file: its requirement and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentProblem {
    /// The requirement id.
    pub requirement: String,
    /// The finding (`attachment.unknown`, `attachment.media_type`, `attachment.too_many`,
    /// `attachment.too_large`).
    pub finding: Finding,
}

impl Catalog {
    /// Checks one more file for `requirement` of `service` when `already_attached` files are
    /// there: the requirement exists, takes this media type (of the content), has room for
    /// another file, and the file is within the size limit.
    pub fn check_attachment(
        &self,
        service: &str,
        file: AttachedFile<'_>,
        already_attached: u32,
    ) -> Result<(), Finding> {
        let requirement = file.requirement;
        let req = self
            .attachment(service, requirement)
            .ok_or_else(|| Finding::error("attachment.unknown").with("attachment", requirement))?;
        if !self.accepts_media_type(req, file.media_type.trim()) {
            return Err(Finding::error("attachment.media_type").with("media_type", file.media_type));
        }
        let max = self.max_files(req);
        if already_attached >= max {
            return Err(Finding::error("attachment.too_many")
                .with("attachment", requirement)
                .with("max", max.to_string()));
        }
        if file.size > self.max_attachment_bytes() {
            return Err(too_large(self.max_attachment_bytes()));
        }
        Ok(())
    }

    /// Checks every file of a form with [`Catalog::check_attachment`], counting files per
    /// requirement in order: what a finalised draft and a pushed request must pass.
    pub fn check_attachments<'a>(
        &self,
        service: &str,
        files: impl IntoIterator<Item = AttachedFile<'a>>,
    ) -> Vec<AttachmentProblem> {
        let mut counts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut problems = Vec::new();
        for file in files {
            let count = counts.entry(file.requirement).or_default();
            match self.check_attachment(service, file, *count) {
                Ok(()) => *count += 1,
                Err(finding) => {
                    // One `too_many` per requirement is enough to say what to fix.
                    let repeated = finding.code == "attachment.too_many"
                        && problems.iter().any(|p: &AttachmentProblem| {
                            p.requirement == file.requirement && p.finding.code == finding.code
                        });
                    if !repeated {
                        problems.push(AttachmentProblem {
                            requirement: file.requirement.to_string(),
                            finding,
                        });
                    }
                }
            }
        }
        problems
    }

    /// Words a finding about a file of `requirement`, `{attachment}` reading as the
    /// requirement's label.
    pub fn attachment_issue(&self, service: &str, requirement: &str, finding: &Finding) -> Issue {
        let label = self.attachment(service, requirement).map(|a| &a.label);
        self.issue_with_label(None, finding, label)
    }
}

/// The `attachment.too_large` finding for a limit in bytes.
pub fn too_large(max_bytes: u64) -> Finding {
    Finding::error("attachment.too_large").with("max_mb", format_mb(max_bytes))
}

/// Bytes as megabytes for a message: whole numbers plain, others with one decimal.
pub fn format_mb(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        (bytes / MIB).to_string()
    } else {
        let tenths = (bytes * 10 + MIB / 2) / MIB;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_media_type() {
        assert_eq!(
            media_type_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            "image/jpeg"
        );
        assert_eq!(media_type_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(media_type_of(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(media_type_of(b"GIF89a...."), "image/gif");
        assert_eq!(media_type_of(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(media_type_of(b"\0\0\0\x18ftypheic"), "image/heic");
        assert_eq!(media_type_of(b"<html><script>"), UNKNOWN_MEDIA_TYPE);
        assert_eq!(media_type_of(b""), UNKNOWN_MEDIA_TYPE);
        assert_eq!(media_type_of(&[0xFF, 0xD8]), UNKNOWN_MEDIA_TYPE);
    }

    #[test]
    fn counts_types_and_sizes_per_requirement() {
        let catalog = Catalog::embedded();
        let (service, req) = catalog
            .services()
            .iter()
            .find_map(|s| s.attachments.first().map(|a| (s.id.clone(), a.clone())))
            .unwrap();
        let max = catalog.max_files(&req);
        let jpeg = AttachedFile {
            requirement: &req.id,
            media_type: "image/jpeg",
            size: 10,
        };
        assert!(
            catalog
                .check_attachments(&service, vec![jpeg; max as usize])
                .is_empty()
        );
        let problems = catalog.check_attachments(&service, vec![jpeg; max as usize + 3]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].finding.code, "attachment.too_many");
        let html = AttachedFile {
            media_type: UNKNOWN_MEDIA_TYPE,
            ..jpeg
        };
        assert_eq!(
            catalog
                .check_attachment(&service, html, 0)
                .unwrap_err()
                .code,
            "attachment.media_type"
        );
        let big = AttachedFile {
            size: catalog.max_attachment_bytes() + 1,
            ..jpeg
        };
        assert_eq!(
            catalog.check_attachment(&service, big, 0).unwrap_err().code,
            "attachment.too_large"
        );
        let unknown = AttachedFile {
            requirement: "tidak_ada",
            ..jpeg
        };
        assert_eq!(
            catalog
                .check_attachment(&service, unknown, 0)
                .unwrap_err()
                .code,
            "attachment.unknown"
        );
    }

    #[test]
    fn megabytes_are_worded_compactly() {
        assert_eq!(format_mb(10 * 1024 * 1024), "10");
        assert_eq!(format_mb(1_500_000), "1.4");
        assert_eq!(format_mb(512 * 1024), "0.5");
    }
}
