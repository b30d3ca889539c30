//! The payment reference of an invoice: an ISO 11649 structured creditor reference (`RF18 5390 0754
//! 7034`), derived from the invoice number so the bank reconciliation can match a payment to it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::InvoiceNumber;

/// An ISO 11649 creditor reference: `RF`, two check digits, and up to 21 letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditorReference(String);

impl CreditorReference {
    /// The longest reference part ISO 11649 allows.
    pub const MAX_REFERENCE: usize = 21;

    /// The reference of an invoice number: its letters and digits (upper case, separators dropped), the
    /// last 21 of them when there are more, behind `RF` and the check digits.
    pub fn for_invoice(number: &InvoiceNumber) -> Self {
        let chars: Vec<char> = number
            .as_str()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let reference: String = chars[chars.len().saturating_sub(Self::MAX_REFERENCE)..]
            .iter()
            .collect();
        let check = 98 - mod97(&format!("{reference}RF00"));
        Self(format!("RF{check:02}{reference}"))
    }

    /// Whether `text` (spaces allowed) is a creditor reference with valid check digits.
    pub fn is_valid(text: &str) -> bool {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.to_ascii_uppercase();
        compact.len() >= 5
            && compact.len() <= 4 + Self::MAX_REFERENCE
            && compact.starts_with("RF")
            && compact.chars().all(|c| c.is_ascii_alphanumeric())
            && compact[2..4].chars().all(|c| c.is_ascii_digit())
            && mod97(&format!("{}{}", &compact[4..], &compact[..4])) == 1
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ISO 7064 MOD 97-10 remainder of alphanumeric text, letters counting A = 10 … Z = 35 (the rule of
/// ISO 11649 and of the IBAN, ISO 13616). Non-alphanumeric characters are skipped.
pub fn mod97(text: &str) -> u32 {
    text.chars().fold(0, |rest, c| match c.to_digit(36) {
        Some(v) if v < 10 => (rest * 10 + v) % 97,
        Some(v) => (rest * 100 + v) % 97,
        None => rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_references_have_valid_check_digits() {
        for valid in [
            "RF18539007547034",
            "RF18 5390 0754 7034",
            "RF712348231",
            "RF45G72UUR",
        ] {
            assert!(CreditorReference::is_valid(valid), "{valid}");
        }
        for invalid in ["RF19539007547034", "RF1", "XX18539007547034", "RF18-5390"] {
            assert!(!CreditorReference::is_valid(invalid), "{invalid}");
        }
    }

    #[test]
    fn an_invoice_number_gives_a_reference_that_checks() {
        let cases = [
            ("539007547034", "RF18539007547034"),
            ("INV-2026-000001", "RF"),
            ("inv/2026/7", "RF"),
            ("A-1234567890-1234567890-XY", "RF"),
        ];
        for (number, prefix) in cases {
            let r = CreditorReference::for_invoice(&InvoiceNumber::parse(number).unwrap());
            assert!(r.as_str().starts_with(prefix), "{r}");
            assert!(CreditorReference::is_valid(r.as_str()), "{number} → {r}");
            assert!(r.as_str().len() <= 25, "{r}");
        }
        let long = CreditorReference::for_invoice(
            &InvoiceNumber::parse("A-1234567890-1234567890-XY").unwrap(),
        );
        assert!(
            long.as_str()
                .ends_with("34567890123456789 0XY".replace(' ', "").as_str())
        );
        assert_eq!(
            CreditorReference::for_invoice(&InvoiceNumber::parse("inv/2026/7").unwrap()).as_str()
                [4..],
            *"INV20267"
        );
    }
}
