//! Resolving a draft that two devices edited concurrently.
//!
//! When a save conflicts, the client keeps its copy ("mine") beside the server's ("theirs") and the user
//! chooses: keep mine, take theirs, or merge line by line. Whatever is chosen is saved on top of the
//! server's current version, so the resolution itself never conflicts again with the copy it resolved.

use serde::{Deserialize, Serialize};

use crate::document::InvoiceDraft;
use crate::validation::{Rule, ValidationError};

/// Which copy a part of the merged draft comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Mine,
    Theirs,
}

/// One line of a merged draft: line `index` of one side's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePick {
    pub side: Side,
    pub index: usize,
}

/// The user's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    KeepMine,
    TakeTheirs,
    /// Header (customer, dates, currency, note) from `header`, lines as picked, in this order.
    Merge {
        header: Side,
        lines: Vec<LinePick>,
    },
}

/// The draft to save for a resolution. It is based on the server's version of the draft.
pub fn resolve(
    mine: &InvoiceDraft,
    theirs: &InvoiceDraft,
    resolution: &Resolution,
) -> Result<InvoiceDraft, ValidationError> {
    if mine.id != theirs.id || mine.organisation_id != theirs.organisation_id {
        return Err(ValidationError::new(
            "id",
            Rule::Matches {
                expected: "two copies of the same draft".into(),
            },
        ));
    }
    let side = |s: Side| if s == Side::Mine { mine } else { theirs };
    let merged = match resolution {
        Resolution::KeepMine => mine.clone(),
        Resolution::TakeTheirs => theirs.clone(),
        Resolution::Merge { header, lines } => {
            let mut merged = side(*header).clone();
            merged.lines = lines
                .iter()
                .enumerate()
                .map(|(i, pick)| {
                    side(pick.side)
                        .lines
                        .get(pick.index)
                        .cloned()
                        .ok_or_else(|| {
                            ValidationError::new(
                                format!("lines[{i}].index"),
                                Rule::Range {
                                    min: "0".into(),
                                    max: side(pick.side).lines.len().saturating_sub(1).to_string(),
                                },
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            merged
        }
    };
    let merged = InvoiceDraft {
        version: theirs.version,
        ..merged
    };
    merged.validate()?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn draft(version: u64, note: &str, lines: &[&str]) -> InvoiceDraft {
        let lines = lines
            .iter()
            .map(|d| fixtures::line(d, dec!(1), dec!(10), dec!(25)))
            .collect();
        InvoiceDraft {
            note: note.into(),
            version,
            ..fixtures::draft("NOK", lines)
        }
    }
    use crate::ids::InvoiceId;
    use crate::sync::{DraftHead, decide_draft_save};
    use rust_decimal_macros::dec;

    fn descriptions(d: &InvoiceDraft) -> Vec<&str> {
        d.lines.iter().map(|l| l.description.as_str()).collect()
    }

    #[test]
    fn every_resolution_is_based_on_the_servers_version() {
        let mine = draft(1, "mine", &["A", "B mine"]);
        let theirs = draft(2, "theirs", &["A", "B theirs", "C"]);
        let keep = resolve(&mine, &theirs, &Resolution::KeepMine).unwrap();
        assert_eq!((keep.version, keep.note.as_str()), (2, "mine"));
        let take = resolve(&mine, &theirs, &Resolution::TakeTheirs).unwrap();
        assert_eq!(take, theirs);
        // Saved by another client on top of version 2, the resolution is not a conflict.
        let head = DraftHead {
            version: 2,
            last_client: crate::ids::ClientId::parse("019a4d5e-0000-7000-8000-0000000000c2")
                .unwrap(),
        };
        let me = crate::ids::ClientId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap();
        assert_eq!(decide_draft_save(Some(&head), keep.version, me), Ok(3));
    }

    #[test]
    fn a_line_by_line_merge_takes_each_line_from_the_chosen_side() {
        let mine = draft(1, "mine", &["A", "B mine"]);
        let theirs = draft(2, "theirs", &["A", "B theirs", "C"]);
        let pick = |side, index| LinePick { side, index };
        let merged = resolve(
            &mine,
            &theirs,
            &Resolution::Merge {
                header: Side::Theirs,
                lines: vec![
                    pick(Side::Mine, 0),
                    pick(Side::Mine, 1),
                    pick(Side::Theirs, 2),
                ],
            },
        )
        .unwrap();
        assert_eq!(descriptions(&merged), vec!["A", "B mine", "C"]);
        assert_eq!((merged.note.as_str(), merged.version), ("theirs", 2));

        let bad = resolve(
            &mine,
            &theirs,
            &Resolution::Merge {
                header: Side::Mine,
                lines: vec![pick(Side::Mine, 5)],
            },
        );
        assert_eq!(bad.unwrap_err().field, "lines[0].index");
    }

    #[test]
    fn copies_of_different_drafts_cannot_be_merged() {
        let mine = draft(1, "", &["A"]);
        let mut other = draft(2, "", &["A"]);
        other.id = InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60").unwrap();
        assert_eq!(
            resolve(&mine, &other, &Resolution::KeepMine)
                .unwrap_err()
                .field,
            "id"
        );
    }
}
