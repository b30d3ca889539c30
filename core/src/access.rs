//! Who may try to sign in, and when: the policy against password guessing.
//!
//! Failed sign-ins are counted per account (its normalised e-mail address) in a sliding window. Once an
//! account has had [`LoginThrottle::max_failures`] failures within [`LoginThrottle::window_ms`], further
//! attempts are refused, without checking the password, until the oldest of those failures leaves the
//! window. A successful sign-in clears the count. Refused attempts are not failures: they never reach the
//! password check, so they neither extend the wait nor tell the caller anything.
//!
//! The shell keeps the failures (instants in epoch milliseconds) and asks [`LoginThrottle::decide`]
//! before each attempt; every instant is an argument, as core has no clock.

/// The limits of the sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// How many failures the window may hold before attempts are refused.
    pub max_failures: usize,
    /// How long a failure counts, in milliseconds.
    pub window_ms: i64,
}

/// Remit's policy: five failures within fifteen minutes.
pub const LOGIN_THROTTLE: LoginThrottle = LoginThrottle {
    max_failures: 5,
    window_ms: 15 * 60 * 1000,
};

/// Whether a sign-in attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginDecision {
    /// Check the password (and count the attempt as a failure unless it succeeds).
    Allow,
    /// Refuse without checking the password; the next attempt may succeed after this wait.
    Refuse { retry_after: RetryAfter },
}

/// A wait before the next attempt, in milliseconds; at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetryAfter(i64);

impl RetryAfter {
    pub fn ms(self) -> i64 {
        self.0
    }

    /// Whole seconds, rounded up (the unit of HTTP's `Retry-After`): waiting this long is always enough.
    pub fn seconds(self) -> i64 {
        (self.0 + 999) / 1000
    }
}

impl LoginThrottle {
    /// Decides an attempt at `now_ms` given the account's recorded failures (any order; failures older
    /// than the window are ignored, so the shell may keep them until [`Self::forget_before`] says not to).
    /// A failure stamped after `now_ms` (another server's clock running ahead) counts as recent.
    pub fn decide(&self, failures: &[i64], now_ms: i64) -> LoginDecision {
        let mut recent: Vec<i64> = failures
            .iter()
            .copied()
            .filter(|at| *at > now_ms - self.window_ms)
            .collect();
        if recent.len() < self.max_failures {
            return LoginDecision::Allow;
        }
        recent.sort_unstable();
        // Attempts resume once all but `max_failures - 1` of the recent failures have left the window.
        let releasing = recent[recent.len() - self.max_failures];
        let wait = (releasing + self.window_ms - now_ms).clamp(1, self.window_ms);
        LoginDecision::Refuse {
            retry_after: RetryAfter(wait),
        }
    }

    /// Failures at or before this instant no longer count at `now_ms` and may be forgotten.
    pub fn forget_before(&self, now_ms: i64) -> i64 {
        now_ms - self.window_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60 * 1000;
    const NOW: i64 = 1_800_000_000_000;

    fn refused_for(decision: LoginDecision) -> i64 {
        match decision {
            LoginDecision::Refuse { retry_after } => retry_after.ms(),
            LoginDecision::Allow => panic!("expected a refusal"),
        }
    }

    #[test]
    fn four_recent_failures_still_allow_an_attempt() {
        let failures = [
            NOW - 4 * MINUTE,
            NOW - 3 * MINUTE,
            NOW - 2 * MINUTE,
            NOW - MINUTE,
        ];
        assert_eq!(LOGIN_THROTTLE.decide(&failures, NOW), LoginDecision::Allow);
        assert_eq!(LOGIN_THROTTLE.decide(&[], NOW), LoginDecision::Allow);
    }

    #[test]
    fn the_fifth_failure_refuses_until_the_oldest_leaves_the_window() {
        let failures = [
            NOW - MINUTE,
            NOW - 10 * MINUTE,
            NOW - 2 * MINUTE,
            NOW - 4 * MINUTE,
            NOW - 3 * MINUTE,
        ];
        // The oldest, ten minutes ago, counts for five more minutes.
        assert_eq!(
            refused_for(LOGIN_THROTTLE.decide(&failures, NOW)),
            5 * MINUTE
        );
        assert_eq!(
            LOGIN_THROTTLE.decide(&failures, NOW + 5 * MINUTE),
            LoginDecision::Allow
        );
        assert_eq!(
            refused_for(LOGIN_THROTTLE.decide(&failures, NOW + 5 * MINUTE - 1)),
            1
        );
    }

    #[test]
    fn with_more_failures_than_the_limit_the_wait_ends_when_the_count_drops_below_it() {
        let failures = [
            NOW - 14 * MINUTE,
            NOW - 12 * MINUTE,
            NOW - 6 * MINUTE,
            NOW - 5 * MINUTE,
            NOW - 4 * MINUTE,
            NOW - 3 * MINUTE,
            NOW - 2 * MINUTE,
        ];
        // Seven failures: three must leave the window, the third oldest (six minutes ago) last.
        assert_eq!(
            refused_for(LOGIN_THROTTLE.decide(&failures, NOW)),
            9 * MINUTE
        );
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let mut failures = vec![NOW - 15 * MINUTE; 20];
        failures.extend([NOW - MINUTE; 4]);
        assert_eq!(LOGIN_THROTTLE.decide(&failures, NOW), LoginDecision::Allow);
        assert_eq!(LOGIN_THROTTLE.forget_before(NOW), NOW - 15 * MINUTE);
    }

    #[test]
    fn failures_stamped_in_the_future_count_and_never_ask_for_more_than_a_window() {
        let failures = [NOW + 20 * MINUTE; 5];
        assert_eq!(
            refused_for(LOGIN_THROTTLE.decide(&failures, NOW)),
            15 * MINUTE
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(RetryAfter(1).seconds(), 1);
        assert_eq!(RetryAfter(1000).seconds(), 1);
        assert_eq!(RetryAfter(1001).seconds(), 2);
        assert_eq!(RetryAfter(15 * MINUTE).seconds(), 900);
    }
}
