//! Form validation (being written: API contract below).

use crate::date::Date;
use crate::region::RegionTable;
use crate::report::Issue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What validation needs besides the form: today's date and, optionally, a region table.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidationContext<'a> {
    /// Today in the regency; `None` takes the system clock at the catalog's UTC offset.
    pub today: Option<Date>,
    /// Region names and the unknown-region warning; `None` skips those checks.
    pub regions: Option<&'a RegionTable>,
}

/// The outcome of validating a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Service id.
    pub service: String,
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    /// Issues in field order, then form-level ones.
    pub issues: Vec<Issue>,
    /// Required attachment requirements with no file yet.
    pub missing_attachments: Vec<String>,
    /// Fields relevant (to be shown) right now, in display order.
    pub relevant_fields: Vec<String>,
    /// Relevant fields that are required right now.
    pub required_fields: Vec<String>,
    /// Computed values (`calculate`) and normalised inputs (phone in E.164, trimmed names).
    pub computed: BTreeMap<String, String>,
}
