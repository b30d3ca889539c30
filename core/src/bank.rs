//! Where a customer pays: the seller's bank account (IBAN, ISO 13616; BIC, ISO 9362) and how
//! (UNCL4461 payment means), as printed on invoices and frozen in their snapshot.

use serde::{Deserialize, Serialize};

use crate::numbering::creditor_reference::mod97;
use crate::validation::{Rule, ValidationError, required_text};

/// The payment means codes (UNCL4461) Remit offers: 30 credit transfer, 31 debit transfer, 42 payment
/// to bank account, 48 bank card, 49 direct debit, 58 SEPA credit transfer, 59 SEPA direct debit, and
/// 1 (not defined), 10 cash, 20 cheque, 57 standing agreement, 68 online payment, 97 clearing between
/// partners, ZZZ mutually defined.
pub const PAYMENT_MEANS: [&str; 14] = [
    "1", "10", "20", "30", "31", "42", "48", "49", "57", "58", "59", "68", "97", "ZZZ",
];

/// Checks a UNCL4461 payment means code.
pub fn check_payment_means(field: &str, code: &str) -> Result<(), ValidationError> {
    if PAYMENT_MEANS.contains(&code) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Rule::Format {
                detail: "a UNCL4461 payment means code such as 30 or 58".into(),
            },
        ))
    }
}

/// The seller's account (BG-17).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BankAccount {
    /// BT-84, upper case; spaces between groups are allowed.
    pub iban: String,
    /// BT-86, 8 or 11 characters; empty when not given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bic: String,
    /// BT-85.
    pub name: String,
}

impl BankAccount {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !iban_is_valid(&self.iban) {
            return Err(ValidationError::new(
                "iban",
                Rule::Format {
                    detail: "an IBAN such as NO93 8601 1117 947 (check digits are verified)".into(),
                },
            ));
        }
        if !self.bic.is_empty() && !bic_is_valid(&self.bic) {
            return Err(ValidationError::new(
                "bic",
                Rule::Format {
                    detail: "a BIC of 8 or 11 characters such as DNBANOKK".into(),
                },
            ));
        }
        required_text("name", &self.name, 140)
    }
}

/// ISO 13616: a country code, two check digits and up to 30 letters or digits, the whole moved four
/// characters and read as a number leaving 1 when divided by 97. Spaces are ignored.
pub fn iban_is_valid(iban: &str) -> bool {
    let compact: String = iban.chars().filter(|c| *c != ' ').collect();
    let b = compact.as_bytes();
    (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && mod97(&format!("{}{}", &compact[4..], &compact[..4])) == 1
}

/// ISO 9362: four letters (bank), two letters (country), two letters or digits (location), and
/// optionally three letters or digits (branch).
pub fn bic_is_valid(bic: &str) -> bool {
    let b = bic.as_bytes();
    let alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(alnum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_by_their_mod_97_digits() {
        for valid in [
            "NO9386011117947",
            "DE89370400440532013000",
            "GB82 WEST 1234 5698 7654 32",
            "CH9300762011623852957",
        ] {
            assert!(iban_is_valid(valid), "{valid}");
        }
        for invalid in [
            "NO9386011117948",
            "DE89370400440532013001",
            "de89370400440532013000",
            "NO93",
            "1234567890123456",
        ] {
            assert!(!iban_is_valid(invalid), "{invalid}");
        }
    }

    #[test]
    fn a_bank_account_names_the_field_that_breaks_a_rule() {
        let ok = BankAccount {
            iban: "NO9386011117947".into(),
            bic: "DNBANOKK".into(),
            name: "Nordlys AS".into(),
        };
        assert_eq!(ok.validate(), Ok(()));
        assert!(bic_is_valid("DEUTDEFF500"));
        let cases = [
            (
                BankAccount {
                    iban: "NO9386011117948".into(),
                    ..ok.clone()
                },
                "iban",
            ),
            (
                BankAccount {
                    bic: "DNBANO".into(),
                    ..ok.clone()
                },
                "bic",
            ),
            (
                BankAccount {
                    bic: "DNB1NOKK".into(),
                    ..ok.clone()
                },
                "bic",
            ),
            (
                BankAccount {
                    name: " ".into(),
                    ..ok.clone()
                },
                "name",
            ),
        ];
        for (account, field) in cases {
            assert_eq!(account.validate().unwrap_err().field, field);
        }
        assert_eq!(check_payment_means("payment_means_code", "58"), Ok(()));
        assert!(check_payment_means("payment_means_code", "99").is_err());
    }
}
