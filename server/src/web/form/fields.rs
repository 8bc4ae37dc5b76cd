//! The catalog service's fields and attachment requirements as view models of inputs, for
//! `templates/form/form.html`: the widget of each field kind (code lists and yes/no as
//! selects with their labels, dates, NIK/KK numbers and whole numbers as numeric text, phone,
//! text, region pickers), labels and hints in the page's language, the value to show, the
//! message of the check and the reviewer's reasons next to the field they name. A field that
//! is not relevant is rendered `hidden` and disabled, so a browser does not send it.

use crate::web::form::check::{Checked, first};
use crate::web::form::posted::{FILE, UPLOAD, VALUE};
use crate::web::form::regions::{self, Level};
use crate::web::i18n::Texts;
use ceria_core::catalog::attachments::format_mb;
use ceria_core::catalog::source::{AttachmentSource, FieldKind, FieldSource, ServiceSource};
use ceria_core::protocol::{AttachmentRef, ReturnReason};
use ceria_core::validate::{DEFAULT_NAME_MAX, DEFAULT_TEXT_MAX};
use ceria_core::{Issue, RegionLevel, RegionTable, Severity};
use std::collections::BTreeMap;

/// One option of a select.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    /// The value sent.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

/// A message next to a field or attachment.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// The text in the page's language.
    pub text: String,
    /// An error (else a warning).
    pub error: bool,
}

impl Message {
    fn of(issue: &Issue, t: &Texts) -> Message {
        Message {
            text: issue.message(t.lang.code()).to_string(),
            error: issue.severity == Severity::Error,
        }
    }
}

/// How an input is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Widget {
    /// A text input (`inputmode` tells phones which keyboard).
    Text,
    /// A date picker.
    Date,
    /// A phone number.
    Tel,
    /// A select of [`FieldView::options`].
    Select,
    /// Region pickers ([`FieldView::levels`]) above the field's own select.
    Region,
    /// A computed value, read only, not sent.
    Computed,
}

/// One field of the form.
#[derive(Debug, Clone)]
pub(crate) struct FieldView {
    /// Catalog field id.
    pub id: String,
    /// Form field name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Help text.
    pub hint: Option<String>,
    /// Required now.
    pub required: bool,
    /// Not relevant now: hidden and disabled.
    pub hidden: bool,
    /// How it is drawn.
    pub widget: Widget,
    /// `inputmode` of a text input.
    pub inputmode: &'static str,
    /// Longest text.
    pub max_len: usize,
    /// The value as typed (or computed).
    pub value: String,
    /// The options of a select.
    pub options: Vec<Choice>,
    /// The pickers above a region field's own select.
    pub levels: Vec<Level>,
    /// The check's message.
    pub message: Option<Message>,
    /// What the reviewer said about it.
    pub reasons: Vec<String>,
}

impl FieldView {
    /// The element ids that describe the input (hint, message, reviewer's notes).
    pub(crate) fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("hint-{}", self.id));
        }
        ids.push(format!("msg-{}", self.id));
        if !self.reasons.is_empty() {
            ids.push(format!("reason-{}", self.id));
        }
        ids.join(" ")
    }

    /// The widget's name for the template: `text`, `date`, `tel`, `select`, `region`,
    /// `computed`.
    pub(crate) fn kind(&self) -> &'static str {
        match self.widget {
            Widget::Text => "text",
            Widget::Date => "date",
            Widget::Tel => "tel",
            Widget::Select => "select",
            Widget::Region => "region",
            Widget::Computed => "computed",
        }
    }

    /// Whether the message is an error (for `aria-invalid`).
    pub(crate) fn invalid(&self) -> bool {
        self.message.as_ref().is_some_and(|m| m.error)
    }
}

/// One attachment requirement (the markup is the contract with `upload.js`).
#[derive(Debug, Clone)]
pub(crate) struct AttachmentView {
    /// Requirement id.
    pub id: String,
    /// Name of the file input.
    pub file_name: String,
    /// Name of the hidden field with the uploaded file's SHA-256.
    pub upload_name: String,
    /// Label.
    pub label: String,
    /// Guidance.
    pub hint: Option<String>,
    /// Always required, or required now.
    pub required: bool,
    /// Accepted media types, comma-separated.
    pub accept: String,
    /// SHA-256 of the file attached now, or empty.
    pub sha256: String,
    /// What is attached now, worded.
    pub status: String,
    /// The check's message.
    pub message: Option<Message>,
    /// What the reviewer said about it.
    pub reasons: Vec<String>,
}

/// Which messages of a check to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Show {
    /// Only on what has been filled in (a form being typed into).
    Filled,
    /// Every message, "required" too (the final check, a refused send).
    All,
}

fn reasons_about(t: &Texts, reasons: &[ReturnReason], target: &str) -> Vec<String> {
    reasons
        .iter()
        .filter(|r| r.target.as_deref() == Some(target))
        .map(|r| t.with("web.form.reason", &[("message", r.message.clone())]))
        .collect()
}

/// Everything [`field_views`] reads.
pub(crate) struct Inputs<'a> {
    /// The page's texts.
    pub t: &'a Texts,
    /// The service.
    pub service: &'a ServiceSource,
    /// The values as typed.
    pub values: &'a BTreeMap<String, String>,
    /// The check of those values.
    pub checked: &'a Checked,
    /// Which messages to show.
    pub show: Show,
    /// The region table, if imported.
    pub regions: Option<&'a RegionTable>,
    /// The reasons of the last return (a revision).
    pub reasons: &'a [ReturnReason],
}

/// The view of every field of the service, in catalog order.
pub(crate) fn field_views(i: &Inputs<'_>) -> Vec<FieldView> {
    i.service.fields.iter().map(|f| field_view(i, f)).collect()
}

fn field_view(i: &Inputs<'_>, f: &FieldSource) -> FieldView {
    let t = i.t;
    let typed = i.values.get(&f.id).cloned().unwrap_or_default();
    let computed = f.calculate.is_some();
    let value = if computed {
        i.checked.computed.get(&f.id).cloned().unwrap_or_default()
    } else {
        typed.clone()
    };
    let show = match i.show {
        Show::All => true,
        Show::Filled => !typed.trim().is_empty(),
    };
    let mut view = FieldView {
        id: f.id.clone(),
        name: format!("{VALUE}{}", f.id),
        label: t.label(&f.label).to_string(),
        hint: f.hint.as_ref().map(|h| t.label(h).to_string()),
        required: f.required || i.checked.required.contains(&f.id),
        hidden: !i.checked.relevant.is_empty() && !i.checked.relevant.contains(&f.id),
        widget: Widget::Text,
        inputmode: "text",
        max_len: DEFAULT_TEXT_MAX,
        value,
        options: Vec::new(),
        levels: Vec::new(),
        message: show
            .then(|| first(i.checked.fields.get(&f.id)).map(|issue| Message::of(issue, t)))
            .flatten(),
        reasons: reasons_about(t, i.reasons, &f.id),
    };
    let limit = |default: usize| f.max_length.map_or(default, |m| m as usize);
    match f.kind {
        _ if computed => {
            view.widget = Widget::Computed;
            if let Some(list) = f.list.as_deref()
                && let Some(label) = t.catalog().code_label(list, &view.value)
            {
                view.value = t.label(label).to_string();
            }
        }
        FieldKind::Text => view.max_len = limit(DEFAULT_TEXT_MAX),
        FieldKind::Name => view.max_len = limit(DEFAULT_NAME_MAX),
        FieldKind::Nik | FieldKind::KkNumber => {
            view.inputmode = "numeric";
            view.max_len = 24;
        }
        FieldKind::Integer => {
            view.inputmode = "numeric";
            view.max_len = 12;
        }
        FieldKind::Date => view.widget = Widget::Date,
        FieldKind::Phone => {
            view.widget = Widget::Tel;
            view.inputmode = "tel";
            view.max_len = 20;
        }
        FieldKind::Choice => {
            view.widget = Widget::Select;
            let items = f
                .list
                .as_deref()
                .and_then(|l| t.catalog().code_list(l))
                .map(|l| l.items.as_slice())
                .unwrap_or_default();
            view.options = items
                .iter()
                .map(|item| Choice {
                    selected: item.code == typed,
                    value: item.code.clone(),
                    label: t.label(&item.label).to_string(),
                })
                .collect();
        }
        FieldKind::Bool => {
            view.widget = Widget::Select;
            view.options = [("true", "web.yes"), ("false", "web.no")]
                .iter()
                .map(|(code, text)| Choice {
                    selected: typed == *code,
                    value: (*code).to_string(),
                    label: t.get(text),
                })
                .collect();
        }
        FieldKind::Region => match i.regions {
            Some(table) => {
                view.widget = Widget::Region;
                let level = f.region_level.unwrap_or(RegionLevel::Village);
                let home = &t.catalog().source().regency.code;
                let (levels, own) = regions::pickers(t, table, &f.id, level, &typed, home);
                view.levels = levels;
                view.options = own;
            }
            None => {
                view.max_len = 16;
                if view.hint.is_none() {
                    view.hint = Some(t.get("web.form.region.code_hint"));
                }
            }
        },
    }
    view
}

/// The accepted media types of a requirement.
fn accepted(t: &Texts, a: &AttachmentSource) -> String {
    a.media_types
        .as_ref()
        .unwrap_or(&t.catalog().source().limits.media_types)
        .join(",")
}

/// The view of every attachment requirement of the service, with what is attached now.
pub(crate) fn attachment_views(
    i: &Inputs<'_>,
    attached: &[AttachmentRef],
    refused: &BTreeMap<String, Issue>,
) -> Vec<AttachmentView> {
    let t = i.t;
    i.service
        .attachments
        .iter()
        .map(|a| {
            let files: Vec<&AttachmentRef> =
                attached.iter().filter(|f| f.requirement == a.id).collect();
            let size: u64 = files.iter().map(|f| f.size).sum();
            let status = if files.is_empty() {
                t.get("web.form.not_attached")
            } else {
                t.with(
                    "web.form.attached",
                    &[
                        ("count", files.len().to_string()),
                        ("size", format!("{} MB", format_mb(size))),
                    ],
                )
            };
            // A refused file is news whatever the mode; "missing" only in the final check.
            let checked = match i.show {
                Show::All => first(i.checked.attachments.get(&a.id)),
                Show::Filled if !files.is_empty() => first(i.checked.attachments.get(&a.id)),
                Show::Filled => None,
            };
            let message = refused.get(&a.id).or(checked).map(|issue| Message::of(issue, t));
            AttachmentView {
                id: a.id.clone(),
                file_name: format!("{FILE}{}", a.id),
                upload_name: format!("{UPLOAD}{}", a.id),
                label: t.label(&a.label).to_string(),
                hint: a.hint.as_ref().map(|h| t.label(h).to_string()),
                required: a.required || i.checked.missing.contains(&a.id),
                accept: accepted(t, a),
                sha256: files.first().map(|f| f.sha256.clone()).unwrap_or_default(),
                status,
                message,
                reasons: reasons_about(t, i.reasons, &a.id),
            }
        })
        .collect()
}
