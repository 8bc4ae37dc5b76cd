//! `/console/admin/users`: the staff accounts. Lists accounts (never a password hash),
//! creates operators (for a nagari picked from the region table, province down to village),
//! officers and admins, disables and enables accounts and resets passwords, through the
//! `admin` module that `ceria admin` and `/v1/users` use (and that audits every action).

use super::{QueryMap, admin_page, answer, done_notice, params, tabs, typed};
use crate::admin::{self, AccountSummary, AdminError, StaffAccount};
use crate::http::error::ApiError;
use crate::http::state::{AppState, blocking};
use crate::web::format::{date, query};
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Choice, Fields, NavLink, Page, WebError, see_other};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use ceria_core::RegionTable;
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// Accounts per page of the list.
const PAGE_SIZE: u32 = 100;

/// The routes of the accounts page.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/users", get(list).post(create))
        .route("/console/admin/users/{id}/disable", post(disable))
        .route("/console/admin/users/{id}/enable", post(enable))
        .route("/console/admin/users/{id}/password", post(reset_password))
}

/// One level of the region picker.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    /// Form field name (`province`, `regency`, `district`, `village`).
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// The regions to pick from (first: none picked).
    pub choices: Vec<Choice>,
}

/// One account of the list.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub village: String,
    pub disabled: bool,
    pub created: String,
    /// The signed-in admin's own account (not offered for disabling: that would lock the
    /// admin out).
    pub is_self: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    tabs: Vec<NavLink>,
    notice: Option<String>,
    error: Option<String>,
    picker: Vec<Level>,
    /// The picked district's villages, for the operator's nagari; none before a district.
    villages: Vec<Choice>,
    /// No region table: the village code is typed.
    no_regions: bool,
    roles: Vec<Choice>,
    username: String,
    name: String,
    rows: Vec<Row>,
    next: Option<String>,
}

/// The picker's levels for the regions picked so far (each must lie under the previous).
fn picker(
    t: &Texts,
    regions: &RegionTable,
    q: &HashMap<String, String>,
) -> (Vec<Level>, Vec<Choice>) {
    let levels = [
        ("province", "web.admin.users.province"),
        ("regency", "web.admin.users.regency"),
        ("district", "web.admin.users.district"),
    ];
    let mut parent = String::new();
    let mut out = Vec::new();
    for (name, label) in levels {
        let picked = q.get(name).map(|s| s.trim()).unwrap_or_default();
        let mut choices = vec![Choice {
            value: String::new(),
            label: t.get("web.admin.users.pick"),
            selected: picked.is_empty(),
        }];
        let mut found = false;
        for (code, region) in regions.children(&parent) {
            let selected = code.as_str() == picked;
            found |= selected;
            choices.push(Choice {
                value: code.as_str().to_string(),
                label: format!("{region} ({})", code.as_str()),
                selected,
            });
        }
        out.push(Level {
            name,
            label: t.get(label),
            choices,
        });
        if !found {
            return (out, Vec::new());
        }
        parent = picked.to_string();
    }
    let villages = regions
        .children(&parent)
        .map(|(code, region)| Choice {
            value: code.as_str().to_string(),
            label: format!("{region} ({})", code.as_str()),
            selected: false,
        })
        .collect();
    (out, villages)
}

/// The wording of an account error for the form's notice.
fn error_text(t: &Texts, e: &AdminError) -> String {
    match e {
        AdminError::Invalid(detail) | AdminError::Regions(detail) => super::invalid(t, detail),
        other => t.with(other.code(), &other.params()),
    }
}

/// Whether an account error is the admin's input (shown on the form) rather than a failure.
fn is_input_error(e: &AdminError) -> bool {
    matches!(
        e,
        AdminError::Invalid(_)
            | AdminError::Password(_)
            | AdminError::Taken(_)
            | AdminError::NotFound(_)
            | AdminError::Regions(_)
    )
}

/// Renders the page (with the typed values and an error after a refused form).
async fn render(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    q: &HashMap<String, String>,
    refused: Option<(String, &Fields)>,
) -> Result<Response, WebError> {
    let here = format!(
        "/console/admin/users{}",
        query(&[
            ("province", q.get("province").map_or("", String::as_str)),
            ("regency", q.get("regency").map_or("", String::as_str)),
            ("district", q.get("district").map_or("", String::as_str)),
        ])
    );
    let page = admin_page(state, staff, lang, &here, "web.admin.users.title")?;
    let t = &page.t;
    let regions = state.regions();
    let (levels, villages) = match regions.as_deref() {
        Some(table) => picker(t, table, q),
        None => (Vec::new(), Vec::new()),
    };
    let after = q.get("after").cloned();
    let accounts: Vec<AccountSummary> = state
        .db_call(move |db| db.list_accounts(after.as_deref(), PAGE_SIZE))
        .await?;
    let offset = t.catalog().utc_offset_minutes();
    let village_name = |code: &str| {
        regions
            .as_deref()
            .and_then(|r| r.name(code))
            .map_or_else(|| code.to_string(), |n| format!("{n} ({code})"))
    };
    let next = (accounts.len() == PAGE_SIZE as usize)
        .then(|| {
            accounts
                .last()
                .map(|a| format!("/console/admin/users{}", query(&[("after", a.id.as_str())])))
        })
        .flatten();
    let rows = accounts
        .into_iter()
        .map(|a| Row {
            village: a.village.as_deref().map(village_name).unwrap_or_default(),
            role: t.get(&format!("web.role.{}", a.role.code())),
            created: date(a.created_ms, offset),
            is_self: a.id == staff.user.id,
            id: a.id,
            username: a.username,
            name: a.name,
            disabled: a.disabled,
        })
        .collect();
    let picked_role = refused
        .as_ref()
        .and_then(|(_, f)| f.get("role"))
        .unwrap_or("operator")
        .to_string();
    let roles = [Role::Operator, Role::Officer, Role::Admin]
        .iter()
        .map(|r| Choice {
            value: r.code().to_string(),
            label: t.get(&format!("web.role.{}", r.code())),
            selected: r.code() == picked_role,
        })
        .collect();
    let refused_form = refused.is_some();
    let known = ["created", "disabled", "enabled", "password"];
    let notice = done_notice(t, q, &known);
    let username = typed(refused.as_ref(), "username");
    let name = typed(refused.as_ref(), "name");
    answer(
        &UsersPage {
            tabs: tabs(t, "/console/admin/users"),
            notice,
            error: refused.as_ref().map(|(e, _)| e.clone()),
            no_regions: regions.is_none(),
            picker: levels,
            villages,
            roles,
            username,
            name,
            rows,
            next,
            page,
        },
        refused_form,
    )
}

/// `GET /console/admin/users?province=&regency=&district=&after=`.
async fn list(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params(q);
    render(&state, &staff, lang, &q, None).await
}

/// `POST /console/admin/users`: creates a staff account.
async fn create(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    form: Fields,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    staff.check_csrf(&form)?;
    let role = form
        .get("role")
        .and_then(Role::from_code)
        .unwrap_or(Role::Operator);
    let account = StaffAccount {
        role,
        username: form.get("username").unwrap_or_default().to_string(),
        password: form.raw("password"),
        name: form.get("name").map(str::to_string),
        village: (role == Role::Operator)
            .then(|| form.get("village").map(str::to_string))
            .flatten(),
    };
    let db = state.db.clone();
    let created = state
        .hashing
        .run(move || Ok(admin::create_user(&db, account)))
        .await?;
    match created {
        Ok(user) => {
            tracing::info!(
                username = user.username,
                by = staff.user.username,
                "staff account created"
            );
            Ok(see_other("/console/admin/users?ok=created"))
        }
        Err(e) if is_input_error(&e) => {
            let t = Texts::new(&state, lang);
            let mut q = HashMap::new();
            for level in ["province", "regency", "district"] {
                if let Some(v) = form.get(level) {
                    q.insert(level.to_string(), v.to_string());
                }
            }
            render(&state, &staff, lang, &q, Some((error_text(&t, &e), &form))).await
        }
        Err(e) => Err(WebError::Api(ApiError::internal(e))),
    }
}

/// Runs an account action for the signed-in admin and goes back to the list.
async fn act(
    state: &AppState,
    staff: &Staff,
    form: &Fields,
    id: String,
    action: fn(&crate::Db, &str, &str) -> Result<AccountSummary, AdminError>,
    done: &str,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    staff.check_csrf(form)?;
    let actor = staff.user.username.clone();
    let db = state.db.clone();
    blocking(move || {
        action(&db, &id, &actor).map_err(|e| match e {
            AdminError::NotFound(_) => ApiError::not_found(),
            e => ApiError::internal(e),
        })
    })
    .await?;
    Ok(see_other(&format!("/console/admin/users?ok={done}")))
}

/// `POST /console/admin/users/{id}/disable`.
async fn disable(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    act(&state, &staff, &form, id, admin::disable_user, "disabled").await
}

/// `POST /console/admin/users/{id}/enable`.
async fn enable(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    act(&state, &staff, &form, id, admin::enable_user, "enabled").await
}

/// `POST /console/admin/users/{id}/password`: a new password (the policy applies); the
/// account's sessions end.
async fn reset_password(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    staff.check_csrf(&form)?;
    let password = form.raw("password");
    let actor = staff.user.username.clone();
    let db = state.db.clone();
    let result = state
        .hashing
        .run(move || Ok(admin::reset_password(&db, &id, &password, &actor)))
        .await?;
    match result {
        Ok(_) => Ok(see_other("/console/admin/users?ok=password")),
        Err(AdminError::NotFound(_)) => Err(WebError::NotFound),
        Err(e) if is_input_error(&e) => {
            let t = Texts::new(&state, lang);
            let empty = Fields::default();
            render(
                &state,
                &staff,
                lang,
                &HashMap::new(),
                Some((error_text(&t, &e), &empty)),
            )
            .await
        }
        Err(e) => Err(WebError::Api(ApiError::internal(e))),
    }
}
