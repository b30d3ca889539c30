//! What a mutation may ask for, and how its arguments are read and checked.
//!
//! The client builds a [`Command`] and records it as a [`Mutation`]; the server decodes the same
//! `Mutation` back into a `Command` with [`Command::decode`] and checks it with [`Command::check`]. What
//! the mutation then changes is decided in [`crate::decide`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::Item;
use crate::customer::Customer;
use crate::document::InvoiceDraft;
use crate::document::issued::{IssueCreditNote, IssueInvoice, VoidInvoice};
use crate::gateway::RefundRefused;
use crate::ids::{ClientId, InvoiceId, OrganisationId};
use crate::mail::SendMail;
use crate::numbering::lease::{ReturnLease, TakeLease};
use crate::organisation::Role;
use crate::receivables::dispute::{OpenDispute, ResolveDispute};
use crate::receivables::exception::ResolveException;
use crate::receivables::payment::{RecordPayment, RefundPayment};
use crate::receivables::thread::{OpenThread, ReplyToThread, ResolveThread};
use crate::settings::Settings;
use crate::sync::protocol::{EntityKind, Mutation, MutationStatus, Record};
use crate::validation::{Rule, ValidationError};

/// Why a mutation was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationErrorKind {
    /// The name is not a mutation this server knows.
    UnknownMutation,
    /// An argument breaks a rule; `field` names it.
    Invalid,
    /// The mutation reaches outside the signed-in user's organisation or role.
    Forbidden,
    /// The draft changed on the server since this client's copy was taken.
    Conflict,
    /// The mutation's id leaves a gap after the client's last processed mutation.
    OutOfOrder,
}

/// A mutation's failure, stored with the mutation's result and shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct MutationError {
    pub kind: MutationErrorKind,
    /// Path of the offending argument (`lines[1].unit_price`), when one field is to blame.
    pub field: Option<String>,
    pub message: String,
}

impl MutationError {
    /// Input that broke a rule, naming the field.
    pub fn invalid(e: ValidationError) -> Self {
        Self {
            kind: MutationErrorKind::Invalid,
            message: e.to_string(),
            field: Some(e.field),
        }
    }

    pub(crate) fn conflict(message: &str) -> Self {
        Self {
            kind: MutationErrorKind::Conflict,
            field: None,
            message: message.to_owned(),
        }
    }

    /// Outside the caller's organisation or role.
    pub fn forbidden(field: &str, message: &str) -> Self {
        Self {
            kind: MutationErrorKind::Forbidden,
            field: Some(field.to_owned()),
            message: message.to_owned(),
        }
    }

    /// Mutation `id` arrived when `expected` was due.
    pub fn out_of_order(id: u64, expected: u64) -> Self {
        Self {
            kind: MutationErrorKind::OutOfOrder,
            field: Some("id".into()),
            message: format!(
                "mutation {id} is out of order: the server expected mutation {expected}"
            ),
        }
    }

    /// The status a mutation refused with this error gets.
    pub fn status(&self) -> MutationStatus {
        match self.kind {
            MutationErrorKind::Conflict => MutationStatus::Conflict,
            MutationErrorKind::OutOfOrder => MutationStatus::OutOfOrder,
            MutationErrorKind::UnknownMutation
            | MutationErrorKind::Invalid
            | MutationErrorKind::Forbidden => MutationStatus::Rejected,
        }
    }
}

/// Everything a client may ask the server to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `customer.upsert`: create a customer or replace its details.
    UpsertCustomer(Customer),
    /// `invoice_draft.save`: create a draft or replace it. The draft's `version` is the server version
    /// the edit was based on.
    SaveDraft(InvoiceDraft),
    /// `invoice_draft.delete`: discard a draft; `version` as for a save.
    DeleteDraft(DraftRef),
    /// `item.upsert`: create a catalogue item or replace it.
    UpsertItem(Item),
    /// `settings.save`: replace the organisation's settings (owners only); `version` as for a draft.
    SaveSettings(Settings),
    /// `number_lease.take`: lease a block of the device's own series, to issue offline.
    TakeLease(TakeLease),
    /// `number_lease.return`: hand back a lease's unused numbers.
    ReturnLease(ReturnLease),
    /// `invoice.issue`: issue a draft under the server's next number or a leased one.
    IssueInvoice(IssueInvoice),
    /// `invoice.void`: void an issued invoice (money paid on it becomes customer credit).
    VoidInvoice(VoidInvoice),
    /// `credit_note.issue`: correct an issued invoice, fully or by line.
    IssueCreditNote(IssueCreditNote),
    /// `payment.record`: money received, with where it should go.
    RecordPayment(RecordPayment),
    /// `payment.refund`: customer credit paid back.
    RefundPayment(RefundPayment),
    /// `dispute.open`: a customer contests an invoice; its reminders pause.
    OpenDispute(OpenDispute),
    /// `dispute.resolve`: the dispute's outcome.
    ResolveDispute(ResolveDispute),
    /// `exception.resolve`: a person settled an exception item.
    ResolveException(ResolveException),
    /// `mail.send`: send an issued invoice or credit note to an address, with a message.
    SendMail(SendMail),
    /// `thread.open`: a customer's question or dispute (a dispute pauses the invoice's reminders).
    OpenThread(OpenThread),
    /// `thread.reply`: a message in a thread.
    ReplyToThread(ReplyToThread),
    /// `thread.resolve`: how a thread ended.
    ResolveThread(ResolveThread),
    /// `refund.refused`: the payment gateway refused a refund Remit sent it (the system client's).
    RefundRefused(RefundRefused),
}

/// The arguments of `invoice_draft.delete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRef {
    pub id: InvoiceId,
    pub organisation_id: OrganisationId,
    pub version: u64,
}

/// Each command's wire name, its arguments' type, and the record it changes. One table, so a command
/// cannot be added with a name but without a decoder, or the reverse.
macro_rules! commands {
    ($( $variant:ident($args:ty) = $name:literal, $const:ident, $kind:ident, |$a:ident| $id:expr, |$o:ident| $org:expr; )*) => {
        impl Command {
            $( pub const $const: &'static str = $name; )*

            /// Every mutation name this build knows.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            pub fn name(&self) -> &'static str {
                match self { $( Command::$variant(_) => $name, )* }
            }

            /// The record this command changes.
            pub fn target(&self) -> (EntityKind, Uuid) {
                match self { $( Command::$variant($a) => (EntityKind::$kind, $id), )* }
            }

            fn organisation_id(&self) -> OrganisationId {
                match self { $( Command::$variant($o) => $org, )* }
            }

            fn args_json(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self { $( Command::$variant(a) => serde_json::to_value(a), )* }
            }

            /// Reads a mutation's arguments. A malformed argument is an error naming its path.
            pub fn decode(mutation: &Mutation) -> Result<Command, MutationError> {
                match mutation.name.as_str() {
                    $( $name => args::<$args>(&mutation.args).map(Command::$variant), )*
                    other => Err(MutationError {
                        kind: MutationErrorKind::UnknownMutation,
                        field: Some("name".into()),
                        message: format!("name: unknown mutation {other:?}"),
                    }),
                }
            }
        }
    };
}

commands! {
    UpsertCustomer(Customer) = "customer.upsert", UPSERT_CUSTOMER, Customer, |c| c.id.as_uuid(), |c| c.organisation_id;
    SaveDraft(InvoiceDraft) = "invoice_draft.save", SAVE_DRAFT, InvoiceDraft, |d| d.id.as_uuid(), |d| d.organisation_id;
    DeleteDraft(DraftRef) = "invoice_draft.delete", DELETE_DRAFT, InvoiceDraft, |r| r.id.as_uuid(), |r| r.organisation_id;
    UpsertItem(Item) = "item.upsert", UPSERT_ITEM, Item, |i| i.id.as_uuid(), |i| i.organisation_id;
    SaveSettings(Settings) = "settings.save", SAVE_SETTINGS, Settings, |s| s.organisation_id.as_uuid(), |s| s.organisation_id;
    TakeLease(TakeLease) = "number_lease.take", TAKE_LEASE, NumberLease, |l| l.id.as_uuid(), |l| l.organisation_id;
    ReturnLease(ReturnLease) = "number_lease.return", RETURN_LEASE, NumberLease, |l| l.id.as_uuid(), |l| l.organisation_id;
    IssueInvoice(IssueInvoice) = "invoice.issue", ISSUE_INVOICE, Invoice, |i| i.invoice_id.as_uuid(), |i| i.draft.organisation_id;
    VoidInvoice(VoidInvoice) = "invoice.void", VOID_INVOICE, Invoice, |v| v.invoice_id.as_uuid(), |v| v.organisation_id;
    IssueCreditNote(IssueCreditNote) = "credit_note.issue", ISSUE_CREDIT_NOTE, CreditNote, |c| c.credit_note_id.as_uuid(), |c| c.organisation_id;
    RecordPayment(RecordPayment) = "payment.record", RECORD_PAYMENT, Payment, |p| p.id.as_uuid(), |p| p.organisation_id;
    RefundPayment(RefundPayment) = "payment.refund", REFUND_PAYMENT, Refund, |r| r.id.as_uuid(), |r| r.organisation_id;
    OpenDispute(OpenDispute) = "dispute.open", OPEN_DISPUTE, Dispute, |d| d.id.as_uuid(), |d| d.organisation_id;
    ResolveDispute(ResolveDispute) = "dispute.resolve", RESOLVE_DISPUTE, Dispute, |d| d.id.as_uuid(), |d| d.organisation_id;
    ResolveException(ResolveException) = "exception.resolve", RESOLVE_EXCEPTION, Exception, |e| e.id.as_uuid(), |e| e.organisation_id;
    SendMail(SendMail) = "mail.send", SEND_MAIL, Mail, |m| m.id.as_uuid(), |m| m.organisation_id;
    OpenThread(OpenThread) = "thread.open", OPEN_THREAD, Thread, |t| t.id.as_uuid(), |t| t.organisation_id;
    ReplyToThread(ReplyToThread) = "thread.reply", REPLY_TO_THREAD, ThreadMessage, |m| m.id.as_uuid(), |m| m.organisation_id;
    ResolveThread(ResolveThread) = "thread.resolve", RESOLVE_THREAD, Thread, |t| t.id.as_uuid(), |t| t.organisation_id;
    RefundRefused(RefundRefused) = "refund.refused", REFUND_REFUSED, Exception, |r| r.exception_id().as_uuid(), |r| r.organisation_id;
}

/// What a command changes in the device's own copy at once, before the server has seen it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalEffect {
    Put(Record),
    Delete(EntityKind, Uuid),
    /// The record is the server's to decide (a number, an allocation, a lease): it arrives by pull.
    Nothing,
}

impl Command {
    /// The command's effect on the device's records. Records the server shapes (issued documents,
    /// payments with their allocation, leases, exception items) are not guessed locally.
    pub fn local_effect(&self) -> LocalEffect {
        match self {
            Command::UpsertCustomer(c) => LocalEffect::Put(Record::Customer(c.clone())),
            Command::SaveDraft(d) => LocalEffect::Put(Record::InvoiceDraft(Box::new(d.clone()))),
            Command::DeleteDraft(r) => {
                LocalEffect::Delete(EntityKind::InvoiceDraft, r.id.as_uuid())
            }
            Command::UpsertItem(i) => LocalEffect::Put(Record::Item(i.clone())),
            Command::SaveSettings(s) => LocalEffect::Put(Record::Settings(Box::new(s.clone()))),
            // Issuing turns the draft into an invoice: the draft leaves the device's list at once.
            Command::IssueInvoice(i) => {
                LocalEffect::Delete(EntityKind::InvoiceDraft, i.draft.id.as_uuid())
            }
            Command::TakeLease(_)
            | Command::ReturnLease(_)
            | Command::VoidInvoice(_)
            | Command::IssueCreditNote(_)
            | Command::RecordPayment(_)
            | Command::RefundPayment(_)
            | Command::OpenDispute(_)
            | Command::ResolveDispute(_)
            | Command::ResolveException(_)
            | Command::SendMail(_)
            | Command::OpenThread(_)
            | Command::ReplyToThread(_)
            | Command::ResolveThread(_)
            | Command::RefundRefused(_) => LocalEffect::Nothing,
        }
    }

    /// The wire form, with the id the client's outbox assigns.
    pub fn to_mutation(&self, id: u64) -> Mutation {
        Mutation {
            id,
            name: self.name().to_owned(),
            args: self.args_json().unwrap_or(serde_json::Value::Null),
        }
    }

    /// Checks that the caller's role may change records (settings: owners only), that the command
    /// stays inside the caller's organisation, and the command's own rules.
    pub fn check(&self, caller: OrganisationId, role: Role) -> Result<(), MutationError> {
        if !role.may_write() {
            return Err(MutationError {
                kind: MutationErrorKind::Forbidden,
                field: None,
                message: format!(
                    "a {} user cannot change records",
                    role.as_str().replace('_', "-")
                ),
            });
        }
        if matches!(self, Command::SaveSettings(_)) && !role.may_change_settings() {
            return Err(MutationError {
                kind: MutationErrorKind::Forbidden,
                field: None,
                message: "only an owner can change the organisation's settings".into(),
            });
        }
        if self.organisation_id() != caller {
            return Err(MutationError::forbidden(
                "organisation_id",
                "organisation_id must be the signed-in user's organisation",
            ));
        }
        match self {
            Command::UpsertCustomer(c) => c.validate(),
            Command::SaveDraft(d) => d.validate(),
            Command::DeleteDraft(_) | Command::ReturnLease(_) => Ok(()),
            Command::UpsertItem(i) => i.validate(),
            Command::SaveSettings(s) => s.validate(),
            Command::TakeLease(l) => l.validate(),
            Command::IssueInvoice(i) => i.validate(),
            Command::VoidInvoice(v) => v.validate(),
            Command::IssueCreditNote(c) => c.validate(),
            Command::RecordPayment(p) => p.validate(),
            Command::RefundPayment(r) => r.validate(),
            Command::OpenDispute(d) => d.validate(),
            Command::ResolveDispute(d) => d.validate(),
            Command::ResolveException(e) => e.validate(),
            Command::SendMail(m) => m.validate(),
            Command::OpenThread(t) => t.validate(),
            Command::ReplyToThread(m) => m.validate(),
            Command::ResolveThread(t) => t.validate(),
            Command::RefundRefused(r) => r.validate(),
        }
        .map_err(MutationError::invalid)
    }
}

/// Reads a command's arguments, naming the path of a malformed one (feature `field-paths`).
#[cfg(feature = "field-paths")]
fn args<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, MutationError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        decode_error(field, e.into_inner().to_string())
    })
}

/// Reads a command's arguments; a malformed one is reported without its path (only a missing field is
/// named).
///
/// From an owned copy: the app decodes everything else from an owned `Value` (its stored rows, pulled
/// records), and decoding from `&Value` here would be a second decoder of every argument type in its wasm.
#[cfg(not(feature = "field-paths"))]
fn args<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, MutationError> {
    T::deserialize(value.clone()).map_err(|e| decode_error(String::new(), e.to_string()))
}

/// The error of an argument at `field` (empty: the arguments as a whole) that serde could not read.
fn decode_error(field: String, detail: String) -> MutationError {
    // serde's message for a missing field names it; lift it into the path.
    let field = match detail.strip_prefix("missing field `") {
        Some(rest) if field.is_empty() => rest.trim_end_matches('`').to_owned(),
        Some(rest) => format!("{field}.{}", rest.trim_end_matches('`')),
        None => field,
    };
    let rule = if detail.starts_with("missing field") {
        Rule::Required
    } else {
        Rule::Format { detail }
    };
    MutationError::invalid(ValidationError::new(field, rule))
}

/// What the server knows of a stored draft when a save or delete of it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftHead {
    pub version: u64,
    /// The client whose mutation produced this version.
    pub last_client: ClientId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "019a4d5e-0000-7000-8000-000000000001";
    const OTHER_ORG: &str = "019a4d5e-0000-7000-8000-0000000000ff";

    fn customer_args() -> serde_json::Value {
        json!({
            "id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
            "organisation_id": ORG,
            "name": "Acme GmbH",
            "email": "",
            "currency": "EUR",
            "payment_terms_days": 30
        })
    }

    fn draft_args() -> serde_json::Value {
        json!({
            "id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60",
            "organisation_id": ORG,
            "customer_id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
            "currency": "EUR",
            "issue_date": "2026-11-23",
            "due_date": "2026-12-23",
            "lines": [
                {"description": "Audit", "quantity": "1.5", "unit_price": "0.35", "tax_rate": "19"},
                {"description": "Travel", "quantity": "1", "unit_price": "oops", "tax_rate": "19"}
            ]
        })
    }

    fn mutation(name: &str, args: serde_json::Value) -> Mutation {
        Mutation {
            id: 1,
            name: name.into(),
            args,
        }
    }

    #[test]
    fn a_command_survives_the_wire() {
        let cmd = Command::decode(&mutation(Command::UPSERT_CUSTOMER, customer_args())).unwrap();
        let again = Command::decode(&cmd.to_mutation(7)).unwrap();
        assert_eq!(cmd, again);
        assert_eq!(cmd.to_mutation(7).id, 7);
    }

    #[test]
    #[cfg(feature = "field-paths")]
    fn a_malformed_argument_is_rejected_with_its_path() {
        let e = Command::decode(&mutation(Command::SAVE_DRAFT, draft_args())).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Invalid);
        assert_eq!(e.field.as_deref(), Some("lines[1].unit_price"));

        let mut missing = customer_args();
        missing.as_object_mut().unwrap().remove("name");
        let e = Command::decode(&mutation(Command::UPSERT_CUSTOMER, missing)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name is required");
    }

    #[test]
    fn an_unknown_mutation_is_named() {
        let e = Command::decode(&mutation("invoice.teleport", json!({}))).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::UnknownMutation);
        assert!(e.message.contains("invoice.teleport"));
    }

    #[test]
    fn a_command_may_not_reach_into_another_organisation_or_come_from_a_reader() {
        let cmd = Command::decode(&mutation(Command::UPSERT_CUSTOMER, customer_args())).unwrap();
        let org = OrganisationId::parse(ORG).unwrap();
        assert_eq!(cmd.check(org, Role::Billing), Ok(()));
        let e = cmd
            .check(OrganisationId::parse(OTHER_ORG).unwrap(), Role::Owner)
            .unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Forbidden);
        let e = cmd.check(org, Role::ReadOnly).unwrap_err();
        assert_eq!(e.kind, MutationErrorKind::Forbidden);
        assert_eq!(e.message, "a read-only user cannot change records");
    }

    #[test]
    fn a_business_rule_is_checked_after_reading() {
        let mut args = draft_args();
        args["lines"][1]["unit_price"] = json!("-2");
        let cmd = Command::decode(&mutation(Command::SAVE_DRAFT, args)).unwrap();
        let e = cmd
            .check(OrganisationId::parse(ORG).unwrap(), Role::Owner)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("lines[1].unit_price"));
        assert_eq!(e.message, "lines[1].unit_price must not be negative");
    }

    #[test]
    fn each_error_kind_maps_to_its_status() {
        assert_eq!(
            MutationError::out_of_order(5, 3).status(),
            MutationStatus::OutOfOrder
        );
        assert_eq!(
            MutationError::conflict("x").status(),
            MutationStatus::Conflict
        );
        assert_eq!(
            MutationError::forbidden("id", "x").status(),
            MutationStatus::Rejected
        );
        let invalid = MutationError::invalid(ValidationError::new("name", Rule::Required));
        assert_eq!(
            (invalid.status(), invalid.field.as_deref()),
            (MutationStatus::Rejected, Some("name"))
        );
        assert!(
            MutationError::out_of_order(5, 3)
                .message
                .contains("expected mutation 3")
        );
    }
}
