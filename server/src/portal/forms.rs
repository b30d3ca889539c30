//! The portal's forms: a per-page form token, and reading a submitted form.
//!
//! A portal page works without JavaScript, so its forms cannot send the header the API asks of every
//! write. Each form instead carries a token made when the page was written: a fresh UUIDv7 (the
//! form's nonce), the time, and an HMAC-SHA-256 of both and of what the form is for, keyed by the
//! link's own token (which only the page's reader has, in the address). A request made elsewhere
//! cannot make one; a token of another form, another link, or older than [`FORM_LIFETIME_MS`] is
//! refused. The nonce names what the form creates (`remit_core::ids::NaturalKey`), so the same form
//! sent twice (a double click, a reload) creates it once.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long a page's forms can be sent: a day.
pub const FORM_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// The most a portal form may hold, in bytes (a message is at most 5,000 characters).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Why a form's token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form has no token, or not one of this page")]
    Forged,
    #[error("the form is older than a day")]
    Expired,
}

fn mac(link_token: &str, purpose: &str, nonce: Uuid, issued_ms: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(link_token.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{purpose}\n{nonce}\n{issued_ms}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A token for a form for `purpose` on a page of the link `link_token` opens, written at `now_ms`.
pub fn issue(link_token: &str, purpose: &str, nonce: Uuid, now_ms: i64) -> String {
    format!(
        "{nonce}.{now_ms}.{}",
        mac(link_token, purpose, nonce, now_ms)
    )
}

/// Checks a submitted form token; returns its nonce.
pub fn check(link_token: &str, purpose: &str, token: &str, now_ms: i64) -> Result<Uuid, FormError> {
    let mut parts = token.splitn(3, '.');
    let (Some(nonce), Some(issued), Some(sent)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(FormError::Forged);
    };
    let nonce = Uuid::parse_str(nonce).map_err(|_| FormError::Forged)?;
    let issued: i64 = issued.parse().map_err(|_| FormError::Forged)?;
    let expected = mac(link_token, purpose, nonce, issued);
    // Compared in constant time: the MAC is the secret part.
    let same = expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(FormError::Forged);
    }
    if now_ms.saturating_sub(issued) > FORM_LIFETIME_MS || issued > now_ms + 60_000 {
        return Err(FormError::Expired);
    }
    Ok(nonce)
}

/// A submitted `application/x-www-form-urlencoded` body: its fields in order, a name repeated for each
/// box ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted(Vec<(String, String)>);

impl Submitted {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "k3y0fthel1nk";
    const NOW: i64 = 1_764_633_600_000;

    fn nonce() -> Uuid {
        Uuid::parse_str("019a4d5e-0000-7000-8000-0000000000f1").unwrap()
    }

    #[test]
    fn a_token_made_for_a_form_opens_that_form_and_names_its_nonce() {
        let token = issue(LINK, "open", nonce(), NOW);
        assert_eq!(check(LINK, "open", &token, NOW + 5_000), Ok(nonce()));
    }

    #[test]
    fn another_link_another_form_or_a_changed_token_is_forged() {
        let token = issue(LINK, "open", nonce(), NOW);
        let cases = [
            ("another link", check("another", "open", &token, NOW)),
            ("another form", check(LINK, "reply", &token, NOW)),
            ("no token", check(LINK, "open", "", NOW)),
            (
                "another time",
                check(LINK, "open", &token.replace(&NOW.to_string(), "1"), NOW),
            ),
            (
                "a cut MAC",
                check(LINK, "open", &token[..token.len() - 2], NOW),
            ),
        ];
        for (case, got) in cases {
            assert_eq!(got, Err(FormError::Forged), "{case}");
        }
    }

    #[test]
    fn a_form_expires_after_a_day() {
        let token = issue(LINK, "open", nonce(), NOW);
        assert_eq!(
            check(LINK, "open", &token, NOW + FORM_LIFETIME_MS),
            Ok(nonce())
        );
        assert_eq!(
            check(LINK, "open", &token, NOW + FORM_LIFETIME_MS + 1),
            Err(FormError::Expired)
        );
        assert_eq!(
            check(LINK, "open", &token, NOW - 120_000),
            Err(FormError::Expired)
        );
    }

    #[test]
    fn a_submitted_form_keeps_repeated_boxes() {
        let form = Submitted::parse(b"kind=dispute&line=1&line=3&message=Too+much%21");
        assert_eq!(form.get("kind"), "dispute");
        assert_eq!(form.all("line").collect::<Vec<_>>(), ["1", "3"]);
        assert_eq!(form.get("message"), "Too much!");
        assert_eq!(form.get("missing"), "");
    }
}
