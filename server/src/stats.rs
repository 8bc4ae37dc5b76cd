//! Yearly figures a head of registry reports: accounts by role, requests by service, village
//! and state, and processing time against each service's service-level time.
//!
//! Processing time counts working days (Monday to Friday, in the regency's local time) from
//! the day after submission up to and including the completion day. There is no holiday
//! table: national holidays and collective leave count as working days, so the figures are
//! slightly pessimistic in weeks with holidays.

use crate::store::requests::StatsRow;
use ceria_core::Date;
use ceria_core::protocol::RequestState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Processing time of one service in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ServiceTiming {
    /// Service-level time in working days (from the catalog; 0 when unknown).
    pub service_days: u32,
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

/// The figures of one year (by submission date, local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub(crate) struct YearStats {
    /// Calendar year.
    pub year: i64,
    /// Requests submitted that year.
    pub requests: u64,
    /// By service id.
    pub by_service: BTreeMap<String, u64>,
    /// By village code.
    pub by_village: BTreeMap<String, u64>,
    /// By current state.
    pub by_state: BTreeMap<String, u64>,
    /// Processing time per service.
    pub processing: BTreeMap<String, ServiceTiming>,
}

/// `GET /v1/stats` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stats {
    /// When computed (ms).
    pub generated_at_ms: i64,
    /// Accounts per role.
    pub users_by_role: BTreeMap<String, i64>,
    /// One entry per year with requests, oldest first.
    pub years: Vec<YearStats>,
}

const DAY_MS: i64 = 86_400_000;

/// Local day number (days since 1970-01-01) of a timestamp.
fn local_day(ms: i64, utc_offset_minutes: i32) -> i64 {
    (ms + i64::from(utc_offset_minutes) * 60_000).div_euclid(DAY_MS)
}

/// Monday..Friday? Day 0 (1970-01-01) was a Thursday.
fn is_working_day(day: i64) -> bool {
    day.rem_euclid(7) < 2 || day.rem_euclid(7) > 3
}

/// Working days after `from_day` up to and including `to_day`.
pub(crate) fn working_days_between(from_day: i64, to_day: i64) -> u32 {
    if to_day <= from_day {
        return 0;
    }
    let span = to_day - from_day;
    let full_weeks = span / 7;
    let mut count = full_weeks * 5;
    let mut day = from_day + full_weeks * 7;
    while day < to_day {
        day += 1;
        if is_working_day(day) {
            count += 1;
        }
    }
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The time (ms) before which an open request of a service with `service_days` is late at
/// `now_ms`: one first submitted on a day with more than `service_days` working days from
/// it to today.
pub(crate) fn late_cutoff_ms(now_ms: i64, service_days: u32, utc_offset_minutes: i32) -> i64 {
    let today = local_day(now_ms, utc_offset_minutes);
    // The first day (going back) that is already late; the cutoff is the end of it.
    let mut day = today;
    while working_days_between(day, today) <= service_days {
        day -= 1;
    }
    (day + 1) * DAY_MS - i64::from(utc_offset_minutes) * 60_000
}

/// Computes the figures. `service_days` gives each service's service-level time.
pub(crate) fn compute(
    rows: &[StatsRow],
    users_by_role: Vec<(String, i64)>,
    service_days: &dyn Fn(&str) -> Option<u32>,
    utc_offset_minutes: i32,
    now_ms: i64,
) -> Stats {
    let mut years: BTreeMap<i64, YearStats> = BTreeMap::new();
    let mut durations: BTreeMap<(i64, String), Vec<u32>> = BTreeMap::new();
    for row in rows {
        let year = Date::from_days(local_day(row.created_ms, utc_offset_minutes))
            .map_or(1970, |date| i64::from(date.year()));
        let y = years.entry(year).or_insert_with(|| YearStats {
            year,
            ..YearStats::default()
        });
        y.requests += 1;
        *y.by_service.entry(row.service.clone()).or_default() += 1;
        *y.by_village.entry(row.village.clone()).or_default() += 1;
        *y.by_state.entry(row.state.code().to_string()).or_default() += 1;
        if let (RequestState::Completed, Some(done)) = (row.state, row.completed_ms) {
            let days = working_days_between(
                local_day(row.created_ms, utc_offset_minutes),
                local_day(done, utc_offset_minutes),
            );
            durations
                .entry((year, row.service.clone()))
                .or_default()
                .push(days);
        }
    }
    for ((year, service), days) in durations {
        let target = service_days(&service).unwrap_or(0);
        let completed = days.len() as u64;
        let on_time = days.iter().filter(|d| **d <= target).count() as u64;
        let total: u64 = days.iter().map(|d| u64::from(*d)).sum();
        let timing = ServiceTiming {
            service_days: target,
            completed,
            on_time,
            share_on_time: if completed == 0 {
                0.0
            } else {
                on_time as f64 / completed as f64
            },
            mean_working_days: if completed == 0 {
                0.0
            } else {
                total as f64 / completed as f64
            },
            max_working_days: days.iter().copied().max().unwrap_or(0),
        };
        if let Some(y) = years.get_mut(&year) {
            y.processing.insert(service, timing);
        }
    }
    Stats {
        generated_at_ms: now_ms,
        users_by_role: users_by_role.into_iter().collect(),
        years: years.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-30 is a Monday; day number 20787.
    const MON: i64 = 20_787;

    #[test]
    fn weekdays() {
        assert!(is_working_day(MON));
        assert!(is_working_day(MON + 4), "Friday");
        assert!(!is_working_day(MON + 5), "Saturday");
        assert!(!is_working_day(MON + 6), "Sunday");
        assert!(is_working_day(0), "1970-01-01 was a Thursday");
    }

    #[test]
    fn working_days_skip_weekends() {
        assert_eq!(working_days_between(MON, MON), 0);
        assert_eq!(working_days_between(MON, MON + 2), 2, "Mon -> Wed");
        assert_eq!(working_days_between(MON + 4, MON + 7), 1, "Fri -> Mon");
        assert_eq!(working_days_between(MON + 5, MON + 6), 0, "Sat -> Sun");
        assert_eq!(working_days_between(MON, MON + 14), 10, "two weeks");
        assert_eq!(working_days_between(MON + 3, MON + 24), 15);
        assert_eq!(working_days_between(MON + 2, MON), 0);
    }

    #[test]
    fn late_cutoff_counts_working_days_back_from_today() {
        // Wednesday noon, one service day: Monday's requests are late, Tuesday's are not.
        let wednesday_noon = (MON + 2) * DAY_MS + 12 * 3_600_000;
        assert_eq!(late_cutoff_ms(wednesday_noon, 1, 0), (MON + 1) * DAY_MS);
        // Monday, one service day: Thursday's are late (Fri and Mon are two working days).
        assert_eq!(late_cutoff_ms(MON * DAY_MS, 1, 0), (MON - 3) * DAY_MS);
        // Local time: the day ends at local midnight.
        assert_eq!(
            late_cutoff_ms(wednesday_noon, 1, 420),
            (MON + 1) * DAY_MS - 420 * 60_000
        );
    }

    #[test]
    fn yearly_figures_use_local_time_and_service_days() {
        let wib = 420;
        // 2026-12-31 20:00 UTC is already 2027-01-01 in WIB.
        let new_year_local = (MON + 31) * DAY_MS + 20 * 3_600_000;
        let mon_9am = MON * DAY_MS + 2 * 3_600_000;
        let row = |service: &str, state, created, completed| StatsRow {
            service: service.into(),
            village: "13.05.01.2001".into(),
            state,
            created_ms: created,
            completed_ms: completed,
        };
        let rows = vec![
            row(
                "akta_kelahiran",
                RequestState::Completed,
                mon_9am,
                Some(mon_9am + 2 * DAY_MS),
            ),
            row(
                "akta_kelahiran",
                RequestState::Completed,
                mon_9am,
                Some(mon_9am + 9 * DAY_MS),
            ),
            row("kk_baru", RequestState::Submitted, mon_9am, None),
            row("kk_baru", RequestState::Submitted, new_year_local, None),
        ];
        let days = |s: &str| (s == "akta_kelahiran").then_some(5);
        let stats = compute(&rows, vec![("citizen".into(), 3)], &days, wib, 1);
        assert_eq!(stats.years.len(), 2);
        let y = &stats.years[0];
        assert_eq!((y.year, y.requests), (2026, 3));
        assert_eq!(y.by_service.get("akta_kelahiran"), Some(&2));
        assert_eq!(y.by_state.get("completed"), Some(&2));
        let t = y.processing.get("akta_kelahiran").unwrap();
        assert_eq!((t.completed, t.on_time, t.max_working_days), (2, 1, 7));
        assert!((t.share_on_time - 0.5).abs() < 1e-9);
        assert!((t.mean_working_days - 4.5).abs() < 1e-9);
        assert_eq!(stats.years[1].year, 2027);
        assert_eq!(stats.users_by_role.get("citizen"), Some(&3));
    }
}
