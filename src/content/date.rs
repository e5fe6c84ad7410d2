//! Calendar dates as the campaign writes them (`2023-11-25` in YAML) and as
//! official documents print them (`2023年11月25日`, rule B9: no zero padding).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid Gregorian date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Full year, e.g. 2023.
    pub year: i32,
    /// 1–12.
    pub month: u8,
    /// 1–31, valid for the month.
    pub day: u8,
}

impl Date {
    /// A date, if it exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(())?;
        (day >= 1 && day <= days_in_month(year, month)).then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        Self::new(year, month, day)
    }

    /// `2023年11月25日`.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// `11月25日` (the year left to context, as the plan's deadlines do).
    pub fn month_day(&self) -> String {
        format!("{}月{}日", self.month, self.day)
    }

    /// The same day and month `years` later; 29 February becomes 28 February
    /// in a common year.
    pub fn add_years(&self, years: i32) -> Self {
        let year = self.year + years;
        let day = self.day.min(days_in_month(year, self.month));
        Self { year, month: self.month, day }
    }

    /// Days since 1970-01-01 (negative before), for timestamps.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "“{text}”不是有效日期，应写作 2023-11-25 / “{text}” is not a valid date; write it as 2023-11-25"
            ))
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_without_zero_padding() {
        let d = Date::parse("2023-11-05").expect("valid");
        assert_eq!(d.chinese(), "2023年11月5日");
        assert_eq!(d.month_day(), "11月5日");
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-13-01").is_none());
        assert!(Date::parse("2023/11/25").is_none());
    }

    #[test]
    fn advances_a_year() {
        let d = Date::parse("2024-02-29").expect("valid");
        assert_eq!(d.add_years(1).to_string(), "2025-02-28");
    }

    #[test]
    fn counts_days_from_the_epoch() {
        assert_eq!(Date::parse("1970-01-01").expect("valid").days_since_epoch(), 0);
        assert_eq!(Date::parse("2023-11-25").expect("valid").days_since_epoch(), 19_686);
    }
}
