//! Dates as reports write them: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and for
//! `date`/`updated` also RFC 3339. A partial date keeps its precision: it
//! sorts before every fuller date inside it and displays at its own
//! precision ("2023", "July 2023", "1 July 2023").

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date at year, month, day or timestamp precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDate {
    /// The year.
    pub year: i32,
    /// The month (1-12), if given.
    pub month: Option<u32>,
    /// The day of the month, if given.
    pub day: Option<u32>,
    /// A full RFC 3339 timestamp, if the date was written as one.
    pub time: Option<DateTime<FixedOffset>>,
    /// The date as written, trimmed.
    pub text: String,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; with `allow_time`, RFC 3339 too.
    pub fn parse(text: &str, allow_time: bool) -> Result<Self, String> {
        let text = text.trim();
        let forms = if allow_time {
            "YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp"
        } else {
            "YYYY, YYYY-MM or YYYY-MM-DD"
        };
        let bad = || format!("`{text}` is not a valid date: expected {forms}");
        if allow_time && text.len() > 10 {
            let time = DateTime::parse_from_rfc3339(text).map_err(|_| bad())?;
            return Ok(PartialDate {
                year: time.year(),
                month: Some(time.month()),
                day: Some(time.day()),
                time: Some(time),
                text: text.to_string(),
            });
        }
        let parts: Vec<&str> = text.split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let ok_shape = match parts.as_slice() {
            [y] => digits(y, 4),
            [y, m] => digits(y, 4) && digits(m, 2),
            [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
            _ => false,
        };
        if !ok_shape {
            return Err(bad());
        }
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        let month: Option<u32> = parts.get(1).and_then(|m| m.parse().ok());
        let day: Option<u32> = parts.get(2).and_then(|d| d.parse().ok());
        let valid = match (month, day) {
            (None, _) => true,
            (Some(m), None) => (1..=12).contains(&m),
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d).is_some(),
        };
        if !valid {
            return Err(format!("`{text}` is not a date that exists"));
        }
        Ok(PartialDate {
            year,
            month,
            day,
            time: None,
            text: text.to_string(),
        })
    }

    /// The date for people: "2023", "July 2023" or "1 July 2023".
    pub fn display(&self) -> String {
        // Built by hand: every page shows dates, and `format!` costs more
        // than the text it makes.
        let mut out = String::with_capacity(18);
        if let Some(m) = self.month {
            if let Some(d) = self.day {
                out.push_str(itoa::Buffer::new().format(d));
                out.push(' ');
            }
            out.push_str(MONTHS[m as usize - 1]);
            out.push(' ');
        }
        out.push_str(itoa::Buffer::new().format(self.year));
        out
    }

    /// The date as written (for `datetime=` attributes and data files).
    pub fn iso(&self) -> &str {
        &self.text
    }

    /// An RFC 3339 timestamp for feeds and sitemaps (midnight UTC for a
    /// date without time, the first day of the period for a partial date).
    pub fn to_rfc3339(&self) -> String {
        match &self.time {
            Some(t) => t.to_rfc3339(),
            None => format!(
                "{:04}-{:02}-{:02}T00:00:00+00:00",
                self.year,
                self.month.unwrap_or(1),
                self.day.unwrap_or(1)
            ),
        }
    }

    /// The timestamp as a chrono value (see [`PartialDate::to_rfc3339`]).
    pub fn to_datetime(&self) -> DateTime<FixedOffset> {
        self.time.unwrap_or_else(|| {
            let date =
                NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
                    .unwrap_or_default();
            date.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .fixed_offset()
        })
    }

    /// Whether this period ends before `other` begins (`2023-06` ends
    /// before `2023-07`; `2023` does not, as it contains July).
    pub fn ends_before(&self, other: &PartialDate) -> bool {
        let last = (self.year, self.month.unwrap_or(12), self.day.unwrap_or(31));
        let first = (other.year, other.month.unwrap_or(1), other.day.unwrap_or(1));
        last < first
    }

    /// What dates sort by: year, month, day (0 when not given, so a
    /// period comes before the dates inside it), then the timestamp.
    pub fn sort_key(&self) -> (i32, u32, u32, i64) {
        let seconds = self.time.map_or(i64::MIN, |t| t.timestamp());
        (
            self.year,
            self.month.unwrap_or(0),
            self.day.unwrap_or(0),
            seconds,
        )
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A `date`/`updated` field: any precision or RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub PartialDate);

/// An event or source date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayDate(pub PartialDate);

/// Parses inside the scalar's visit so that serde_yaml stamps an error
/// with the position of the date itself, not of its enclosing mapping.
struct DateVisitor {
    allow_time: bool,
}

impl Visitor<'_> for DateVisitor {
    type Value = PartialDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date such as 2024, 2024-04 or 2024-04-07")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<PartialDate, E> {
        PartialDate::parse(text, self.allow_time).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, year: u64) -> Result<PartialDate, E> {
        self.visit_str(&year.to_string())
    }

    fn visit_i64<E: de::Error>(self, year: i64) -> Result<PartialDate, E> {
        self.visit_str(&year.to_string())
    }
}

fn deserialize_date<'de, D: Deserializer<'de>>(
    d: D,
    allow_time: bool,
) -> Result<PartialDate, D::Error> {
    d.deserialize_str(DateVisitor { allow_time })
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_date(d, true).map(Timestamp)
    }
}

impl<'de> Deserialize<'de> for DayDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_date(d, false).map(DayDate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        PartialDate::parse(s, true).unwrap()
    }

    #[test]
    fn partial_dates_sort_before_fuller_ones() {
        let mut v = [d("2023-07-01"), d("2023"), d("2022-12-31"), d("2023-07")];
        v.sort();
        let texts: Vec<&str> = v.iter().map(|x| x.iso()).collect();
        assert_eq!(texts, ["2022-12-31", "2023", "2023-07", "2023-07-01"]);
    }

    #[test]
    fn timestamps_sort_after_their_day() {
        assert!(d("2024-04-07") < d("2024-04-07T10:00:00Z"));
        assert!(d("2024-04-07T09:00:00Z") < d("2024-04-07T10:00:00Z"));
        assert!(d("2024-04-07T23:00:00Z") < d("2024-04-08"));
    }

    #[test]
    fn displays_at_its_precision() {
        let cases = [
            ("2023", "2023"),
            ("2023-07", "July 2023"),
            ("2023-07-01", "1 July 2023"),
            ("2024-04-07T16:10:00+02:00", "7 April 2024"),
        ];
        for (input, shown) in cases {
            assert_eq!(d(input).display(), shown, "{input}");
        }
    }

    #[test]
    fn ends_before_compares_whole_periods() {
        assert!(d("2023-06").ends_before(&d("2023-07")));
        assert!(d("2023-06-30").ends_before(&d("2023-07")));
        assert!(!d("2023").ends_before(&d("2023-07")));
        assert!(!d("2023-07").ends_before(&d("2023-07-15")));
        assert!(!d("2023-07-15").ends_before(&d("2023-07")));
        assert!(d("2022").ends_before(&d("2023-01-01")));
    }

    #[test]
    fn rejects_malformed_and_impossible_dates() {
        for bad in [
            "2024-02-30",
            "2023-13",
            "23-01-01",
            "2024/04/07",
            "April 2024",
            "",
            "2024-4-7",
        ] {
            assert!(PartialDate::parse(bad, true).is_err(), "{bad}");
        }
        assert!(PartialDate::parse("2024-04-07T10:00:00Z", false).is_err());
    }
}
