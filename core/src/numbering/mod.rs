//! Document numbers: sequential within a series, without gaps.
//!
//! A series is scoped per organisation and document type, optionally per year, branch or device (EU VAT
//! rules allow separate series). Drafts consume no number; a number once issued stays on record, even
//! when its document is voided. A device that issues offline leases a block of its own series' numbers.

pub mod creditor_reference;
pub mod lease;
pub mod report;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// What is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Invoice,
    CreditNote,
    FeeInvoice,
}

/// A numbering series: `INV-2026-000123` is prefix `INV`, the year, and 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumberSeries {
    pub document_type: DocumentType,
    pub prefix: String,
    /// Restart the sequence every calendar year, and put the year in the number.
    pub yearly: bool,
    /// A branch or device code (`L7` for a laptop's leased series); part of the number.
    pub branch: Option<String>,
    /// Digits of the sequence number, zero-padded.
    pub width: u8,
}

/// A document number (BT-1), validated at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    pub const MAX_LEN: usize = 40;

    /// Letters, digits and `- / _ .`, at most 40 characters, starting with a letter or digit.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ValidationError::new("number", Rule::Required));
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(ValidationError::new(
                "number",
                Rule::MaxLength { max: Self::MAX_LEN },
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-/_.".contains(c);
        if !text.chars().all(allowed) || !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ValidationError::new(
                "number",
                Rule::Format {
                    detail: "letters, digits and - / _ . only".into(),
                },
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for InvoiceNumber {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<InvoiceNumber> for String {
    fn from(n: InvoiceNumber) -> String {
        n.0
    }
}

impl NumberSeries {
    pub fn validate(&self) -> Result<(), ValidationError> {
        InvoiceNumber::parse(&self.prefix).map_err(|e| ValidationError {
            field: "prefix".into(),
            ..e
        })?;
        if let Some(branch) = &self.branch {
            InvoiceNumber::parse(branch).map_err(|e| ValidationError {
                field: "branch".into(),
                ..e
            })?;
        }
        if !(1..=12).contains(&self.width) {
            return Err(ValidationError::new(
                "width",
                Rule::Range {
                    min: "1".into(),
                    max: "12".into(),
                },
            ));
        }
        Ok(())
    }

    /// The key of the sequence a document dated `date` draws from: one per year for a yearly series.
    pub fn sequence_key(&self, date: NaiveDate) -> String {
        let mut key = format!("{:?}/{}", self.document_type, self.prefix);
        if let Some(branch) = &self.branch {
            key.push('/');
            key.push_str(branch);
        }
        if self.yearly {
            key.push_str(&format!("/{}", date.year()));
        }
        key
    }

    /// The number of the `n`th document (from 1) of the sequence for `date`.
    pub fn format(&self, date: NaiveDate, n: u64) -> Result<InvoiceNumber, ValidationError> {
        self.validate()?;
        if n == 0 {
            return Err(ValidationError::new("sequence", Rule::Positive));
        }
        let mut text = self.prefix.clone();
        if let Some(branch) = &self.branch {
            text.push('-');
            text.push_str(branch);
        }
        if self.yearly {
            text.push_str(&format!("-{}", date.year()));
        }
        text.push_str(&format!("-{:0width$}", n, width = usize::from(self.width)));
        InvoiceNumber::parse(&text)
    }
}

impl NumberSeries {
    /// The sequence number of `number` if it belongs to this series' sequence for `date`.
    pub fn sequence_of(&self, date: NaiveDate, number: &InvoiceNumber) -> Option<u64> {
        let mut stem = self.prefix.clone();
        if let Some(branch) = &self.branch {
            stem.push('-');
            stem.push_str(branch);
        }
        if self.yearly {
            stem.push_str(&format!("-{}", date.year()));
        }
        stem.push('-');
        let digits = number.as_str().strip_prefix(&stem)?;
        if digits.len() < usize::from(self.width) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0)
    }
}

/// Issue dates never go backwards within a series: a document may not be dated before the last one
/// numbered in it (numbers and dates must tell the same order to a tax auditor).
pub fn check_issue_date(
    last_in_series: Option<NaiveDate>,
    issue_date: NaiveDate,
) -> Result<(), ValidationError> {
    match last_in_series {
        Some(last) if issue_date < last => Err(ValidationError::new(
            "issue_date",
            Rule::Matches {
                expected: format!(
                    "on or after {last}, the date of the last document in the series"
                ),
            },
        )),
        _ => Ok(()),
    }
}

/// What became of each number a series has handed out (issued, leased to a device, voided on record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberUse {
    Issued,
    Voided,
    /// Leased to a device and handed back unused: on record, never reused.
    ReturnedUnused,
    /// Leased to a device, not yet used or returned.
    Leased,
}

/// Proves a sequence has no gaps: every number from 1 to the highest handed out has exactly one use.
/// Returns the missing numbers (empty when the sequence is whole) or an error on a number used twice.
pub fn gaps(uses: &[(u64, NumberUse)]) -> Result<Vec<u64>, ValidationError> {
    let mut numbers: Vec<u64> = uses.iter().map(|(n, _)| *n).collect();
    numbers.sort_unstable();
    if let Some(w) = numbers.windows(2).find(|w| w[0] == w[1]) {
        return Err(ValidationError::new(
            "numbers",
            Rule::Matches {
                expected: format!("each number once; {} appears twice", w[0]),
            },
        ));
    }
    let highest = numbers.last().copied().unwrap_or(0);
    let mut missing = Vec::new();
    let mut it = numbers.iter().peekable();
    for n in 1..=highest {
        if it.peek() == Some(&&n) {
            it.next();
        } else {
            missing.push(n);
        }
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn series(branch: Option<&str>) -> NumberSeries {
        NumberSeries {
            document_type: DocumentType::Invoice,
            prefix: "INV".into(),
            yearly: true,
            branch: branch.map(str::to_owned),
            width: 6,
        }
    }

    #[test]
    fn numbers_are_formatted_per_series() {
        assert_eq!(
            series(None).format(d("2026-03-01"), 123).unwrap().as_str(),
            "INV-2026-000123"
        );
        assert_eq!(
            series(Some("L7"))
                .format(d("2026-03-01"), 5)
                .unwrap()
                .as_str(),
            "INV-L7-2026-000005"
        );
        assert_ne!(
            series(None).sequence_key(d("2026-12-31")),
            series(None).sequence_key(d("2027-01-01"))
        );
        assert_ne!(
            series(None).sequence_key(d("2026-01-01")),
            series(Some("L7")).sequence_key(d("2026-01-01"))
        );
        assert_eq!(
            series(None).format(d("2026-03-01"), 0).unwrap_err().field,
            "sequence"
        );
    }

    #[test]
    fn a_number_is_read_back_into_its_sequence() {
        let date = d("2026-03-01");
        let number = series(Some("L7")).format(date, 123).unwrap();
        assert_eq!(series(Some("L7")).sequence_of(date, &number), Some(123));
        assert_eq!(series(Some("L8")).sequence_of(date, &number), None);
        assert_eq!(
            series(Some("L7")).sequence_of(d("2027-01-01"), &number),
            None
        );
        for foreign in ["INV-L7-2026-12", "INV-L7-2026-00000x", "INV-L7-2026-000000"] {
            let n = InvoiceNumber::parse(foreign).unwrap();
            assert_eq!(series(Some("L7")).sequence_of(date, &n), None, "{foreign}");
        }
    }

    #[test]
    fn a_number_is_validated_at_the_edge() {
        assert!(InvoiceNumber::parse("INV-2026/7").is_ok());
        for bad in ["", " ", "-INV", "INV 1", "INV#1", &"9".repeat(41)] {
            assert!(InvoiceNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn issue_dates_never_go_backwards_in_a_series() {
        assert!(check_issue_date(None, d("2026-01-01")).is_ok());
        assert!(check_issue_date(Some(d("2026-01-05")), d("2026-01-05")).is_ok());
        assert_eq!(
            check_issue_date(Some(d("2026-01-05")), d("2026-01-04"))
                .unwrap_err()
                .field,
            "issue_date"
        );
    }

    #[test]
    fn a_numbering_report_finds_gaps_and_doubles() {
        use NumberUse::*;
        assert_eq!(
            gaps(&[(1, Issued), (2, Voided), (3, ReturnedUnused), (4, Leased)]).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(gaps(&[(1, Issued), (4, Issued)]).unwrap(), vec![2, 3]);
        assert!(gaps(&[(1, Issued), (1, Voided)]).is_err());
    }
}
