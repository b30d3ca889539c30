//! Identities of Remit's records.
//!
//! Every entity id is a UUIDv7 generated where the entity is created — often on a laptop with no network —
//! and kept by the server forever. Version 7 ids sort by creation time, so tables indexed by them stay
//! append-friendly. Core never generates ids (that needs a clock and randomness); it only checks them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{Rule, ValidationError};

/// The UUID version every entity id must have.
pub const ENTITY_ID_VERSION: usize = 7;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "Uuid", into = "Uuid")]
        pub struct $name(Uuid);

        impl $name {
            /// Parses the canonical text form, insisting on a version-7 UUID.
            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                let uuid = Uuid::from_str(text.trim())
                    .map_err(|_| ValidationError::new("", Rule::Uuid { version: ENTITY_ID_VERSION as u8 }))?;
                Self::try_from(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl TryFrom<Uuid> for $name {
            type Error = ValidationError;

            fn try_from(uuid: Uuid) -> Result<Self, Self::Error> {
                if uuid.get_version_num() == ENTITY_ID_VERSION {
                    Ok(Self(uuid))
                } else {
                    Err(ValidationError::new("", Rule::Uuid { version: ENTITY_ID_VERSION as u8 }))
                }
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

entity_id!(
    /// A tenant: a business that bills its customers with Remit.
    OrganisationId
);
entity_id!(
    /// A person who signs in.
    UserId
);
entity_id!(
    /// A customer of an organisation: the party an invoice is addressed to.
    CustomerId
);
entity_id!(
    /// An invoice, from its first draft through issue and payment.
    InvoiceId
);
entity_id!(
    /// A credit note: a correction of an issued invoice.
    CreditNoteId
);
entity_id!(
    /// Money received from (or, for a refund, returned to) a customer.
    PaymentId
);
entity_id!(
    /// Money returned to a customer out of their credit.
    RefundId
);
entity_id!(
    /// A customer's dispute of an invoice.
    DisputeId
);
entity_id!(
    /// A catalogue item: a product or service with its usual price and tax.
    ItemId
);
entity_id!(
    /// A block of document numbers leased to a device for issuing offline.
    LeaseId
);
entity_id!(
    /// A situation the server recorded but a person must look at (see `receivables::exception`).
    ExceptionId
);
entity_id!(
    /// One installation of the app (a browser profile): the author of an outbox of mutations.
    ClientId
);

#[cfg(test)]
mod tests {
    use super::*;

    const V7: &str = "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f";
    const V4: &str = "3b241101-e2bb-4255-8caf-4136c566a962";

    #[test]
    fn a_version_7_uuid_is_an_entity_id() {
        let id = CustomerId::parse(V7).unwrap();
        assert_eq!(id.to_string(), V7);
    }

    #[test]
    fn other_uuid_versions_and_garbage_are_refused() {
        assert_eq!(
            CustomerId::parse(V4).unwrap_err().rule,
            Rule::Uuid { version: 7 }
        );
        assert!(CustomerId::parse("not-a-uuid").is_err());
        assert!(serde_json::from_str::<InvoiceId>(&format!("\"{V4}\"")).is_err());
    }

    #[test]
    fn ids_serialize_as_their_hyphenated_text() {
        let id = InvoiceId::parse(V7).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{V7}\""));
        assert_eq!(
            serde_json::from_str::<InvoiceId>(&format!("\"{V7}\"")).unwrap(),
            id
        );
    }
}
