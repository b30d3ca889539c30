//! When a failed delivery is tried again: 30 s after the first failure, doubling after each further one
//! up to 6 hours, and not at all after the 12th attempt (about 14½ hours after the first).

use std::time::Duration;

/// The wait after the first failed attempt.
pub const FIRST_DELAY: Duration = Duration::from_secs(30);
/// No wait is longer than this.
pub const MAX_DELAY: Duration = Duration::from_secs(6 * 60 * 60);
/// Attempts before a delivery is given up on.
pub const MAX_ATTEMPTS: u32 = 12;

/// How long to wait after `attempts` failed attempts (1 after the first), or `None` to give up.
pub fn delay_after(attempts: u32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = attempts.saturating_sub(1);
    let delay = 2u32
        .checked_pow(doublings)
        .and_then(|factor| FIRST_DELAY.checked_mul(factor))
        .unwrap_or(MAX_DELAY);
    Some(delay.min(MAX_DELAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(attempts: u32) -> Option<u64> {
        delay_after(attempts).map(|d| d.as_secs())
    }

    #[test]
    fn each_failure_doubles_the_wait_from_thirty_seconds() {
        assert_eq!(seconds(1), Some(30));
        assert_eq!(seconds(2), Some(60));
        assert_eq!(seconds(3), Some(120));
        assert_eq!(seconds(10), Some(15_360));
    }

    #[test]
    fn the_wait_is_capped_and_the_twelfth_failure_gives_up() {
        assert_eq!(seconds(11), Some(21_600));
        assert_eq!(seconds(12), None);
        assert_eq!(seconds(u32::MAX), None);
        let total: u64 = (1..MAX_ATTEMPTS).filter_map(seconds).sum();
        assert_eq!(total, 52_290, "about 14½ hours of retries");
    }
}
