//! The `Remit-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
//! endpoint's secret (the scheme Stripe uses). The timestamp is signed with the body, so a receiver
//! that rejects old timestamps also rejects a replayed delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // python3 -c "import hmac; print(hmac.new(b'whsec_test', b'1767225600.{\"id\":1}', 'sha256').hexdigest())"
        assert_eq!(
            sign("whsec_test", 1_767_225_600, br#"{"id":1}"#),
            "t=1767225600,v1=c288d7ec0b1747de22e35fbdbabba9772c8e0d64b7db67e546bc92b86c005ab8"
        );
    }

    #[test]
    fn the_signature_changes_with_the_secret_the_time_and_the_body() {
        let base = sign("a", 1, b"{}");
        assert_ne!(sign("b", 1, b"{}"), base);
        assert_ne!(sign("a", 2, b"{}"), base);
        assert_ne!(sign("a", 1, b"{ }"), base);
    }
}
