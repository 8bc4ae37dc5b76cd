//! The catalog file format, as written by hand in `core/catalog/catalog.json` and as published
//! by a registry. These types mirror the JSON one to one; [`crate::Catalog`] is the checked,
//! compiled form that the rest of the core uses. See `docs/catalog.md` for the format guide.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text in Bahasa Indonesia (`id`) and English (`en`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Localized {
    /// Bahasa Indonesia: what people read first.
    pub id: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// The text in `lang` (`"en"`, otherwise Indonesian).
    pub fn get(&self, lang: &str) -> &str {
        if lang.eq_ignore_ascii_case("en") {
            &self.en
        } else {
            &self.id
        }
    }
}

/// The whole catalog file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSource {
    /// Format version of this file layout; this code reads format 1.
    pub format: u32,
    /// Content version, e.g. `2026.11.1`; newer catalogs replace older ones on devices.
    pub version: String,
    /// The regency this catalog serves.
    pub regency: RegencySource,
    /// Default attachment limits.
    pub limits: LimitsSource,
    /// Service families, in display order (Pendaftaran Penduduk, Pencatatan Sipil).
    pub groups: Vec<GroupSource>,
    /// Labels of the request states (`submitted`, `verified`, `returned`, `processing`,
    /// `completed`, `rejected`, `cancelled`).
    pub states: BTreeMap<String, Localized>,
    /// Code lists (religion, marital status, occupation, ...).
    pub code_lists: Vec<CodeListSource>,
    /// Every message a person can read, by stable code. `{name}` placeholders are filled from
    /// the parameters; `{label}` is always the field's label.
    pub messages: BTreeMap<String, Localized>,
    /// The services, in display order within their group.
    pub services: Vec<ServiceSource>,
}

/// The regency that runs the registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegencySource {
    /// Kemendagri code, e.g. `13.05`.
    pub code: String,
    /// Name, e.g. `Kabupaten Padang Pariaman`.
    pub name: String,
    /// The local time's offset from UTC in minutes (WIB = 420); ages and deadlines use it.
    pub utc_offset_minutes: i32,
}

/// Attachment limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LimitsSource {
    /// Largest accepted file, in bytes.
    pub max_attachment_bytes: u64,
    /// Most files (pages) per requirement.
    pub max_files_per_requirement: u32,
    /// Accepted media types, e.g. `image/jpeg`.
    pub media_types: Vec<String>,
}

/// A family of services.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupSource {
    /// Stable id, e.g. `pendaftaran_penduduk`.
    pub id: String,
    /// Display name.
    pub name: Localized,
    /// One-line description.
    #[serde(default)]
    pub description: Localized,
}

/// A code list with stable codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CodeListSource {
    /// Stable id, e.g. `religion`.
    pub id: String,
    /// Display name of the list.
    pub name: Localized,
    /// Entries in display order.
    pub items: Vec<CodeItemSource>,
}

/// One entry of a code list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CodeItemSource {
    /// Stable code as stored in forms (the SIAK code where one exists), e.g. `1`.
    pub code: String,
    /// Label.
    pub label: Localized,
}

/// One service a citizen can request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ServiceSource {
    /// Stable id, e.g. `ktp_baru`.
    pub id: String,
    /// The id of its [`GroupSource`].
    pub group: String,
    /// Name.
    pub name: Localized,
    /// What the service is.
    pub description: Localized,
    /// Who may apply.
    pub eligibility: Localized,
    /// What the citizen receives, e.g. "KTP-el" or "Kutipan Akta Kelahiran (A4, TTE)".
    pub output: Localized,
    /// Regulations, e.g. `Perpres 96/2018`.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Paper forms this request replaces, e.g. `F-1.02`.
    #[serde(default)]
    pub forms: Vec<String>,
    /// Service-level time, in working days.
    pub service_days: u32,
    /// Fee in rupiah; 0 (free by law).
    pub fee: u64,
    /// The reporting deadline counted from an event date, if the law sets one.
    #[serde(default)]
    pub deadline: Option<DeadlineSource>,
    /// Form fields in display order.
    pub fields: Vec<FieldSource>,
    /// Cross-field checks.
    #[serde(default)]
    pub checks: Vec<CheckSource>,
    /// Attachment requirements in display order.
    #[serde(default)]
    pub attachments: Vec<AttachmentSource>,
}

/// A reporting deadline: `days` after the date in `event_field`. Late is a warning with
/// guidance (late registration is still accepted), never a refusal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeadlineSource {
    /// Days allowed, e.g. 60 for a birth.
    pub days: u32,
    /// The date field of the event (birth date, date of death, ...).
    pub event_field: String,
    /// Message code of the late warning; parameters `days`, `deadline`, `late_days`.
    pub code: String,
}

/// What kind of value a field holds; decides its parser, validator and input widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FieldKind {
    /// Free text (addresses, places).
    Text,
    /// A person's name (see `name_policy`).
    Name,
    /// Nomor Induk Kependudukan, 16 digits.
    Nik,
    /// Nomor Kartu Keluarga, 16 digits.
    KkNumber,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A whole number.
    Integer,
    /// One code from a code list (`list`).
    Choice,
    /// An Indonesian phone number, normalised to E.164.
    Phone,
    /// A Kemendagri region code at `region_level`.
    Region,
    /// Yes / no (`true` / `false`).
    Bool,
}

/// How strictly a name is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NamePolicy {
    /// A name already on record: single names and apostrophes are accepted.
    #[default]
    Existing,
    /// A name being recorded now (a baby, a name change): Permendagri 73/2022 rules.
    New,
}

/// The level of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RegionLevel {
    /// `PP`.
    Province,
    /// `PP.KK`.
    Regency,
    /// `PP.KK.CC`.
    District,
    /// `PP.KK.CC.DDDD` (kelurahan, desa, nagari).
    Village,
}

/// A form field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldSource {
    /// Stable id, `snake_case`, unique in the service; expressions refer to it as `${id}`.
    pub id: String,
    /// Kind of value.
    pub kind: FieldKind,
    /// Label.
    pub label: Localized,
    /// Help text under the input.
    #[serde(default)]
    pub hint: Option<Localized>,
    /// Required whenever relevant.
    #[serde(default)]
    pub required: bool,
    /// Required when this expression is true (and the field is relevant).
    #[serde(default)]
    pub required_if: Option<String>,
    /// Shown (and validated) only when this expression is true.
    #[serde(default)]
    pub relevant: Option<String>,
    /// Must hold for a non-empty value; `.` is the field's own value.
    #[serde(default)]
    pub constraint: Option<String>,
    /// Message code when `constraint` fails (default `constraint.failed`).
    #[serde(default)]
    pub constraint_code: Option<String>,
    /// Computed, read-only value.
    #[serde(default)]
    pub calculate: Option<String>,
    /// Code list id, for `choice`.
    #[serde(default)]
    pub list: Option<String>,
    /// Region level, for `region`.
    #[serde(default)]
    pub region_level: Option<RegionLevel>,
    /// Name strictness, for `name`.
    #[serde(default)]
    pub name_policy: Option<NamePolicy>,
    /// Smallest value, for `integer`.
    #[serde(default)]
    pub min: Option<i64>,
    /// Largest value, for `integer`.
    #[serde(default)]
    pub max: Option<i64>,
    /// Longest text in characters, for `text` (default 200) and `name` (default 60).
    #[serde(default)]
    pub max_length: Option<u32>,
    /// For `date`: whether a date after today is allowed (default false).
    #[serde(default)]
    pub allow_future: bool,
    /// For `nik`: the date field that must agree with the NIK's birth date.
    #[serde(default)]
    pub birth_date_field: Option<String>,
    /// For `nik`: the `sex` choice field that must agree with the NIK (day + 40 for women).
    #[serde(default)]
    pub sex_field: Option<String>,
}

/// A cross-field rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckSource {
    /// Stable id, unique in the service.
    pub id: String,
    /// Must be true; null (some input still empty) counts as passing.
    pub expr: String,
    /// Error or warning.
    pub severity: crate::report::Severity,
    /// Message code.
    pub code: String,
    /// Fields the issue is shown on; the first one is the issue's `field`. Empty: form level.
    #[serde(default)]
    pub fields: Vec<String>,
}

/// An attachment requirement (a document to photograph or scan, one or more pages).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttachmentSource {
    /// Stable id, unique in the service.
    pub id: String,
    /// What to attach.
    pub label: Localized,
    /// Guidance (e.g. "foto semua halaman").
    #[serde(default)]
    pub hint: Option<Localized>,
    /// Always required.
    #[serde(default)]
    pub required: bool,
    /// Required when this expression is true (may use `attached('other')` for alternatives).
    #[serde(default)]
    pub required_if: Option<String>,
    /// Most files for this requirement (default: the catalog limit).
    #[serde(default)]
    pub max_files: Option<u32>,
    /// Accepted media types (default: the catalog limit).
    #[serde(default)]
    pub media_types: Option<Vec<String>>,
}
