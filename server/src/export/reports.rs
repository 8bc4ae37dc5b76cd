//! The sheets of the exports: the yearly figures (per month, service, nagari and state) and
//! the request list, labelled from the catalog's messages in the reader's language.

use super::{Cell, Sheet};
use crate::calendar;
use crate::stats::{Rules, Timing, YearStats, local_date};
use crate::store::exports::ExportQuery;
use crate::store::{Db, DbError};
use ceria_core::protocol::RequestState;
use ceria_core::{Catalog, Date, RegionTable};

/// Most requests one list export holds (a year of the model registry is about 54,000).
pub const MAX_EXPORT_ROWS: u32 = 200_000;

/// Which requests the list holds.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only in this state.
    pub state: Option<RequestState>,
    /// Only of this service.
    pub service: Option<String>,
    /// Only this village, or the villages under this district, regency or province code.
    pub region: Option<String>,
    /// Only submitted in this year (local time).
    pub year: Option<i64>,
}

/// A label from the catalog's messages.
fn label(catalog: &Catalog, code: &str, lang: &str) -> String {
    catalog.message(code, &[]).get(lang).to_string()
}

fn headings(catalog: &Catalog, lang: &str, codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| label(catalog, c, lang)).collect()
}

fn count(n: u64) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The month's name (`month.1` .. `month.12`).
pub fn month_name(catalog: &Catalog, month: usize, lang: &str) -> String {
    label(catalog, &format!("month.{month}"), lang)
}

fn timing_cells(t: &Timing) -> [Cell; 5] {
    [
        count(t.completed),
        count(t.on_time),
        Cell::Share(t.share_on_time),
        Cell::Number(t.mean_working_days),
        Cell::Int(i64::from(t.max_working_days)),
    ]
}

/// The figures of one year as four sheets: per month, per service, per nagari, per state.
pub fn statistics(y: &YearStats, catalog: &Catalog, lang: &str) -> Vec<Sheet> {
    let total = label(catalog, "export.total", lang);
    let mut months: Vec<Vec<Cell>> = y
        .by_month
        .iter()
        .enumerate()
        .map(|(i, n)| vec![Cell::Text(month_name(catalog, i + 1, lang)), count(*n)])
        .collect();
    months.push(vec![Cell::Text(total.clone()), count(y.requests)]);

    let mut services: Vec<Vec<Cell>> = y
        .by_service
        .iter()
        .map(|(id, n)| {
            let name = y
                .service_names
                .get(id)
                .map_or_else(|| id.clone(), |l| l.get(lang).to_string());
            let (days, timing) = match y.processing.get(id) {
                Some(p) => (Some(p.service_days), p.timing.clone()),
                None => (
                    catalog.service(id).map(|s| s.service_days),
                    Timing::default(),
                ),
            };
            let mut row = vec![
                Cell::Text(id.clone()),
                Cell::Text(name),
                count(*n),
                days.map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
            ];
            row.extend(timing_cells(&timing));
            row
        })
        .collect();
    let mut total_row = vec![
        Cell::Text(String::new()),
        Cell::Text(total.clone()),
        count(y.requests),
        Cell::Empty,
    ];
    total_row.extend(timing_cells(&y.overall));
    services.push(total_row);

    let villages = y
        .by_village
        .iter()
        .map(|(code, n)| {
            vec![
                Cell::Text(code.clone()),
                y.village_names
                    .get(code)
                    .map_or(Cell::Empty, |name| Cell::Text(name.clone())),
                count(*n),
            ]
        })
        .collect();
    let states = RequestState::ALL
        .iter()
        .filter_map(|s| {
            let n = y.by_state.get(s.code())?;
            Some(vec![
                Cell::Text(catalog.state_label(*s).get(lang).to_string()),
                count(*n),
            ])
        })
        .collect();
    vec![
        Sheet {
            title: label(catalog, "export.sheet.months", lang),
            columns: headings(catalog, lang, &["export.col.month", "export.col.requests"]),
            rows: months,
        },
        Sheet {
            title: label(catalog, "export.sheet.services", lang),
            columns: headings(
                catalog,
                lang,
                &[
                    "export.col.service_id",
                    "export.col.service",
                    "export.col.requests",
                    "export.col.service_days",
                    "export.col.completed",
                    "export.col.on_time",
                    "export.col.share_on_time",
                    "export.col.mean_days",
                    "export.col.max_days",
                ],
            ),
            rows: services,
        },
        Sheet {
            title: label(catalog, "export.sheet.villages", lang),
            columns: headings(
                catalog,
                lang,
                &[
                    "export.col.region_code",
                    "export.col.village",
                    "export.col.requests",
                ],
            ),
            rows: villages,
        },
        Sheet {
            title: label(catalog, "export.sheet.states", lang),
            columns: headings(catalog, lang, &["export.col.state", "export.col.requests"]),
            rows: states,
        },
    ]
}

/// First millisecond of a local year (saturating at the supported date range).
fn year_start_ms(year: i64, utc_offset_minutes: i32) -> i64 {
    let date = i32::try_from(year)
        .ok()
        .and_then(|y| Date::from_ymd(y, 1, 1))
        .unwrap_or(if year < 1970 { Date::MIN } else { Date::MAX });
    date.to_days() * 86_400_000 - i64::from(utc_offset_minutes) * 60_000
}

/// The requests matching `filter` (at most [`MAX_EXPORT_ROWS`]), oldest first, with the
/// working days each completed one took against its service's time.
pub fn request_list(
    db: &Db,
    catalog: &Catalog,
    regions: Option<&RegionTable>,
    filter: &RequestFilter,
    lang: &str,
) -> Result<Sheet, DbError> {
    let offset = catalog.utc_offset_minutes();
    let (from_ms, until_ms) = match filter.year {
        Some(y) => (year_start_ms(y, offset), year_start_ms(y + 1, offset)),
        None => (i64::MIN, i64::MAX),
    };
    let rows = db.export_rows(&ExportQuery {
        state: filter.state,
        service: filter.service.clone(),
        region: filter.region.clone(),
        from_ms,
        until_ms,
        limit: MAX_EXPORT_ROWS,
    })?;
    let calendar = calendar::load(db)?;
    let days = |service: &str| catalog.service(service).map(|s| s.service_days);
    let rules = Rules {
        service_days: &days,
        calendar: &calendar,
        utc_offset_minutes: offset,
    };
    let date = |ms: i64| local_date(ms, offset).map_or(Cell::Empty, |d| Cell::Text(d.to_string()));
    let yes = label(catalog, "export.yes", lang);
    let no = label(catalog, "export.no", lang);
    let cells = rows
        .iter()
        .map(|r| {
            let service = catalog.service(&r.service);
            let took = r
                .completed_ms
                .map(|done| rules.working_days(r.created_ms, done));
            let target = service.map(|s| s.service_days);
            vec![
                Cell::Text(r.tracking_code.clone()),
                Cell::Text(
                    service.map_or_else(|| r.service.clone(), |s| s.name.get(lang).to_string()),
                ),
                Cell::Text(r.village.clone()),
                regions
                    .and_then(|t| t.name(&r.village))
                    .map_or(Cell::Empty, |n| Cell::Text(n.to_string())),
                Cell::Text(catalog.state_label(r.state).get(lang).to_string()),
                date(r.created_ms),
                r.completed_ms.map_or(Cell::Empty, date),
                took.map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
                target.map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
                match (took, target) {
                    (Some(d), Some(t)) => Cell::Text(if d <= t { yes.clone() } else { no.clone() }),
                    _ => Cell::Empty,
                },
            ]
        })
        .collect();
    Ok(Sheet {
        title: label(catalog, "export.sheet.requests", lang),
        columns: headings(
            catalog,
            lang,
            &[
                "export.col.tracking_code",
                "export.col.service",
                "export.col.region_code",
                "export.col.village",
                "export.col.state",
                "export.col.submitted",
                "export.col.completed_on",
                "export.col.working_days",
                "export.col.service_days",
                "export.col.on_time",
            ],
        ),
        rows: cells,
    })
}
