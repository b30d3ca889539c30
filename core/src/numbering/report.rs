//! The numbering report: for every sequence, what became of each number, and the proof that none is
//! missing or used twice. A tax auditor reads it; the server builds it from what it recorded.

use serde::{Deserialize, Serialize};

use super::{NumberUse, gaps};
use crate::validation::ValidationError;

/// Consecutive numbers with the same use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRange {
    pub from: u64,
    pub to: u64,
    #[serde(rename = "use")]
    pub use_: NumberUse,
}

impl NumberRange {
    /// How many numbers the range holds.
    pub fn count(&self) -> u64 {
        self.to - self.from + 1
    }
}

/// One sequence (`Invoice/INV/2026`, `Invoice/INV/L7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceReport {
    pub sequence: String,
    /// The highest number handed out.
    pub highest: u64,
    pub ranges: Vec<NumberRange>,
    /// Numbers from 1 to `highest` with no recorded use: empty when the sequence is whole.
    pub missing: Vec<u64>,
}

impl SequenceReport {
    /// Builds the report of one sequence from each number's use. A number used twice is an error: the
    /// report must never paper over it.
    pub fn build(sequence: &str, uses: &[(u64, NumberUse)]) -> Result<Self, ValidationError> {
        let missing = gaps(uses)?;
        let mut sorted = uses.to_vec();
        sorted.sort_unstable_by_key(|(n, _)| *n);
        let mut ranges: Vec<NumberRange> = Vec::new();
        for (n, use_) in sorted {
            match ranges.last_mut() {
                Some(r) if r.use_ == use_ && r.to + 1 == n => r.to = n,
                _ => ranges.push(NumberRange {
                    from: n,
                    to: n,
                    use_,
                }),
            }
        }
        Ok(Self {
            sequence: sequence.to_owned(),
            highest: ranges.last().map_or(0, |r| r.to),
            ranges,
            missing,
        })
    }

    /// Whether every number up to the highest is accounted for.
    pub fn is_whole(&self) -> bool {
        self.missing.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberUse::*;

    #[test]
    fn uses_are_told_in_ranges_and_a_whole_sequence_has_nothing_missing() {
        let uses = [
            (3, Issued),
            (1, Issued),
            (2, Issued),
            (4, Voided),
            (5, Issued),
            (6, ReturnedUnused),
            (7, ReturnedUnused),
            (8, Leased),
        ];
        let report = SequenceReport::build("Invoice/INV/L1", &uses).unwrap();
        let ranges: Vec<(u64, u64, NumberUse)> = report
            .ranges
            .iter()
            .map(|r| (r.from, r.to, r.use_))
            .collect();
        assert_eq!(
            ranges,
            vec![
                (1, 3, Issued),
                (4, 4, Voided),
                (5, 5, Issued),
                (6, 7, ReturnedUnused),
                (8, 8, Leased)
            ]
        );
        assert_eq!(report.highest, 8);
        assert_eq!(report.ranges.iter().map(NumberRange::count).sum::<u64>(), 8);
        assert!(report.is_whole());
    }

    #[test]
    fn a_gap_is_reported_and_a_double_use_refused() {
        let report = SequenceReport::build("s", &[(1, Issued), (4, Issued)]).unwrap();
        assert_eq!(report.missing, vec![2, 3]);
        assert!(!report.is_whole());
        assert!(SequenceReport::build("s", &[(1, Issued), (1, Voided)]).is_err());
        assert_eq!(SequenceReport::build("s", &[]).unwrap().highest, 0);
    }

    #[test]
    fn the_report_serializes_each_use_by_name() {
        let report = SequenceReport::build("s", &[(1, ReturnedUnused)]).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["ranges"][0]["use"], "returned_unused");
    }
}
