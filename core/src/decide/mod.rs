//! Every mutation's decision, one pure function per mutation, arranged by business area as the server's
//! apply modules are:
//!
//! - [`drafts`]: customers and invoice drafts;
//! - [`catalogue`]: catalogue items and the organisation's settings;
//! - [`issuing`]: number leases, issuing, voiding, credit notes;
//! - [`receivables`]: payments, refunds, disputes, exception items;
//! - [`mail`]: issued documents sent by mail;
//! - [`threads`]: the customer's questions and disputes, and their answers.
//!
//! Each has the shape `decide_x(command, facts) -> Result<Decision, MutationError>`. The facts are plain
//! data the shell loaded (the server from its database, the app from IndexedDB); the [`Decision`] lists
//! everything to carry out. There is no clock, randomness or IO here: ids a decision creates come from
//! [`NaturalKey`](crate::ids::NaturalKey)s of what caused them, so equal inputs give an equal decision.
//!
//! Two kinds of mutation meet different rules. A request (a draft, settings, a server-numbered issue, a
//! void, a credit note, a lease) may be refused, naming the field and the rule. A fact (an invoice
//! issued offline under a leased number, a payment, a refund) happened outside Remit: it is recorded
//! whatever the rules say, and what it breaks becomes an exception item in the decision.

pub mod catalogue;
pub mod drafts;
pub mod issuing;
pub mod mail;
pub mod receivables;
pub mod threads;

use serde_json::{Value, json};

use crate::customer::Customer;
use crate::document::DocumentTotals;
use crate::document::InvoiceDraft;
use crate::document::issued::{CreditNote, Invoice};
use crate::gateway::OutboundRefund;
use crate::ids::{
    ClientId, CustomerId, ExceptionId, InvoiceId, NaturalKey, OrganisationId, UserId,
};
use crate::mail::OutgoingMail;
use crate::numbering::lease::NumberLease;
use crate::receivables::dispute::Dispute;
use crate::receivables::events::AccountEvent;
use crate::receivables::exception::{ExceptionItem, ExceptionKind};
use crate::receivables::payment::Payment;
use crate::sync::{MutationError, Record};
use crate::validation::{Rule, ValidationError};
use threads::AnswerMail;

/// The mutation a decision is taken on: who sent it and its place in their queue. Ids the decision
/// creates are derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    pub organisation: OrganisationId,
    pub user: UserId,
    pub client: ClientId,
    pub mutation_id: u64,
}

impl Cause {
    /// The id of the `index`th exception item this mutation raises.
    pub fn exception_id(&self, index: usize) -> ExceptionId {
        ExceptionId::derived(
            &NaturalKey::new("exception")
                .ordered_after(self.client.as_uuid())
                .part(self.mutation_id)
                .part(index),
        )
    }
}

/// A record as stored, with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    pub version: u64,
    pub record: T,
}

/// The version of a record stored for the first time.
pub const FIRST_VERSION: u64 = 1;

/// The version a record gets when stored over `stored`.
pub fn next_version<T>(stored: Option<&Stored<T>>) -> u64 {
    stored.map_or(FIRST_VERSION, |s| s.version + 1)
}

/// One thing to store; each takes the organisation's next change number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Customer(Customer),
    /// A draft at its new version, with the totals core computed from its lines.
    Draft {
        draft: InvoiceDraft,
        totals: DocumentTotals,
    },
    /// A draft that is gone: deleted, or issued as an invoice.
    DeleteDraft(InvoiceId),
    /// A synced record kept as its body (items, settings, payments, refunds, disputes, exceptions).
    Record {
        record: Record,
        customer: Option<CustomerId>,
        version: u64,
    },
    Lease {
        lease: NumberLease,
        device_code: String,
    },
    Invoice(Invoice),
    /// An issued invoice, now voided.
    Void(Invoice),
    CreditNote(CreditNote),
}

/// A write and the customer-account event recorded at its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub write: Write,
    pub account: Option<(CustomerId, AccountEvent)>,
}

/// An event other systems subscribe to (webhooks), with the record it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    InvoiceIssued(Box<Invoice>),
    PaymentReceived(Payment),
    DisputeOpened(Dispute),
}

impl Notice {
    /// The event's name in webhook payloads and the `Remit-Event` header.
    pub fn name(&self) -> &'static str {
        match self {
            Notice::InvoiceIssued(_) => "invoice.issued",
            Notice::PaymentReceived(_) => "payment.received",
            Notice::DisputeOpened(_) => "dispute.opened",
        }
    }

    /// The record the event is about, as the REST API shows it.
    pub fn data(&self) -> Value {
        match self {
            Notice::InvoiceIssued(invoice) => json!(invoice),
            Notice::PaymentReceived(payment) => json!(payment),
            Notice::DisputeOpened(dispute) => json!(dispute),
        }
    }
}

/// Everything a mutation changes, for the shell to carry out in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What to store, in order.
    pub changes: Vec<Change>,
    /// Exception items the mutation raises, stored after the changes.
    pub exceptions: Vec<ExceptionItem>,
    /// Webhook events to queue with the changes.
    pub notices: Vec<Notice>,
    /// Mail to queue for the sender with the changes.
    pub mails: Vec<OutgoingMail>,
    /// Customers to tell, by mail with a new portal link, that their question has an answer.
    pub answers: Vec<AnswerMail>,
    /// Refunds to send to the gateway that took the payment, queued with the changes.
    pub refunds: Vec<OutboundRefund>,
    /// What the audit log records of the mutation.
    pub audit: Value,
}

impl Decision {
    /// A decision that stores `write`.
    fn store(write: Write, audit: Value) -> Self {
        Self {
            changes: vec![Change {
                write,
                account: None,
            }],
            exceptions: Vec::new(),
            notices: Vec::new(),
            mails: Vec::new(),
            answers: Vec::new(),
            refunds: Vec::new(),
            audit,
        }
    }

    /// A decision that raises one exception item and stores nothing else.
    pub(crate) fn exception(item: ExceptionItem, audit: Value) -> Self {
        Self {
            changes: Vec::new(),
            exceptions: vec![item],
            notices: Vec::new(),
            mails: Vec::new(),
            answers: Vec::new(),
            refunds: Vec::new(),
            audit,
        }
    }

    /// A decision that changes nothing: the mutation already happened, or has nothing left to do.
    pub fn unchanged(entity: &str, id: impl serde::Serialize, reason: &str) -> Self {
        Self {
            changes: Vec::new(),
            exceptions: Vec::new(),
            notices: Vec::new(),
            mails: Vec::new(),
            answers: Vec::new(),
            refunds: Vec::new(),
            audit: json!({ "op": "none", "entity": entity, "id": id, "reason": reason }),
        }
    }

    /// Records `event` on `customer`'s account at the change of the first write.
    fn with_event(mut self, customer: CustomerId, event: AccountEvent) -> Self {
        if let Some(first) = self.changes.first_mut() {
            first.account = Some((customer, event));
        }
        self
    }

    fn then(mut self, write: Write) -> Self {
        self.changes.push(Change {
            write,
            account: None,
        });
        self
    }

    fn notify(mut self, notice: Notice) -> Self {
        self.notices.push(notice);
        self
    }

    fn send(mut self, mail: OutgoingMail) -> Self {
        self.mails.push(mail);
        self
    }

    fn tell(mut self, answer: Option<AnswerMail>) -> Self {
        self.answers.extend(answer);
        self
    }

    fn refund_through(mut self, refund: Option<OutboundRefund>) -> Self {
        self.refunds.extend(refund);
        self
    }

    /// This decision followed by `next`'s, in one mutation: its changes, exceptions, notices and mail
    /// after this one's; the audit row records `next`'s under the key of what it changed.
    fn and(mut self, next: Decision) -> Self {
        let key = next.audit["entity"].as_str().unwrap_or("then").to_owned();
        self.changes.extend(next.changes);
        self.exceptions.extend(next.exceptions);
        self.notices.extend(next.notices);
        self.mails.extend(next.mails);
        self.answers.extend(next.answers);
        self.refunds.extend(next.refunds);
        if let Some(audit) = self.audit.as_object_mut() {
            audit.insert(key, next.audit);
        }
        self
    }

    /// Raises an exception item for each broken rule, with ids derived from `cause`.
    fn raise(
        mut self,
        cause: &Cause,
        customer: Option<CustomerId>,
        kinds: Vec<ExceptionKind>,
    ) -> Self {
        let first = self.exceptions.len();
        self.exceptions
            .extend(kinds.into_iter().enumerate().map(|(i, kind)| {
                ExceptionItem::raise(
                    cause.exception_id(first + i),
                    cause.organisation,
                    customer,
                    kind,
                )
            }));
        self
    }

    /// Every write in the order it takes change numbers: the changes, then the exception items (each a
    /// new record at version 1).
    pub fn writes(&self) -> impl Iterator<Item = Change> + '_ {
        let exceptions = self.exceptions.iter().map(|item| Change {
            write: Write::Record {
                record: Record::Exception(item.clone()),
                customer: item.customer_id,
                version: FIRST_VERSION,
            },
            account: None,
        });
        self.changes.iter().cloned().chain(exceptions)
    }
}

/// Refuses to touch an id that another organisation already uses. Ids come from clients; a client must
/// not be able to overwrite (or learn more than the existence of) another tenant's record.
pub fn ensure_own(
    owner: Option<OrganisationId>,
    organisation: OrganisationId,
) -> Result<(), MutationError> {
    match owner {
        Some(owner) if owner != organisation => Err(MutationError::forbidden(
            "id",
            "id is already used by a record the signed-in user cannot change",
        )),
        _ => Ok(()),
    }
}

/// An argument that must name something else: `field` names it, `expected` says what it must be.
pub(crate) fn invalid(field: &str, expected: impl Into<String>) -> MutationError {
    MutationError::invalid(ValidationError::new(
        field,
        Rule::Matches {
            expected: expected.into(),
        },
    ))
}

/// A request or fact arriving under an id already recorded: `same` says whether what is stored under
/// the id is what it asks for (`None`: nothing is). The same again changes nothing (a replay through
/// another path, a webhook delivered twice, a form sent twice); anything else under that id is refused.
fn replayed(
    same: Option<bool>,
    entity: &str,
    id: impl serde::Serialize,
    reason: &str,
) -> Option<Result<Decision, MutationError>> {
    Some(if same? {
        Ok(Decision::unchanged(entity, id, reason))
    } else {
        Err(invalid(
            "id",
            format!("an id not used by another {}", entity.replace('_', " ")),
        ))
    })
}

/// [`replayed`] for a fact recorded as it arrived: the same when equal.
fn recorded_once<T: PartialEq>(
    stored: Option<&T>,
    incoming: &T,
    entity: &str,
    id: impl serde::Serialize,
    reason: &str,
) -> Option<Result<Decision, MutationError>> {
    replayed(stored.map(|s| s == incoming), entity, id, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(n: u8) -> OrganisationId {
        OrganisationId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    #[test]
    fn only_another_organisations_id_is_foreign() {
        assert!(ensure_own(None, org(1)).is_ok());
        assert!(ensure_own(Some(org(1)), org(1)).is_ok());
        assert_eq!(
            ensure_own(Some(org(2)), org(1)).unwrap_err().kind,
            crate::sync::MutationErrorKind::Forbidden
        );
    }

    #[test]
    fn the_same_fact_again_changes_nothing_and_another_under_its_id_is_refused() {
        assert!(recorded_once(None, &1, "payment", 7, "already recorded").is_none());
        let again = recorded_once(Some(&1), &1, "payment", 7, "already recorded").unwrap();
        assert_eq!(
            again.unwrap(),
            Decision::unchanged("payment", 7, "already recorded")
        );
        let other = recorded_once(Some(&1), &2, "payment", 7, "already recorded").unwrap();
        assert_eq!(other.unwrap_err().field.as_deref(), Some("id"));
    }

    #[test]
    fn exception_ids_come_from_the_mutation_and_their_place_in_it() {
        let cause = Cause {
            organisation: org(1),
            user: UserId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            client: ClientId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap(),
            mutation_id: 4,
        };
        assert_eq!(cause.exception_id(0), cause.exception_id(0));
        assert_ne!(cause.exception_id(0), cause.exception_id(1));
        let next = Cause {
            mutation_id: 5,
            ..cause
        };
        assert_ne!(cause.exception_id(0), next.exception_id(0));
    }

    #[test]
    fn versions_count_up_from_one() {
        assert_eq!(next_version::<()>(None), 1);
        let stored = Stored {
            version: 2,
            record: (),
        };
        assert_eq!(next_version(Some(&stored)), 3);
    }
}
