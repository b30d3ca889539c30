//! The customer's portal: links a billing user hands a customer, and what the customer sees through one.
//!
//! - A [`PortalLink`] opens one customer's statement, or one invoice of that customer only. Its token is
//!   the shell's (256 random bits, stored as a hash); core decides its scope and lifetime
//!   ([`decide_portal_link`]) and whether it still opens ([`PortalLink::state`]). A link may be mailed to
//!   the customer as it is made ([`decide_portal_link_mail`]): its address goes into the queued message
//!   only, never into the synced `mail` record or the audit log.
//! - Failed lookups are throttled per client address ([`PORTAL_LOOKUP_THROTTLE`]), views recorded at most
//!   once per link per [`PortalPolicy::view_interval_ms`] ([`view_is_due`]), and the address and user agent
//!   of a view erased after [`PortalPolicy::erase_views_after_days`].
//! - [`PortalStatement`] is what the statement page shows: per currency, the open items with days overdue,
//!   unapplied credit, the balance due, the aging and the payments of the last twelve months.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::LoginThrottle;
use crate::ids::{CustomerId, InvoiceId, MailId, OrganisationId, PaymentId, PortalLinkId};
use crate::mail::{Mail, MailStatus, MailedDocument, MailedKind, OutgoingMail, validate_addressed};
use crate::money::{Currency, Money};
use crate::organisation::Role;
use crate::receivables::OpenItem;
use crate::receivables::account::PaymentMethod;
use crate::receivables::aging::{self, AgingPolicy, AgingReport};
use crate::receivables::payment::Payment;
use crate::receivables::position::Position;
use crate::receivables::statement;
use crate::sync::MutationError;
use crate::validation::{Rule, ValidationError};

/// An organisation's rules for portal links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPolicy {
    /// How long a statement link lives, in days from its creation.
    pub link_days: u32,
    /// How long an invoice link outlives the invoice's last due date, in days.
    pub invoice_link_grace_days: u32,
    /// The longest lifetime a user may give a link, in days from its creation.
    pub max_link_days: u32,
    /// A link's views are recorded at most once in this many milliseconds.
    pub view_interval_ms: i64,
    /// The address and user agent of a view are erased after this many days.
    pub erase_views_after_days: u32,
}

impl Default for PortalPolicy {
    fn default() -> Self {
        Self {
            link_days: 30,
            invoice_link_grace_days: 30,
            max_link_days: 400,
            view_interval_ms: 60 * 60 * 1000,
            erase_views_after_days: 90,
        }
    }
}

impl PortalPolicy {
    /// The policy of an organisation with these settings: its statement links' lifetime, if it chose one.
    pub fn of(settings: &crate::settings::Settings) -> Self {
        let policy = Self::default();
        Self {
            link_days: settings.portal_link_days.unwrap_or(policy.link_days),
            ..policy
        }
    }
}

/// Failed portal lookups per client address: twenty within ten minutes, then wait. A token has 256
/// random bits, so this only spares the database from scanners; it never locks a customer out for long.
pub const PORTAL_LOOKUP_THROTTLE: LoginThrottle = LoginThrottle {
    max_failures: 20,
    window_ms: 10 * 60 * 1000,
};

/// What a billing user asks for: a link to a customer's statement, or to one invoice of theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPortalLink {
    /// The client's id for the link, so a request sent twice makes one link.
    #[serde(default)]
    pub id: Option<PortalLinkId>,
    /// The invoice the link shows, alone; none for the customer's statement.
    #[serde(default)]
    pub invoice_id: Option<InvoiceId>,
    /// The last day the link opens; none for the policy's lifetime.
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
    /// The address to mail the link to as it is made; none to make it only (and copy its address).
    #[serde(default)]
    pub send_to: Option<String>,
    /// The mail's subject; empty for the default, in the customer's language.
    #[serde(default)]
    pub subject: String,
    /// The user's message, which the link's address follows; empty for the default.
    #[serde(default)]
    pub message: String,
}

impl NewPortalLink {
    /// The mail the request asks for, if any. A subject or message without an address to send to is
    /// refused, naming `send_to`: it would be dropped unsaid.
    pub fn mail(&self) -> Result<Option<LinkMail>, ValidationError> {
        match &self.send_to {
            Some(send_to) => Ok(Some(LinkMail {
                send_to: send_to.clone(),
                subject: self.subject.clone(),
                message: self.message.clone(),
            })),
            None if self.subject.trim().is_empty() && self.message.trim().is_empty() => Ok(None),
            None => Err(ValidationError::new("send_to", Rule::Required)),
        }
    }
}

/// A portal link to mail: to whom, and what the user wrote (empty for the default wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkMail {
    pub send_to: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub message: String,
}

impl LinkMail {
    /// The rules of every addressed mail ([`crate::mail::SendMail::validate`]), the address named
    /// `send_to`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_addressed(("send_to", &self.send_to), &self.subject, &self.message)
    }
}

/// What [`decide_portal_link_mail`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMailFacts<'a> {
    /// The id drawn for the mail.
    pub mail_id: MailId,
    /// The link the mail carries, just made.
    pub link: &'a PortalLink,
    /// The link's full address, holding its token.
    pub url: &'a str,
    /// The number of the invoice an invoice link shows.
    pub invoice_number: Option<&'a str>,
    /// The organisation's address for replies, when it has one.
    pub reply_to: Option<String>,
    /// The subject and text the mail gets where the user wrote none, in the customer's language; the
    /// text holds `url`.
    pub default_subject: String,
    pub default_text: String,
}

/// A link's mail: the synced record (what was asked, and later what became of it) and the message to
/// queue, which alone holds the link's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMailDecision {
    pub mail: Mail,
    pub outgoing: OutgoingMail,
    /// The audit log's summary: who it went to and which link, never the address of the link.
    pub audit: serde_json::Value,
}

/// Decides the mail of a portal link: refused (naming `send_to`, `subject` or `message`) as
/// [`LinkMail::validate`] says; otherwise a queued `mail` record of kind `portal_link` and the message,
/// whose text is the user's message followed by the link's address, or the default text (which holds
/// it).
pub fn decide_portal_link_mail(
    request: &LinkMail,
    facts: &LinkMailFacts,
) -> Result<LinkMailDecision, MutationError> {
    request.validate().map_err(MutationError::invalid)?;
    let link = facts.link;
    let document = MailedDocument {
        kind: MailedKind::PortalLink,
        id: link.id.as_uuid(),
    };
    let to = request.send_to.trim().to_owned();
    let subject = request.subject.trim().to_owned();
    let number = facts.invoice_number.unwrap_or_default().to_owned();
    let text = if request.message.trim().is_empty() {
        facts.default_text.clone()
    } else {
        format!("{}\n\n{}", request.message.trim_end(), facts.url)
    };
    let mail = Mail {
        id: facts.mail_id,
        organisation_id: link.organisation_id,
        customer_id: link.customer_id,
        document,
        number: number.clone(),
        to: to.clone(),
        subject: subject.clone(),
        message: request.message.clone(),
        status: MailStatus::Queued,
        sent_at_ms: None,
        error: None,
    };
    let outgoing = OutgoingMail {
        id: facts.mail_id,
        organisation_id: link.organisation_id,
        document,
        to: to.clone(),
        reply_to: facts.reply_to.clone(),
        subject: if subject.is_empty() {
            facts.default_subject.clone()
        } else {
            subject
        },
        text,
    };
    let audit = serde_json::json!({
        "op": "put", "entity": "mail", "id": facts.mail_id,
        "document": MailedKind::PortalLink.name(), "link": link.id, "number": number, "to": to,
    });
    Ok(LinkMailDecision {
        mail,
        outgoing,
        audit,
    })
}

/// The invoice a link is asked for, as the shell found it in the organisation's books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedInvoice {
    pub id: InvoiceId,
    pub customer_id: CustomerId,
    /// The last due date of its schedule.
    pub last_due_date: NaiveDate,
}

/// What [`decide_portal_link`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLinkFacts {
    pub organisation_id: OrganisationId,
    /// The role of the user asking.
    pub role: Role,
    pub customer_id: CustomerId,
    /// The requested invoice when the organisation has it (of any of its customers); none otherwise.
    pub invoice: Option<LinkedInvoice>,
    pub policy: PortalPolicy,
    /// The organisation's business date.
    pub today: NaiveDate,
}

/// A portal link as stored (its token only as a hash, which the shell keeps beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalLink {
    pub id: PortalLinkId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    pub invoice_id: Option<InvoiceId>,
    pub created_on: NaiveDate,
    pub expires_on: NaiveDate,
    #[serde(default)]
    pub revoked: bool,
}

/// A link just made: its address holds the token, shown this once (`POST …/portal-links`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPortalLink {
    pub id: PortalLinkId,
    /// The portal's address, relative to the server (`/p/<token>`).
    pub url: String,
    pub invoice_id: Option<InvoiceId>,
    pub expires_on: NaiveDate,
    /// The mail queued with the link, when the request asked for one (its synced `mail` record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_id: Option<MailId>,
}

/// A link as the workspace lists it (`GET …/portal-links`): never its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalLinkSummary {
    pub id: PortalLinkId,
    pub customer_id: CustomerId,
    pub invoice_id: Option<InvoiceId>,
    pub created_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub state: LinkState,
    /// Views recorded (at most one an hour).
    pub views: i64,
    /// RFC 3339, UTC.
    pub last_viewed_at: Option<String>,
}

/// Whether a link opens today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Open,
    Expired,
    Revoked,
}

impl PortalLink {
    /// A link opens through its last day, `expires_on`, unless it was revoked.
    pub fn state(&self, today: NaiveDate) -> LinkState {
        if self.revoked {
            LinkState::Revoked
        } else if today > self.expires_on {
            LinkState::Expired
        } else {
            LinkState::Open
        }
    }

    /// Whether the link shows its customer's whole account (statements for a period, payments and their
    /// receipts): a statement link does, an invoice link shows its invoice only.
    pub fn shows_account(&self) -> bool {
        self.invoice_id.is_none()
    }

    /// Whether the link may show a payment of `customer` (its receipt).
    pub fn shows_payment(&self, customer: CustomerId) -> bool {
        self.shows_account() && customer == self.customer_id
    }

    /// Whether the link may show `invoice`: its customer's, and the link's own when it is an invoice link.
    pub fn shows_invoice(&self, invoice: InvoiceId, customer: CustomerId) -> bool {
        customer == self.customer_id && self.invoice_id.is_none_or(|only| only == invoice)
    }
}

/// The link to make, or why not. The id is the request's (a request sent twice makes one link) or the
/// one the shell drew.
pub fn decide_portal_link(
    request: &NewPortalLink,
    drawn_id: PortalLinkId,
    facts: &PortalLinkFacts,
) -> Result<PortalLink, MutationError> {
    let invalid =
        |field: &str, rule: Rule| MutationError::invalid(ValidationError::new(field, rule));
    if !facts.role.may_write() {
        return Err(MutationError::forbidden(
            "customer_id",
            "a read-only user cannot hand out portal links",
        ));
    }
    let invoice = match request.invoice_id {
        None => None,
        Some(id) => match &facts.invoice {
            Some(found) if found.id == id && found.customer_id == facts.customer_id => Some(found),
            _ => {
                return Err(invalid(
                    "invoice_id",
                    Rule::Matches {
                        expected: "an issued invoice of this customer".into(),
                    },
                ));
            }
        },
    };
    let policy = &facts.policy;
    let latest = add_days(facts.today, policy.max_link_days);
    let expires_on = match (request.expires_on, invoice) {
        (Some(day), _) if day < facts.today || day > latest => {
            return Err(invalid(
                "expires_on",
                Rule::Matches {
                    expected: format!("a day from {} to {latest}", facts.today),
                },
            ));
        }
        (Some(day), _) => day,
        (None, Some(invoice)) => add_days(
            invoice.last_due_date.max(facts.today),
            policy.invoice_link_grace_days,
        ),
        (None, None) => add_days(facts.today, policy.link_days),
    };
    Ok(PortalLink {
        id: request.id.unwrap_or(drawn_id),
        organisation_id: facts.organisation_id,
        customer_id: facts.customer_id,
        invoice_id: request.invoice_id,
        created_on: facts.today,
        expires_on,
        revoked: false,
    })
}

fn add_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a view of a link at `now_ms` is recorded, given when its last recorded view was.
pub fn view_is_due(last_recorded_ms: Option<i64>, now_ms: i64, policy: &PortalPolicy) -> bool {
    last_recorded_ms.is_none_or(|last| now_ms - last >= policy.view_interval_ms)
}

/// Views recorded before this instant lose their address and user agent.
pub fn erase_views_before(now_ms: i64, policy: &PortalPolicy) -> i64 {
    now_ms - i64::from(policy.erase_views_after_days) * 24 * 60 * 60 * 1000
}

/// An open item as the statement page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueItem {
    #[serde(flatten)]
    pub item: OpenItem,
    /// Days past its due date on the statement day; zero when not yet due.
    pub days_overdue: i64,
}

/// A payment of the last twelve months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidEntry {
    /// The payment, whose receipt the customer may download.
    pub id: PaymentId,
    pub date: NaiveDate,
    pub reference: String,
    pub amount: Money,
    pub method: Option<PaymentMethod>,
}

/// One currency of the statement page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrencyStatement {
    pub currency: Currency,
    pub open: Vec<OverdueItem>,
    pub unapplied: Money,
    /// Σ open − unapplied credit.
    pub balance_due: Money,
    pub aging: AgingReport,
    /// Newest first.
    pub payments: Vec<PaidEntry>,
}

/// The statement page: what the customer owes on `on`, one section per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalStatement {
    pub on: NaiveDate,
    pub currencies: Vec<CurrencyStatement>,
}

/// The first day of the payments the statement page lists: twelve months before `on`.
pub fn payments_since(on: NaiveDate) -> NaiveDate {
    on.checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN)
}

/// The statement page of an account: its `position` and the customer's `payments` (those since
/// [`payments_since`] are listed), in the customer's own currency and every other the account holds. An
/// invoice link's page shows that invoice's items only, and no payments or credit of the rest of the
/// account.
pub fn portal_statement(
    position: &Position,
    payments: &[Payment],
    customer_currency: Currency,
    on: NaiveDate,
    only: Option<InvoiceId>,
) -> Result<PortalStatement, ValidationError> {
    let currencies = position.statement_currencies(customer_currency);
    let since = payments_since(on);
    let sections = currencies
        .into_iter()
        .map(|currency| {
            let mut open = statement::open_items(position, currency)?;
            if let Some(invoice) = only {
                open.items.retain(|i| i.item.invoice_id == invoice);
                open.unapplied = Money::zero(currency);
                open.total_due = Money::sum(currency, open.items.iter().map(|i| i.open))?;
            }
            let aging = aging::age_in(&[currency], &open.items, on, &AgingPolicy::default())?
                .pop()
                .ok_or(ValidationError::new("aging", Rule::Required))?;
            let payments = match only {
                Some(_) => Vec::new(),
                None => paid_since(payments, currency, since),
            };
            Ok(CurrencyStatement {
                currency,
                open: open
                    .items
                    .into_iter()
                    .map(|item| OverdueItem {
                        days_overdue: item.days_overdue(on),
                        item,
                    })
                    .collect(),
                unapplied: open.unapplied,
                balance_due: open.total_due,
                aging,
                payments,
            })
        })
        .collect::<Result<_, ValidationError>>()?;
    Ok(PortalStatement {
        on,
        currencies: sections,
    })
}

fn paid_since(payments: &[Payment], currency: Currency, since: NaiveDate) -> Vec<PaidEntry> {
    let mut paid: Vec<PaidEntry> = payments
        .iter()
        .map(|p| &p.received)
        .filter(|p| p.amount.currency() == currency && p.received_on >= since)
        .map(|p| PaidEntry {
            id: p.id,
            date: p.received_on,
            reference: p.reference.clone(),
            amount: p.amount,
            method: Some(p.method),
        })
        .collect();
    paid.sort_by_key(|p| std::cmp::Reverse((p.date, p.id)));
    paid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receivables::ItemRef;
    use crate::receivables::account::{Account, EntryKind};
    use crate::receivables::allocation::Instruction;
    use crate::receivables::payment::RecordPayment;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn d(day: &str) -> NaiveDate {
        NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()
    }

    fn id<T: TryFrom<uuid::Uuid>>(n: u8) -> T
    where
        T::Error: std::fmt::Debug,
    {
        let text = format!("019a4d5e-0000-7000-8000-0000000004{n:02x}");
        T::try_from(uuid::Uuid::parse_str(&text).unwrap()).unwrap()
    }

    fn facts(invoice: Option<LinkedInvoice>) -> PortalLinkFacts {
        PortalLinkFacts {
            organisation_id: id(1),
            role: Role::Billing,
            customer_id: id(2),
            invoice,
            policy: PortalPolicy::default(),
            today: d("2026-11-30"),
        }
    }

    fn invoice_of(customer: CustomerId, last_due: &str) -> LinkedInvoice {
        LinkedInvoice {
            id: id(3),
            customer_id: customer,
            last_due_date: d(last_due),
        }
    }

    #[test]
    fn an_organisation_may_choose_how_long_its_statement_links_live() {
        let mut settings = crate::settings::Settings::initial(id(1), "Fjord AS");
        assert_eq!(PortalPolicy::of(&settings).link_days, 30);
        settings.portal_link_days = Some(7);
        let facts = PortalLinkFacts {
            policy: PortalPolicy::of(&settings),
            ..facts(None)
        };
        let link = decide_portal_link(&NewPortalLink::default(), id(9), &facts).unwrap();
        assert_eq!(link.expires_on, d("2026-12-07"));
    }

    #[test]
    fn a_statement_link_lives_the_policys_thirty_days() {
        let link = decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap();
        assert_eq!(link.expires_on, d("2026-12-30"));
        assert_eq!(
            (link.id, link.customer_id, link.invoice_id),
            (id(9), id(2), None)
        );
    }

    #[test]
    fn an_invoice_link_lives_until_thirty_days_after_the_last_due_date() {
        let request = NewPortalLink {
            invoice_id: Some(id(3)),
            ..Default::default()
        };
        let later = facts(Some(invoice_of(id(2), "2027-01-31")));
        assert_eq!(
            decide_portal_link(&request, id(9), &later)
                .unwrap()
                .expires_on,
            d("2027-03-02")
        );
        // An invoice already overdue: thirty days from today, not from the past due date.
        let overdue = facts(Some(invoice_of(id(2), "2026-10-01")));
        assert_eq!(
            decide_portal_link(&request, id(9), &overdue)
                .unwrap()
                .expires_on,
            d("2026-12-30")
        );
    }

    #[test]
    fn a_link_is_never_made_for_another_customers_invoice_or_an_unknown_one() {
        let request = NewPortalLink {
            invoice_id: Some(id(3)),
            ..Default::default()
        };
        for found in [None, Some(invoice_of(id(7), "2027-01-31"))] {
            let refused = decide_portal_link(&request, id(9), &facts(found)).unwrap_err();
            assert_eq!(refused.field.as_deref(), Some("invoice_id"));
        }
    }

    #[test]
    fn a_chosen_expiry_lies_between_today_and_the_longest_lifetime() {
        let table = [
            ("2026-11-30", true),
            ("2027-02-01", true),
            ("2028-01-04", true),
            ("2028-01-05", false),
            ("2026-11-29", false),
        ];
        for (day, allowed) in table {
            let request = NewPortalLink {
                expires_on: Some(d(day)),
                ..Default::default()
            };
            let decided = decide_portal_link(&request, id(9), &facts(None));
            assert_eq!(decided.is_ok(), allowed, "{day}");
            if let Err(e) = decided {
                assert_eq!(e.field.as_deref(), Some("expires_on"));
            }
        }
    }

    #[test]
    fn the_clients_id_makes_a_repeated_request_one_link_and_a_read_only_user_makes_none() {
        let request = NewPortalLink {
            id: Some(id(5)),
            ..Default::default()
        };
        assert_eq!(
            decide_portal_link(&request, id(9), &facts(None))
                .unwrap()
                .id,
            id(5)
        );
        let read_only = PortalLinkFacts {
            role: Role::ReadOnly,
            ..facts(None)
        };
        let refused = decide_portal_link(&request, id(9), &read_only).unwrap_err();
        assert_eq!(refused.kind, crate::sync::MutationErrorKind::Forbidden);
    }

    #[test]
    fn a_link_opens_through_its_last_day_unless_revoked() {
        let mut link = decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap();
        assert_eq!(link.state(d("2026-12-30")), LinkState::Open);
        assert_eq!(link.state(d("2026-12-31")), LinkState::Expired);
        link.revoked = true;
        assert_eq!(link.state(d("2026-12-01")), LinkState::Revoked);
    }

    #[test]
    fn an_invoice_link_shows_its_own_invoice_only_and_a_statement_link_its_customers_account() {
        let statement = decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap();
        assert!(statement.shows_invoice(id(3), id(2)));
        assert!(statement.shows_invoice(id(4), id(2)));
        assert!(!statement.shows_invoice(id(3), id(7)));
        let only = PortalLink {
            invoice_id: Some(id(3)),
            ..statement.clone()
        };
        assert!(only.shows_invoice(id(3), id(2)));
        assert!(!only.shows_invoice(id(4), id(2)));
        assert!(statement.shows_payment(id(2)) && !statement.shows_payment(id(7)));
        assert!(!only.shows_account() && !only.shows_payment(id(2)));
    }

    const URL: &str = "https://remit.example/p/secret-token-0123456789";

    fn mail_facts(link: &PortalLink) -> LinkMailFacts<'_> {
        LinkMailFacts {
            mail_id: id(8),
            link,
            url: URL,
            invoice_number: None,
            reply_to: Some("billing@nordlys.example".into()),
            default_subject: "Your account with Nordlys AS".into(),
            default_text: format!("Dear customer,\n\nOpen your statement: {URL}\n\nNordlys AS"),
        }
    }

    fn link_mail(message: &str) -> LinkMail {
        LinkMail {
            send_to: " ap@fiskeri.example ".into(),
            subject: String::new(),
            message: message.into(),
        }
    }

    #[test]
    fn a_mailed_link_queues_its_address_and_the_synced_record_never_holds_it() {
        let link = decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap();
        let decided = decide_portal_link_mail(&link_mail(""), &mail_facts(&link)).unwrap();
        assert_eq!(
            decided.mail,
            Mail {
                id: id(8),
                organisation_id: id(1),
                customer_id: id(2),
                document: MailedDocument {
                    kind: MailedKind::PortalLink,
                    id: link.id.as_uuid(),
                },
                number: String::new(),
                to: "ap@fiskeri.example".into(),
                subject: String::new(),
                message: String::new(),
                status: MailStatus::Queued,
                sent_at_ms: None,
                error: None,
            }
        );
        assert_eq!(decided.outgoing.subject, "Your account with Nordlys AS");
        assert!(decided.outgoing.text.contains(URL));
        assert_eq!(
            decided.outgoing.reply_to.as_deref(),
            Some("billing@nordlys.example")
        );
        let record = serde_json::to_string(&decided.mail).unwrap();
        let audit = decided.audit.to_string();
        for kept in [&record, &audit] {
            assert!(!kept.contains("secret-token"), "{kept}");
        }
        assert!(audit.contains("portal_link") && audit.contains("ap@fiskeri.example"));
    }

    #[test]
    fn the_users_message_and_subject_are_kept_and_the_address_follows_the_message() {
        let link = PortalLink {
            invoice_id: Some(id(3)),
            ..decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap()
        };
        let request = LinkMail {
            subject: " November ".into(),
            ..link_mail("Hei,\nher er lenken.\n")
        };
        let facts = LinkMailFacts {
            invoice_number: Some("INV-2026-000007"),
            ..mail_facts(&link)
        };
        let decided = decide_portal_link_mail(&request, &facts).unwrap();
        assert_eq!(decided.outgoing.subject, "November");
        assert_eq!(
            decided.outgoing.text,
            format!("Hei,\nher er lenken.\n\n{URL}")
        );
        assert_eq!(decided.mail.number, "INV-2026-000007");
        assert_eq!(decided.mail.message, "Hei,\nher er lenken.\n");
        assert!(!decided.mail.message.contains(URL));
    }

    #[test]
    fn a_bad_address_is_refused_naming_send_to() {
        let link = decide_portal_link(&NewPortalLink::default(), id(9), &facts(None)).unwrap();
        for bad in [
            "",
            "ap@fiskeri",
            "Fiskeri <ap@fiskeri.example>",
            "ap@fiskeri.example\r\nBcc: all@fiskeri.example",
        ] {
            let request = LinkMail {
                send_to: bad.into(),
                ..link_mail("")
            };
            let refused = decide_portal_link_mail(&request, &mail_facts(&link)).unwrap_err();
            assert_eq!(refused.field.as_deref(), Some("send_to"), "{bad}");
        }
        let subject = LinkMail {
            subject: "Link\nBcc: all@fiskeri.example".into(),
            ..link_mail("")
        };
        let refused = decide_portal_link_mail(&subject, &mail_facts(&link)).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("subject"));
    }

    #[test]
    fn a_message_without_an_address_is_refused_and_no_address_asks_for_no_mail() {
        assert_eq!(NewPortalLink::default().mail(), Ok(None));
        let unsent = NewPortalLink {
            message: "Here is your link".into(),
            ..Default::default()
        };
        assert_eq!(unsent.mail().unwrap_err().field, "send_to");
        let sent = NewPortalLink {
            send_to: Some("ap@fiskeri.example".into()),
            ..Default::default()
        };
        assert_eq!(
            sent.mail().unwrap().map(|m| m.send_to).as_deref(),
            Some("ap@fiskeri.example")
        );
    }

    #[test]
    fn a_view_is_recorded_once_an_hour_and_its_address_erased_after_ninety_days() {
        let policy = PortalPolicy::default();
        assert!(view_is_due(None, 0, &policy));
        assert!(!view_is_due(Some(1_000), 1_000 + 3_599_999, &policy));
        assert!(view_is_due(Some(1_000), 1_000 + 3_600_000, &policy));
        assert_eq!(erase_views_before(90 * 86_400_000, &policy), 0);
    }

    fn eur(amount: Decimal) -> Money {
        Money::exact(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn open_item(n: u8, due: &str, amount: Decimal) -> OpenItem {
        OpenItem {
            item: ItemRef {
                invoice_id: id(n),
                instalment: 0,
            },
            number: format!("INV-{n}"),
            issue_date: d("2026-01-01"),
            due_date: d(due),
            amount: eur(amount),
            open: eur(amount),
            discount: None,
            disputed: false,
        }
    }

    /// An account of two invoices and two payments, and the payments as recorded.
    fn account() -> (Account, Vec<Payment>) {
        let mut account = Account::default();
        let mut payments = Vec::new();
        let invoices = [(10, "2026-09-30", dec!(100)), (11, "2026-12-15", dec!(250))];
        for (n, due, amount) in invoices {
            let item = open_item(n, due, amount);
            account
                .invoice(
                    &item.number.clone(),
                    d("2026-09-01"),
                    vec![item],
                    EntryKind::Invoice,
                )
                .unwrap();
        }
        for (n, day, amount) in [(20, "2025-10-01", dec!(1)), (21, "2026-10-15", dec!(40))] {
            let received = RecordPayment {
                id: id(n),
                organisation_id: id(1),
                customer_id: id(2),
                amount: eur(amount),
                received_on: d(day),
                method: PaymentMethod::BankTransfer,
                reference: format!("P-{n}"),
                instruction: Instruction::OldestDueFirst,
            };
            let allocation = account
                .receive(
                    &received.reference,
                    received.received_on,
                    received.amount,
                    received.method,
                    &received.instruction,
                )
                .unwrap();
            payments.push(Payment {
                received,
                allocation,
            });
        }
        (account, payments)
    }

    #[test]
    fn the_statement_page_shows_days_overdue_aging_and_a_years_payments_newest_first() {
        let (account, payments) = account();
        let (position, _) = account.into_parts();
        let eur_code = Currency::parse("EUR").unwrap();
        let page = portal_statement(&position, &payments, eur_code, d("2026-11-30"), None).unwrap();
        let [section] = page.currencies.as_slice() else {
            panic!("one currency: {page:?}")
        };
        let overdue: Vec<_> = section
            .open
            .iter()
            .map(|o| (o.item.number.as_str(), o.item.open.amount(), o.days_overdue))
            .collect();
        assert_eq!(
            overdue,
            [("INV-10", dec!(59), 61), ("INV-11", dec!(250), 0)]
        );
        assert_eq!(section.balance_due, eur(dec!(309)));
        assert_eq!(section.aging.total, eur(dec!(309)));
        let paid: Vec<_> = section
            .payments
            .iter()
            .map(|p| (p.id, p.amount.amount()))
            .collect();
        assert_eq!(
            paid,
            [(id(21), dec!(40))],
            "the payment of 2025-10-01 is over a year old"
        );
    }

    #[test]
    fn an_invoice_links_page_shows_that_invoice_and_nothing_else_of_the_account() {
        let (account, payments) = account();
        let (position, _) = account.into_parts();
        let eur_code = Currency::parse("EUR").unwrap();
        let page = portal_statement(
            &position,
            &payments,
            eur_code,
            d("2026-11-30"),
            Some(id(11)),
        )
        .unwrap();
        let section = &page.currencies[0];
        assert_eq!(section.open.len(), 1);
        assert_eq!(section.balance_due, eur(dec!(250)));
        assert!(section.payments.is_empty());
    }
}
