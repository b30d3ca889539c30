//! Number leases, issuing, voiding and credit notes. The shell loads what a decision needs (the draft's
//! head, the series' last number, the lease, the customer's account), asks here, and carries out the
//! [`Decision`]; it decides nothing itself.
//!
//! A server-numbered issue, a void or a credit note is a request: it may be refused. An invoice issued
//! offline under a leased number is a fact: the customer has it. It is recorded whatever the rules say,
//! and what it breaks becomes an exception item.

use chrono::NaiveDate;
use serde_json::json;

use super::drafts::version_after_edit;
use super::{Cause, Decision, Notice, Write, invalid as invalid_argument};
use crate::customer::Customer;
use crate::document::issue::{Payee, Snapshot};
use crate::document::issued::{
    CreditNote, Invoice, IssueCreditNote, IssueInvoice, NumberSource, SequencePlace, VoidInvoice,
    Voided,
};
use crate::document::{InvoiceDraft, einvoice_rules};
use crate::ids::{ClientId, InvoiceId, LeaseId};
use crate::numbering::InvoiceNumber;
use crate::numbering::check_issue_date;
use crate::numbering::lease::{
    NumberLease, ReturnLease, TakeLease, device_series, next_device_code, next_leased_number,
};
use crate::receivables::account::Account;
use crate::receivables::events::AccountEvent;
use crate::receivables::exception::ExceptionKind;
use crate::settings::Settings;
use crate::sync::mutation::{DraftHead, MutationError};
use crate::validation::{Rule, ValidationError};

/// The last document numbered in a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesHead {
    pub position: u64,
    pub issue_date: NaiveDate,
}

/// What the server knows when an `invoice.issue` arrives.
#[derive(Debug, Clone)]
pub struct IssueContext<'a> {
    pub settings: &'a Settings,
    pub customer: &'a Customer,
    /// The pushing device.
    pub client: ClientId,
    /// The server's copy of the draft, when it has one.
    pub draft_head: Option<DraftHead>,
    /// Invoices already issued from the same draft.
    pub issued_from_draft: Vec<InvoiceNumber>,
    /// The last document of the sequence the number falls in ([`issue_sequence`]).
    pub last_in_sequence: Option<SeriesHead>,
    /// For a leased number: its lease, and whether the number is already on an invoice.
    pub lease: Option<&'a NumberLease>,
    pub number_taken: bool,
}

/// An invoice to record, with the exceptions it raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub invoice: Invoice,
    pub exceptions: Vec<ExceptionKind>,
}

/// The sequence an issue draws from: the organisation's series for the draft's date, or the lease's.
pub fn issue_sequence(
    issue: &IssueInvoice,
    settings: &Settings,
    lease: Option<&NumberLease>,
) -> String {
    match (&issue.number, lease) {
        (NumberSource::Leased { .. }, Some(lease)) => {
            lease.series.sequence_key(issue.draft.issue_date)
        }
        _ => settings.invoice_series.sequence_key(issue.draft.issue_date),
    }
}

fn invalid(e: ValidationError) -> MutationError {
    MutationError::invalid(e)
}

/// The invoice an `invoice.issue` records, with the exceptions it raises; the same on the server and
/// on a device issuing offline.
pub fn issued_invoice(
    issue: &IssueInvoice,
    ctx: &IssueContext<'_>,
) -> Result<Issued, MutationError> {
    let (place, mut exceptions) = match &issue.number {
        NumberSource::Server => (server_number(issue, ctx)?, Vec::new()),
        NumberSource::Leased { lease_id, number } => leased_number(issue, ctx, *lease_id, number)?,
    };
    let invoice = invoice_at(issue, ctx, place)?;
    if let Err(e) = einvoice_rules::check(&invoice.snapshot) {
        match issue.number {
            NumberSource::Server => return Err(invalid(e)),
            // The customer has it: recorded, and what it breaks is raised for a person to correct.
            NumberSource::Leased { .. } => exceptions.push(ExceptionKind::NotAnEInvoice {
                invoice_id: invoice.id,
                number: invoice.number().clone(),
                problem: e.to_string(),
            }),
        }
    }
    Ok(Issued {
        invoice,
        exceptions,
    })
}

/// Where an issue lands: its number, its position in the sequence, and the lease it came from.
struct Place {
    number: InvoiceNumber,
    position: u64,
    lease_id: Option<LeaseId>,
}

/// A server-numbered issue is a request: the series' next number, or a refusal naming the rule.
fn server_number(issue: &IssueInvoice, ctx: &IssueContext<'_>) -> Result<Place, MutationError> {
    let draft = &issue.draft;
    ctx.settings
        .seller
        .validate()
        .map_err(|e| invalid(e.within("settings.seller")))?;
    if let Some(first) = ctx.issued_from_draft.first() {
        return Err(MutationError::conflict(&format!(
            "the draft was already issued as {first} on another device"
        )));
    }
    version_after_edit(ctx.draft_head.as_ref(), draft.version, ctx.client)?;
    if let Some(until) = ctx.settings.period_locked_until
        && ctx.settings.is_locked(draft.issue_date)
    {
        return Err(invalid(ValidationError::new(
            "draft.issue_date",
            Rule::Matches {
                expected: format!("after {until}, the end of the closed period"),
            },
        )));
    }
    check_issue_date(ctx.last_in_sequence.map(|h| h.issue_date), draft.issue_date)
        .map_err(|e| invalid(e.within("draft")))?;
    let position = ctx.last_in_sequence.map_or(0, |h| h.position) + 1;
    let number = ctx
        .settings
        .invoice_series
        .format(draft.issue_date, position)
        .map_err(|e| invalid(e.within("settings.invoice_series")))?;
    Ok(Place {
        number,
        position,
        lease_id: None,
    })
}

/// An issue under a leased number is a fact once the number is the device's own and unused: what it
/// breaks is raised as exceptions, never refused.
fn leased_number(
    issue: &IssueInvoice,
    ctx: &IssueContext<'_>,
    lease_id: LeaseId,
    number: &InvoiceNumber,
) -> Result<(Place, Vec<ExceptionKind>), MutationError> {
    let lease = ctx.lease.filter(|l| l.id == lease_id).ok_or_else(|| {
        invalid(ValidationError::new(
            "number.lease_id",
            Rule::Matches {
                expected: "a lease the organisation granted".into(),
            },
        ))
    })?;
    if lease.client_id != ctx.client {
        return Err(MutationError::forbidden(
            "number.lease_id",
            "number.lease_id must be a lease of this device",
        ));
    }
    let position = lease
        .check_number(number)
        .map_err(|e| invalid(e.within("number")))?;
    if ctx.number_taken {
        return Err(invalid(ValidationError::new(
            "number.number",
            Rule::Matches {
                expected: format!("a number not yet issued; {number} is on another invoice"),
            },
        )));
    }
    let place = Place {
        number: number.clone(),
        position,
        lease_id: Some(lease_id),
    };
    Ok((place, broken_by_fact(issue, ctx, number)))
}

/// The rules an invoice already issued under a leased number breaks.
fn broken_by_fact(
    issue: &IssueInvoice,
    ctx: &IssueContext<'_>,
    number: &InvoiceNumber,
) -> Vec<ExceptionKind> {
    let draft = &issue.draft;
    let mut exceptions = Vec::new();
    if let Some(locked_until) = ctx.settings.period_locked_until
        && ctx.settings.is_locked(draft.issue_date)
    {
        exceptions.push(ExceptionKind::IssuedInClosedPeriod {
            invoice_id: issue.invoice_id,
            number: number.clone(),
            issue_date: draft.issue_date,
            locked_until,
        });
    }
    if let Some(last) = ctx.last_in_sequence
        && draft.issue_date < last.issue_date
    {
        exceptions.push(ExceptionKind::IssueDateOutOfOrder {
            invoice_id: issue.invoice_id,
            number: number.clone(),
            issue_date: draft.issue_date,
            last_date: last.issue_date,
        });
    }
    if !ctx.issued_from_draft.is_empty() {
        let mut numbers = ctx.issued_from_draft.clone();
        numbers.push(number.clone());
        exceptions.push(ExceptionKind::DraftIssuedTwice {
            draft_id: draft.id,
            numbers,
        });
    } else if ctx.draft_head.is_some()
        && version_after_edit(ctx.draft_head.as_ref(), draft.version, ctx.client).is_err()
    {
        exceptions.push(ExceptionKind::DraftChangedElsewhere {
            invoice_id: issue.invoice_id,
            number: number.clone(),
        });
    }
    exceptions
}

/// The invoice with its frozen snapshot, at `place`.
fn invoice_at(
    issue: &IssueInvoice,
    ctx: &IssueContext<'_>,
    place: Place,
) -> Result<Invoice, MutationError> {
    let draft = &issue.draft;
    let plan = draft
        .payment_plan()
        .map_err(|e| invalid(e.within("draft")))?;
    let seller = ctx.settings.seller.clone();
    let buyer = ctx.customer.as_buyer(&seller);
    let sequence = issue_sequence(issue, ctx.settings, ctx.lease);
    let payee = Payee::of(ctx.settings);
    let snapshot = Snapshot::issue_for(draft, place.number, seller, buyer, plan, &payee)
        .map_err(|e| invalid(e.within("draft")))?;
    Ok(Invoice {
        id: issue.invoice_id,
        organisation_id: draft.organisation_id,
        customer_id: draft.customer_id,
        draft_id: draft.id,
        place: SequencePlace {
            sequence,
            position: place.position,
        },
        lease_id: place.lease_id,
        digest: snapshot.digest(),
        snapshot,
        voided: None,
    })
}

/// Issues `draft` on a device with no network, under its next leased number: the `invoice.issue` to
/// record and the invoice to show at once. The invoice is the decision the server will take on the
/// device's own copies of the settings and the customer, so the screen shows the number and totals the
/// server will record. `used` are the numbers on invoices the device holds. Refused when the draft
/// cannot be issued, or when every leased number is used (a device leases more only while online).
pub fn issue_offline(
    invoice_id: InvoiceId,
    draft: InvoiceDraft,
    settings: &Settings,
    customer: &Customer,
    client: ClientId,
    leases: &[NumberLease],
    used: &[InvoiceNumber],
) -> Result<(IssueInvoice, Invoice), MutationError> {
    let Some((lease_id, number)) = next_leased_number(client, leases, used) else {
        return Err(invalid(ValidationError::new(
            "number",
            Rule::Matches {
                expected: "a number this device leased while online; every leased number is \
                           used, so connect to the network to issue this invoice"
                    .into(),
            },
        )));
    };
    let issue = IssueInvoice {
        invoice_id,
        draft,
        number: NumberSource::Leased { lease_id, number },
    };
    issue.validate().map_err(invalid)?;
    let context = IssueContext {
        settings,
        customer,
        client,
        draft_head: None,
        issued_from_draft: Vec::new(),
        last_in_sequence: None,
        lease: leases.iter().find(|l| l.id == lease_id),
        number_taken: false,
    };
    let invoice = issued_invoice(&issue, &context)?.invoice;
    // Once issued offline the invoice is a fact the server cannot refuse: refuse it here, before.
    einvoice_rules::check(&invoice.snapshot).map_err(invalid)?;
    Ok((issue, invoice))
}

/// The lease a `number_lease.take` grants: the next block of the device's series. A device may only issue
/// offline once the seller is complete enough to print on an invoice, because an invoice issued from
/// the lease can no longer be refused.
pub fn granted_lease(
    request: &TakeLease,
    settings: &Settings,
    client: ClientId,
    device_code: &str,
    highest_leased: u64,
) -> Result<NumberLease, MutationError> {
    settings
        .seller
        .validate()
        .map_err(|e| invalid(e.within("settings.seller")))?;
    let series = device_series(&settings.invoice_series, device_code);
    NumberLease::grant(request, client, series, highest_leased).map_err(invalid)
}

/// The void mark an `invoice.void` puts on `invoice`: `Ok(None)` when the invoice is already voided (a replay elsewhere is
/// harmless). An invoice with a credit note is corrected by crediting the rest instead: voiding it
/// would credit the customer twice.
pub fn void_mark(
    void: &VoidInvoice,
    invoice: &Invoice,
    credit_notes: usize,
    settings: &Settings,
) -> Result<Option<Voided>, MutationError> {
    if invoice.voided.is_some() {
        return Ok(None);
    }
    if credit_notes > 0 {
        return Err(invalid(ValidationError::new(
            "invoice_id",
            Rule::Matches {
                expected: "an invoice without credit notes; credit the rest instead".into(),
            },
        )));
    }
    if void.on < invoice.snapshot.issue_date || settings.is_locked(void.on) {
        return Err(invalid(ValidationError::new(
            "on",
            Rule::Matches {
                expected: format!(
                    "on or after the invoice date {} and outside the closed period",
                    invoice.snapshot.issue_date
                ),
            },
        )));
    }
    Ok(Some(Voided {
        on: void.on,
        reason: void.reason.trim().to_owned(),
    }))
}

/// The credit note a `credit_note.issue` issues against `invoice`, given the credit notes already issued against it
/// and the last document of the credit-note sequence for its date.
pub fn credit_note(
    request: &IssueCreditNote,
    invoice: &Invoice,
    earlier: &[CreditNote],
    settings: &Settings,
    last_in_sequence: Option<SeriesHead>,
) -> Result<CreditNote, MutationError> {
    if invoice.voided.is_some() {
        return Err(invalid(ValidationError::new(
            "invoice_id",
            Rule::Matches {
                expected: "an invoice that is not voided".into(),
            },
        )));
    }
    if request.issue_date < invoice.snapshot.issue_date || settings.is_locked(request.issue_date) {
        return Err(invalid(ValidationError::new(
            "issue_date",
            Rule::Matches {
                expected: format!(
                    "on or after the invoice date {} and outside the closed period",
                    invoice.snapshot.issue_date
                ),
            },
        )));
    }
    check_issue_date(last_in_sequence.map(|h| h.issue_date), request.issue_date)
        .map_err(invalid)?;
    let series = &settings.credit_note_series;
    let position = last_in_sequence.map_or(0, |h| h.position) + 1;
    let number = series
        .format(request.issue_date, position)
        .map_err(|e| invalid(e.within("settings.credit_note_series")))?;
    let earlier: Vec<Snapshot> = earlier.iter().map(|c| c.snapshot.clone()).collect();
    let mut snapshot = invoice
        .snapshot
        .credit_note(&earlier, number, request.issue_date, &request.scope)
        .map_err(|e| invalid(e.within("scope")))?;
    snapshot.note = request.note.trim().to_owned();
    Ok(CreditNote {
        id: request.credit_note_id,
        organisation_id: invoice.organisation_id,
        customer_id: invoice.customer_id,
        invoice_id: invoice.id,
        place: SequencePlace {
            sequence: series.sequence_key(request.issue_date),
            position,
        },
        digest: snapshot.digest(),
        snapshot,
    })
}

/// The code of the device's own series: the one it was given, or the next free one.
pub fn device_code(given: Option<String>, codes_known: usize) -> String {
    given.unwrap_or_else(|| next_device_code(codes_known))
}

/// The sequence a device's leases draw from (leased numbers carry no year).
pub fn lease_sequence(settings: &Settings, device_code: &str) -> String {
    device_series(&settings.invoice_series, device_code).sequence_key(NaiveDate::MIN)
}

/// What a `number_lease.take` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseFacts {
    /// Whether the lease id is already used.
    pub id_taken: bool,
    pub settings: Settings,
    pub client: ClientId,
    /// The device's code ([`device_code`]) and the highest number leased in its series.
    pub device_code: String,
    pub highest_leased: u64,
}

/// Decides a `number_lease.take`.
pub fn decide_lease_take(
    request: &TakeLease,
    facts: &LeaseFacts,
) -> Result<Decision, MutationError> {
    if facts.id_taken {
        return Err(unused_id());
    }
    let lease = granted_lease(
        request,
        &facts.settings,
        facts.client,
        &facts.device_code,
        facts.highest_leased,
    )?;
    let audit = json!({
        "op": "put", "entity": "number_lease", "id": lease.id, "device": facts.device_code,
        "first": lease.first, "last": lease.last,
    });
    Ok(Decision::store(
        Write::Lease {
            lease,
            device_code: facts.device_code.clone(),
        },
        audit,
    ))
}

/// What a `number_lease.return` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFacts {
    pub lease: Option<NumberLease>,
    /// The highest number of the lease on an invoice (0 if none).
    pub highest_used: u64,
    pub client: ClientId,
}

/// Decides a `number_lease.return`: only the device that holds a lease hands it back, and a lease with
/// nothing left to hand back stays as it is.
pub fn decide_lease_return(
    request: &ReturnLease,
    facts: &ReturnFacts,
) -> Result<Decision, MutationError> {
    let Some(lease) = &facts.lease else {
        return Err(invalid_argument("id", "a lease the organisation granted"));
    };
    if lease.client_id != facts.client {
        return Err(MutationError::forbidden(
            "id",
            "id must be a lease of this device",
        ));
    }
    let returned = lease.hand_back(facts.highest_used);
    if returned == *lease {
        return Ok(Decision::unchanged(
            "number_lease",
            request.id,
            "nothing to hand back",
        ));
    }
    let audit = json!({
        "op": "put", "entity": "number_lease", "id": lease.id,
        "returned_from": returned.returned_from, "last": lease.last,
    });
    let device_code = returned.series.branch.clone().unwrap_or_default();
    Ok(Decision::store(
        Write::Lease {
            lease: returned,
            device_code,
        },
        audit,
    ))
}

fn unused_id() -> MutationError {
    invalid_argument("id", "an id not used by another record")
}

/// Checks that `event` applies to the customer's account as core replays it, so a stored account
/// always replays.
fn applies(account: &Account, event: &AccountEvent) -> Result<(), MutationError> {
    event
        .apply(&mut account.clone())
        .map_err(MutationError::invalid)
}

/// What an `invoice.issue` is decided on, beyond [`IssueContext`]'s part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueFacts {
    pub cause: Cause,
    /// Whether the invoice id is already used.
    pub id_taken: bool,
    pub settings: Settings,
    /// The draft's customer, when it is the organisation's.
    pub customer: Option<Customer>,
    /// The server's copy of the draft, when it has one (it is deleted once issued).
    pub draft_head: Option<DraftHead>,
    pub issued_from_draft: Vec<InvoiceNumber>,
    /// The last document of the sequence the number falls in ([`issue_sequence`]).
    pub last_in_sequence: Option<SeriesHead>,
    /// For a leased number: its lease, and whether the number is already on an invoice.
    pub lease: Option<NumberLease>,
    pub number_taken: bool,
    /// The customer's account before the issue.
    pub account: Account,
}

/// Decides an `invoice.issue`: the invoice, the account event, the draft's deletion, the exceptions a
/// leased issue raises, and the `invoice.issued` notice.
pub fn decide_invoice_issue(
    issue: &IssueInvoice,
    facts: &IssueFacts,
) -> Result<Decision, MutationError> {
    if facts.id_taken {
        return Err(unused_id());
    }
    let Some(customer) = &facts.customer else {
        return Err(invalid_argument(
            "draft.customer_id",
            "a customer of the organisation",
        ));
    };
    let issued = issued_invoice(
        issue,
        &IssueContext {
            settings: &facts.settings,
            customer,
            client: facts.cause.client,
            draft_head: facts.draft_head,
            issued_from_draft: facts.issued_from_draft.clone(),
            last_in_sequence: facts.last_in_sequence,
            lease: facts.lease.as_ref(),
            number_taken: facts.number_taken,
        },
    )?;
    let invoice = issued.invoice;
    let event = AccountEvent::Invoiced {
        invoice_id: invoice.id,
        number: invoice.number().clone(),
        issue_date: invoice.snapshot.issue_date,
        schedule: invoice.snapshot.schedule.clone(),
    };
    applies(&facts.account, &event)?;
    let audit = json!({
        "op": "put", "entity": "invoice", "id": invoice.id, "number": invoice.number(),
        "draft_id": issue.draft.id, "lease_id": invoice.lease_id, "digest": invoice.digest,
        "amount_due": invoice.snapshot.totals.amount_due.amount().to_string(),
        "exceptions": issued.exceptions.len(),
    });
    let mut decision = Decision::store(Write::Invoice(invoice.clone()), audit)
        .with_event(invoice.customer_id, event);
    // The draft became the invoice.
    if facts.draft_head.is_some() {
        decision = decision.then(Write::DeleteDraft(issue.draft.id));
    }
    Ok(decision
        .raise(&facts.cause, Some(invoice.customer_id), issued.exceptions)
        .notify(Notice::InvoiceIssued(Box::new(invoice))))
}

/// What an `invoice.void` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidFacts {
    pub invoice: Option<Invoice>,
    /// How many credit notes correct the invoice.
    pub credit_notes: usize,
    pub settings: Settings,
    /// The customer's account before the void.
    pub account: Account,
}

/// Decides an `invoice.void`.
pub fn decide_invoice_void(
    void: &VoidInvoice,
    facts: &VoidFacts,
) -> Result<Decision, MutationError> {
    let Some(invoice) = &facts.invoice else {
        return Err(invalid_argument(
            "invoice_id",
            "an issued invoice of the organisation",
        ));
    };
    let Some(voided) = void_mark(void, invoice, facts.credit_notes, &facts.settings)? else {
        return Ok(Decision::unchanged("invoice", invoice.id, "already voided"));
    };
    let event = AccountEvent::Voided {
        invoice_id: invoice.id,
        number: invoice.number().clone(),
        on: voided.on,
    };
    applies(&facts.account, &event)?;
    let audit = json!({
        "op": "void", "entity": "invoice", "id": invoice.id, "number": invoice.number(),
        "on": voided.on, "reason": void.reason,
    });
    let mut invoice = invoice.clone();
    invoice.voided = Some(voided);
    let customer = invoice.customer_id;
    Ok(Decision::store(Write::Void(invoice), audit).with_event(customer, event))
}

/// The sequence a credit note dated as `request` asks is numbered in.
pub fn credit_note_sequence(request: &IssueCreditNote, settings: &Settings) -> String {
    settings.credit_note_series.sequence_key(request.issue_date)
}

/// What a `credit_note.issue` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteFacts {
    /// Whether the credit note id is already used.
    pub id_taken: bool,
    pub invoice: Option<Invoice>,
    /// The credit notes already issued against the invoice.
    pub earlier: Vec<CreditNote>,
    pub settings: Settings,
    /// The last document of [`credit_note_sequence`].
    pub last_in_sequence: Option<SeriesHead>,
    /// The customer's account before the credit note.
    pub account: Account,
}

/// Decides a `credit_note.issue`.
pub fn decide_credit_note_issue(
    request: &IssueCreditNote,
    facts: &CreditNoteFacts,
) -> Result<Decision, MutationError> {
    if facts.id_taken {
        return Err(unused_id());
    }
    let Some(invoice) = &facts.invoice else {
        return Err(invalid_argument(
            "invoice_id",
            "an issued invoice of the organisation",
        ));
    };
    let note = credit_note(
        request,
        invoice,
        &facts.earlier,
        &facts.settings,
        facts.last_in_sequence,
    )?;
    let event = AccountEvent::Credited {
        credit_note_id: note.id,
        number: note.snapshot.number.clone(),
        invoice_id: invoice.id,
        issue_date: note.snapshot.issue_date,
        amount: note.snapshot.totals.amount_due,
    };
    applies(&facts.account, &event)?;
    let audit = json!({
        "op": "put", "entity": "credit_note", "id": note.id, "number": note.snapshot.number,
        "invoice": invoice.number(), "amount": note.snapshot.totals.amount_due.amount().to_string(),
    });
    Ok(Decision::store(Write::CreditNote(note), audit).with_event(invoice.customer_id, event))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::decide::Change;
    use crate::document::issue::CreditScope;
    use crate::fixtures;
    use crate::ids::{CreditNoteId, CustomerId, InvoiceId, LeaseId, OrganisationId, UserId};
    use crate::receivables::exception::ExceptionItem;
    use crate::sync::MutationErrorKind;

    fn org() -> OrganisationId {
        OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap()
    }

    fn client(n: u8) -> ClientId {
        ClientId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn settings() -> Settings {
        let seller = fixtures::address("Kaigata 1", "8006", "Bodø", "NO");
        fixtures::settings_with_seller(org(), "Nordlys AS", seller)
    }

    fn customer() -> Customer {
        let id = CustomerId::parse(fixtures::CUSTOMER).unwrap();
        fixtures::customer(id, org(), "Fiskeri AS", "NOK")
    }

    fn issue(number: NumberSource) -> IssueInvoice {
        IssueInvoice {
            invoice_id: InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000f1").unwrap(),
            draft: fixtures::draft(
                "NOK",
                vec![fixtures::line("Net repair", dec!(4), dec!(250), dec!(25))],
            ),
            number,
        }
    }

    fn ctx<'a>(settings: &'a Settings, customer: &'a Customer) -> IssueContext<'a> {
        IssueContext {
            settings,
            customer,
            client: client(1),
            draft_head: None,
            issued_from_draft: Vec::new(),
            last_in_sequence: None,
            lease: None,
            number_taken: false,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn lease(settings: &Settings, first_free: u64) -> NumberLease {
        let take = TakeLease {
            id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            organisation_id: org(),
            count: 10,
        };
        granted_lease(&take, settings, client(1), "L7", first_free - 1).unwrap()
    }

    fn leased(number: &str) -> NumberSource {
        NumberSource::Leased {
            lease_id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            number: InvoiceNumber::parse(number).unwrap(),
        }
    }

    #[test]
    fn the_server_numbers_the_next_position_of_the_series() {
        let (settings, customer) = (settings(), customer());
        let mut ctx = ctx(&settings, &customer);
        ctx.last_in_sequence = Some(SeriesHead {
            position: 41,
            issue_date: day("2026-11-20"),
        });
        let issued = issued_invoice(&issue(NumberSource::Server), &ctx).unwrap();
        let invoice = issued.invoice;
        assert_eq!(invoice.number().as_str(), "INV-2026-000042");
        assert_eq!(invoice.place.position, 42);
        assert_eq!(invoice.place.sequence, "Invoice/INV/2026");
        assert_eq!(invoice.snapshot.buyer.address.country, "NO");
        assert_eq!(invoice.snapshot.totals.amount_due.amount(), dec!(1250.00));
        assert_eq!(invoice.digest, invoice.snapshot.digest());
        assert!(issued.exceptions.is_empty());
    }

    #[test]
    fn the_invoice_is_issued_with_the_drafts_chosen_terms() {
        use crate::terms::{Instalment, PaymentPlan, PaymentTerms};
        let (settings, customer) = (settings(), customer());
        let mut request = issue(NumberSource::Server);
        let plan = PaymentPlan {
            instalments: vec![
                Instalment {
                    percent: dec!(40),
                    terms: PaymentTerms::DueOnReceipt,
                },
                Instalment {
                    percent: dec!(60),
                    terms: PaymentTerms::DayOfNextMonth { day: 15 },
                },
            ],
            discount: None,
        };
        request.draft.terms = Some(plan.clone());
        request.draft.due_date = day("2026-12-15");
        let snapshot = issued_invoice(&request, &ctx(&settings, &customer))
            .unwrap()
            .invoice
            .snapshot;
        assert_eq!(snapshot.plan, plan);
        let schedule: Vec<_> = snapshot
            .schedule
            .iter()
            .map(|p| (p.due_date, p.amount.amount()))
            .collect();
        assert_eq!(
            schedule,
            vec![
                (day("2026-11-23"), dec!(500.00)),
                (day("2026-12-15"), dec!(750.00))
            ]
        );
    }

    #[test]
    fn a_server_numbered_issue_is_a_request_and_may_be_refused() {
        let (mut settings, customer) = (settings(), customer());
        // (what is different, kind, field)
        let later = SeriesHead {
            position: 1,
            issue_date: day("2026-11-24"),
        };
        let base = ctx(&settings, &customer);
        let cases: Vec<(IssueContext<'_>, MutationErrorKind, Option<&str>)> = vec![
            (
                IssueContext {
                    last_in_sequence: Some(later),
                    ..base.clone()
                },
                MutationErrorKind::Invalid,
                Some("draft.issue_date"),
            ),
            (
                IssueContext {
                    issued_from_draft: vec![InvoiceNumber::parse("INV-2026-000007").unwrap()],
                    ..base.clone()
                },
                MutationErrorKind::Conflict,
                None,
            ),
            (
                IssueContext {
                    draft_head: Some(DraftHead {
                        version: 3,
                        last_client: client(2),
                    }),
                    ..base.clone()
                },
                MutationErrorKind::Conflict,
                None,
            ),
        ];
        for (ctx, kind, field) in cases {
            let e = issued_invoice(&issue(NumberSource::Server), &ctx).unwrap_err();
            assert_eq!((e.kind, e.field.as_deref()), (kind, field), "{e}");
        }
        settings.period_locked_until = Some(day("2026-11-30"));
        let e =
            issued_invoice(&issue(NumberSource::Server), &ctx(&settings, &customer)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("draft.issue_date"));
        assert!(e.message.contains("after 2026-11-30"));
    }

    #[test]
    fn an_invoice_issued_offline_is_recorded_whatever_the_rules_say() {
        let (mut settings, customer) = (settings(), customer());
        settings.period_locked_until = Some(day("2026-11-30"));
        let lease = lease(&settings, 1);
        let mut ctx = ctx(&settings, &customer);
        ctx.lease = Some(&lease);
        ctx.last_in_sequence = Some(SeriesHead {
            position: 2,
            issue_date: day("2026-11-25"),
        });
        ctx.issued_from_draft = vec![InvoiceNumber::parse("INV-L3-000001").unwrap()];
        let issued = issued_invoice(&issue(leased("INV-L7-000003")), &ctx).unwrap();
        assert_eq!(issued.invoice.number().as_str(), "INV-L7-000003");
        assert_eq!(issued.invoice.place.sequence, "Invoice/INV/L7");
        assert_eq!(issued.invoice.lease_id, Some(lease.id));
        let kinds: Vec<&str> = issued
            .exceptions
            .iter()
            .map(|e| match e {
                ExceptionKind::IssuedInClosedPeriod { .. } => "closed period",
                ExceptionKind::IssueDateOutOfOrder { .. } => "date out of order",
                ExceptionKind::DraftIssuedTwice { .. } => "issued twice",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["closed period", "date out of order", "issued twice"]
        );
    }

    #[test]
    fn a_leased_number_must_come_from_this_devices_lease_and_be_unused() {
        let (settings, customer) = (settings(), customer());
        let lease = lease(&settings, 1);
        let base = IssueContext {
            lease: Some(&lease),
            ..ctx(&settings, &customer)
        };
        let cases = [
            (
                base.clone(),
                "INV-L7-000011",
                MutationErrorKind::Invalid,
                "number.number",
            ),
            (
                IssueContext {
                    number_taken: true,
                    ..base.clone()
                },
                "INV-L7-000002",
                MutationErrorKind::Invalid,
                "number.number",
            ),
            (
                IssueContext {
                    client: client(2),
                    ..base.clone()
                },
                "INV-L7-000002",
                MutationErrorKind::Forbidden,
                "number.lease_id",
            ),
            (
                IssueContext {
                    lease: None,
                    ..base.clone()
                },
                "INV-L7-000002",
                MutationErrorKind::Invalid,
                "number.lease_id",
            ),
        ];
        for (ctx, number, kind, field) in cases {
            let e = issued_invoice(&issue(leased(number)), &ctx).unwrap_err();
            assert_eq!(
                (e.kind, e.field.as_deref()),
                (kind, Some(field)),
                "{number}: {e}"
            );
        }
    }

    #[test]
    fn a_device_may_lease_only_once_the_seller_can_be_printed() {
        let mut settings = Settings::initial(org(), "Nordlys AS");
        let take = TakeLease {
            id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            organisation_id: org(),
            count: 10,
        };
        let e = granted_lease(&take, &settings, client(1), "L1", 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.seller.address.country"));
        settings.seller.address.country = "NO".into();
        let lease = granted_lease(&take, &settings, client(1), "L1", 20).unwrap();
        assert_eq!((lease.first, lease.last), (21, 30));
    }

    #[test]
    fn an_invoice_issued_offline_shows_what_the_server_will_record() {
        let (settings, customer) = (settings(), customer());
        let lease = lease(&settings, 1);
        let draft = issue(NumberSource::Server).draft;
        let id = InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000f2").unwrap();
        let leases = std::slice::from_ref(&lease);
        let (recorded, shown) = issue_offline(
            id,
            draft.clone(),
            &settings,
            &customer,
            client(1),
            leases,
            &[],
        )
        .unwrap();
        assert_eq!(recorded.number, leased("INV-L7-000001"));
        assert_eq!(shown.number().as_str(), "INV-L7-000001");
        assert_eq!(shown.place.sequence, "Invoice/INV/L7");
        // The server takes the very same decision when the mutation arrives.
        let on_server = IssueContext {
            lease: Some(&lease),
            ..ctx(&settings, &customer)
        };
        assert_eq!(
            issued_invoice(&recorded, &on_server).unwrap().invoice,
            shown
        );
        assert_eq!(shown.snapshot.totals.amount_due.amount(), dec!(1250.00));

        let (next, _) = issue_offline(
            id,
            draft.clone(),
            &settings,
            &customer,
            client(1),
            leases,
            &[shown.number().clone()],
        )
        .unwrap();
        assert_eq!(next.number, leased("INV-L7-000002"));
        let all: Vec<InvoiceNumber> = (1..=10)
            .map(|n| InvoiceNumber::parse(&format!("INV-L7-{n:06}")).unwrap())
            .collect();
        let e =
            issue_offline(id, draft, &settings, &customer, client(1), leases, &all).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("number"));
        assert!(e.message.contains("connect to the network"), "{e}");
    }

    #[test]
    fn an_invoice_the_official_rules_reject_is_refused_by_the_server_and_before_an_offline_issue() {
        let (mut settings, customer) = (settings(), customer());
        settings.seller.tax_id.clear();
        settings.seller.legal_id = "999999999".into();
        let e =
            issued_invoice(&issue(NumberSource::Server), &ctx(&settings, &customer)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.seller.tax_id"));
        assert!(e.message.contains("BR-S-02"), "{e}");
        let lease = lease(&settings, 1);
        let e = issue_offline(
            InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000f2").unwrap(),
            issue(NumberSource::Server).draft,
            &settings,
            &customer,
            client(1),
            std::slice::from_ref(&lease),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.seller.tax_id"));
    }

    #[test]
    fn an_invoice_issued_offline_that_the_official_rules_reject_is_recorded_with_an_exception() {
        let (mut settings, customer) = (settings(), customer());
        settings.seller.tax_id.clear();
        settings.seller.legal_id = "999999999".into();
        let lease = lease(&settings, 1);
        let ctx = IssueContext {
            lease: Some(&lease),
            ..ctx(&settings, &customer)
        };
        let issued = issued_invoice(&issue(leased("INV-L7-000001")), &ctx).unwrap();
        match issued.exceptions.as_slice() {
            [
                ExceptionKind::NotAnEInvoice {
                    number, problem, ..
                },
            ] => {
                assert_eq!(number.as_str(), "INV-L7-000001");
                assert!(
                    problem.starts_with("settings.seller.tax_id must be given"),
                    "{problem}"
                );
                assert!(problem.contains("BR-S-02"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn an_issued_invoice() -> Invoice {
        let (settings, customer) = (settings(), customer());
        issued_invoice(&issue(NumberSource::Server), &ctx(&settings, &customer))
            .unwrap()
            .invoice
    }

    #[test]
    fn voiding_is_refused_after_a_credit_note_and_harmless_twice() {
        let settings = settings();
        let mut invoice = an_issued_invoice();
        let void = VoidInvoice {
            invoice_id: invoice.id,
            organisation_id: org(),
            on: day("2026-11-24"),
            reason: " Wrong customer ".into(),
        };
        let voided = void_mark(&void, &invoice, 0, &settings).unwrap().unwrap();
        assert_eq!(voided.reason, "Wrong customer");
        assert_eq!(
            void_mark(&void, &invoice, 1, &settings)
                .unwrap_err()
                .field
                .as_deref(),
            Some("invoice_id")
        );
        let early = VoidInvoice {
            on: day("2026-11-22"),
            ..void.clone()
        };
        assert_eq!(
            void_mark(&early, &invoice, 0, &settings)
                .unwrap_err()
                .field
                .as_deref(),
            Some("on")
        );
        invoice.voided = Some(voided);
        assert_eq!(void_mark(&void, &invoice, 0, &settings), Ok(None));
    }

    #[test]
    fn credit_notes_take_the_next_credit_note_number_and_never_credit_too_much() {
        let settings = settings();
        let invoice = an_issued_invoice();
        let request = |n: u8, quantity| IssueCreditNote {
            credit_note_id: CreditNoteId::parse(&format!(
                "019a4d5e-0000-7000-8000-0000000000{n:02x}"
            ))
            .unwrap(),
            organisation_id: org(),
            invoice_id: invoice.id,
            issue_date: day("2026-11-25"),
            scope: CreditScope::Lines(vec![(0, quantity)]),
            note: "Damaged net".into(),
        };
        let first = credit_note(&request(1, dec!(3)), &invoice, &[], &settings, None).unwrap();
        assert_eq!(first.snapshot.number.as_str(), "CN-2026-000001");
        assert_eq!(first.snapshot.totals.amount_due.amount(), dec!(937.50));
        assert_eq!(first.snapshot.note, "Damaged net");
        let head = Some(SeriesHead {
            position: 1,
            issue_date: day("2026-11-25"),
        });
        let e = credit_note(
            &request(2, dec!(2)),
            &invoice,
            std::slice::from_ref(&first),
            &settings,
            head,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scope.lines[0].quantity"));
        let second =
            credit_note(&request(2, dec!(1)), &invoice, &[first], &settings, head).unwrap();
        assert_eq!(second.snapshot.number.as_str(), "CN-2026-000002");
    }

    fn cause() -> Cause {
        Cause {
            organisation: org(),
            user: UserId::parse("019a4d5e-0000-7000-8000-0000000000e1").unwrap(),
            client: client(1),
            mutation_id: 3,
        }
    }

    fn field(e: &MutationError) -> (MutationErrorKind, Option<&str>) {
        (e.kind, e.field.as_deref())
    }

    fn invoiced(invoice: &Invoice) -> AccountEvent {
        AccountEvent::Invoiced {
            invoice_id: invoice.id,
            number: invoice.number().clone(),
            issue_date: invoice.snapshot.issue_date,
            schedule: invoice.snapshot.schedule.clone(),
        }
    }

    /// The customer's account after `events`.
    fn account(events: &[AccountEvent]) -> Account {
        let mut account = Account::default();
        for event in events {
            event.apply(&mut account).unwrap();
        }
        account
    }

    // number_lease.take

    fn take() -> TakeLease {
        TakeLease {
            id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            organisation_id: org(),
            count: 10,
        }
    }

    fn lease_facts() -> LeaseFacts {
        LeaseFacts {
            id_taken: false,
            settings: settings(),
            client: client(1),
            device_code: "L7".into(),
            highest_leased: 20,
        }
    }

    #[test]
    fn a_lease_is_the_next_block_of_the_devices_series() {
        let decision = decide_lease_take(&take(), &lease_facts());

        let lease = granted_lease(&take(), &settings(), client(1), "L7", 20).unwrap();
        assert_eq!((lease.first, lease.last), (21, 30));
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Lease {
                        lease,
                        device_code: "L7".into(),
                    },
                    account: None,
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "number_lease", "id": take().id, "device": "L7",
                    "first": 21, "last": 30,
                }),
            })
        );
    }

    #[test]
    fn a_lease_under_an_id_already_used_is_refused() {
        let facts = LeaseFacts {
            id_taken: true,
            ..lease_facts()
        };

        let e = decide_lease_take(&take(), &facts).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
    }

    // number_lease.return

    fn give_back() -> ReturnLease {
        ReturnLease {
            id: take().id,
            organisation_id: org(),
        }
    }

    /// Lease INV-L7-000001 to INV-L7-000010 of device 1, used up to `highest_used`, handed back by
    /// `by`.
    fn return_facts(highest_used: u64, by: ClientId) -> ReturnFacts {
        ReturnFacts {
            lease: Some(lease(&settings(), 1)),
            highest_used,
            client: by,
        }
    }

    #[test]
    fn a_device_hands_back_the_numbers_of_its_lease_it_did_not_use() {
        let decision = decide_lease_return(&give_back(), &return_facts(3, client(1)));

        let returned = NumberLease {
            returned_from: Some(4),
            ..lease(&settings(), 1)
        };
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Lease {
                        lease: returned,
                        device_code: "L7".into(),
                    },
                    account: None,
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "number_lease", "id": give_back().id,
                    "returned_from": 4, "last": 10,
                }),
            })
        );
    }

    #[test]
    fn a_lease_with_nothing_left_to_hand_back_stays_as_it_is() {
        let unchanged = Decision::unchanged("number_lease", give_back().id, "nothing to hand back");
        let used_up = return_facts(10, client(1));
        let mut handed_back = return_facts(3, client(1));
        if let Some(lease) = &mut handed_back.lease {
            lease.returned_from = Some(4);
        }

        assert_eq!(
            decide_lease_return(&give_back(), &used_up),
            Ok(unchanged.clone())
        );
        assert_eq!(
            decide_lease_return(&give_back(), &handed_back),
            Ok(unchanged)
        );
    }

    #[test]
    fn only_the_device_holding_a_lease_hands_it_back() {
        let other_device = decide_lease_return(&give_back(), &return_facts(3, client(2)));
        let no_lease = ReturnFacts {
            lease: None,
            ..return_facts(3, client(1))
        };

        assert_eq!(
            field(&other_device.unwrap_err()),
            (MutationErrorKind::Forbidden, Some("id"))
        );
        assert_eq!(
            field(&decide_lease_return(&give_back(), &no_lease).unwrap_err()),
            (MutationErrorKind::Invalid, Some("id"))
        );
    }

    // invoice.issue

    fn issue_facts() -> IssueFacts {
        IssueFacts {
            cause: cause(),
            id_taken: false,
            settings: settings(),
            customer: Some(customer()),
            draft_head: None,
            issued_from_draft: Vec::new(),
            last_in_sequence: None,
            lease: None,
            number_taken: false,
            account: Account::default(),
        }
    }

    #[test]
    fn a_server_numbered_issue_records_the_invoice_replaces_the_draft_and_is_announced() {
        let mut issue = issue(NumberSource::Server);
        issue.draft.version = 2;
        let facts = IssueFacts {
            draft_head: Some(DraftHead {
                version: 2,
                last_client: client(2),
            }),
            ..issue_facts()
        };

        let decision = decide_invoice_issue(&issue, &facts);

        let (settings, customer) = (settings(), customer());
        let on_server = IssueContext {
            draft_head: facts.draft_head,
            ..ctx(&settings, &customer)
        };
        let invoice = issued_invoice(&issue, &on_server).unwrap().invoice;
        assert_eq!(invoice.number().as_str(), "INV-2026-000001");
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![
                    Change {
                        write: Write::Invoice(invoice.clone()),
                        account: Some((customer.id, invoiced(&invoice))),
                    },
                    Change {
                        write: Write::DeleteDraft(issue.draft.id),
                        account: None,
                    },
                ],
                exceptions: vec![],
                notices: vec![Notice::InvoiceIssued(Box::new(invoice.clone()))],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "invoice", "id": invoice.id,
                    "number": "INV-2026-000001", "draft_id": issue.draft.id, "lease_id": null,
                    "digest": invoice.digest, "amount_due": "1250.00", "exceptions": 0,
                }),
            })
        );
    }

    #[test]
    fn an_issue_of_a_draft_the_server_never_saw_deletes_no_draft() {
        let decision = decide_invoice_issue(&issue(NumberSource::Server), &issue_facts()).unwrap();

        let writes: Vec<&Write> = decision.changes.iter().map(|c| &c.write).collect();
        assert!(
            matches!(writes.as_slice(), [Write::Invoice(_)]),
            "{writes:?}"
        );
    }

    #[test]
    fn an_issue_is_refused_under_a_used_id_or_without_a_customer_of_the_organisation() {
        let issue = issue(NumberSource::Server);
        let id_taken = IssueFacts {
            id_taken: true,
            ..issue_facts()
        };
        let no_customer = IssueFacts {
            customer: None,
            ..issue_facts()
        };

        let e = decide_invoice_issue(&issue, &id_taken).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
        let e = decide_invoice_issue(&issue, &no_customer).unwrap_err();
        assert_eq!(
            field(&e),
            (MutationErrorKind::Invalid, Some("draft.customer_id"))
        );
    }

    #[test]
    fn an_invoice_already_on_the_customers_account_is_refused() {
        let issue = issue(NumberSource::Server);
        let invoice = decide_invoice_issue(&issue, &issue_facts())
            .unwrap()
            .notices
            .into_iter()
            .find_map(|n| match n {
                Notice::InvoiceIssued(invoice) => Some(*invoice),
                _ => None,
            })
            .unwrap();
        let facts = IssueFacts {
            account: account(&[invoiced(&invoice)]),
            ..issue_facts()
        };

        let e = decide_invoice_issue(&issue, &facts).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("invoice_id")));
    }

    #[test]
    fn a_leased_issue_in_a_closed_period_is_recorded_with_an_exception_the_mutation_names() {
        let mut settings = settings();
        settings.period_locked_until = Some(day("2026-11-30"));
        let lease = lease(&settings, 1);
        let issue = issue(leased("INV-L7-000001"));
        let facts = IssueFacts {
            settings: settings.clone(),
            lease: Some(lease.clone()),
            ..issue_facts()
        };

        let decision = decide_invoice_issue(&issue, &facts).unwrap();

        let Write::Invoice(invoice) = &decision.changes[0].write else {
            panic!("an invoice: {decision:?}");
        };
        assert_eq!(invoice.number().as_str(), "INV-L7-000001");
        assert_eq!(invoice.lease_id, Some(lease.id));
        assert_eq!(
            decision.exceptions,
            vec![ExceptionItem::raise(
                cause().exception_id(0),
                org(),
                Some(customer().id),
                ExceptionKind::IssuedInClosedPeriod {
                    invoice_id: issue.invoice_id,
                    number: InvoiceNumber::parse("INV-L7-000001").unwrap(),
                    issue_date: day("2026-11-23"),
                    locked_until: day("2026-11-30"),
                },
            )]
        );
        assert_eq!(decision.audit["exceptions"], 1);
        // Equal facts, equal decision: a retried push raises the very same exception item.
        assert_eq!(decide_invoice_issue(&issue, &facts), Ok(decision));
    }

    // invoice.void

    fn void(on: &str, invoice: &Invoice) -> VoidInvoice {
        VoidInvoice {
            invoice_id: invoice.id,
            organisation_id: org(),
            on: day(on),
            reason: "Wrong customer".into(),
        }
    }

    fn void_facts(invoice: &Invoice) -> VoidFacts {
        VoidFacts {
            invoice: Some(invoice.clone()),
            credit_notes: 0,
            settings: settings(),
            account: account(&[invoiced(invoice)]),
        }
    }

    #[test]
    fn a_void_marks_the_invoice_and_takes_it_off_the_customers_account() {
        let invoice = an_issued_invoice();
        let void = void("2026-11-24", &invoice);

        let decision = decide_invoice_void(&void, &void_facts(&invoice));

        let voided = Invoice {
            voided: Some(Voided {
                on: day("2026-11-24"),
                reason: "Wrong customer".into(),
            }),
            ..invoice.clone()
        };
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Void(voided),
                    account: Some((
                        customer().id,
                        AccountEvent::Voided {
                            invoice_id: invoice.id,
                            number: invoice.number().clone(),
                            on: day("2026-11-24"),
                        },
                    )),
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "void", "entity": "invoice", "id": invoice.id,
                    "number": "INV-2026-000001", "on": "2026-11-24", "reason": "Wrong customer",
                }),
            })
        );
    }

    #[test]
    fn voiding_a_voided_invoice_changes_nothing_and_an_unknown_one_is_refused() {
        let mut invoice = an_issued_invoice();
        let void = void("2026-11-24", &invoice);
        let mut facts = void_facts(&invoice);
        invoice.voided = Some(Voided {
            on: day("2026-11-24"),
            reason: "Wrong customer".into(),
        });
        facts.invoice = Some(invoice.clone());

        assert_eq!(
            decide_invoice_void(&void, &facts),
            Ok(Decision::unchanged("invoice", invoice.id, "already voided"))
        );
        facts.invoice = None;
        let e = decide_invoice_void(&void, &facts).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("invoice_id")));
    }

    // credit_note.issue

    fn credit(invoice: &Invoice) -> IssueCreditNote {
        IssueCreditNote {
            credit_note_id: CreditNoteId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap(),
            organisation_id: org(),
            invoice_id: invoice.id,
            issue_date: day("2026-11-25"),
            scope: CreditScope::Lines(vec![(0, dec!(1))]),
            note: "Damaged net".into(),
        }
    }

    fn credit_facts(invoice: &Invoice) -> CreditNoteFacts {
        CreditNoteFacts {
            id_taken: false,
            invoice: Some(invoice.clone()),
            earlier: Vec::new(),
            settings: settings(),
            last_in_sequence: None,
            account: account(&[invoiced(invoice)]),
        }
    }

    #[test]
    fn a_credit_note_is_recorded_and_credits_the_invoice_on_the_customers_account() {
        let invoice = an_issued_invoice();
        let request = credit(&invoice);

        let decision = decide_credit_note_issue(&request, &credit_facts(&invoice));

        let note = credit_note(&request, &invoice, &[], &settings(), None).unwrap();
        assert_eq!(note.snapshot.number.as_str(), "CN-2026-000001");
        assert_eq!(note.snapshot.totals.amount_due.amount(), dec!(312.50));
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::CreditNote(note.clone()),
                    account: Some((
                        customer().id,
                        AccountEvent::Credited {
                            credit_note_id: request.credit_note_id,
                            number: note.snapshot.number.clone(),
                            invoice_id: invoice.id,
                            issue_date: day("2026-11-25"),
                            amount: note.snapshot.totals.amount_due,
                        },
                    )),
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "credit_note", "id": request.credit_note_id,
                    "number": "CN-2026-000001", "invoice": "INV-2026-000001", "amount": "312.50",
                }),
            })
        );
    }

    #[test]
    fn a_credit_note_is_refused_under_a_used_id_or_against_an_unknown_invoice() {
        let invoice = an_issued_invoice();
        let request = credit(&invoice);
        let id_taken = CreditNoteFacts {
            id_taken: true,
            ..credit_facts(&invoice)
        };
        let unknown = CreditNoteFacts {
            invoice: None,
            ..credit_facts(&invoice)
        };

        let e = decide_credit_note_issue(&request, &id_taken).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
        let e = decide_credit_note_issue(&request, &unknown).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("invoice_id")));
    }
}
