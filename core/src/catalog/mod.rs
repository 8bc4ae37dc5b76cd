//! The checked, compiled service catalog.
//!
//! A catalog file ([`crate::catalog::source::CatalogSource`]) is parsed, then every reference
//! (groups, code lists, message codes, fields named by rules) and every rule expression is
//! checked once, at load time, so that validation itself never meets a dangling name. A
//! catalog that loads is safe to evaluate against any input.

pub mod attachments;
pub(crate) mod compile;
pub mod diff;
pub mod error;
pub mod source;

use crate::catalog::compile::{CompiledService, compile};
use crate::catalog::error::CatalogError;
use crate::catalog::source::{
    AttachmentSource, CatalogSource, CodeListSource, FieldSource, GroupSource, Localized,
    ServiceSource,
};
use crate::protocol::RequestState;
use crate::report::{Finding, Issue};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// The catalog shipped inside the library; used until a newer one arrives from the server.
pub const EMBEDDED_JSON: &str = include_str!("../../catalog/catalog.json");

/// Largest catalog file accepted (a real one is well under 1 MiB).
pub const MAX_CATALOG_BYTES: usize = 8 * 1024 * 1024;

static EMBEDDED: LazyLock<Arc<Catalog>> = LazyLock::new(|| {
    // The embedded file is part of the build and is loaded by the test suite, so a failure
    // here is a packaging defect, not an input error.
    #[allow(clippy::expect_used)]
    Arc::new(Catalog::from_json(EMBEDDED_JSON).expect("embedded catalog is valid"))
});

/// A loaded, type-checked catalog. Immutable; share it behind an `Arc`.
#[derive(Debug)]
pub struct Catalog {
    source: CatalogSource,
    hash: String,
    json: Arc<str>,
    pub(crate) services: Vec<CompiledService>,
    service_index: HashMap<String, usize>,
    pub(crate) lists: HashMap<String, HashMap<String, usize>>,
}

impl Catalog {
    /// The catalog embedded in the library.
    pub fn embedded() -> Arc<Catalog> {
        Arc::clone(&EMBEDDED)
    }

    /// Parses and checks a catalog file. The error names the service, field, property and
    /// position that is wrong.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        if json.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::Invalid {
                service: None,
                field: None,
                property: None,
                column: None,
                message: format!("catalog is larger than {MAX_CATALOG_BYTES} bytes"),
            });
        }
        let source: CatalogSource =
            serde_json::from_str(json).map_err(|e| CatalogError::Syntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let hash = hex::encode(Sha256::digest(json.as_bytes()));
        let compiled = compile(&source)?;
        let service_index = source
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Ok(Catalog {
            source,
            hash,
            json: Arc::from(json),
            services: compiled.services,
            service_index,
            lists: compiled.lists,
        })
    }

    /// The catalog version, e.g. `2026.11.1`.
    pub fn version(&self) -> &str {
        &self.source.version
    }

    /// Lower-case hex SHA-256 of the catalog file; the server's ETag.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The catalog file exactly as loaded (what a server publishes).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The parsed file: everything a frontend renders (labels, hints, requirements).
    pub fn source(&self) -> &CatalogSource {
        &self.source
    }

    /// The local time's offset from UTC, in minutes (WIB = 420).
    pub fn utc_offset_minutes(&self) -> i32 {
        self.source.regency.utc_offset_minutes
    }

    /// All services, in display order.
    pub fn services(&self) -> &[ServiceSource] {
        &self.source.services
    }

    /// One service by id.
    pub fn service(&self, id: &str) -> Option<&ServiceSource> {
        self.service_index
            .get(id)
            .and_then(|&i| self.source.services.get(i))
    }

    /// The service groups (Pendaftaran Penduduk, Pencatatan Sipil), in display order.
    pub fn groups(&self) -> &[GroupSource] {
        &self.source.groups
    }

    /// A field of a service.
    pub fn field(&self, service: &str, field: &str) -> Option<&FieldSource> {
        self.service(service)?.fields.iter().find(|f| f.id == field)
    }

    /// An attachment requirement of a service.
    pub fn attachment(&self, service: &str, requirement: &str) -> Option<&AttachmentSource> {
        self.service(service)?
            .attachments
            .iter()
            .find(|a| a.id == requirement)
    }

    /// Largest accepted size (bytes) of a file for this requirement.
    pub fn max_attachment_bytes(&self) -> u64 {
        self.source.limits.max_attachment_bytes
    }

    /// Most files (pages) for this requirement.
    pub fn max_files(&self, attachment: &AttachmentSource) -> u32 {
        attachment
            .max_files
            .unwrap_or(self.source.limits.max_files_per_requirement)
    }

    /// Whether `media_type` is accepted for this requirement.
    pub fn accepts_media_type(&self, attachment: &AttachmentSource, media_type: &str) -> bool {
        let list = attachment
            .media_types
            .as_ref()
            .unwrap_or(&self.source.limits.media_types);
        list.iter().any(|m| m.eq_ignore_ascii_case(media_type))
    }

    /// A code list by id.
    pub fn code_list(&self, id: &str) -> Option<&CodeListSource> {
        self.source.code_lists.iter().find(|l| l.id == id)
    }

    /// The label of a code in a code list.
    pub fn code_label(&self, list: &str, code: &str) -> Option<&Localized> {
        let index = *self.lists.get(list)?.get(code)?;
        Some(&self.code_list(list)?.items.get(index)?.label)
    }

    /// The label of a request state ("Selesai" for completed).
    pub fn state_label(&self, state: RequestState) -> Localized {
        self.source
            .states
            .get(state.code())
            .cloned()
            .unwrap_or_else(|| Localized {
                id: state.code().to_string(),
                en: state.code().to_string(),
            })
    }

    /// The label of any state code, including the device's local ones (`draft`, `queued`,
    /// `uploading`, `pushed`, `needs_fix`); the code itself when the catalog has none.
    pub fn state_label_by_code(&self, code: &str) -> Localized {
        self.source
            .states
            .get(code)
            .cloned()
            .unwrap_or_else(|| Localized {
                id: code.to_string(),
                en: code.to_string(),
            })
    }

    /// Whether the catalog has a message for `code`.
    pub fn has_message(&self, code: &str) -> bool {
        self.source.messages.contains_key(code)
    }

    /// Words a message code with parameters, in Indonesian and English. `{name}` placeholders
    /// are replaced by the parameter of that name. An unknown code gives the code itself (the
    /// catalog check makes sure every code the engine emits has a message).
    pub fn message(&self, code: &str, params: &[(&str, String)]) -> Localized {
        self.message_with_label(code, params, None)
    }

    /// Like [`Catalog::message`], with `{label}` and `{attachment}` replaced by a localized
    /// label (the field's or the attachment's).
    pub fn message_with_label(
        &self,
        code: &str,
        params: &[(&str, String)],
        label: Option<&Localized>,
    ) -> Localized {
        match self.source.messages.get(code) {
            Some(template) => Localized {
                id: fill(&template.id, params, label.map(|l| l.id.as_str())),
                en: fill(&template.en, params, label.map(|l| l.en.as_str())),
            },
            None => Localized {
                id: code.to_string(),
                en: code.to_string(),
            },
        }
    }

    /// Turns a validator finding into a worded issue on `field` (a field id of some service,
    /// or `None`). The field's label is not known here; see [`Catalog::issue_for`].
    pub fn issue(&self, field: Option<&str>, finding: &Finding) -> Issue {
        self.issue_with_label(field, finding, None)
    }

    /// Turns a finding into an issue on a field of `service`, using that field's label.
    pub fn issue_for(&self, service: &str, field: &str, finding: &Finding) -> Issue {
        let label = self.field(service, field).map(|f| &f.label);
        self.issue_with_label(Some(field), finding, label)
    }

    pub(crate) fn issue_with_label(
        &self,
        field: Option<&str>,
        finding: &Finding,
        label: Option<&Localized>,
    ) -> Issue {
        let text = self.message_with_label(finding.code, &finding.params, label);
        Issue {
            field: field.map(str::to_string),
            code: finding.code.to_string(),
            severity: finding.severity,
            message_id: text.id,
            message_en: text.en,
            params: finding
                .params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    pub(crate) fn compiled(&self, service: &str) -> Option<(&ServiceSource, &CompiledService)> {
        let &i = self.service_index.get(service)?;
        Some((self.source.services.get(i)?, self.services.get(i)?))
    }
}

/// Compares catalog versions like `2026.11.1`: dot-separated parts, numerically when both
/// parts are numbers (so `2026.11.10` > `2026.11.9`), otherwise as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Replaces `{name}` placeholders. Single pass, no recursion: a parameter value containing
/// braces is inserted literally.
fn fill(template: &str, params: &[(&str, String)], label: Option<&str>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                let value = match (name, label) {
                    ("label" | "attachment", Some(l)) => Some(l),
                    _ => params
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| v.as_str()),
                };
                match value {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_and_keeps_unknown_placeholders() {
        let p = [("max", "60".to_string())];
        assert_eq!(
            fill("{label} maks {max} {x}", &p, Some("Nama")),
            "Nama maks 60 {x}"
        );
        assert_eq!(fill("tanpa kurung", &p, None), "tanpa kurung");
        assert_eq!(fill("rusak {max", &p, None), "rusak {max");
        let braces = [("v", "{max}".to_string())];
        assert_eq!(fill("{v}", &braces, None), "{max}");
    }
}
