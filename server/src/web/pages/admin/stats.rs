//! `/console/admin/stats`: the statistics dashboard for a year: requests per month, per
//! service and per nagari, the share completed on time against each service's service days
//! and the mean working days (holidays excluded), as SVG charts and tables, with the
//! figures and the year's request list to download as CSV or XLSX. The figures are
//! `crate::stats::gather`'s and the files `crate::export`'s, as for the API and the CLI.

use super::chart::{self, Chart};
use super::{QueryMap, admin_page, params, tabs};
use crate::export::{self, Format, RequestFilter};
use crate::http::exports::{requests_download, stats_download};
use crate::http::state::AppState;
use crate::http::stats::figures;
use crate::web::format::query;
use crate::web::i18n::Lang;
use crate::web::render::{NavLink, Page, WebError, html};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use ceria_core::Date;
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// Nagari shown in the chart (all of them are in the table).
const TOP_VILLAGES: usize = 15;

/// The routes of the dashboard and its downloads.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/stats", get(dashboard))
        .route("/console/admin/stats/export", get(stats_file))
        .route("/console/admin/requests/export", get(requests_file))
}

/// One option of the year picker.
#[derive(Debug, Clone)]
struct YearChoice {
    year: i64,
    selected: bool,
}

/// One line of the month table.
#[derive(Debug, Clone)]
struct MonthRow {
    month: String,
    requests: u64,
}

/// One line of the service table.
#[derive(Debug, Clone)]
struct ServiceRow {
    name: String,
    requests: u64,
    service_days: String,
    completed: u64,
    on_time: u64,
    share: String,
    mean_days: String,
}

/// One line of the nagari table.
#[derive(Debug, Clone)]
struct VillageRow {
    code: String,
    name: String,
    requests: u64,
}

/// A download link.
#[derive(Debug, Clone)]
struct Download {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/stats.html")]
struct StatsPage {
    page: Page,
    tabs: Vec<NavLink>,
    years: Vec<YearChoice>,
    requests: u64,
    completed: u64,
    share: String,
    mean_days: String,
    charts: Vec<Chart>,
    months: Vec<MonthRow>,
    services: Vec<ServiceRow>,
    villages: Vec<VillageRow>,
    downloads: Vec<Download>,
}

/// A share as a percentage with one decimal.
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The year of the query, else this year.
fn year_of(q: &HashMap<String, String>, utc_offset_minutes: i32) -> i64 {
    q.get("year")
        .and_then(|y| y.trim().parse::<i64>().ok())
        .filter(|y| (1900..=9999).contains(y))
        .unwrap_or_else(|| i64::from(Date::today(utc_offset_minutes).year()))
}

/// `GET /console/admin/stats?year=`.
async fn dashboard(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params(q);
    let page = admin_page(
        &state,
        &staff,
        lang,
        "/console/admin/stats",
        "web.admin.stats.title",
    )?;
    let t = &page.t;
    let catalog = t.catalog();
    let offset = catalog.utc_offset_minutes();
    let year = year_of(&q, offset);
    let all = figures(&state, None).await?;
    let this_year = i64::from(Date::today(offset).year());
    let mut years: Vec<i64> = all.years.iter().map(|y| y.year).collect();
    years.extend([this_year, year]);
    years.sort_unstable();
    years.dedup();
    let y = all.year(year);
    let l = lang.code();

    let month_names: Vec<String> = (1..=12)
        .map(|m| export::month_name(catalog, m, l))
        .collect();
    let months: Vec<MonthRow> = month_names
        .iter()
        .zip(&y.by_month)
        .map(|(month, n)| MonthRow {
            month: month.clone(),
            requests: *n,
        })
        .collect();
    let service_name = |id: &str| {
        y.service_names
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.get(l).to_string())
    };
    let mut by_id: Vec<(String, ServiceRow)> = y
        .by_service
        .iter()
        .map(|(id, n)| {
            let timing = y.processing.get(id);
            let days = timing
                .map(|p| p.service_days)
                .or_else(|| catalog.service(id).map(|s| s.service_days));
            let row = ServiceRow {
                name: service_name(id),
                requests: *n,
                service_days: days.map_or_else(String::new, |d| d.to_string()),
                completed: timing.map_or(0, |p| p.timing.completed),
                on_time: timing.map_or(0, |p| p.timing.on_time),
                share: timing.map_or_else(String::new, |p| percent(p.timing.share_on_time)),
                mean_days: timing.map_or_else(String::new, |p| {
                    format!("{:.1}", p.timing.mean_working_days)
                }),
            };
            (id.clone(), row)
        })
        .collect();
    by_id.sort_by(|(_, a), (_, b)| b.requests.cmp(&a.requests).then(a.name.cmp(&b.name)));
    let mut villages: Vec<VillageRow> = y
        .by_village
        .iter()
        .map(|(code, n)| VillageRow {
            code: code.clone(),
            name: y.village_names.get(code).cloned().unwrap_or_default(),
            requests: *n,
        })
        .collect();
    villages.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.code.cmp(&b.code)));

    let short: Vec<(String, f64, String)> = months
        .iter()
        .map(|m| {
            (
                m.month.chars().take(3).collect(),
                m.requests as f64,
                m.requests.to_string(),
            )
        })
        .collect();
    let by_service: Vec<(String, f64, String)> = by_id
        .iter()
        .map(|(_, s)| (s.name.clone(), s.requests as f64, s.requests.to_string()))
        .collect();
    let on_time: Vec<(String, f64, String)> = by_id
        .iter()
        .filter_map(|(id, s)| {
            let share = y.processing.get(id)?.timing.share_on_time;
            Some((s.name.clone(), share, percent(share)))
        })
        .collect();
    let services: Vec<ServiceRow> = by_id.into_iter().map(|(_, s)| s).collect();
    let by_village: Vec<(String, f64, String)> = villages
        .iter()
        .take(TOP_VILLAGES)
        .map(|v| {
            let name = if v.name.is_empty() {
                v.code.clone()
            } else {
                v.name.clone()
            };
            (name, v.requests as f64, v.requests.to_string())
        })
        .collect();
    let mut charts = vec![chart::columns(
        t.get("web.admin.stats.chart_months"),
        &short,
    )];
    if !by_service.is_empty() {
        charts.push(chart::rows(
            t.get("web.admin.stats.chart_services"),
            &by_service,
        ));
    }
    if !on_time.is_empty() {
        charts.push(chart::rows(
            t.get("web.admin.stats.chart_on_time"),
            &on_time,
        ));
    }
    if !by_village.is_empty() {
        charts.push(chart::rows(
            t.with(
                "web.admin.stats.chart_villages",
                &[("count", TOP_VILLAGES.to_string())],
            ),
            &by_village,
        ));
    }
    let year_text = year.to_string();
    let link = |path: &str, format: &str| {
        format!(
            "{path}{}",
            query(&[("year", &year_text), ("format", format)])
        )
    };
    let downloads = vec![
        Download {
            href: link("/console/admin/stats/export", "xlsx"),
            label: t.get("web.admin.stats.download_stats_xlsx"),
        },
        Download {
            href: link("/console/admin/stats/export", "csv"),
            label: t.get("web.admin.stats.download_stats_csv"),
        },
        Download {
            href: link("/console/admin/requests/export", "xlsx"),
            label: t.get("web.admin.stats.download_requests_xlsx"),
        },
        Download {
            href: link("/console/admin/requests/export", "csv"),
            label: t.get("web.admin.stats.download_requests_csv"),
        },
    ];
    html(&StatsPage {
        tabs: tabs(t, "/console/admin/stats"),
        years: years
            .into_iter()
            .rev()
            .map(|v| YearChoice {
                year: v,
                selected: v == year,
            })
            .collect(),
        requests: y.requests,
        completed: y.overall.completed,
        share: percent(y.overall.share_on_time),
        mean_days: format!("{:.1}", y.overall.mean_working_days),
        charts,
        months,
        services,
        villages,
        downloads,
        page,
    })
}

/// The format and year of a download query (an admin's only; an unknown format: 404).
fn download_of(state: &AppState, staff: &Staff, q: QueryMap) -> Result<(Format, i64), WebError> {
    staff.require(&[Role::Admin])?;
    let q = params(q);
    let format = q
        .get("format")
        .and_then(|f| Format::from_code(f))
        .ok_or(WebError::NotFound)?;
    Ok((format, year_of(&q, state.catalog().utc_offset_minutes())))
}

/// `GET /console/admin/stats/export?year=&format=`: the year's figures as a file.
async fn stats_file(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let (format, year) = download_of(&state, &staff, q)?;
    Ok(stats_download(&state, year, format, lang.code()).await?)
}

/// `GET /console/admin/requests/export?year=&format=`: the year's request list as a file.
async fn requests_file(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let (format, year) = download_of(&state, &staff, q)?;
    let filter = RequestFilter {
        year: Some(year),
        ..RequestFilter::default()
    };
    Ok(requests_download(&state, filter, format, lang.code()).await?)
}
