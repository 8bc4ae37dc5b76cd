//! `/console/admin/holidays`: the holiday calendar of the working-day figures. Lists a
//! year's holidays and collective leave, adds (or renames) one, removes one, through
//! `crate::calendar` as `/v1/holidays` and `ceria admin holiday`.

use super::{QueryMap, admin_page, answer, done_notice, params, tabs, typed};
use crate::calendar::{self, HolidayError};
use crate::http::error::ApiError;
use crate::http::state::{AppState, blocking};
use crate::web::format::query;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, NavLink, Page, WebError, see_other};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use ceria_core::Date;
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// The routes of the holiday page.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/holidays", get(show).post(add))
        .route("/console/admin/holidays/{date}/remove", post(remove))
}

/// One holiday of the list.
#[derive(Debug, Clone)]
struct Row {
    date: String,
    weekday: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/holidays.html")]
struct HolidaysPage {
    page: Page,
    tabs: Vec<NavLink>,
    notice: Option<String>,
    error: Option<String>,
    year: i32,
    prev: i32,
    next: i32,
    rows: Vec<Row>,
    date: String,
    name: String,
    none_text: String,
    caption: String,
}

/// The year of the query, else this year.
fn year_of(q: &HashMap<String, String>, t: &Texts) -> i32 {
    q.get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1900..=9999).contains(y))
        .unwrap_or_else(|| Date::today(t.catalog().utc_offset_minutes()).year())
}

async fn render(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    year: Option<i32>,
    q: &HashMap<String, String>,
    refused: Option<(String, &Fields)>,
) -> Result<Response, WebError> {
    let page = admin_page(
        state,
        staff,
        lang,
        "/console/admin/holidays",
        "web.admin.holidays.title",
    )?;
    let t = &page.t;
    let year = year.unwrap_or_else(|| year_of(q, t));
    let db = state.db.clone();
    let holidays =
        blocking(move || calendar::list(&db, Some(year)).map_err(ApiError::internal)).await?;
    let rows = holidays
        .into_iter()
        .map(|h| Row {
            weekday: t.get(&format!("web.admin.weekday.{}", h.date.weekday())),
            date: h.date.to_string(),
            name: h.name,
        })
        .collect();
    let refused_form = refused.is_some();
    let (date, name) = (
        typed(refused.as_ref(), "date"),
        typed(refused.as_ref(), "name"),
    );
    let none_text = t.with("web.admin.holidays.none", &[("year", year.to_string())]);
    let caption = t.with("web.admin.holidays.caption", &[("year", year.to_string())]);
    answer(
        &HolidaysPage {
            tabs: tabs(t, "/console/admin/holidays"),
            notice: done_notice(t, q, &["holiday_added", "holiday_removed"]),
            error: refused.as_ref().map(|(e, _)| e.clone()),
            year,
            prev: year - 1,
            next: year + 1,
            rows,
            date,
            name,
            none_text,
            caption,
            page,
        },
        refused_form,
    )
}

/// `GET /console/admin/holidays?year=`.
async fn show(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params(q);
    render(&state, &staff, lang, None, &q, None).await
}

/// `POST /console/admin/holidays` (`date`, `name`): records a holiday.
async fn add(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    form: Fields,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    staff.check_csrf(&form)?;
    let date = form.get("date").unwrap_or_default().to_string();
    let name = form.get("name").unwrap_or_default().to_string();
    let db = state.db.clone();
    let added = blocking(move || Ok(calendar::add(&db, &date, &name))).await?;
    match added {
        Ok((holiday, _)) => {
            let year = holiday.date.year().to_string();
            Ok(see_other(&format!(
                "/console/admin/holidays{}",
                query(&[("year", &year), ("ok", "holiday_added")])
            )))
        }
        Err(HolidayError::Db(e)) => Err(WebError::Api(ApiError::internal(e))),
        Err(e) => {
            let t = Texts::new(&state, lang);
            let error = match e {
                HolidayError::Name => t.get("web.admin.holidays.name_invalid"),
                _ => t.get("web.admin.holidays.date_invalid"),
            };
            let year = form
                .get("date")
                .and_then(|d| calendar::parse_date(d).ok())
                .map(|d| d.year());
            render(
                &state,
                &staff,
                lang,
                year,
                &HashMap::new(),
                Some((error, &form)),
            )
            .await
        }
    }
}

/// `POST /console/admin/holidays/{date}/remove`: the date is a working day again.
async fn remove(
    State(state): State<AppState>,
    staff: Staff,
    Path(date): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    staff.check_csrf(&form)?;
    let day = calendar::parse_date(&date).map_err(|_| WebError::NotFound)?;
    let db = state.db.clone();
    let removed =
        blocking(move || calendar::remove(&db, &day.to_string()).map_err(ApiError::internal))
            .await?;
    if !removed {
        return Err(WebError::NotFound);
    }
    let year = day.year().to_string();
    Ok(see_other(&format!(
        "/console/admin/holidays{}",
        query(&[("year", &year), ("ok", "holiday_removed")])
    )))
}
