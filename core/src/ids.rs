//! Identities of Remit's records.
//!
//! Every entity id is a UUIDv7 generated where the entity is created — often on a laptop with no network —
//! and kept by the server forever. Version 7 ids sort by creation time, so tables indexed by them stay
//! append-friendly. Core never generates random ids (that needs a clock and randomness); it checks them,
//! and it derives the ids of records a decision creates from what caused them ([`NaturalKey`]), so
//! that equal inputs always give an equal decision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

            /// The id made from a natural key: the same key always gives the same id.
            pub fn derived(key: &NaturalKey) -> Self {
                Self(key.uuid())
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

/// A natural key: what makes a record the one it is (the mutation and the place in it that raised an
/// exception item; later a gateway's payment id, a bank entry, a recurring period), turned into an
/// entity id. The one way core makes ids, so a record made twice from the same cause — a replayed
/// mutation, a webhook delivered twice, a statement imported again — gets the same id, and storing it
/// again changes nothing.
///
/// The id is a version-7 UUID like every other: its 48 time bits come from the `ordered_after` cause
/// (itself a UUIDv7) when there is one, so derived ids sort near what caused them; every other bit is
/// SHA-256 of the namespace and the parts, each length-prefixed so that no two keys run together.
#[derive(Clone)]
pub struct NaturalKey {
    hasher: Sha256,
    time: [u8; 6],
}

impl NaturalKey {
    /// A key in `namespace` (the kind of record: `"exception"`, `"payment"` …).
    pub fn new(namespace: &str) -> Self {
        let key = Self {
            hasher: Sha256::new(),
            time: [0; 6],
        };
        key.part(namespace)
    }

    /// Adds one part of the key.
    pub fn part(mut self, part: impl fmt::Display) -> Self {
        let text = part.to_string();
        self.hasher.update((text.len() as u64).to_be_bytes());
        self.hasher.update(text.as_bytes());
        self
    }

    /// Takes the time bits from `cause` (when it is a UUIDv7) and adds it as a part.
    pub fn ordered_after(mut self, cause: Uuid) -> Self {
        if cause.get_version_num() == ENTITY_ID_VERSION {
            self.time.copy_from_slice(&cause.as_bytes()[..6]);
        }
        self.part(cause.hyphenated())
    }

    fn uuid(&self) -> Uuid {
        let hash = self.hasher.clone().finalize();
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&self.time);
        bytes[6..].copy_from_slice(&hash[..10]);
        if self.time == [0; 6] {
            bytes[..6].copy_from_slice(&hash[10..16]);
        }
        uuid::Builder::from_bytes(bytes)
            .with_version(uuid::Version::SortRand)
            .with_variant(uuid::Variant::RFC4122)
            .into_uuid()
    }
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
    /// An invoice or credit note sent by mail: the request, and what became of it.
    MailId
);
entity_id!(
    /// A customer's question or dispute and its answers: a conversation about an invoice or the account.
    ThreadId
);
entity_id!(
    /// One message of a thread, the customer's or a billing user's.
    ThreadMessageId
);
entity_id!(
    /// A link to the customer's portal: a customer's statement, or one invoice of theirs.
    PortalLinkId
);
entity_id!(
    /// One attempt of a customer to pay online through a gateway (kept by the server only).
    CheckoutId
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
    fn a_natural_key_gives_the_same_version_7_id_every_time() {
        let key = || NaturalKey::new("exception").part(3).part("payment");
        let id = ExceptionId::derived(&key());
        assert_eq!(id, ExceptionId::derived(&key()));
        assert_eq!(id.as_uuid().get_version_num(), ENTITY_ID_VERSION);
        assert!(ExceptionId::parse(&id.to_string()).is_ok());
    }

    #[test]
    fn every_part_and_its_boundaries_count() {
        let id = |key: NaturalKey| ExceptionId::derived(&key);
        let ab_c = id(NaturalKey::new("n").part("ab").part("c"));
        assert_ne!(ab_c, id(NaturalKey::new("n").part("a").part("bc")));
        assert_ne!(ab_c, id(NaturalKey::new("m").part("ab").part("c")));
        assert_ne!(ab_c, id(NaturalKey::new("n").part("ab").part("d")));
    }

    #[test]
    fn a_derived_id_sorts_at_the_time_of_its_cause() {
        let cause = Uuid::from_str(V7).unwrap();
        let id = ExceptionId::derived(&NaturalKey::new("exception").ordered_after(cause).part(0));
        assert_eq!(id.as_uuid().as_bytes()[..6], cause.as_bytes()[..6]);
        assert_ne!(id.as_uuid(), cause);
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
