//! Yearly figures a head of registry reports: accounts by role; requests by month, service,
//! village and state; and processing time against each service's service-level time.
//!
//! Processing time counts working days in the regency's local time, from the day after
//! submission up to and including the completion day: Monday to Friday less the holidays and
//! collective leave of the [`crate::calendar`]. [`gather`] is the one way to the figures: the
//! JSON API, the command line, the admin console and the exports all use it.

use crate::calendar::{self, WorkingCalendar};
use crate::store::requests::StatsRow;
use crate::store::{Db, DbError};
use ceria_core::protocol::RequestState;
use ceria_core::{Catalog, Date, Localized, RegionTable};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Processing time of a group of completed requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Timing {
    /// Requests completed.
    pub completed: u64,
    /// Completed within the service-level time.
    pub on_time: u64,
    /// `on_time / completed` (0 when nothing was completed).
    pub share_on_time: f64,
    /// Mean working days to completion.
    pub mean_working_days: f64,
    /// Longest, in working days.
    pub max_working_days: u32,
}

/// Processing time of one service in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTiming {
    /// Service-level time in working days (from the catalog; 0 when unknown).
    pub service_days: u32,
    /// The figures.
    #[serde(flatten)]
    pub timing: Timing,
}

/// The figures of one year (by submission date, local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct YearStats {
    /// Calendar year.
    pub year: i64,
    /// Requests submitted that year.
    pub requests: u64,
    /// Requests submitted per month, January first (12 entries).
    pub by_month: Vec<u64>,
    /// By service id.
    pub by_service: BTreeMap<String, u64>,
    /// By village code.
    pub by_village: BTreeMap<String, u64>,
    /// By current state.
    pub by_state: BTreeMap<String, u64>,
    /// Processing time per service.
    pub processing: BTreeMap<String, ServiceTiming>,
    /// Processing time of every request completed, each against its own service's time.
    pub overall: Timing,
    /// Names of the services counted (from the catalog in force).
    pub service_names: BTreeMap<String, Localized>,
    /// Names of the villages counted that the region table lists.
    pub village_names: BTreeMap<String, String>,
}

/// `GET /v1/stats` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// When computed (ms).
    pub generated_at_ms: i64,
    /// Accounts per role.
    pub users_by_role: BTreeMap<String, i64>,
    /// One entry per year with requests, oldest first; only the year asked for when one was.
    pub years: Vec<YearStats>,
}

impl Stats {
    /// The figures of `year` (empty ones when nothing was submitted that year).
    pub fn year(&self, year: i64) -> YearStats {
        self.years
            .iter()
            .find(|y| y.year == year)
            .cloned()
            .unwrap_or_else(|| YearStats::empty(year))
    }
}

impl YearStats {
    fn empty(year: i64) -> YearStats {
        YearStats {
            year,
            by_month: vec![0; 12],
            ..YearStats::default()
        }
    }
}

/// What the figures are measured against.
pub(crate) struct Rules<'a> {
    /// Each service's service-level time.
    pub service_days: &'a dyn Fn(&str) -> Option<u32>,
    /// Which days are working days.
    pub calendar: &'a WorkingCalendar,
    /// The regency's offset from UTC.
    pub utc_offset_minutes: i32,
}

const DAY_MS: i64 = 86_400_000;

/// Local day number (days since 1970-01-01) of a timestamp.
pub(crate) fn local_day(ms: i64, utc_offset_minutes: i32) -> i64 {
    (ms + i64::from(utc_offset_minutes) * 60_000).div_euclid(DAY_MS)
}

/// The instants of `year` in local time: from (inclusive) and to (exclusive), in ms; `None`
/// for a year the calendar does not reach.
pub(crate) fn year_span_ms(year: i64, utc_offset_minutes: i32) -> Option<(i64, i64)> {
    let first = |y: i64| Some(Date::from_ymd(i32::try_from(y).ok()?, 1, 1)?.to_days());
    let offset = i64::from(utc_offset_minutes) * 60_000;
    Some((
        first(year)? * DAY_MS - offset,
        first(year.checked_add(1)?)? * DAY_MS - offset,
    ))
}

/// Local date of a timestamp.
pub(crate) fn local_date(ms: i64, utc_offset_minutes: i32) -> Option<Date> {
    Date::from_days(local_day(ms, utc_offset_minutes))
}

impl Rules<'_> {
    /// Working days a request took (submission to completion).
    pub(crate) fn working_days(&self, created_ms: i64, completed_ms: i64) -> u32 {
        self.calendar.working_days_between(
            local_day(created_ms, self.utc_offset_minutes),
            local_day(completed_ms, self.utc_offset_minutes),
        )
    }
}

/// Sums up durations against `target` (None: each duration carries its own).
fn timing(days: &[(u32, u32)]) -> Timing {
    let completed = days.len() as u64;
    let on_time = days.iter().filter(|(d, target)| d <= target).count() as u64;
    let total: u64 = days.iter().map(|(d, _)| u64::from(*d)).sum();
    let share = |n: u64| {
        if completed == 0 {
            0.0
        } else {
            n as f64 / completed as f64
        }
    };
    Timing {
        completed,
        on_time,
        share_on_time: share(on_time),
        mean_working_days: share(total),
        max_working_days: days.iter().map(|(d, _)| *d).max().unwrap_or(0),
    }
}

/// Computes the figures (of `only_year` alone when given).
pub(crate) fn compute(
    rows: &[StatsRow],
    users_by_role: Vec<(String, i64)>,
    rules: &Rules<'_>,
    only_year: Option<i64>,
    now_ms: i64,
) -> Stats {
    let mut years: BTreeMap<i64, YearStats> = BTreeMap::new();
    if let Some(year) = only_year {
        years.insert(year, YearStats::empty(year));
    }
    // (duration, service-level time) per year and service.
    let mut durations: BTreeMap<(i64, String), Vec<(u32, u32)>> = BTreeMap::new();
    for row in rows {
        let date = local_date(row.created_ms, rules.utc_offset_minutes);
        let year = date.map_or(1970, |d| i64::from(d.year()));
        if only_year.is_some_and(|y| y != year) {
            continue;
        }
        let y = years.entry(year).or_insert_with(|| YearStats::empty(year));
        y.requests += 1;
        let month = date.map_or(1, Date::month) as usize;
        if let Some(n) = y.by_month.get_mut(month - 1) {
            *n += 1;
        }
        *y.by_service.entry(row.service.clone()).or_default() += 1;
        *y.by_village.entry(row.village.clone()).or_default() += 1;
        *y.by_state.entry(row.state.code().to_string()).or_default() += 1;
        if let (RequestState::Completed, Some(done)) = (row.state, row.completed_ms) {
            let target = (rules.service_days)(&row.service).unwrap_or(0);
            durations
                .entry((year, row.service.clone()))
                .or_default()
                .push((rules.working_days(row.created_ms, done), target));
        }
    }
    let mut all: BTreeMap<i64, Vec<(u32, u32)>> = BTreeMap::new();
    for ((year, service), days) in durations {
        all.entry(year).or_default().extend_from_slice(&days);
        if let Some(y) = years.get_mut(&year) {
            let service_days = (rules.service_days)(&service).unwrap_or(0);
            y.processing.insert(
                service,
                ServiceTiming {
                    service_days,
                    timing: timing(&days),
                },
            );
        }
    }
    for (year, days) in all {
        if let Some(y) = years.get_mut(&year) {
            y.overall = timing(&days);
        }
    }
    Stats {
        generated_at_ms: now_ms,
        users_by_role: users_by_role.into_iter().collect(),
        years: years.into_values().collect(),
    }
}

/// Adds the names of the services (catalog) and villages (region table) counted.
fn name(stats: &mut Stats, catalog: &Catalog, regions: Option<&RegionTable>) {
    for y in &mut stats.years {
        for service in y.by_service.keys() {
            if let Some(s) = catalog.service(service) {
                y.service_names.insert(service.clone(), s.name.clone());
            }
        }
        for village in y.by_village.keys() {
            if let Some(name) = regions.and_then(|r| r.name(village)) {
                y.village_names.insert(village.clone(), name.to_string());
            }
        }
    }
}

/// The figures from the database, measured with the catalog's service times and the holiday
/// calendar, named with the catalog and the region table; of `year` alone when given.
pub fn gather(
    db: &Db,
    catalog: &Catalog,
    regions: Option<&RegionTable>,
    year: Option<i64>,
    now_ms: i64,
) -> Result<Stats, DbError> {
    // Only that year's rows leave the database (a province has millions of other years').
    let span = year.map(|y| year_span_ms(y, catalog.utc_offset_minutes()).unwrap_or((0, 0)));
    let rows = db.stats_rows(span)?;
    let users = db.users_by_role()?;
    let calendar = calendar::load(db)?;
    let days = |service: &str| catalog.service(service).map(|s| s.service_days);
    let rules = Rules {
        service_days: &days,
        calendar: &calendar,
        utc_offset_minutes: catalog.utc_offset_minutes(),
    };
    let mut stats = compute(&rows, users, &rules, year, now_ms);
    name(&mut stats, catalog, regions);
    Ok(stats)
}

#[cfg(test)]
mod tests;
