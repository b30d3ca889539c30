//! Threads: a customer's question (an inquiry) or dispute, asked from the portal about one invoice or
//! the whole account, the messages that answer it, and how it ended. A dispute thread opens a
//! [`Dispute`](super::dispute::Dispute) too, so the invoice's reminders pause exactly as they do for a
//! dispute a billing user records; resolving the thread resolves the dispute.
//!
//! Threads and messages are synced records, decided by [`crate::decide::threads`], so the billing
//! workspace's inbox works offline and a reply written offline is sent once. What the inbox shows and
//! in which order is decided here too ([`InboxFilter`], [`inbox_order`]).

use std::cmp::Reverse;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{
    CreditNoteId, CustomerId, DisputeId, InvoiceId, OrganisationId, ThreadId, ThreadMessageId,
    UserId,
};
use crate::validation::{Rule, ValidationError, optional_text, required_text};

/// What the customer is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadKind {
    /// A question: nothing pauses.
    Inquiry,
    /// The customer contests an invoice: its reminders pause until the thread is resolved.
    Dispute,
}

impl ThreadKind {
    pub const ALL: [ThreadKind; 2] = [ThreadKind::Inquiry, ThreadKind::Dispute];

    /// The wire (and form) word.
    pub fn name(self) -> &'static str {
        match self {
            ThreadKind::Inquiry => "inquiry",
            ThreadKind::Dispute => "dispute",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How a thread of this kind may end: a dispute by a credit note, a rejection or a withdrawal,
    /// never just an answer; a question any way.
    pub fn outcomes(self) -> &'static [ThreadOutcome] {
        match self {
            ThreadKind::Inquiry => &ThreadOutcome::ALL,
            ThreadKind::Dispute => &[
                ThreadOutcome::Credited,
                ThreadOutcome::Rejected,
                ThreadOutcome::Withdrawn,
            ],
        }
    }
}

/// Why the customer writes: the reasons a billing team sorts disputes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadReason {
    /// A price, quantity or amount is wrong.
    WrongAmount,
    /// The goods or services were not received.
    NotReceived,
    /// The customer has paid already.
    AlreadyPaid,
    /// The invoice repeats another.
    Duplicate,
    /// Names, addresses, tax numbers or references are wrong.
    WrongDetails,
    /// Anything else, the message says what.
    Other,
}

impl ThreadReason {
    pub const ALL: [ThreadReason; 6] = [
        ThreadReason::WrongAmount,
        ThreadReason::NotReceived,
        ThreadReason::AlreadyPaid,
        ThreadReason::Duplicate,
        ThreadReason::WrongDetails,
        ThreadReason::Other,
    ];

    /// The wire (and form) word.
    pub fn name(self) -> &'static str {
        match self {
            ThreadReason::WrongAmount => "wrong_amount",
            ThreadReason::NotReceived => "not_received",
            ThreadReason::AlreadyPaid => "already_paid",
            ThreadReason::Duplicate => "duplicate",
            ThreadReason::WrongDetails => "wrong_details",
            ThreadReason::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 5_000;
/// The most lines one thread may name.
pub const MAX_LINES: usize = 500;

/// The arguments of `thread.open`: the customer's question or dispute and its first message. Sent by
/// the organisation's system client for a question asked in the portal, or by a billing user who
/// records one that came by phone; either way the first message is the customer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenThread {
    pub id: ThreadId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    /// The invoice asked about; none for a question about the account. A dispute names one.
    #[serde(default)]
    pub invoice_id: Option<InvoiceId>,
    pub kind: ThreadKind,
    pub reason: ThreadReason,
    /// The invoice's lines the customer picked (1 for the first), none for the whole invoice.
    #[serde(default)]
    pub lines: Vec<u32>,
    /// The id of the first message.
    pub message_id: ThreadMessageId,
    pub message: String,
    /// The business day it was asked, in the organisation's time zone.
    pub opened_on: NaiveDate,
    /// When it was written (milliseconds since the Unix epoch), for ordering messages.
    pub written_at_ms: i64,
}

impl OpenThread {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.kind == ThreadKind::Dispute && self.invoice_id.is_none() {
            return Err(ValidationError::new(
                "invoice_id",
                Rule::Matches {
                    expected: "the invoice disputed".into(),
                },
            ));
        }
        if self.invoice_id.is_none() && !self.lines.is_empty() {
            return Err(ValidationError::new(
                "lines",
                Rule::Matches {
                    expected: "no lines for a question about the account".into(),
                },
            ));
        }
        if self.lines.len() > MAX_LINES {
            return Err(ValidationError::new(
                "lines",
                Rule::Matches {
                    expected: format!("at most {MAX_LINES} lines"),
                },
            ));
        }
        if let Some(i) = self.lines.iter().position(|&l| l == 0) {
            return Err(ValidationError::new(
                format!("lines[{i}]"),
                Rule::Matches {
                    expected: "a line number from 1".into(),
                },
            ));
        }
        required_text("message", &self.message, MAX_MESSAGE)
    }
}

/// The arguments of `thread.reply`: a billing user's answer (or the customer's follow-up, from the
/// portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyToThread {
    /// The message's id, chosen where it is written.
    pub id: ThreadMessageId,
    pub organisation_id: OrganisationId,
    pub thread_id: ThreadId,
    pub body: String,
    pub written_at_ms: i64,
}

impl ReplyToThread {
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("body", &self.body, MAX_MESSAGE)
    }
}

/// How a thread ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadOutcome {
    /// The question was answered (inquiries only).
    Answered,
    /// The customer was right: a credit note corrects the invoice.
    Credited,
    /// The invoice stands; the note says why.
    Rejected,
    /// The customer withdrew it.
    Withdrawn,
}

impl ThreadOutcome {
    pub const ALL: [ThreadOutcome; 4] = [
        ThreadOutcome::Answered,
        ThreadOutcome::Credited,
        ThreadOutcome::Rejected,
        ThreadOutcome::Withdrawn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ThreadOutcome::Answered => "answered",
            ThreadOutcome::Credited => "credited",
            ThreadOutcome::Rejected => "rejected",
            ThreadOutcome::Withdrawn => "withdrawn",
        }
    }
}

/// The arguments of `thread.resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveThread {
    pub id: ThreadId,
    pub organisation_id: OrganisationId,
    pub resolved_on: NaiveDate,
    pub outcome: ThreadOutcome,
    /// The credit note that corrects the invoice, for [`ThreadOutcome::Credited`].
    #[serde(default)]
    pub credit_note_id: Option<CreditNoteId>,
    /// What the customer is told; required for a rejection.
    #[serde(default)]
    pub note: String,
}

impl ResolveThread {
    pub fn validate(&self) -> Result<(), ValidationError> {
        match (self.outcome, self.credit_note_id) {
            (ThreadOutcome::Credited, None) => {
                return Err(ValidationError::new("credit_note_id", Rule::Required));
            }
            (ThreadOutcome::Credited, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(ValidationError::new(
                    "credit_note_id",
                    Rule::Matches {
                        expected: "no credit note unless the outcome is a credit note".into(),
                    },
                ));
            }
        }
        if self.outcome == ThreadOutcome::Rejected {
            required_text("note", &self.note, MAX_MESSAGE)
        } else {
            optional_text("note", &self.note, MAX_MESSAGE)
        }
    }
}

/// Whose turn it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadState {
    /// The customer spoke last: the billing team owes an answer.
    Waiting,
    /// A billing user answered; the customer may write again.
    Answered,
    Resolved,
}

impl ThreadState {
    pub const ALL: [ThreadState; 3] = [
        ThreadState::Waiting,
        ThreadState::Answered,
        ThreadState::Resolved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ThreadState::Waiting => "waiting",
            ThreadState::Answered => "answered",
            ThreadState::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How a thread was resolved, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadResolution {
    pub resolved_on: NaiveDate,
    pub outcome: ThreadOutcome,
    #[serde(default)]
    pub credit_note_id: Option<CreditNoteId>,
    /// The credit note's number, for the customer's page.
    #[serde(default)]
    pub credit_note_number: Option<String>,
    pub note: String,
    pub resolved_by: UserId,
}

/// A thread as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub id: ThreadId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    #[serde(default)]
    pub invoice_id: Option<InvoiceId>,
    /// The invoice's number, so a list shows it without reading the invoice.
    #[serde(default)]
    pub invoice_number: Option<String>,
    pub kind: ThreadKind,
    pub reason: ThreadReason,
    #[serde(default)]
    pub lines: Vec<u32>,
    pub opened_on: NaiveDate,
    pub opened_at_ms: i64,
    /// The billing user who recorded it; none when the customer asked in the portal.
    #[serde(default)]
    pub recorded_by: Option<UserId>,
    /// The dispute a dispute thread opened.
    #[serde(default)]
    pub dispute_id: Option<DisputeId>,
    pub state: ThreadState,
    /// When the last message was written.
    pub last_message_at_ms: i64,
    pub messages: u32,
    #[serde(default)]
    pub resolution: Option<ThreadResolution>,
}

impl Thread {
    pub fn is_resolved(&self) -> bool {
        self.state == ThreadState::Resolved
    }

    /// Whole days since it was opened, as of `today`.
    pub fn age_days(&self, today: NaiveDate) -> i64 {
        (today - self.opened_on).num_days().max(0)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Author {
    Customer,
    /// A billing user of the organisation; the customer sees the name.
    User {
        user_id: UserId,
        name: String,
    },
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub id: ThreadMessageId,
    pub organisation_id: OrganisationId,
    pub thread_id: ThreadId,
    pub customer_id: CustomerId,
    pub author: Author,
    pub body: String,
    pub written_at_ms: i64,
}

/// A thread's messages in the order they were written (ids break ties: UUIDv7 sort by creation).
pub fn in_order(messages: &mut [ThreadMessage]) {
    messages.sort_by_key(|m| (m.written_at_ms, m.id));
}

/// Which threads the inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboxFilter {
    /// Only threads in this state; none for every thread that is not resolved.
    pub state: Option<ThreadState>,
    pub customer: Option<CustomerId>,
    /// Only threads opened at least this many days ago.
    pub older_than_days: Option<i64>,
}

impl InboxFilter {
    pub fn shows(&self, thread: &Thread, today: NaiveDate) -> bool {
        let state = match self.state {
            Some(state) => thread.state == state,
            None => !thread.is_resolved(),
        };
        state
            && self.customer.is_none_or(|c| c == thread.customer_id)
            && self
                .older_than_days
                .is_none_or(|days| thread.age_days(today) >= days)
    }
}

/// The inbox's order: threads waiting for an answer first, disputes before questions (their invoices'
/// reminders are paused), oldest first; then the rest, most recent activity first.
pub fn inbox_order(threads: &mut [Thread]) {
    threads.sort_by_key(|t| {
        let waiting = t.state == ThreadState::Waiting;
        (
            !waiting,
            waiting && t.kind != ThreadKind::Dispute,
            if waiting {
                t.opened_at_ms
            } else {
                i64::MAX - t.last_message_at_ms
            },
            Reverse(t.id),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "019a4d5e-0000-7000-8000-000000000001";

    fn opened(kind: ThreadKind, invoice: bool) -> OpenThread {
        OpenThread {
            id: ThreadId::parse("019a4d5e-0000-7000-8000-0000000000f1").unwrap(),
            organisation_id: OrganisationId::parse(ORG).unwrap(),
            customer_id: CustomerId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap(),
            invoice_id: invoice
                .then(|| InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000d1").unwrap()),
            kind,
            reason: ThreadReason::WrongAmount,
            lines: Vec::new(),
            message_id: ThreadMessageId::parse("019a4d5e-0000-7000-8000-0000000000e1").unwrap(),
            message: "The second line was billed twice.".into(),
            opened_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            written_at_ms: 1_764_500_000_000,
        }
    }

    #[test]
    fn a_dispute_names_an_invoice_and_a_question_may_be_about_the_account() {
        assert!(opened(ThreadKind::Inquiry, false).validate().is_ok());
        assert!(opened(ThreadKind::Dispute, true).validate().is_ok());
        let e = opened(ThreadKind::Dispute, false).validate().unwrap_err();
        assert_eq!(e.field, "invoice_id");
    }

    #[test]
    fn lines_are_numbered_from_one_and_only_of_an_invoice() {
        let mut open = opened(ThreadKind::Dispute, true);
        open.lines = vec![2, 0];
        assert_eq!(open.validate().unwrap_err().field, "lines[1]");
        let mut open = opened(ThreadKind::Inquiry, false);
        open.lines = vec![1];
        assert_eq!(open.validate().unwrap_err().field, "lines");
    }

    #[test]
    fn a_dispute_ends_by_credit_rejection_or_withdrawal_and_a_question_any_way() {
        use ThreadOutcome::*;
        assert_eq!(
            ThreadKind::Dispute.outcomes(),
            [Credited, Rejected, Withdrawn]
        );
        assert_eq!(ThreadKind::Inquiry.outcomes(), ThreadOutcome::ALL);
    }

    #[test]
    fn a_message_is_required_and_bounded() {
        let mut open = opened(ThreadKind::Inquiry, false);
        open.message = "  ".into();
        assert_eq!(open.validate().unwrap_err().rule, Rule::Required);
        open.message = "x".repeat(MAX_MESSAGE + 1);
        assert_eq!(
            open.validate().unwrap_err().rule,
            Rule::MaxLength { max: MAX_MESSAGE }
        );
    }

    fn resolve(outcome: ThreadOutcome, credit: bool, note: &str) -> ResolveThread {
        ResolveThread {
            id: ThreadId::parse("019a4d5e-0000-7000-8000-0000000000f1").unwrap(),
            organisation_id: OrganisationId::parse(ORG).unwrap(),
            resolved_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            outcome,
            credit_note_id: credit
                .then(|| CreditNoteId::parse("019a4d5e-0000-7000-8000-0000000000a9").unwrap()),
            note: note.into(),
        }
    }

    #[test]
    fn a_resolution_names_its_credit_note_and_a_rejection_says_why() {
        use ThreadOutcome::*;
        let table = [
            (Credited, true, "", None),
            (Credited, false, "", Some("credit_note_id")),
            (Rejected, false, "", Some("note")),
            (Rejected, false, "The hours were agreed.", None),
            (Answered, true, "", Some("credit_note_id")),
            (Answered, false, "", None),
            (Withdrawn, false, "", None),
        ];
        for (outcome, credit, note, field) in table {
            let got = resolve(outcome, credit, note)
                .validate()
                .err()
                .map(|e| e.field);
            assert_eq!(
                got.as_deref(),
                field,
                "{outcome:?} credit={credit} {note:?}"
            );
        }
    }

    fn thread(n: u8, kind: ThreadKind, state: ThreadState, opened_day: u32) -> Thread {
        let open = opened(kind, true);
        Thread {
            id: ThreadId::parse(&format!("019a4d5e-0000-7000-8000-0000000001{n:02x}")).unwrap(),
            organisation_id: open.organisation_id,
            customer_id: open.customer_id,
            invoice_id: open.invoice_id,
            invoice_number: Some("INV-1".into()),
            kind,
            reason: open.reason,
            lines: Vec::new(),
            opened_on: NaiveDate::from_ymd_opt(2026, 11, opened_day).unwrap(),
            opened_at_ms: i64::from(opened_day) * 86_400_000,
            recorded_by: None,
            dispute_id: None,
            state,
            last_message_at_ms: i64::from(opened_day) * 86_400_000 + i64::from(n),
            messages: 1,
            resolution: None,
        }
    }

    #[test]
    fn the_inbox_shows_what_is_not_resolved_unless_asked_and_filters_by_customer_and_age() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let waiting = thread(1, ThreadKind::Inquiry, ThreadState::Waiting, 20);
        let resolved = thread(2, ThreadKind::Inquiry, ThreadState::Resolved, 20);
        let all = InboxFilter::default();
        assert!(all.shows(&waiting, today));
        assert!(!all.shows(&resolved, today));
        let only_resolved = InboxFilter {
            state: Some(ThreadState::Resolved),
            ..all
        };
        assert!(only_resolved.shows(&resolved, today));
        let old = InboxFilter {
            older_than_days: Some(11),
            ..all
        };
        assert!(!old.shows(&waiting, today));
        let ten = InboxFilter {
            older_than_days: Some(10),
            ..all
        };
        assert!(ten.shows(&waiting, today));
        let other = InboxFilter {
            customer: Some(CustomerId::parse("019a4d5e-0000-7000-8000-0000000000c2").unwrap()),
            ..all
        };
        assert!(!other.shows(&waiting, today));
    }

    #[test]
    fn waiting_disputes_come_first_then_waiting_questions_oldest_first_then_the_rest() {
        let mut threads = vec![
            thread(1, ThreadKind::Inquiry, ThreadState::Answered, 10),
            thread(2, ThreadKind::Inquiry, ThreadState::Waiting, 12),
            thread(3, ThreadKind::Dispute, ThreadState::Waiting, 20),
            thread(4, ThreadKind::Inquiry, ThreadState::Waiting, 11),
            thread(5, ThreadKind::Inquiry, ThreadState::Answered, 25),
        ];
        inbox_order(&mut threads);
        let order: Vec<u8> = threads
            .iter()
            .map(|t| t.id.as_uuid().as_bytes()[15])
            .collect();
        assert_eq!(order, [3, 4, 2, 5, 1]);
    }
}
