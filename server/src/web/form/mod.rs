//! The one request form of the web, generated from the catalog: used by the citizens' pages
//! (`pages/citizen/form.rs`, a citizen filing for themself or revising a returned request)
//! and by the console (`pages/review/resident.rs`, a nagari operator filing for a resident
//! with `on_behalf_of`). Each implements [`routes::Audience`] for its session kind and mounts
//! [`routes::router`]; the flow sees a [`Filer`] and knows no more of the audience.
//!
//! - `fields`: the catalog service's fields as view models of inputs (code lists as selects
//!   with their labels, dates, NIK/KK numbers, phone, text), relevance applied (a field that
//!   is not relevant is rendered hidden and disabled, so a browser does not send it).
//! - `regions`: region pickers down to the nagari from the imported region table: one select
//!   per level, a "choose" submit step without JavaScript.
//! - `posted`: reading a post (multipart with files, or a plain urlencoded form).
//! - `files`: the files of a no-JS post, checked by content and stored once by SHA-256 like
//!   a completed tus upload, and the hashes of files the browser uploaded with tus.
//! - `check`: validation with the same core code and the same rules the sync push applies.
//! - `send`: the payload, and the push of a Submit or Revise through the sync API's own
//!   function (the draft id is the `op_id`, so a replayed send is one request).
//! - `view`: the view model of the whole form and of the service picker.
//! - `flow`: what the handlers do (show a draft, post it, live check, start one, delete one).
//! - `routes`: the handlers and routes, written once over an [`routes::Audience`] (the
//!   citizen's or the staff's session, each implemented once in its page module).
//!
//! Drafts live on the server (`store::drafts`), saved on every live check and every post.
//! The page markup is `templates/form/form.html`, included by each audience's page template.

pub(crate) mod check;
pub(crate) mod fields;
pub(crate) mod files;
pub(crate) mod flow;
pub(crate) mod posted;
pub(crate) mod regions;
pub(crate) mod routes;
pub(crate) mod send;
pub(crate) mod view;

use ceria_core::protocol::{Role, UserInfo};

/// Who fills the form in, and where their pages live.
#[derive(Debug, Clone)]
pub(crate) struct Filer {
    /// The signed-in account (a citizen, or an operator filing for a resident).
    pub user: UserInfo,
    /// The session's anti-forgery token.
    pub csrf: String,
    /// The audience's base path: `/layanan` or `/console`.
    pub base: &'static str,
    /// Where the browser's tus client uploads (the contract with the upload script).
    pub uploads: &'static str,
}

impl Filer {
    /// Whether the account files for residents (an operator) rather than for itself.
    pub(crate) fn for_residents(&self) -> bool {
        self.user.role == Role::Operator
    }

    /// The page of draft `id`.
    pub(crate) fn draft_url(&self, id: &str) -> String {
        format!("{}/draf/{id}", self.base)
    }

    /// The page of a request once sent.
    pub(crate) fn request_url(&self, id: &str) -> String {
        if self.for_residents() {
            format!("/console/requests/{id}")
        } else {
            format!("/layanan/permohonan/{id}")
        }
    }

    /// The list a send goes back to when its request cannot be shown.
    pub(crate) fn list_url(&self) -> &'static str {
        if self.for_residents() {
            "/console/requests"
        } else {
            "/layanan/permohonan"
        }
    }
}
