//! The one place the server reads the time, and the calendar of an organisation. Core never does: "now"
//! and "today" are arguments there.
//!
//! Every part of the server that needs "now" is handed a [`Clock`]: `remit serve` the system's, tests a
//! [`ManualClock`] they set and move. An organisation's business date is the date in its own time zone
//! ([`today_in`]), from the IANA time-zone database compiled into the server (`chrono-tz`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use remit_core::organisation::TimeZoneName;

/// Where the server reads "now" from.
#[derive(Debug, Clone)]
pub struct Clock(Source);

#[derive(Debug, Clone)]
enum Source {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// Milliseconds since the Unix epoch, the form every instant is stored in.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Source::System => Utc::now().timestamp_millis(),
            Source::Manual(at) => at.load(Ordering::SeqCst),
        }
    }

    /// Now, as an instant.
    pub fn now(&self) -> DateTime<Utc> {
        instant(self.now_ms())
    }

    /// Today's date in the time zone of that name.
    pub fn today_in(&self, time_zone: &TimeZoneName) -> Result<NaiveDate, UnknownTimeZone> {
        Ok(today_in(zone(time_zone)?, self.now()))
    }
}

/// A clock that stands still until it is set or moved; a [`Clock`] made from it reads it, and every copy
/// moves together. For tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(at_ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(at_ms)))
    }

    pub fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn set(&self, at_ms: i64) {
        self.0.store(at_ms, Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(by, Ordering::SeqCst);
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Self {
        Self(Source::Manual(manual.0))
    }
}

/// The instant of a stored millisecond count; out-of-range counts are clamped to chrono's range.
pub fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(if ms < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// A well-formed time-zone name that the time-zone database does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not in the time-zone database")]
pub struct UnknownTimeZone(pub String);

/// The time zone of that name in the IANA database.
pub fn zone(name: &TimeZoneName) -> Result<Tz, UnknownTimeZone> {
    name.as_str()
        .parse()
        .map_err(|_| UnknownTimeZone(name.as_str().to_owned()))
}

/// The calendar date in `time_zone` at `instant`: an organisation's business date.
pub fn today_in(time_zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&time_zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn named(name: &str) -> Tz {
        zone(&TimeZoneName::parse(name).unwrap()).unwrap()
    }

    #[test]
    fn today_is_the_local_date_of_the_organisation() {
        let cases = [
            // Oslo starts summer time on 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z).
            ("Europe/Oslo", "2026-03-28T22:59:59Z", "2026-03-28"),
            ("Europe/Oslo", "2026-03-28T23:00:00Z", "2026-03-29"),
            ("Europe/Oslo", "2026-03-29T00:59:59Z", "2026-03-29"),
            ("Europe/Oslo", "2026-03-29T01:00:00Z", "2026-03-29"),
            ("Europe/Oslo", "2026-03-29T21:59:59Z", "2026-03-29"),
            ("Europe/Oslo", "2026-03-29T22:00:00Z", "2026-03-30"),
            // And ends it on 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z).
            ("Europe/Oslo", "2026-10-24T21:59:59Z", "2026-10-24"),
            ("Europe/Oslo", "2026-10-24T22:00:00Z", "2026-10-25"),
            ("Europe/Oslo", "2026-10-25T00:59:59Z", "2026-10-25"),
            ("Europe/Oslo", "2026-10-25T01:00:00Z", "2026-10-25"),
            ("Europe/Oslo", "2026-10-25T22:59:59Z", "2026-10-25"),
            ("Europe/Oslo", "2026-10-25T23:00:00Z", "2026-10-26"),
            // An evening in California is already the next day in UTC.
            ("America/Los_Angeles", "2026-07-01T05:30:00Z", "2026-06-30"),
            ("America/Los_Angeles", "2026-07-01T06:59:59Z", "2026-06-30"),
            ("America/Los_Angeles", "2026-07-01T07:00:00Z", "2026-07-01"),
            ("America/Los_Angeles", "2026-01-15T07:59:59Z", "2026-01-14"),
            ("America/Los_Angeles", "2026-01-15T08:00:00Z", "2026-01-15"),
            // Kiritimati is fourteen hours ahead: its day starts at 10:00Z the day before.
            ("Pacific/Kiritimati", "2026-12-31T09:59:59Z", "2026-12-31"),
            ("Pacific/Kiritimati", "2026-12-31T10:00:00Z", "2027-01-01"),
            // 29 February 2028 in New York, while UTC is already in March.
            ("America/New_York", "2028-03-01T04:30:00Z", "2028-02-29"),
            ("America/New_York", "2028-03-01T04:59:59Z", "2028-02-29"),
            ("America/New_York", "2028-03-01T05:00:00Z", "2028-03-01"),
            ("America/New_York", "2028-02-29T04:59:59Z", "2028-02-28"),
            ("America/New_York", "2028-02-29T05:00:00Z", "2028-02-29"),
            ("UTC", "2028-02-29T23:59:59Z", "2028-02-29"),
            ("UTC", "2028-03-01T00:00:00Z", "2028-03-01"),
        ];
        for (name, instant, today) in cases {
            assert_eq!(
                today_in(named(name), at(instant)),
                date(today),
                "{instant} in {name}"
            );
        }
    }

    #[test]
    fn the_clock_says_today_in_the_organisations_zone() {
        let manual = ManualClock::new(at("2028-03-01T04:30:00Z").timestamp_millis());
        let clock = Clock::from(manual.clone());
        let new_york = TimeZoneName::parse("America/New_York").unwrap();
        let oslo = TimeZoneName::parse("Europe/Oslo").unwrap();
        assert_eq!(clock.today_in(&new_york), Ok(date("2028-02-29")));
        assert_eq!(clock.today_in(&oslo), Ok(date("2028-03-01")));
        manual.advance(Duration::from_secs(30 * 60));
        assert_eq!(clock.today_in(&new_york), Ok(date("2028-03-01")));
        let mars = TimeZoneName::parse("Mars/Olympus_Mons").unwrap();
        assert_eq!(
            clock.today_in(&mars),
            Err(UnknownTimeZone("Mars/Olympus_Mons".into()))
        );
    }

    #[test]
    fn a_manual_clock_moves_only_when_told_and_every_copy_with_it() {
        let manual = ManualClock::new(1_000);
        let clock = Clock::from(manual.clone());
        assert_eq!(clock.clone().now_ms(), 1_000);
        manual.advance(Duration::from_millis(500));
        assert_eq!(clock.now_ms(), 1_500);
        manual.set(-86_400_000);
        assert_eq!(clock.now(), at("1969-12-31T00:00:00Z"));
        let system = Clock::system().now_ms();
        assert!(system > at("2026-01-01T00:00:00Z").timestamp_millis());
    }

    #[test]
    fn every_area_zone_of_the_database_is_a_time_zone_name() {
        // Core checks a name's shape; the database then decides whether the zone exists. Every zone
        // people pick (Area/Location, and UTC) passes the shape check and resolves back to itself.
        let mut areas = 0;
        for tz in chrono_tz::TZ_VARIANTS {
            let name = tz.name();
            if name.contains('/') || name == "UTC" {
                let parsed = TimeZoneName::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(zone(&parsed), Ok(tz), "{name}");
                areas += 1;
            }
        }
        assert!(areas > 400, "{areas} zones");
    }
}
