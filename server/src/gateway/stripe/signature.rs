//! The `Stripe-Signature` header as Stripe documents it: `t=<unix seconds>,v1=<hex>,v1=<hex>,v0=<hex>`,
//! each `v1` the HMAC-SHA256 of `<t>.<raw body>` keyed with a webhook signing secret. Stripe sends one
//! `v1` per secret while one is rolled, so an event is genuine when any `v1` matches any of the
//! organisation's secrets. The time is signed with the body: a signature older (or newer) than the
//! tolerance is refused, so a captured event cannot be replayed later. `v0` (test-mode scheme) never
//! counts.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a webhook's signature is refused. Never contains a signature or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("no v1 signature matches a webhook secret")]
    NoMatch,
    #[error("the signature's time is outside the tolerance")]
    TooOld,
}

/// What the header holds.
struct Header {
    timestamp: i64,
    v1: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<Header, SignatureError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (scheme, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match scheme {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed);
                }
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            // A value that is not hex cannot match; it is skipped, not fatal, as in Stripe's libraries.
            "v1" => v1.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    Ok(Header {
        timestamp: timestamp.ok_or(SignatureError::Malformed)?,
        v1,
    })
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks `header` (the `Stripe-Signature` value, if any) against the raw `body`, the organisation's
/// `secrets`, at `now_ms`, allowing `tolerance` between the signed time and now. Signatures are
/// compared in constant time.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now_ms: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let header = parse(header.ok_or(SignatureError::Missing)?)?;
    let matches = secrets.iter().any(|secret| {
        header
            .v1
            .iter()
            .any(|v1| mac(secret, header.timestamp, body).verify_slice(v1).is_ok())
    });
    if !matches {
        return Err(SignatureError::NoMatch);
    }
    let now = now_ms.div_euclid(1000);
    if now.abs_diff(header.timestamp) > tolerance.as_secs() {
        return Err(SignatureError::TooOld);
    }
    Ok(())
}

/// The `v1` signature of `body` at `timestamp` under `secret`, hex: how Stripe signs.
pub fn sign_v1(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"checkout.session.completed"}"#;
    const AT: i64 = 1_767_225_600;
    const TOLERANCE: Duration = Duration::from_secs(300);

    #[test]
    fn the_v1_signature_is_the_hmac_of_time_dot_body_as_stripe_documents() {
        // python3 -c "import hmac; print(hmac.new(b'whsec_test', b'1767225600.{\"id\":1}', 'sha256').hexdigest())"
        assert_eq!(
            sign_v1("whsec_test", AT, br#"{"id":1}"#),
            "c288d7ec0b1747de22e35fbdbabba9772c8e0d64b7db67e546bc92b86c005ab8"
        );
    }

    /// Verifies `header` over [`BODY`] against `secrets` `after` seconds past [`AT`].
    fn check(header: Option<&str>, secrets: &[&str], after: i64) -> Result<(), SignatureError> {
        let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        verify(header, BODY, &secrets, (AT + after) * 1000, TOLERANCE)
    }

    /// A case: its name, the header, the organisation's secrets, seconds past [`AT`], the outcome.
    type Case = (
        &'static str,
        Option<String>,
        &'static [&'static str],
        i64,
        Result<(), SignatureError>,
    );

    fn run(cases: Vec<Case>) {
        for (case, header, secrets, after, expected) in cases {
            assert_eq!(check(header.as_deref(), secrets, after), expected, "{case}");
        }
    }

    #[test]
    fn any_v1_matching_any_secret_is_genuine_while_secrets_rotate() {
        let good = sign_v1("whsec_new", AT, BODY);
        let old = sign_v1("whsec_old", AT, BODY);
        let plain = Some(format!("t={AT},v1={good}"));
        let rotated = Some(format!("t={AT},v1={old},v1={good}"));
        let no = Err(SignatureError::NoMatch);
        run(vec![
            ("valid", plain.clone(), &["whsec_new"], 0, Ok(())),
            (
                "wrong secret",
                plain.clone(),
                &["whsec_other"],
                0,
                no.clone(),
            ),
            ("no secrets", plain, &[], 0, no.clone()),
            (
                "rotated, both",
                rotated.clone(),
                &["whsec_old", "whsec_new"],
                0,
                Ok(()),
            ),
            ("rotated, new", rotated.clone(), &["whsec_new"], 0, Ok(())),
            ("rotated, old", rotated, &["whsec_old"], 0, Ok(())),
            (
                "v0 only",
                Some(format!("t={AT},v0={good}")),
                &["whsec_new"],
                0,
                no,
            ),
        ]);
    }

    #[test]
    fn a_signature_outside_the_tolerance_is_refused() {
        let good = Some(format!("t={AT},v1={}", sign_v1("whsec_new", AT, BODY)));
        let changed = Some(format!(
            "t={},v1={}",
            AT + 1,
            sign_v1("whsec_new", AT, BODY)
        ));
        let too_old = Err(SignatureError::TooOld);
        run(vec![
            (
                "at the tolerance",
                good.clone(),
                &["whsec_new"],
                300,
                Ok(()),
            ),
            (
                "expired",
                good.clone(),
                &["whsec_new"],
                301,
                too_old.clone(),
            ),
            ("from the future", good, &["whsec_new"], -301, too_old),
            (
                "time changed",
                changed,
                &["whsec_new"],
                0,
                Err(SignatureError::NoMatch),
            ),
        ]);
    }

    #[test]
    fn a_header_not_shaped_as_stripe_documents_is_refused() {
        use SignatureError::{Malformed, Missing, NoMatch};
        let good = sign_v1("whsec_new", AT, BODY);
        let h = |text: String| Some(text);
        run(vec![
            (
                "spaces, a v0",
                h(format!("t={AT}, v1={good}, v0=ab")),
                &["whsec_new"],
                0,
                Ok(()),
            ),
            ("missing", None, &["whsec_new"], 0, Err(Missing)),
            (
                "no time",
                h(format!("v1={good}")),
                &["whsec_new"],
                0,
                Err(Malformed),
            ),
            (
                "time twice",
                h(format!("t={AT},t={AT},v1={good}")),
                &["whsec_new"],
                0,
                Err(Malformed),
            ),
            (
                "time not a number",
                h(format!("t=soon,v1={good}")),
                &["whsec_new"],
                0,
                Err(Malformed),
            ),
            (
                "not pairs",
                h("garbage".into()),
                &["whsec_new"],
                0,
                Err(Malformed),
            ),
            (
                "v1 not hex",
                h(format!("t={AT},v1=zz{good}")),
                &["whsec_new"],
                0,
                Err(NoMatch),
            ),
        ]);
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let header = format!("t={AT},v1={}", sign_v1("whsec_new", AT, BODY));
        let tampered = br#"{"id":"evt_1","object":"event","type":"charge.refunded"}"#;
        let secrets = vec!["whsec_new".to_owned()];
        assert_eq!(
            verify(Some(&header), tampered, &secrets, AT * 1000, TOLERANCE),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, &secrets, AT * 1000, TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn a_refusal_never_shows_the_signature() {
        let good = sign_v1("whsec_new", AT, BODY);
        let header = format!("t={AT},v1={good}");
        let refused = check(Some(&header), &["whsec_other"], 0).unwrap_err();
        assert!(!refused.to_string().contains(&good));
        assert!(!format!("{refused:?}").contains(&good));
    }
}
