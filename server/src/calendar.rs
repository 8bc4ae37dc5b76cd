//! The registry's working-day calendar: Monday to Friday, less the national holidays and
//! collective leave (cuti bersama) an admin records. The service-level figures of [`crate::stats`]
//! count processing time in these working days, as the regulations set service times.
//!
//! Holidays are local dates of the regency; the table is edited through `/v1/holidays`, the
//! admin console and `ceria admin holiday`, all through the functions here.

use crate::store::{Db, DbError};
use ceria_core::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Longest holiday name.
pub const MAX_HOLIDAY_NAME_CHARS: usize = 100;

/// A day off on a weekday (or a weekend; it then changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// Local date.
    pub date: Date,
    /// What it is, e.g. "Hari Raya Idul Fitri" or "Cuti bersama Idul Fitri".
    pub name: String,
}

/// Why a holiday was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum HolidayError {
    /// Not a date `YYYY-MM-DD`.
    #[error("date `{0}`: expected an existing date YYYY-MM-DD")]
    Date(String),
    /// Empty, too long or with control characters.
    #[error("name: 1-{MAX_HOLIDAY_NAME_CHARS} characters")]
    Name,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl HolidayError {
    /// The stable message code (worded by the catalog's `messages`).
    pub fn code(&self) -> &'static str {
        match self {
            HolidayError::Date(_) => "date.invalid",
            HolidayError::Name => "request.malformed",
            HolidayError::Db(_) => "internal",
        }
    }
}

/// The date of a holiday, as typed by an admin.
pub fn parse_date(date: &str) -> Result<Date, HolidayError> {
    Date::parse_iso(date.trim()).ok_or_else(|| HolidayError::Date(date.to_string()))
}

/// A holiday name: trimmed, inner runs of white space made one space.
fn clean_name(name: &str) -> Result<String, HolidayError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty()
        || name.chars().count() > MAX_HOLIDAY_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(HolidayError::Name);
    }
    Ok(name)
}

/// Records a holiday (renaming the one on that date); returns it and whether it was new.
pub fn add(db: &Db, date: &str, name: &str) -> Result<(Holiday, bool), HolidayError> {
    let date = parse_date(date)?;
    let name = clean_name(name)?;
    let created = db.put_holiday(&date.to_string(), &name)?;
    Ok((Holiday { date, name }, created))
}

/// Removes the holiday on `date`; false when there was none.
pub fn remove(db: &Db, date: &str) -> Result<bool, HolidayError> {
    let date = parse_date(date)?;
    Ok(db.delete_holiday(&date.to_string())?)
}

/// The holidays of `year` (every recorded one without), oldest first.
pub fn list(db: &Db, year: Option<i32>) -> Result<Vec<Holiday>, HolidayError> {
    let (from, to) = match year {
        Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
        None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
    };
    let rows = db.holidays_between(&from, &to)?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, name)| Date::parse_iso(&day).map(|date| Holiday { date, name }))
        .collect())
}

/// The calendar with every recorded holiday, for the figures.
pub(crate) fn load(db: &Db) -> Result<WorkingCalendar, DbError> {
    let rows = db.holidays_between("0000-01-01", "9999-12-31")?;
    Ok(WorkingCalendar::with_holidays(
        rows.iter().filter_map(|(day, _)| Date::parse_iso(day)),
    ))
}

/// Which days are working days. Days are numbered from 1970-01-01 (local), as
/// [`Date::to_days`] numbers them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Day numbers of holidays that fall on a weekday.
    holidays: BTreeSet<i64>,
}

/// Monday..Friday? Day 0 (1970-01-01) was a Thursday.
fn is_weekday(day: i64) -> bool {
    day.rem_euclid(7) < 2 || day.rem_euclid(7) > 3
}

impl WorkingCalendar {
    /// A calendar with these holidays (weekend dates among them change nothing).
    pub fn with_holidays(dates: impl IntoIterator<Item = Date>) -> WorkingCalendar {
        WorkingCalendar {
            holidays: dates
                .into_iter()
                .map(Date::to_days)
                .filter(|d| is_weekday(*d))
                .collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: i64) -> bool {
        is_weekday(day) && !self.holidays.contains(&day)
    }

    /// Working days after `from_day` up to and including `to_day` (0 when `to_day` is not
    /// later): a request completed on the next working day took one.
    pub fn working_days_between(&self, from_day: i64, to_day: i64) -> u32 {
        if to_day <= from_day {
            return 0;
        }
        let span = to_day - from_day;
        let full_weeks = span / 7;
        let mut count = full_weeks * 5;
        let mut day = from_day + full_weeks * 7;
        while day < to_day {
            day += 1;
            if is_weekday(day) {
                count += 1;
            }
        }
        let off = self.holidays.range(from_day + 1..=to_day).count() as i64;
        u32::try_from(count - off).unwrap_or(u32::MAX)
    }

    /// The time (ms) before which an open request of a service with `service_days` is late
    /// at `now_ms`: one first submitted on a day with more than `service_days` working days
    /// from it to today.
    pub fn late_cutoff_ms(&self, now_ms: i64, service_days: u32, utc_offset_minutes: i32) -> i64 {
        const DAY_MS: i64 = 86_400_000;
        let offset_ms = i64::from(utc_offset_minutes) * 60_000;
        let today = (now_ms + offset_ms).div_euclid(DAY_MS);
        // The first day (going back) that is already late; the cutoff is the end of it.
        let mut day = today;
        while self.working_days_between(day, today) <= service_days {
            day -= 1;
        }
        (day + 1) * DAY_MS - offset_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-30 is a Monday; day number 20787.
    const MON: i64 = 20_787;

    fn day(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn weekdays() {
        let cal = WorkingCalendar::default();
        assert_eq!(day("2026-11-30").to_days(), MON);
        assert!(cal.is_working_day(MON));
        assert!(cal.is_working_day(MON + 4), "Friday");
        assert!(!cal.is_working_day(MON + 5), "Saturday");
        assert!(!cal.is_working_day(MON + 6), "Sunday");
        assert!(cal.is_working_day(0), "1970-01-01 was a Thursday");
    }

    #[test]
    fn working_days_skip_weekends() {
        let cal = WorkingCalendar::default();
        assert_eq!(cal.working_days_between(MON, MON), 0);
        assert_eq!(cal.working_days_between(MON, MON + 2), 2, "Mon -> Wed");
        assert_eq!(cal.working_days_between(MON + 4, MON + 7), 1, "Fri -> Mon");
        assert_eq!(cal.working_days_between(MON + 5, MON + 6), 0, "Sat -> Sun");
        assert_eq!(cal.working_days_between(MON, MON + 14), 10, "two weeks");
        assert_eq!(cal.working_days_between(MON + 3, MON + 24), 15);
        assert_eq!(cal.working_days_between(MON + 2, MON), 0);
    }

    #[test]
    fn holidays_are_not_working_days() {
        // Christmas 2026 is a Friday, 24 December collective leave a Thursday; 26 December is
        // a Saturday (changes nothing).
        let cal = WorkingCalendar::with_holidays([
            day("2026-12-24"),
            day("2026-12-25"),
            day("2026-12-26"),
        ]);
        assert!(!cal.is_working_day(day("2026-12-25").to_days()));
        assert!(cal.is_working_day(day("2026-12-23").to_days()));
        let mon = day("2026-12-21").to_days();
        // Mon 21 -> Mon 28: Tue, Wed, (Thu, Fri off), Mon = 3 working days.
        assert_eq!(cal.working_days_between(mon, mon + 7), 3);
        // Without the calendar the same span counted 5: the bug the calendar fixes.
        assert_eq!(
            WorkingCalendar::default().working_days_between(mon, mon + 7),
            5
        );
        // The submission day itself is not counted even when it is a holiday.
        let thu = day("2026-12-24").to_days();
        assert_eq!(cal.working_days_between(thu, thu + 4), 1, "Thu -> Mon");
    }

    #[test]
    fn late_cutoff_counts_working_days_back_from_today() {
        const DAY_MS: i64 = 86_400_000;
        let cal = WorkingCalendar::default();
        // Wednesday noon, one service day: Monday's requests are late, Tuesday's are not.
        let wednesday_noon = (MON + 2) * DAY_MS + 12 * 3_600_000;
        assert_eq!(cal.late_cutoff_ms(wednesday_noon, 1, 0), (MON + 1) * DAY_MS);
        // Monday, one service day: Thursday's are late (Fri and Mon are two working days).
        assert_eq!(cal.late_cutoff_ms(MON * DAY_MS, 1, 0), (MON - 3) * DAY_MS);
        // Local time: the day ends at local midnight.
        assert_eq!(
            cal.late_cutoff_ms(wednesday_noon, 1, 420),
            (MON + 1) * DAY_MS - 420 * 60_000
        );
        // With Tuesday a holiday, Monday's requests are not late yet on Wednesday (one
        // working day, Wednesday, since); the weekend's are (Monday and Wednesday).
        let tuesday_off = WorkingCalendar::with_holidays(Date::from_days(MON + 1));
        assert_eq!(
            tuesday_off.late_cutoff_ms(wednesday_noon, 1, 0),
            MON * DAY_MS
        );
    }

    #[test]
    fn holiday_input() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let (h, created) = add(&db, " 2026-08-17 ", "  HUT   Kemerdekaan RI ").unwrap();
        assert!(created);
        assert_eq!(
            (h.date.to_string(), h.name.as_str()),
            ("2026-08-17".into(), "HUT Kemerdekaan RI")
        );
        assert!(!add(&db, "2026-08-17", "HUT RI").unwrap().1);
        assert!(matches!(
            add(&db, "2026-02-30", "x"),
            Err(HolidayError::Date(_))
        ));
        assert!(matches!(
            add(&db, "2026-08-18", "  "),
            Err(HolidayError::Name)
        ));
        assert!(matches!(
            add(&db, "2026-08-18", "a\u{7}b"),
            Err(HolidayError::Name)
        ));
        add(&db, "2027-01-01", "Tahun Baru").unwrap();
        assert_eq!(list(&db, Some(2026)).unwrap().len(), 1);
        assert_eq!(list(&db, None).unwrap().len(), 2);
        let cal = load(&db).unwrap();
        assert!(!cal.is_working_day(day("2026-08-17").to_days()));
        assert!(remove(&db, "2026-08-17").unwrap());
        assert!(!remove(&db, "2026-08-17").unwrap());
        assert_eq!(add(&db, "x", "y").unwrap_err().code(), "date.invalid");
    }
}
