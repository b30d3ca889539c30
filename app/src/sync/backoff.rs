//! How long to wait before trying the server again after a failure.
//!
//! Doubling from two seconds to a minute: a flaky connection is retried quickly, a server that is down
//! is not hammered by every open tab.

const FIRST_MS: u32 = 2_000;
const MAX_MS: u32 = 60_000;

#[derive(Debug, Default)]
pub struct Backoff {
    /// The wait after the latest failure; `None` after a success.
    current: Option<u32>,
}

impl Backoff {
    /// A failure: the next wait is twice the previous one (up to a minute).
    pub fn fail(&mut self) {
        let next = self
            .current
            .map_or(FIRST_MS, |ms| ms.saturating_mul(2).min(MAX_MS));
        self.current = Some(next);
    }

    pub fn succeed(&mut self) {
        self.current = None;
    }

    /// The wait before the next attempt, if the last one failed.
    pub fn delay_ms(&self) -> Option<u32> {
        self.current
    }
}
