//! Catalogue items and the organisation's settings. Settings are versioned like drafts: an edit based
//! on an older version from another device is a conflict, never a silent overwrite.

use serde_json::json;

use super::drafts::version_after_edit;
use super::{Decision, Stored, Write, next_version};
use crate::catalogue::Item;
use crate::ids::{ClientId, OrganisationId};
use crate::settings::Settings;
use crate::sync::mutation::{DraftHead, MutationError};
use crate::sync::protocol::Record;

/// The organisation's settings: as last saved, or what a new organisation starts with. The one place
/// that fallback is decided, for the server, the app's issuing and its settings screen.
pub fn current_settings(
    saved: Option<Settings>,
    organisation: OrganisationId,
    organisation_name: &str,
) -> Settings {
    saved.unwrap_or_else(|| Settings::initial(organisation, organisation_name))
}

/// Decides an `item.upsert`: the item at the version after the stored one.
pub fn decide_item_upsert(item: Item, stored: Option<&Stored<Item>>) -> Decision {
    let audit = json!({ "op": "put", "entity": "item", "id": item.id, "name": item.name });
    Decision::store(
        Write::Record {
            record: Record::Item(item),
            customer: None,
            version: next_version(stored),
        },
        audit,
    )
}

/// Decides a `settings.save` over the stored settings' head.
pub fn decide_settings_save(
    mut settings: Settings,
    head: Option<&DraftHead>,
    client: ClientId,
) -> Result<Decision, MutationError> {
    let version = version_after_edit(head, settings.version, client)?;
    settings.version = version;
    let audit = json!({
        "op": "put",
        "entity": "settings",
        "version": version,
        "invoice_series": settings.invoice_series.prefix,
        "period_locked_until": settings.period_locked_until,
    });
    Ok(Decision::store(
        Write::Record {
            record: Record::Settings(Box::new(settings)),
            customer: None,
            version,
        },
        audit,
    ))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::decide::Change;
    use crate::ids::ItemId;
    use crate::money::Currency;
    use crate::sync::MutationErrorKind;
    use crate::tax::{TaxCategory, TaxRate};

    fn org() -> OrganisationId {
        OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap()
    }

    fn client(n: u8) -> ClientId {
        ClientId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    #[test]
    fn an_organisation_without_saved_settings_starts_from_the_initial_ones() {
        let initial = current_settings(None, org(), "Nordlys AS");
        assert_eq!(initial, Settings::initial(org(), "Nordlys AS"));
        let mut saved = initial.clone();
        saved.version = 4;
        assert_eq!(current_settings(Some(saved.clone()), org(), "x"), saved);
    }

    #[test]
    fn settings_are_saved_at_their_next_version_unless_another_device_saved_first() {
        let settings = Settings::initial(org(), "Nordlys AS");
        let first = decide_settings_save(settings.clone(), None, client(1)).unwrap();
        let Write::Record {
            record: Record::Settings(saved),
            version,
            ..
        } = &first.changes[0].write
        else {
            panic!("a settings record: {first:?}");
        };
        assert_eq!((saved.version, *version), (1, 1));
        let theirs = DraftHead {
            version: 1,
            last_client: client(2),
        };
        let e = decide_settings_save(settings, Some(&theirs), client(1)).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Conflict);
    }

    fn item() -> Item {
        Item {
            id: ItemId::parse("019a4d5e-0000-7000-8000-0000000000b7").unwrap(),
            organisation_id: org(),
            name: "Net repair".into(),
            description: String::new(),
            unit_price: dec!(250),
            currency: Currency::parse("NOK").unwrap(),
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(dec!(25)).unwrap(),
            unit: "HUR".into(),
            archived: false,
        }
    }

    #[test]
    fn a_new_item_is_stored_at_the_first_version() {
        assert_eq!(
            decide_item_upsert(item(), None),
            Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Item(item()),
                        customer: None,
                        version: 1,
                    },
                    account: None,
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "item", "id": item().id, "name": "Net repair",
                }),
            }
        );
    }

    #[test]
    fn an_item_is_stored_at_the_version_after_the_stored_one() {
        let stored = Stored {
            version: 3,
            record: item(),
        };
        let renamed = Item {
            name: "Net repair, per hour".into(),
            ..item()
        };

        let decision = decide_item_upsert(renamed.clone(), Some(&stored));

        assert_eq!(
            decision.changes,
            vec![Change {
                write: Write::Record {
                    record: Record::Item(renamed),
                    customer: None,
                    version: 4,
                },
                account: None,
            }]
        );
    }
}
