//! Calendar dates without a time zone database.
//!
//! Civil registration only needs whole days: birth dates, event dates, deadlines and ages.
//! Ages and "today" are taken in the regency's local date (West Sumatra is UTC+7 all year), so
//! the catalog carries a fixed UTC offset rather than pulling a time-zone database onto phones.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The earliest year a date field accepts; older dates are typing mistakes.
pub const MIN_YEAR: i32 = 1850;
/// The latest year any date arithmetic produces; keeps every computation in range.
pub const MAX_YEAR: i32 = 9999;

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists (29 February only in leap years) and lies in `MIN_YEAR..=MAX_YEAR`.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month as u8) as u32 {
            return None;
        }
        Some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Parses `YYYY-MM-DD` (the form used on the wire and by date pickers).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }
    /// The month, 1-12.
    pub fn month(self) -> u32 {
        self.month as u32
    }
    /// The day of the month, 1-31.
    pub fn day(self) -> u32 {
        self.day as u32
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if within the supported years.
    pub fn from_days(days: i64) -> Option<Date> {
        // Bound first so the arithmetic below cannot overflow.
        if !(-100_000_000..=100_000_000).contains(&days) {
            return None;
        }
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::from_ymd(i32::try_from(y).ok()?, m as u32, d as u32)
    }

    /// This date plus `n` days (negative goes back), if in range.
    pub fn add_days(self, n: i64) -> Option<Date> {
        Date::from_days(self.to_days().checked_add(n)?)
    }

    /// The same day `n` years later (negative goes back), if in range. 29 February becomes
    /// 28 February in a common year: the result stays in the same month instead of spilling
    /// into March.
    pub fn add_years(self, n: i64) -> Option<Date> {
        let year = i32::try_from(i64::from(self.year).checked_add(n)?).ok()?;
        let day = self.day.min(days_in_month(year, self.month));
        Date::from_ymd(year, self.month as u32, day as u32)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// Completed years from `self` (a birth date) to `at`; negative when `at` is earlier.
    /// Someone born on 29 February turns a year older on 1 March in common years.
    pub fn age_at(self, at: Date) -> i64 {
        let mut years = at.year as i64 - self.year as i64;
        if (at.month, at.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// Today's date at the given UTC offset (minutes east of UTC), from the system clock.
    pub fn today(utc_offset_minutes: i32) -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_unix_seconds(secs, utc_offset_minutes)
    }

    /// The local date of a Unix timestamp at the given UTC offset.
    pub fn from_unix_seconds(secs: i64, utc_offset_minutes: i32) -> Date {
        let local = secs.saturating_add(utc_offset_minutes as i64 * 60);
        Date::from_days(local.div_euclid(86_400)).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        })
    }

    /// Monday = 1 ... Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        ((self.to_days() + 3).rem_euclid(7) + 1) as u32
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s).ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD"))
    }
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1-12) of `year`; 0 for a month out of range.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}
