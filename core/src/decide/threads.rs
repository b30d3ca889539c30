//! Questions and disputes: `thread.open`, `thread.reply`, `thread.resolve`.
//!
//! A thread is the customer's: its first message is always theirs, whether they asked in the portal
//! (the organisation's system client pushes it) or a billing user recorded a call. Opening a dispute
//! thread opens a [`Dispute`] as `dispute.open` would, so the invoice's reminders pause; resolving the
//! thread resolves that dispute. A billing user's reply, and a resolution, are told to the customer by
//! mail with a fresh portal link ([`AnswerMail`]), when the customer has an address.

use serde_json::json;

use super::receivables::{OpenDisputeFacts, decide_dispute_open, decide_dispute_resolve};
use super::{Decision, FIRST_VERSION, Stored, Write, invalid, next_version, replayed};
use crate::document::issued::{CreditNote, Invoice};
use crate::ids::{CustomerId, DisputeId, InvoiceId, NaturalKey, ThreadId, UserId};
use crate::portal::LinkMail;
use crate::receivables::dispute::{Dispute, DisputeOutcome, OpenDispute, ResolveDispute};
use crate::receivables::thread::{
    Author, OpenThread, ReplyToThread, ResolveThread, Thread, ThreadKind, ThreadMessage,
    ThreadOutcome, ThreadResolution, ThreadState,
};
use crate::sync::{MutationError, Record};

/// A mail that tells the customer their thread has an answer: the shell makes a new portal link (to
/// the invoice, or the statement for a question about the account) and queues the mail with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerMail {
    pub thread_id: ThreadId,
    pub customer_id: CustomerId,
    pub invoice_id: Option<InvoiceId>,
    pub to: String,
    /// How the thread ended, when the answer resolves it.
    pub outcome: Option<ThreadOutcome>,
}

/// The id of the dispute a dispute thread opens: one per thread, whoever applies it.
pub fn dispute_of(thread: ThreadId) -> DisputeId {
    DisputeId::derived(&NaturalKey::new("thread dispute").ordered_after(thread.as_uuid()))
}

/// The longest dispute reason (see [`OpenDispute::validate`]).
const MAX_DISPUTE_REASON: usize = 2000;

/// What a `thread.open` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenThreadFacts {
    /// A thread already recorded under the id.
    pub stored: Option<Thread>,
    /// Whether the customer is the organisation's.
    pub customer_known: bool,
    /// The invoice asked about, when it is the organisation's.
    pub invoice: Option<Invoice>,
    /// The billing user who records the thread; none when the customer asked in the portal.
    pub recorded_by: Option<UserId>,
}

impl Thread {
    /// Whether this thread is the one `open` opens (a replay of the same question).
    /// The time is not compared: a form sent again from the portal is the same question, asked later.
    fn opened_by(&self, open: &OpenThread) -> bool {
        self.customer_id == open.customer_id
            && self.invoice_id == open.invoice_id
            && self.kind == open.kind
            && self.reason == open.reason
            && self.lines == open.lines
    }
}

/// Decides a `thread.open`: the thread, its first message (the customer's), and for a dispute the
/// dispute that pauses the invoice's reminders with its `dispute.opened` notice.
pub fn decide_thread_open(
    open: &OpenThread,
    facts: &OpenThreadFacts,
) -> Result<Decision, MutationError> {
    let same = facts.stored.as_ref().map(|stored| stored.opened_by(open));
    if let Some(replay) = replayed(same, "thread", open.id, "already open") {
        return replay;
    }
    if !facts.customer_known {
        return Err(invalid("customer_id", "a customer of the organisation"));
    }
    let invoice = asked_about(open, facts.invoice.as_ref())?;
    let thread = Thread {
        id: open.id,
        organisation_id: open.organisation_id,
        customer_id: open.customer_id,
        invoice_id: open.invoice_id,
        invoice_number: invoice.map(|i| i.number().to_string()),
        kind: open.kind,
        reason: open.reason,
        lines: open.lines.clone(),
        opened_on: open.opened_on,
        opened_at_ms: open.written_at_ms,
        recorded_by: facts.recorded_by,
        dispute_id: (open.kind == ThreadKind::Dispute).then(|| dispute_of(open.id)),
        state: ThreadState::Waiting,
        last_message_at_ms: open.written_at_ms,
        messages: 1,
        resolution: None,
    };
    let message = ThreadMessage {
        id: open.message_id,
        organisation_id: open.organisation_id,
        thread_id: open.id,
        customer_id: open.customer_id,
        author: Author::Customer,
        body: open.message.trim().to_owned(),
        written_at_ms: open.written_at_ms,
    };
    let audit = json!({
        "op": "put", "entity": "thread", "id": open.id, "message": open.message_id,
        "kind": open.kind, "reason": open.reason, "invoice": thread.invoice_number,
        "lines": open.lines,
    });
    let customer = Some(open.customer_id);
    let decision = Decision::store(
        Write::Record {
            record: Record::Thread(Box::new(thread.clone())),
            customer,
            version: FIRST_VERSION,
        },
        audit,
    )
    .then(Write::Record {
        record: Record::ThreadMessage(message),
        customer,
        version: FIRST_VERSION,
    });
    match (thread.dispute_id, invoice) {
        (Some(dispute_id), Some(invoice)) => {
            let dispute = OpenDispute {
                id: dispute_id,
                organisation_id: open.organisation_id,
                invoice_id: invoice.id,
                opened_on: open.opened_on,
                reason: dispute_reason(open),
            };
            let facts = OpenDisputeFacts {
                stored: None,
                invoice: Some(invoice.clone()),
            };
            Ok(decision.and(decide_dispute_open(&dispute, &facts)?))
        }
        _ => Ok(decision),
    }
}

/// The invoice `open` asks about, checked: the customer's, not voided for a dispute, and holding the
/// lines it names.
fn asked_about<'a>(
    open: &OpenThread,
    invoice: Option<&'a Invoice>,
) -> Result<Option<&'a Invoice>, MutationError> {
    let Some(id) = open.invoice_id else {
        return Ok(None);
    };
    let invoice = invoice
        .filter(|i| i.id == id && i.customer_id == open.customer_id)
        .ok_or_else(|| invalid("invoice_id", "an issued invoice of the customer"))?;
    if open.kind == ThreadKind::Dispute && invoice.voided.is_some() {
        return Err(invalid("invoice_id", "an invoice that is not voided"));
    }
    let count = invoice.snapshot.document.lines.len();
    if let Some(i) = open.lines.iter().position(|&l| l as usize > count) {
        return Err(invalid(
            &format!("lines[{i}]"),
            format!("a line of invoice {} (it has {count})", invoice.number()),
        ));
    }
    Ok(Some(invoice))
}

/// The dispute's reason: the customer's first message, cut to what a dispute keeps.
fn dispute_reason(open: &OpenThread) -> String {
    open.message
        .trim()
        .chars()
        .take(MAX_DISPUTE_REASON)
        .collect()
}

/// What a `thread.reply` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyFacts {
    /// A message already recorded under the id.
    pub stored: Option<ThreadMessage>,
    /// The thread, when it is the organisation's.
    pub thread: Option<Stored<Thread>>,
    /// Who writes: the customer in the portal, or the signed-in billing user.
    pub author: Author,
    /// The customer's address for mail; empty when they have none.
    pub customer_email: String,
}

/// Decides a `thread.reply`. The customer may write while the thread is open; a billing user may add
/// to a resolved thread too (the thread stays resolved). A billing user's reply turns the thread to
/// the customer and is told to them by mail.
pub fn decide_thread_reply(
    reply: &ReplyToThread,
    facts: &ReplyFacts,
) -> Result<Decision, MutationError> {
    if let Some(stored) = &facts.stored {
        return if stored.thread_id == reply.thread_id && stored.body == reply.body.trim() {
            Ok(Decision::unchanged(
                "thread_message",
                reply.id,
                "already sent",
            ))
        } else {
            Err(invalid("id", "an id not used by another message"))
        };
    }
    let Some(current) = &facts.thread else {
        return Err(invalid("thread_id", "a thread of the organisation"));
    };
    let thread = &current.record;
    if thread.is_resolved() && facts.author == Author::Customer {
        return Err(invalid(
            "thread_id",
            "an open thread: this one is resolved, so ask a new question",
        ));
    }
    let message = ThreadMessage {
        id: reply.id,
        organisation_id: reply.organisation_id,
        thread_id: thread.id,
        customer_id: thread.customer_id,
        author: facts.author.clone(),
        body: reply.body.trim().to_owned(),
        written_at_ms: reply.written_at_ms,
    };
    let mut updated = thread.clone();
    updated.messages += 1;
    updated.last_message_at_ms = thread.last_message_at_ms.max(reply.written_at_ms);
    if !thread.is_resolved() {
        updated.state = match facts.author {
            Author::Customer => ThreadState::Waiting,
            Author::User { .. } => ThreadState::Answered,
        };
    }
    let audit = json!({
        "op": "put", "entity": "thread_message", "id": reply.id, "thread": thread.id,
        "by": match facts.author { Author::Customer => "customer", Author::User { .. } => "user" },
    });
    let customer = Some(thread.customer_id);
    let decision = Decision::store(
        Write::Record {
            record: Record::ThreadMessage(message),
            customer,
            version: FIRST_VERSION,
        },
        audit,
    )
    .then(Write::Record {
        record: Record::Thread(Box::new(updated)),
        customer,
        version: next_version(Some(current)),
    });
    Ok(match facts.author {
        Author::User { .. } => decision.tell(answer_mail(thread, &facts.customer_email, None)),
        Author::Customer => decision,
    })
}

/// The mail that tells the customer, when their address is one a mail can go to.
fn answer_mail(thread: &Thread, to: &str, outcome: Option<ThreadOutcome>) -> Option<AnswerMail> {
    let to = to.trim();
    let mail = LinkMail {
        send_to: to.to_owned(),
        subject: String::new(),
        message: String::new(),
    };
    mail.validate().is_ok().then(|| AnswerMail {
        thread_id: thread.id,
        customer_id: thread.customer_id,
        invoice_id: thread.invoice_id,
        to: to.to_owned(),
        outcome,
    })
}

/// What a `thread.resolve` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveThreadFacts {
    /// The thread, when it is the organisation's.
    pub thread: Option<Stored<Thread>>,
    /// The dispute a dispute thread opened.
    pub dispute: Option<Stored<Dispute>>,
    /// The credit note the resolution names, when it is the organisation's.
    pub credit_note: Option<CreditNote>,
    /// The signed-in user.
    pub resolved_by: UserId,
    /// The customer's address for mail; empty when they have none.
    pub customer_email: String,
}

/// Decides a `thread.resolve`: once, on or after the day the thread was opened. A dispute ends with a
/// credit note of the disputed invoice, a rejection (with the reason the customer reads) or the
/// customer's withdrawal, and its dispute is resolved the same way; a question may also just be
/// answered.
pub fn decide_thread_resolve(
    resolve: &ResolveThread,
    facts: &ResolveThreadFacts,
) -> Result<Decision, MutationError> {
    let Some(current) = &facts.thread else {
        return Err(invalid("id", "a thread of the organisation"));
    };
    let thread = &current.record;
    if thread.is_resolved() {
        return Ok(Decision::unchanged(
            "thread",
            resolve.id,
            "already resolved",
        ));
    }
    if resolve.resolved_on < thread.opened_on {
        return Err(invalid(
            "resolved_on",
            format!("on or after {}, the day it was opened", thread.opened_on),
        ));
    }
    if !thread.kind.outcomes().contains(&resolve.outcome) {
        return Err(invalid(
            "outcome",
            "for a dispute: a credit note, rejected, or withdrawn",
        ));
    }
    let dispute_outcome = match resolve.outcome {
        ThreadOutcome::Answered => None,
        ThreadOutcome::Credited => Some(DisputeOutcome::Upheld),
        ThreadOutcome::Rejected => Some(DisputeOutcome::Rejected),
        ThreadOutcome::Withdrawn => Some(DisputeOutcome::Withdrawn),
    };
    let credit_note = match resolve.credit_note_id {
        Some(id) => Some(
            facts
                .credit_note
                .as_ref()
                .filter(|c| c.id == id && c.customer_id == thread.customer_id)
                .filter(|c| thread.invoice_id.is_none_or(|i| i == c.invoice_id))
                .ok_or_else(|| {
                    invalid(
                        "credit_note_id",
                        match &thread.invoice_number {
                            Some(number) => format!("a credit note of invoice {number}"),
                            None => "a credit note of the customer".into(),
                        },
                    )
                })?,
        ),
        None => None,
    };
    let mut resolved = thread.clone();
    resolved.state = ThreadState::Resolved;
    resolved.resolution = Some(ThreadResolution {
        resolved_on: resolve.resolved_on,
        outcome: resolve.outcome,
        credit_note_id: resolve.credit_note_id,
        credit_note_number: credit_note.map(|c| c.snapshot.number.to_string()),
        note: resolve.note.trim().to_owned(),
        resolved_by: facts.resolved_by,
    });
    let audit = json!({
        "op": "put", "entity": "thread", "id": resolve.id, "outcome": resolve.outcome,
        "credit_note": resolve.credit_note_id,
    });
    let decision = Decision::store(
        Write::Record {
            record: Record::Thread(Box::new(resolved)),
            customer: Some(thread.customer_id),
            version: next_version(Some(current)),
        },
        audit,
    )
    .tell(answer_mail(
        thread,
        &facts.customer_email,
        Some(resolve.outcome),
    ));
    match (thread.dispute_id, dispute_outcome) {
        (Some(id), Some(outcome)) => {
            let dispute = ResolveDispute {
                id,
                organisation_id: resolve.organisation_id,
                resolved_on: resolve.resolved_on,
                outcome,
                note: resolve
                    .note
                    .trim()
                    .chars()
                    .take(MAX_DISPUTE_REASON)
                    .collect(),
            };
            Ok(decision.and(decide_dispute_resolve(&dispute, facts.dispute.as_ref())?))
        }
        _ => Ok(decision),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::decide::Notice;
    use crate::decide::issuing::credit_note;
    use crate::document::issue::CreditScope;
    use crate::document::issued::IssueCreditNote;
    use crate::fixtures;
    use crate::ids::{CreditNoteId, CustomerId, ThreadMessageId, UserId};
    use crate::receivables::events::AccountEvent;
    use crate::receivables::thread::ThreadReason;
    use crate::sync::MutationErrorKind;
    use crate::validation::ValidationError;

    fn id<T>(parse: fn(&str) -> Result<T, ValidationError>, n: u8) -> T {
        parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn payer() -> CustomerId {
        CustomerId::parse(fixtures::CUSTOMER).unwrap()
    }

    fn user() -> Author {
        Author::User {
            user_id: id(UserId::parse, 0xa1),
            name: "Ingrid Berg".into(),
        }
    }

    /// The payer's invoice of two lines, issued 2026-11-23.
    fn invoice() -> Invoice {
        fixtures::issued(vec![
            fixtures::line("Net repair", dec!(4), dec!(250), dec!(25)),
            fixtures::line("Travel", dec!(1), dec!(90), dec!(25)),
        ])
    }

    fn open(kind: ThreadKind) -> OpenThread {
        OpenThread {
            id: id(ThreadId::parse, 0x71),
            organisation_id: fixtures::organisation_id(),
            customer_id: payer(),
            invoice_id: Some(invoice().id),
            kind,
            reason: ThreadReason::WrongAmount,
            lines: vec![2],
            message_id: id(ThreadMessageId::parse, 0x81),
            message: "  Travel was included in the fixed price.  ".into(),
            opened_on: day("2026-11-30"),
            written_at_ms: 1_000,
        }
    }

    fn open_facts() -> OpenThreadFacts {
        OpenThreadFacts {
            stored: None,
            customer_known: true,
            invoice: Some(invoice()),
            recorded_by: None,
        }
    }

    fn records(decision: &Decision) -> Vec<Record> {
        decision
            .writes()
            .filter_map(|c| match c.write {
                Write::Record { record, .. } => Some(record),
                _ => None,
            })
            .collect()
    }

    fn opened_thread(kind: ThreadKind) -> Thread {
        let decision = decide_thread_open(&open(kind), &open_facts()).unwrap();
        match records(&decision).remove(0) {
            Record::Thread(thread) => *thread,
            other => panic!("not a thread: {other:?}"),
        }
    }

    #[test]
    fn a_question_is_a_thread_and_the_customers_first_message() {
        let decision = decide_thread_open(&open(ThreadKind::Inquiry), &open_facts()).unwrap();
        let written = records(&decision);
        let [Record::Thread(thread), Record::ThreadMessage(message)] = written.as_slice() else {
            panic!("a thread and a message: {written:?}");
        };
        assert_eq!(thread.state, ThreadState::Waiting);
        assert_eq!(thread.invoice_number.as_deref(), Some("INV-2026-000001"));
        assert_eq!((thread.dispute_id, thread.messages), (None, 1));
        assert_eq!(message.author, Author::Customer);
        assert_eq!(message.body, "Travel was included in the fixed price.");
        assert!(decision.notices.is_empty() && decision.answers.is_empty());
        assert_eq!(decision.audit["entity"], "thread");
    }

    #[test]
    fn a_dispute_thread_opens_the_dispute_that_pauses_the_invoices_reminders() {
        let decision = decide_thread_open(&open(ThreadKind::Dispute), &open_facts()).unwrap();
        let written = records(&decision);
        let Record::Dispute(dispute) = &written[2] else {
            panic!("a dispute third: {written:?}");
        };
        assert_eq!(dispute.opened.id, dispute_of(open(ThreadKind::Dispute).id));
        assert_eq!(
            dispute.opened.reason,
            "Travel was included in the fixed price."
        );
        let paused = decision.writes().find_map(|c| c.account);
        assert_eq!(
            paused,
            Some((
                payer(),
                AccountEvent::Disputed {
                    invoice_id: invoice().id,
                    open: true
                }
            ))
        );
        assert!(matches!(decision.notices[..], [Notice::DisputeOpened(_)]));
    }

    #[test]
    fn the_same_question_again_changes_nothing_and_another_under_its_id_is_refused() {
        let facts = OpenThreadFacts {
            stored: Some(opened_thread(ThreadKind::Dispute)),
            ..open_facts()
        };
        let again = decide_thread_open(&open(ThreadKind::Dispute), &facts).unwrap();
        assert!(again.writes().next().is_none());
        let mut later = open(ThreadKind::Dispute);
        later.written_at_ms += 60_000;
        let resent = decide_thread_open(&later, &facts).unwrap();
        assert!(resent.writes().next().is_none());
        let mut other = open(ThreadKind::Dispute);
        other.reason = ThreadReason::Duplicate;
        let e = decide_thread_open(&other, &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
    }

    /// A change to a `thread.open` or its facts.
    type Change = fn(&mut OpenThread, &mut OpenThreadFacts);

    #[test]
    fn a_thread_names_the_customers_own_invoice_and_its_lines() {
        let cases: [(Change, &str); 4] = [
            (|_, f| f.customer_known = false, "customer_id"),
            (|_, f| f.invoice = None, "invoice_id"),
            (
                |o, _| o.customer_id = id(CustomerId::parse, 0x03),
                "invoice_id",
            ),
            (|o, _| o.lines = vec![1, 3], "lines[1]"),
        ];
        for (change, field) in cases {
            let (mut command, mut facts) = (open(ThreadKind::Dispute), open_facts());
            change(&mut command, &mut facts);
            let e = decide_thread_open(&command, &facts).unwrap_err();
            assert_eq!(
                (e.kind, e.field.as_deref()),
                (MutationErrorKind::Invalid, Some(field))
            );
        }
    }

    fn reply(body: &str) -> ReplyToThread {
        ReplyToThread {
            id: id(ThreadMessageId::parse, 0x82),
            organisation_id: fixtures::organisation_id(),
            thread_id: id(ThreadId::parse, 0x71),
            body: body.into(),
            written_at_ms: 5_000,
        }
    }

    fn reply_facts(thread: Thread, author: Author) -> ReplyFacts {
        ReplyFacts {
            stored: None,
            thread: Some(Stored {
                version: 1,
                record: thread,
            }),
            author,
            customer_email: "ap@fiskeri.example".into(),
        }
    }

    #[test]
    fn a_users_answer_turns_the_thread_to_the_customer_and_is_mailed_to_them() {
        let facts = reply_facts(opened_thread(ThreadKind::Inquiry), user());
        let decision = decide_thread_reply(&reply("Travel is billed at cost."), &facts).unwrap();
        let written = records(&decision);
        let [Record::ThreadMessage(message), Record::Thread(thread)] = written.as_slice() else {
            panic!("a message and its thread: {written:?}");
        };
        assert_eq!(message.author, user());
        assert_eq!(
            (thread.state, thread.messages, thread.last_message_at_ms),
            (ThreadState::Answered, 2, 5_000)
        );
        assert_eq!(decision.answers.len(), 1);
        assert_eq!(decision.answers[0].to, "ap@fiskeri.example");
        assert_eq!(decision.answers[0].outcome, None);
    }

    #[test]
    fn the_customers_follow_up_waits_for_an_answer_and_mails_nobody() {
        let mut answered = opened_thread(ThreadKind::Inquiry);
        answered.state = ThreadState::Answered;
        let facts = reply_facts(answered, Author::Customer);
        let decision = decide_thread_reply(&reply("Thanks, and the fuel?"), &facts).unwrap();
        let Record::Thread(thread) = &records(&decision)[1] else {
            panic!("the thread second");
        };
        assert_eq!(thread.state, ThreadState::Waiting);
        assert!(decision.answers.is_empty());
    }

    #[test]
    fn no_address_or_one_no_mail_can_go_to_no_mail() {
        for address in [
            " ",
            "Fiskeri <ap@fiskeri.example>",
            "ap@fiskeri.example\r\nBcc: x@y.z",
        ] {
            let mut facts = reply_facts(opened_thread(ThreadKind::Inquiry), user());
            facts.customer_email = address.into();
            let decision = decide_thread_reply(&reply("Answered by phone."), &facts).unwrap();
            assert!(decision.answers.is_empty(), "{address:?}");
        }
    }

    #[test]
    fn a_resolved_thread_takes_a_users_note_but_not_the_customers() {
        let mut resolved = opened_thread(ThreadKind::Inquiry);
        resolved.state = ThreadState::Resolved;
        let e = decide_thread_reply(
            &reply("One more thing"),
            &reply_facts(resolved.clone(), Author::Customer),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("thread_id"));
        let decision =
            decide_thread_reply(&reply("For the record"), &reply_facts(resolved, user())).unwrap();
        let Record::Thread(thread) = &records(&decision)[1] else {
            panic!("the thread second");
        };
        assert_eq!(thread.state, ThreadState::Resolved);
    }

    #[test]
    fn a_reply_sent_twice_is_recorded_once() {
        let mut facts = reply_facts(opened_thread(ThreadKind::Inquiry), user());
        let first = decide_thread_reply(&reply("Billed at cost."), &facts).unwrap();
        let Record::ThreadMessage(message) = records(&first).remove(0) else {
            panic!("the message first");
        };
        facts.stored = Some(message);
        let again = decide_thread_reply(&reply("Billed at cost."), &facts).unwrap();
        assert!(again.writes().next().is_none() && again.answers.is_empty());
        let e = decide_thread_reply(&reply("Something else"), &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
        facts.stored = None;
        facts.thread = None;
        let e = decide_thread_reply(&reply("Billed at cost."), &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("thread_id"));
    }

    fn resolve(outcome: ThreadOutcome, note: &str) -> ResolveThread {
        ResolveThread {
            id: id(ThreadId::parse, 0x71),
            organisation_id: fixtures::organisation_id(),
            resolved_on: day("2026-12-01"),
            outcome,
            credit_note_id: None,
            note: note.into(),
        }
    }

    /// The dispute thread, and the dispute it opened, as stored.
    fn disputed() -> ResolveThreadFacts {
        let decision = decide_thread_open(&open(ThreadKind::Dispute), &open_facts()).unwrap();
        let mut written = records(&decision).into_iter();
        let (Some(Record::Thread(thread)), _, Some(Record::Dispute(dispute))) =
            (written.next(), written.next(), written.next())
        else {
            panic!("a thread, its message and a dispute");
        };
        ResolveThreadFacts {
            thread: Some(Stored {
                version: 1,
                record: *thread,
            }),
            dispute: Some(Stored {
                version: 1,
                record: dispute,
            }),
            credit_note: None,
            resolved_by: id(UserId::parse, 0xa1),
            customer_email: "ap@fiskeri.example".into(),
        }
    }

    /// A credit note of the invoice's travel line.
    fn credit() -> CreditNote {
        let settings = fixtures::nordlys();
        let issue = IssueCreditNote {
            credit_note_id: id(CreditNoteId::parse, 0x91),
            organisation_id: fixtures::organisation_id(),
            invoice_id: invoice().id,
            issue_date: day("2026-12-01"),
            scope: CreditScope::Lines(vec![(1, dec!(1))]),
            note: "Travel was included".into(),
        };
        credit_note(&issue, &invoice(), &[], &settings, None).unwrap()
    }

    #[test]
    fn a_dispute_credited_resolves_its_dispute_as_upheld_and_tells_the_customer() {
        let mut facts = disputed();
        facts.credit_note = Some(credit());
        let mut command = resolve(ThreadOutcome::Credited, "We credited the travel.");
        command.credit_note_id = Some(credit().id);
        let decision = decide_thread_resolve(&command, &facts).unwrap();
        let written = records(&decision);
        let [Record::Thread(thread), Record::Dispute(dispute)] = written.as_slice() else {
            panic!("the thread and its dispute: {written:?}");
        };
        let resolution = thread.resolution.as_ref().unwrap();
        assert_eq!(thread.state, ThreadState::Resolved);
        assert_eq!(
            resolution.credit_note_number.as_deref(),
            Some(credit().snapshot.number.to_string().as_str())
        );
        assert_eq!(
            dispute.resolution.as_ref().map(|r| r.outcome),
            Some(DisputeOutcome::Upheld)
        );
        let resumed = decision.writes().find_map(|c| c.account);
        assert_eq!(
            resumed,
            Some((
                payer(),
                AccountEvent::Disputed {
                    invoice_id: invoice().id,
                    open: false
                }
            ))
        );
        assert_eq!(decision.answers[0].outcome, Some(ThreadOutcome::Credited));
    }

    #[test]
    fn a_dispute_ends_by_credit_rejection_or_withdrawal_and_a_rejection_keeps_its_reason() {
        let e =
            decide_thread_resolve(&resolve(ThreadOutcome::Answered, ""), &disputed()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("outcome"));
        let decision = decide_thread_resolve(
            &resolve(
                ThreadOutcome::Rejected,
                "The price was agreed in the order.",
            ),
            &disputed(),
        )
        .unwrap();
        let Record::Dispute(dispute) = &records(&decision)[1] else {
            panic!("the dispute second");
        };
        let resolution = dispute.resolution.as_ref().unwrap();
        assert_eq!(resolution.outcome, DisputeOutcome::Rejected);
        assert_eq!(resolution.note, "The price was agreed in the order.");
    }

    #[test]
    fn a_credit_note_of_another_invoice_or_customer_does_not_resolve_it() {
        let mut facts = disputed();
        let mut elsewhere = credit();
        elsewhere.invoice_id = id(InvoiceId::parse, 0xf2);
        facts.credit_note = Some(elsewhere);
        let mut command = resolve(ThreadOutcome::Credited, "");
        command.credit_note_id = Some(credit().id);
        let e = decide_thread_resolve(&command, &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("credit_note_id"));
        assert!(e.message.contains("INV-2026-000001"), "{}", e.message);
    }

    #[test]
    fn a_question_may_be_answered_and_is_resolved_once_not_before_it_was_asked() {
        let mut facts = disputed();
        let mut question = opened_thread(ThreadKind::Inquiry);
        question.state = ThreadState::Answered;
        facts.thread = Some(Stored {
            version: 2,
            record: question,
        });
        facts.dispute = None;
        let decision =
            decide_thread_resolve(&resolve(ThreadOutcome::Answered, ""), &facts).unwrap();
        let written = records(&decision);
        assert!(matches!(written.as_slice(), [Record::Thread(_)]));
        let early = ResolveThread {
            resolved_on: day("2026-11-29"),
            ..resolve(ThreadOutcome::Answered, "")
        };
        let e = decide_thread_resolve(&early, &facts).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("resolved_on"));
        let Record::Thread(done) = written[0].clone() else {
            unreachable!()
        };
        facts.thread = Some(Stored {
            version: 3,
            record: *done,
        });
        let again = decide_thread_resolve(&resolve(ThreadOutcome::Rejected, "x"), &facts).unwrap();
        assert!(again.writes().next().is_none());
    }

    #[test]
    fn the_dispute_of_a_thread_is_the_same_wherever_it_is_decided() {
        let thread = id(ThreadId::parse, 0x71);
        assert_eq!(dispute_of(thread), dispute_of(thread));
        assert_ne!(dispute_of(thread), dispute_of(id(ThreadId::parse, 0x72)));
    }
}
