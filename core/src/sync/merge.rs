//! Resolving a draft that two devices edited concurrently.
//!
//! When a save conflicts, the client keeps its copy ("mine") beside the server's ("theirs") and the user
//! chooses: keep mine, take theirs, or merge line by line. Whatever is chosen is saved on top of the
//! server's current version, so the resolution itself never conflicts again with the copy it resolved.
//! [`DraftConflict`] says which choices a conflict allows (one device may have deleted the draft) and
//! which change settles it.

use serde::{Deserialize, Serialize};

use crate::document::InvoiceDraft;
use crate::sync::mutation::{Command, DraftRef};
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

/// Where a conflict stands on the device that lost the race.
///
/// The device keeps its own copy of the draft ("mine": `None` when its delete conflicted); the pull that
/// follows the conflict stores the server's copy ("theirs") in the local draft store, or deletes it there.
/// Until that pull arrives the store still holds this device's own edit, based on the same version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once per decision the user makes on a conflict; boxing would only add indirection"
)]
pub enum DraftConflict {
    /// The server's version has not reached this device yet: there is nothing to compare with.
    Awaiting,
    /// Both devices edited the draft: keep mine, take theirs, or merge line by line.
    BothEdited {
        mine: InvoiceDraft,
        theirs: InvoiceDraft,
    },
    /// This device edited a draft another device deleted: restore mine, or accept the deletion.
    DeletedElsewhere { mine: InvoiceDraft },
    /// This device deleted a draft another device edited: delete it anyway, or keep their version.
    EditedElsewhere { theirs: InvoiceDraft },
}

impl DraftConflict {
    /// The conflict between this device's copy and the draft the local store holds now.
    pub fn new(mine: Option<&InvoiceDraft>, stored: Option<&InvoiceDraft>) -> Self {
        match (mine, stored) {
            // The server only refuses a save based on another version than its own, and versions only
            // grow: a stored copy no newer than mine is still this device's edit.
            (Some(mine), Some(stored)) if stored.version <= mine.version => Self::Awaiting,
            (Some(mine), Some(theirs)) => Self::BothEdited {
                mine: mine.clone(),
                theirs: theirs.clone(),
            },
            (Some(mine), None) => Self::DeletedElsewhere { mine: mine.clone() },
            (None, Some(theirs)) => Self::EditedElsewhere {
                theirs: theirs.clone(),
            },
            // A conflicting delete removed the local copy; the server's comes back with the next pull.
            (None, None) => Self::Awaiting,
        }
    }

    /// The change this device records to settle the conflict, or `None` when the server's state stands
    /// as it is (taking theirs, accepting a deletion, or giving up a change whose other side has not
    /// arrived). Keeping mine where the other side deleted the draft creates it again (version 0);
    /// where the other side edited it, deletes their version.
    pub fn settle(&self, resolution: &Resolution) -> Result<Option<Command>, ValidationError> {
        let unavailable = |expected: &str| {
            Err(ValidationError::new(
                "resolution",
                Rule::Matches {
                    expected: expected.into(),
                },
            ))
        };
        match (self, resolution) {
            (_, Resolution::TakeTheirs) => Ok(None),
            (Self::Awaiting, _) => {
                unavailable("take theirs until the other version has reached this device")
            }
            (Self::BothEdited { mine, theirs }, _) => {
                resolve(mine, theirs, resolution).map(|draft| Some(Command::SaveDraft(draft)))
            }
            (Self::DeletedElsewhere { mine }, Resolution::KeepMine) => {
                Ok(Some(Command::SaveDraft(InvoiceDraft {
                    version: 0,
                    ..mine.clone()
                })))
            }
            (Self::EditedElsewhere { theirs }, Resolution::KeepMine) => {
                Ok(Some(Command::DeleteDraft(DraftRef {
                    id: theirs.id,
                    organisation_id: theirs.organisation_id,
                    version: theirs.version,
                })))
            }
            (
                Self::DeletedElsewhere { .. } | Self::EditedElsewhere { .. },
                Resolution::Merge { .. },
            ) => unavailable("keep mine or take theirs when one device deleted the draft"),
        }
    }
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
    use crate::decide::drafts::version_after_edit;
    use crate::ids::InvoiceId;
    use crate::sync::DraftHead;
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
        assert_eq!(version_after_edit(Some(&head), keep.version, me), Ok(3));
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

    #[test]
    fn a_conflict_waits_for_the_servers_version_before_offering_a_merge() {
        let mine = draft(1, "mine", &["A"]);
        assert_eq!(
            DraftConflict::new(Some(&mine), Some(&mine)),
            DraftConflict::Awaiting
        );
        assert_eq!(DraftConflict::new(None, None), DraftConflict::Awaiting);
        let e = DraftConflict::Awaiting
            .settle(&Resolution::KeepMine)
            .unwrap_err();
        assert_eq!(e.field, "resolution");
        assert_eq!(
            DraftConflict::Awaiting.settle(&Resolution::TakeTheirs),
            Ok(None)
        );
    }

    #[test]
    fn a_conflict_of_two_edits_saves_the_resolution_on_the_servers_version() {
        let mine = draft(1, "mine", &["A mine", "B"]);
        let theirs = draft(2, "theirs", &["A", "B theirs"]);
        let conflict = DraftConflict::new(Some(&mine), Some(&theirs));
        assert_eq!(
            conflict,
            DraftConflict::BothEdited {
                mine: mine.clone(),
                theirs: theirs.clone()
            }
        );
        let merge = Resolution::Merge {
            header: Side::Theirs,
            lines: vec![
                LinePick {
                    side: Side::Mine,
                    index: 0,
                },
                LinePick {
                    side: Side::Theirs,
                    index: 1,
                },
            ],
        };
        let Some(Command::SaveDraft(saved)) = conflict.settle(&merge).unwrap() else {
            panic!("a merge saves the merged draft");
        };
        assert_eq!(descriptions(&saved), vec!["A mine", "B theirs"]);
        assert_eq!(saved.version, 2);
        assert_eq!(conflict.settle(&Resolution::TakeTheirs), Ok(None));
    }

    #[test]
    fn one_sides_deletion_is_accepted_or_undone() {
        let mine = draft(1, "mine", &["A"]);
        let deleted = DraftConflict::new(Some(&mine), None);
        let Some(Command::SaveDraft(restored)) = deleted.settle(&Resolution::KeepMine).unwrap()
        else {
            panic!("keeping mine restores the draft");
        };
        // Created again: the server no longer has a version to base it on.
        assert_eq!(restored.version, 0);
        assert_eq!(deleted.settle(&Resolution::TakeTheirs), Ok(None));

        let theirs = draft(3, "theirs", &["A", "B"]);
        let edited = DraftConflict::new(None, Some(&theirs));
        assert_eq!(
            edited.settle(&Resolution::KeepMine),
            Ok(Some(Command::DeleteDraft(DraftRef {
                id: theirs.id,
                organisation_id: theirs.organisation_id,
                version: 3,
            })))
        );
        let merge = Resolution::Merge {
            header: Side::Mine,
            lines: vec![],
        };
        assert_eq!(edited.settle(&merge).unwrap_err().field, "resolution");
    }
}
