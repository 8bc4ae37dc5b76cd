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
    /// The earliest supported date, `MIN_YEAR-01-01`.
    pub const MIN: Date = Date {
        year: MIN_YEAR,
        month: 1,
        day: 1,
    };
    /// The latest supported date, `MAX_YEAR-12-31`.
    pub const MAX: Date = Date {
        year: MAX_YEAR,
        month: 12,
        day: 31,
    };

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

    /// The local date of a Unix timestamp at the given UTC offset, clamped to
    /// `MIN_YEAR-01-01 ..= MAX_YEAR-12-31`.
    pub fn from_unix_seconds(secs: i64, utc_offset_minutes: i32) -> Date {
        let local = secs.saturating_add(utc_offset_minutes as i64 * 60);
        let days = local.div_euclid(86_400);
        // Out of range means "before the earliest" or "after the latest" date, never 1970: a
        // wrong clock far in the future must not make every deadline look far away.
        Date::from_days(days).unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn from_ymd_checks_the_calendar_and_range() {
        assert!(
            Date::from_ymd(2000, 2, 29).is_some(),
            "2000 is a leap year (divisible by 400)"
        );
        assert!(
            Date::from_ymd(1900, 2, 29).is_none(),
            "1900 is not (divisible by 100)"
        );
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert!(Date::from_ymd(2023, 2, 29).is_none());
        assert!(Date::from_ymd(2023, 4, 31).is_none());
        assert!(Date::from_ymd(2023, 12, 31).is_some());
        for (m, day) in [
            (0, 1),
            (13, 1),
            (1, 0),
            (1, 32),
            (u32::MAX, 1),
            (1, u32::MAX),
        ] {
            assert!(Date::from_ymd(2023, m, day).is_none(), "{m}-{day}");
        }
        assert!(Date::from_ymd(MIN_YEAR - 1, 12, 31).is_none());
        assert_eq!(Date::from_ymd(MIN_YEAR, 1, 1), Some(Date::MIN));
        assert_eq!(Date::from_ymd(MAX_YEAR, 12, 31), Some(Date::MAX));
        assert!(Date::from_ymd(MAX_YEAR + 1, 1, 1).is_none());
    }

    #[test]
    fn parse_iso_accepts_only_the_wire_form() {
        assert_eq!(Date::parse_iso("1990-07-01"), Some(d(1990, 7, 1)));
        assert_eq!(Date::parse_iso("2000-02-29"), Some(d(2000, 2, 29)));
        for bad in [
            "",
            "1990-7-01",
            "1990-07-1",
            "1990/07/01",
            "01-07-1990",
            " 1990-07-01",
            "1990-07-01 ",
            "+990-07-01",
            "1990-+7-01",
            "1990-07-+1",
            "199O-07-01",
            "2001-02-29",
            "1849-12-31",
            "1990-07-01T00",
            "١٩٩٠-07-01",
            "1990-0é-1",
            "1990-00-10",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn day_numbers_match_known_dates() {
        assert_eq!(d(1970, 1, 1).to_days(), 0);
        assert_eq!(d(1969, 12, 31).to_days(), -1);
        assert_eq!(d(2000, 3, 1).to_days(), 11_017);
        assert_eq!(Date::from_days(11_016), Some(d(2000, 2, 29)));
        assert_eq!(Date::from_days(Date::MIN.to_days() - 1), None);
        assert_eq!(Date::from_days(Date::MAX.to_days() + 1), None);
        assert_eq!(Date::from_days(i64::MAX), None);
        assert_eq!(Date::from_days(i64::MIN), None);
    }

    #[test]
    fn add_days_and_days_until() {
        assert_eq!(d(2024, 2, 28).add_days(1), Some(d(2024, 2, 29)));
        assert_eq!(d(2023, 2, 28).add_days(1), Some(d(2023, 3, 1)));
        assert_eq!(d(2025, 12, 31).add_days(1), Some(d(2026, 1, 1)));
        assert_eq!(d(2026, 1, 1).add_days(-1), Some(d(2025, 12, 31)));
        // A birth on 1 May must be reported within 60 days: by 30 June.
        assert_eq!(d(2026, 5, 1).add_days(60), Some(d(2026, 6, 30)));
        assert_eq!(Date::MAX.add_days(1), None);
        assert_eq!(Date::MIN.add_days(-1), None);
        assert_eq!(d(2026, 1, 1).add_days(i64::MAX), None);
        assert_eq!(d(2024, 1, 1).days_until(d(2025, 1, 1)), 366);
        assert_eq!(d(2025, 1, 1).days_until(d(2024, 1, 1)), -366);
    }

    #[test]
    fn age_counts_completed_years() {
        let born = d(1990, 7, 1);
        assert_eq!(born.age_at(d(2007, 6, 30)), 16);
        assert_eq!(born.age_at(d(2007, 7, 1)), 17, "17 on the birthday itself");
        assert_eq!(born.age_at(born), 0);
        assert_eq!(born.age_at(d(1990, 6, 30)), -1);
        let leap = d(2000, 2, 29);
        assert_eq!(leap.age_at(d(2001, 2, 28)), 0);
        assert_eq!(
            leap.age_at(d(2001, 3, 1)),
            1,
            "a 29 February birthday counts on 1 March"
        );
        assert_eq!(leap.age_at(d(2004, 2, 29)), 4);
    }

    #[test]
    fn unix_seconds_use_the_local_offset() {
        const WIB: i32 = 7 * 60;
        // 2025-12-31 17:00:00 UTC is midnight of New Year in Padang Pariaman.
        let new_year_utc = d(2025, 12, 31).to_days() * 86_400 + 17 * 3600;
        assert_eq!(Date::from_unix_seconds(new_year_utc, 0), d(2025, 12, 31));
        assert_eq!(Date::from_unix_seconds(new_year_utc, WIB), d(2026, 1, 1));
        assert_eq!(
            Date::from_unix_seconds(new_year_utc - 1, WIB),
            d(2025, 12, 31)
        );
        assert_eq!(Date::from_unix_seconds(-1, 0), d(1969, 12, 31));
        assert_eq!(Date::from_unix_seconds(0, -60), d(1969, 12, 31));
    }

    #[test]
    fn unix_seconds_out_of_range_clamp() {
        assert_eq!(Date::from_unix_seconds(i64::MAX, 0), Date::MAX);
        assert_eq!(Date::from_unix_seconds(i64::MAX, i32::MAX), Date::MAX);
        assert_eq!(Date::from_unix_seconds(i64::MIN, i32::MIN), Date::MIN);
        assert_eq!(
            Date::from_unix_seconds(Date::MAX.to_days() * 86_400 + 86_400, 0),
            Date::MAX
        );
        assert_eq!(
            Date::from_unix_seconds(Date::MIN.to_days() * 86_400 - 1, 0),
            Date::MIN
        );
    }

    #[test]
    fn today_is_in_range() {
        let utc = Date::today(0);
        let wib = Date::today(7 * 60);
        assert!(utc >= d(2024, 1, 1), "system clock reads {utc}");
        assert!(matches!(utc.days_until(wib), 0 | 1), "UTC {utc}, WIB {wib}");
    }

    #[test]
    fn weekdays() {
        assert_eq!(d(1970, 1, 1).weekday(), 4);
        assert_eq!(
            d(1945, 8, 17).weekday(),
            5,
            "the Proclamation was read on a Friday"
        );
        assert_eq!(d(2026, 11, 29).weekday(), 7);
        assert_eq!(d(2026, 11, 30).weekday(), 1);
    }

    #[test]
    fn display_and_serde() {
        assert_eq!(d(1850, 1, 9).to_string(), "1850-01-09");
        let json = serde_json::to_string(&d(2000, 2, 29)).unwrap();
        assert_eq!(json, "\"2000-02-29\"");
        assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), d(2000, 2, 29));
        assert!(serde_json::from_str::<Date>("\"2001-02-29\"").is_err());
        assert!(serde_json::from_str::<Date>("20010228").is_err());
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(d(1999, 12, 31) < d(2000, 1, 1));
        assert!(d(2000, 1, 31) < d(2000, 2, 1));
        assert!(d(2000, 2, 1) < d(2000, 2, 2));
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(-4));
        assert!(!is_leap_year(1900) && !is_leap_year(2100) && !is_leap_year(2023));
        let lengths: Vec<u8> = (1..=12).map(|m| days_in_month(2023, m)).collect();
        assert_eq!(lengths, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2024, 0), 0);
        assert_eq!(days_in_month(2024, 13), 0);
    }

    proptest! {
        #[test]
        fn days_round_trip(n in Date::MIN.to_days()..=Date::MAX.to_days()) {
            let date = Date::from_days(n).unwrap();
            prop_assert_eq!(date.to_days(), n);
            prop_assert_eq!(Date::parse_iso(&date.to_string()), Some(date));
            prop_assert_eq!(Date::from_ymd(date.year(), date.month(), date.day()), Some(date));
            if let Some(next) = date.add_days(1) {
                prop_assert!(next > date);
                prop_assert_eq!(next.weekday() % 7, (date.weekday() + 1) % 7);
            }
        }

        #[test]
        fn parse_iso_never_panics(s in "\\PC{0,12}") {
            let _ = Date::parse_iso(&s);
        }
    }
}
