//! Messages on the wire. Every field here is part of a contract with clients that may have been offline
//! across an upgrade: add fields with defaults, never change the meaning of one.

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::catalogue::Item;
use crate::customer::Customer;
use crate::document::InvoiceDraft;
use crate::document::issued::{CreditNote, Invoice};
use crate::ids::ClientId;
use crate::mail::Mail;
use crate::numbering::lease::NumberLease;
use crate::receivables::dispute::Dispute;
use crate::receivables::exception::ExceptionItem;
use crate::receivables::payment::{Payment, RefundPayment};
use crate::receivables::thread::{Thread, ThreadMessage};
use crate::settings::Settings;
use crate::sync::mutation::MutationError;
use crate::wire::{self, Fields};

/// The protocol version this build speaks.
///
/// - 1: customers and invoice drafts.
/// - 2: adds items, settings, issue (server or leased numbers), void, credit notes, payments, refunds,
///   disputes, exception items and number leases. Version 1 mutations mean the same in version 2.
///   Later in version 2: `mail.send` and `mail` records (a client that never sends mail is unaffected);
///   then `thread.open`, `thread.reply`, `thread.resolve` and `thread` and `thread_message` records;
///   then paying online: `refund.refused` (the system client's), `payment.refund`'s optional
///   `gateway_refund`, the exception kind `refund_refused_by_gateway` and `mail.send` of a `receipt`
///   (a refund queued without `gateway_refund` means what it meant before).
pub const PROTOCOL_VERSION: u32 = 2;

/// The versions a server of this build accepts in a push: the current one and the previous one,
/// so a laptop that was offline across an upgrade can still push its queue.
pub const ACCEPTED_PROTOCOL_VERSIONS: &[u32] = &[PROTOCOL_VERSION, PROTOCOL_VERSION - 1];

/// One queued change, as the client recorded it. `id` increases by one per client; `args` stays raw JSON
/// until [`crate::sync::Command::decode`] reads it, so that a malformed mutation can be rejected on its
/// own (and recorded as rejected) without refusing the whole push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: u64,
    pub name: String,
    pub args: serde_json::Value,
}

/// `POST /api/sync/push`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol_version: u32,
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// What became of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    /// Its effect is in the server's state.
    Applied,
    /// Refused for its input or authority; nothing changed. It will never be retried.
    Rejected,
    /// Refused because someone else changed the same draft since this client last saw it; nothing changed.
    /// The client keeps its copy and asks the user to choose.
    Conflict,
    /// Its id leaves a gap after the client's last mutation: not applied, not recorded; neither is anything
    /// after it. The client resends from `last_mutation_id + 1`.
    OutOfOrder,
}

/// Where a pushed mutation stands against its client's progress: each mutation is processed exactly
/// once, in the client's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// Already processed: answered with the result recorded then, never applied again.
    Processed,
    /// The next one: decide and apply it.
    Next,
    /// It leaves a gap after the last processed one: not applied, not recorded; the push stops here.
    Gap(crate::sync::MutationError),
}

impl Turn {
    /// The turn of mutation `id` when the client's last processed mutation is `last_processed`.
    pub fn of(id: u64, last_processed: u64) -> Self {
        if id <= last_processed {
            Turn::Processed
        } else if id == last_processed + 1 {
            Turn::Next
        } else {
            Turn::Gap(crate::sync::MutationError::out_of_order(
                id,
                last_processed + 1,
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub id: u64,
    pub status: MutationStatus,
    pub error: Option<MutationError>,
}

/// Reply to a push. Replaying a push gives the same reply: results of mutations already processed are
/// read back from the server's record of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest mutation id of this client that the server has processed (applied or not).
    pub last_mutation_id: u64,
    pub results: Vec<MutationResult>,
}

/// A position in an organisation's total order of changes: the client has every change up to and
/// including this change number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cookie(pub u64);

/// `POST /api/sync/pull`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub client_id: ClientId,
    /// `None` on a first sync.
    pub cookie: Option<Cookie>,
}

/// The kinds of record that sync carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Customer,
    InvoiceDraft,
    Item,
    Settings,
    Invoice,
    CreditNote,
    Payment,
    Refund,
    Dispute,
    Exception,
    NumberLease,
    Mail,
    Thread,
    ThreadMessage,
}

impl EntityKind {
    pub const ALL: [EntityKind; 14] = [
        EntityKind::Customer,
        EntityKind::InvoiceDraft,
        EntityKind::Item,
        EntityKind::Settings,
        EntityKind::Invoice,
        EntityKind::CreditNote,
        EntityKind::Payment,
        EntityKind::Refund,
        EntityKind::Dispute,
        EntityKind::Exception,
        EntityKind::NumberLease,
        EntityKind::Mail,
        EntityKind::Thread,
        EntityKind::ThreadMessage,
    ];

    /// The word the wire and the database use.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Customer => "customer",
            EntityKind::InvoiceDraft => "invoice_draft",
            EntityKind::Item => "item",
            EntityKind::Settings => "settings",
            EntityKind::Invoice => "invoice",
            EntityKind::CreditNote => "credit_note",
            EntityKind::Payment => "payment",
            EntityKind::Refund => "refund",
            EntityKind::Dispute => "dispute",
            EntityKind::Exception => "exception",
            EntityKind::NumberLease => "number_lease",
            EntityKind::Mail => "mail",
            EntityKind::Thread => "thread",
            EntityKind::ThreadMessage => "thread_message",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "entity", content = "value", rename_all = "snake_case")]
pub enum Record {
    Customer(Customer),
    InvoiceDraft(Box<InvoiceDraft>),
    Item(Item),
    /// The organisation's settings; their id is the organisation's.
    Settings(Box<Settings>),
    Invoice(Box<Invoice>),
    CreditNote(Box<CreditNote>),
    Payment(Payment),
    Refund(RefundPayment),
    Dispute(Dispute),
    Exception(ExceptionItem),
    NumberLease(NumberLease),
    /// An issued document sent by mail, and whether it went.
    Mail(Mail),
    /// A customer's question or dispute, and how it ended.
    Thread(Box<Thread>),
    /// One message of a thread.
    ThreadMessage(ThreadMessage),
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl Record {
    const VARIANTS: &[&str] = &[
        "customer",
        "invoice_draft",
        "item",
        "settings",
        "invoice",
        "credit_note",
        "payment",
        "refund",
        "dispute",
        "exception",
        "number_lease",
        "mail",
        "thread",
        "thread_message",
    ];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let entity = fields.tag("entity")?;
        let Some(kind) = EntityKind::parse(&entity) else {
            return Err(wire::unknown(&entity, Self::VARIANTS));
        };
        Ok(match kind {
            EntityKind::Customer => Record::Customer(fields.take("value")?),
            EntityKind::InvoiceDraft => Record::InvoiceDraft(fields.take("value")?),
            EntityKind::Item => Record::Item(fields.take("value")?),
            EntityKind::Settings => Record::Settings(fields.take("value")?),
            EntityKind::Invoice => Record::Invoice(fields.take("value")?),
            EntityKind::CreditNote => Record::CreditNote(fields.take("value")?),
            EntityKind::Payment => Record::Payment(fields.take("value")?),
            EntityKind::Refund => Record::Refund(fields.take("value")?),
            EntityKind::Dispute => Record::Dispute(fields.take("value")?),
            EntityKind::Exception => Record::Exception(fields.take("value")?),
            EntityKind::NumberLease => Record::NumberLease(fields.take("value")?),
            EntityKind::Mail => Record::Mail(fields.take("value")?),
            EntityKind::Thread => Record::Thread(fields.take("value")?),
            EntityKind::ThreadMessage => Record::ThreadMessage(fields.take("value")?),
        })
    }
}

impl Record {
    pub fn kind(&self) -> EntityKind {
        match self {
            Record::Customer(_) => EntityKind::Customer,
            Record::InvoiceDraft(_) => EntityKind::InvoiceDraft,
            Record::Item(_) => EntityKind::Item,
            Record::Settings(_) => EntityKind::Settings,
            Record::Invoice(_) => EntityKind::Invoice,
            Record::CreditNote(_) => EntityKind::CreditNote,
            Record::Payment(_) => EntityKind::Payment,
            Record::Refund(_) => EntityKind::Refund,
            Record::Dispute(_) => EntityKind::Dispute,
            Record::Exception(_) => EntityKind::Exception,
            Record::NumberLease(_) => EntityKind::NumberLease,
            Record::Mail(_) => EntityKind::Mail,
            Record::Thread(_) => EntityKind::Thread,
            Record::ThreadMessage(_) => EntityKind::ThreadMessage,
        }
    }

    pub fn id(&self) -> Uuid {
        match self {
            Record::Customer(c) => c.id.as_uuid(),
            Record::InvoiceDraft(d) => d.id.as_uuid(),
            Record::Item(i) => i.id.as_uuid(),
            Record::Settings(s) => s.organisation_id.as_uuid(),
            Record::Invoice(i) => i.id.as_uuid(),
            Record::CreditNote(c) => c.id.as_uuid(),
            Record::Payment(p) => p.received.id.as_uuid(),
            Record::Refund(r) => r.id.as_uuid(),
            Record::Dispute(d) => d.opened.id.as_uuid(),
            Record::Exception(e) => e.id.as_uuid(),
            Record::NumberLease(l) => l.id.as_uuid(),
            Record::Mail(m) => m.id.as_uuid(),
            Record::Thread(t) => t.id.as_uuid(),
            Record::ThreadMessage(m) => m.id.as_uuid(),
        }
    }
}

/// One change, in the organisation's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PatchOp {
    Put {
        change: u64,
        record: Record,
    },
    Del {
        change: u64,
        entity: EntityKind,
        id: Uuid,
    },
}

impl<'de> Deserialize<'de> for PatchOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, |fields| {
            let op = fields.tag("op")?;
            Ok(match op.as_str() {
                "put" => PatchOp::Put {
                    change: fields.take("change")?,
                    record: fields.take("record")?,
                },
                "del" => PatchOp::Del {
                    change: fields.take("change")?,
                    entity: fields.take("entity")?,
                    id: fields.take("id")?,
                },
                _ => return Err(wire::unknown(&op, &["put", "del"])),
            })
        })
    }
}

impl PatchOp {
    pub fn change(&self) -> u64 {
        match self {
            PatchOp::Put { change, .. } | PatchOp::Del { change, .. } => *change,
        }
    }

    pub fn target(&self) -> (EntityKind, Uuid) {
        match self {
            PatchOp::Put { record, .. } => (record.kind(), record.id()),
            PatchOp::Del { entity, id, .. } => (*entity, *id),
        }
    }
}

/// Reply to a pull: changes after the request's cookie, oldest first, at most one page of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Send this back with the next pull.
    pub cookie: Cookie,
    /// The highest mutation id of the pulling client that the server has processed: every pending
    /// mutation up to it is already reflected in this (or an earlier) patch.
    pub last_mutation_id: u64,
    pub patch: Vec<PatchOp>,
    /// More changes wait: pull again at once with the new cookie.
    pub more: bool,
    /// The organisation's newest change when this page was read, for a progress the user can see
    /// ([`PullResponse::progress`]). Absent from servers before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<u64>,
}

/// How far a pull that started after one cookie has come: changes taken in so far, of about how many.
/// "About", because the server serves each record at its latest change only, so older changes of a
/// record changed again are passed over and the pull ends at `about` or before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullProgress {
    pub so_far: u64,
    pub about: u64,
}

impl PullResponse {
    /// Progress of a pull that started after `started_after`, once this page is taken in; `None` from a
    /// server that does not say its newest change.
    pub fn progress(&self, started_after: Option<Cookie>) -> Option<PullProgress> {
        let start = started_after.unwrap_or_default().0;
        let head = self.head?;
        let so_far = if self.more {
            self.cookie.0.saturating_sub(start)
        } else {
            head.saturating_sub(start)
        };
        Some(PullProgress {
            so_far,
            about: head.saturating_sub(start).max(so_far),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::MutationErrorKind;

    #[test]
    fn each_mutation_is_processed_once_in_its_clients_order() {
        assert_eq!(Turn::of(3, 5), Turn::Processed);
        assert_eq!(Turn::of(5, 5), Turn::Processed);
        assert_eq!(Turn::of(6, 5), Turn::Next);
        assert_eq!(Turn::of(1, 0), Turn::Next);
        let Turn::Gap(e) = Turn::of(8, 5) else {
            panic!("a gap");
        };
        assert_eq!(e.kind, MutationErrorKind::OutOfOrder);
        assert!(e.message.contains("expected mutation 6"));
    }

    #[test]
    fn a_pull_shows_how_far_it_has_come_of_about_how_many_changes() {
        let page = |cookie, more, head| PullResponse {
            cookie: Cookie(cookie),
            last_mutation_id: 0,
            patch: Vec::new(),
            more,
            head,
        };
        let progress = |so_far, about| Some(PullProgress { so_far, about });
        // A first sync of 21,000 changes, pages of 500.
        assert_eq!(
            page(500, true, Some(21_000)).progress(None),
            progress(500, 21_000)
        );
        assert_eq!(
            page(20_500, true, Some(21_000)).progress(None),
            progress(20_500, 21_000)
        );
        // The last page: older changes of records changed again were passed over.
        assert_eq!(
            page(20_800, false, Some(21_000)).progress(None),
            progress(21_000, 21_000)
        );
        // A later pull counts from its own cookie; changes made meanwhile raise the estimate.
        assert_eq!(
            page(21_400, true, Some(21_900)).progress(Some(Cookie(21_000))),
            progress(400, 900)
        );
        // A server that does not say.
        assert_eq!(page(500, true, None).progress(None), None);
        let old: PullResponse =
            serde_json::from_str(r#"{"cookie":3,"last_mutation_id":0,"patch":[],"more":false}"#)
                .unwrap();
        assert_eq!(old.head, None);
    }
}
