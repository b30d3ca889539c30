//! Customers and invoice drafts: records anyone with write access may change, drafts guarded by their
//! version so that two devices' edits never silently overwrite each other.

use serde_json::json;

use super::{Decision, Write, ensure_own, invalid};
use crate::customer::Customer;
use crate::document::{InvoiceDraft, compute};
use crate::ids::{ClientId, OrganisationId};
use crate::sync::mutation::{DraftHead, DraftRef, MutationError};

/// What the server holds of a draft: whose it is, and its head.
pub type StoredDraft = (OrganisationId, DraftHead);

/// Decides a `customer.upsert`. `owner` is the organisation already holding the customer's id.
pub fn decide_customer_upsert(
    customer: Customer,
    owner: Option<OrganisationId>,
) -> Result<Decision, MutationError> {
    ensure_own(owner, customer.organisation_id)?;
    let audit = json!({
        "op": "put", "entity": "customer", "id": customer.id, "name": customer.name,
    });
    Ok(Decision::store(Write::Customer(customer), audit))
}

/// What a draft save or delete is decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftFacts {
    /// The server's copy of the draft, when it has one.
    pub stored: Option<StoredDraft>,
    /// The organisation holding the draft's customer, when the customer exists.
    pub customer_owner: Option<OrganisationId>,
    /// The device whose mutation this is.
    pub client: ClientId,
}

/// Decides an `invoice_draft.save`: the draft at its next version, with the totals core computes from
/// its lines (never the client's), or a conflict with someone else's newer edit.
pub fn decide_draft_save(
    mut draft: InvoiceDraft,
    facts: &DraftFacts,
) -> Result<Decision, MutationError> {
    let organisation = draft.organisation_id;
    ensure_own(facts.stored.map(|(owner, _)| owner), organisation)?;
    if facts.customer_owner != Some(organisation) {
        return Err(invalid("customer_id", "a customer of the organisation"));
    }
    let head = facts.stored.map(|(_, head)| head);
    let version = version_after_edit(head.as_ref(), draft.version, facts.client)?;
    let totals = compute(&draft).map_err(MutationError::invalid)?;
    draft.version = version;
    let audit = json!({
        "op": "put",
        "entity": "invoice_draft",
        "id": draft.id,
        "version": version,
        "customer_id": draft.customer_id,
        "currency": draft.currency,
        "amount_due": totals.amount_due.amount().to_string(),
    });
    Ok(Decision::store(Write::Draft { draft, totals }, audit))
}

/// Decides an `invoice_draft.delete`: nothing to do when the draft is already gone (a replayed or
/// duplicated delete is harmless), a conflict when someone else edited it meanwhile.
pub fn decide_draft_delete(
    target: &DraftRef,
    stored: Option<StoredDraft>,
    client: ClientId,
) -> Result<Decision, MutationError> {
    ensure_own(stored.map(|(owner, _)| owner), target.organisation_id)?;
    let head = stored.map(|(_, head)| head);
    if !delete_after_edit(head.as_ref(), target.version, client)? {
        return Ok(Decision::unchanged(
            "invoice_draft",
            target.id,
            "already deleted",
        ));
    }
    let audit = json!({
        "op": "del", "entity": "invoice_draft", "id": target.id,
        "version": head.map(|h| h.version),
    });
    Ok(Decision::store(Write::DeleteDraft(target.id), audit))
}

/// Decides a draft save: the new version to store, or a conflict.
///
/// An edit applies when it was based on the current version, or when the current version came from the
/// same client (its own earlier edits, queued offline, all carry the version they started from). Any
/// other edit would silently overwrite someone else's work, so it is a conflict.
pub fn version_after_edit(
    current: Option<&DraftHead>,
    based_on: u64,
    client: ClientId,
) -> Result<u64, MutationError> {
    match current {
        None if based_on == 0 => Ok(1),
        None => Err(MutationError::conflict(
            "the draft was deleted on another device",
        )),
        Some(head) if head.version == based_on || head.last_client == client => {
            Ok(head.version + 1)
        }
        Some(_) => Err(MutationError::conflict(
            "the draft was changed on another device",
        )),
    }
}

/// Decides a draft delete: `Ok(true)` to delete, `Ok(false)` when it is already gone (a replayed or
/// duplicated delete is harmless), or a conflict when someone else edited it meanwhile.
pub fn delete_after_edit(
    current: Option<&DraftHead>,
    based_on: u64,
    client: ClientId,
) -> Result<bool, MutationError> {
    match current {
        None => Ok(false),
        Some(head) if head.version == based_on || head.last_client == client => Ok(true),
        Some(_) => Err(MutationError::conflict(
            "the draft was changed on another device",
        )),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::fixtures;
    use crate::ids::CustomerId;
    use crate::money::Currency;
    use crate::sync::MutationErrorKind;

    fn client(n: u8) -> ClientId {
        ClientId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn draft() -> InvoiceDraft {
        fixtures::draft(
            "EUR",
            vec![fixtures::line("Audit", dec!(1.5), dec!(0.35), dec!(19))],
        )
    }

    fn facts(stored: Option<StoredDraft>) -> DraftFacts {
        DraftFacts {
            stored,
            customer_owner: Some(draft().organisation_id),
            client: client(1),
        }
    }

    fn other_org() -> OrganisationId {
        OrganisationId::parse("019a4d5e-0000-7000-8000-0000000000ff").unwrap()
    }

    #[test]
    fn a_customer_is_stored_as_sent_unless_its_id_is_another_organisations() {
        let customer = Customer {
            id: CustomerId::parse("019a4d5e-0000-7000-8000-000000000002").unwrap(),
            organisation_id: draft().organisation_id,
            name: "Fiskeri AS".into(),
            email: String::new(),
            currency: Currency::parse("NOK").unwrap(),
            payment_terms_days: 14,
            tax_id: String::new(),
            address: Default::default(),
            language: None,
        };
        let decision = decide_customer_upsert(customer.clone(), None).unwrap();
        assert_eq!(decision.changes.len(), 1);
        assert_eq!(decision.changes[0].write, Write::Customer(customer.clone()));
        assert_eq!(decision.audit["name"], "Fiskeri AS");
        let e = decide_customer_upsert(customer, Some(other_org())).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Forbidden);
    }

    #[test]
    fn a_saved_draft_carries_its_next_version_and_cores_totals() {
        let decision = decide_draft_save(draft(), &facts(None)).unwrap();
        let Write::Draft {
            draft: saved,
            totals,
        } = &decision.changes[0].write
        else {
            panic!("a draft write: {decision:?}");
        };
        assert_eq!(saved.version, 1);
        // 1.5 × 0.35 = 0.525 → 0.53 net, 19 % VAT 0.10
        assert_eq!(totals.amount_due.amount(), dec!(0.63));
        assert_eq!(decision.audit["amount_due"], "0.63");
        assert!(decision.exceptions.is_empty() && decision.notices.is_empty());
    }

    #[test]
    fn a_draft_for_a_customer_of_another_organisation_is_refused() {
        let mut facts = facts(None);
        facts.customer_owner = Some(other_org());
        let e = decide_draft_save(draft(), &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("customer_id"));
        facts.customer_owner = None;
        assert!(decide_draft_save(draft(), &facts).is_err());
    }

    #[test]
    fn a_draft_someone_else_changed_is_a_conflict_and_a_gone_one_needs_no_delete() {
        let theirs = DraftHead {
            version: 2,
            last_client: client(2),
        };
        let stored = Some((draft().organisation_id, theirs));
        let e = decide_draft_save(draft(), &facts(stored)).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Conflict);
        let target = DraftRef {
            id: draft().id,
            organisation_id: draft().organisation_id,
            version: 2,
        };
        assert_eq!(
            decide_draft_delete(&target, None, client(1))
                .unwrap()
                .changes,
            vec![]
        );
        let delete = decide_draft_delete(&target, stored, client(1)).unwrap();
        assert_eq!(delete.changes[0].write, Write::DeleteDraft(target.id));
        let foreign = Some((other_org(), theirs));
        let e = decide_draft_delete(&target, foreign, client(1)).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Forbidden);
    }

    #[test]
    fn draft_saves_conflict_only_with_someone_elses_newer_version() {
        let head = |version, c| DraftHead {
            version,
            last_client: client(c),
        };
        // (current, based_on, client, expected)
        type Case = (Option<DraftHead>, u64, u8, Result<u64, MutationErrorKind>);
        let cases: [Case; 6] = [
            (None, 0, 1, Ok(1)),
            (None, 3, 1, Err(MutationErrorKind::Conflict)),
            (Some(head(3, 2)), 3, 1, Ok(4)),
            // The same client's queued edits all carry the version they started from.
            (Some(head(4, 1)), 3, 1, Ok(5)),
            (Some(head(4, 2)), 3, 1, Err(MutationErrorKind::Conflict)),
            (Some(head(4, 2)), 5, 1, Err(MutationErrorKind::Conflict)),
        ];
        for (current, based_on, c, expected) in cases {
            let got = version_after_edit(current.as_ref(), based_on, client(c)).map_err(|e| e.kind);
            assert_eq!(got, expected, "{current:?} based on {based_on}");
        }
    }

    #[test]
    fn deleting_a_draft_twice_is_harmless_but_a_newer_edit_is_protected() {
        let head = DraftHead {
            version: 2,
            last_client: client(2),
        };
        assert_eq!(delete_after_edit(None, 1, client(1)), Ok(false));
        assert_eq!(delete_after_edit(Some(&head), 2, client(1)), Ok(true));
        assert_eq!(
            delete_after_edit(Some(&head), 1, client(1))
                .unwrap_err()
                .kind,
            MutationErrorKind::Conflict
        );
    }
}
