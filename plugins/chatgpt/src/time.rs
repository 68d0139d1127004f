//! Clock access and the few time formats the service uses.

use std::time::{SystemTime, UNIX_EPOCH};

/// Returns the current time in unix seconds (the WASI wall clock inside the
/// sandbox).
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Parses a `Retry-After` header into seconds to wait: either delay seconds
/// or an HTTP date (IMF-fixdate, such as `Sun, 06 Nov 1994 08:49:37 GMT`).
/// A date in the past yields 0.
pub fn parse_retry_after(value: &str, now: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    parse_http_date(value).map(|at| at.saturating_sub(now))
}

/// Month abbreviations of HTTP dates, January first.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses an IMF-fixdate into unix seconds. The obsolete RFC 850 and asctime
/// forms are not accepted.
fn parse_http_date(value: &str) -> Option<u64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_weekday, day, month, year, clock, "GMT"] = parts.as_slice() else {
        return None;
    };

    let day: u64 = day.parse().ok()?;
    let month = MONTHS.iter().position(|name| name == month)? as i64 + 1;
    let year: i64 = year.parse().ok()?;
    let mut clock = clock.split(':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);

    let valid_clock = clock.next().is_none() && hour <= 23 && minute <= 59 && second <= 60;
    if !valid_clock || !(1..=31).contains(&day) {
        return None;
    }

    let days = days_from_civil(year, month, day as i64);
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    u64::try_from(seconds).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil` algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_delay_seconds() {
        assert_eq!(parse_retry_after(" 17 ", 0), Some(17));
    }

    #[test]
    fn retry_after_http_date() {
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(date, 784_111_777 - 30), Some(30));
        assert_eq!(parse_retry_after(date, 784_111_777 + 30), Some(0));
    }

    #[test]
    fn retry_after_garbage_ignored() {
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", 0), None);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", 0), None);
    }

    #[test]
    fn civil_days_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }
}
