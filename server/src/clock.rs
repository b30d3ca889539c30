//! The one place the server reads the time. Core never does: "now" is an argument there.

/// Milliseconds since the Unix epoch, the form every instant is stored in.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
