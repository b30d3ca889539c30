//! Portal links as a billing user makes them, and as a customer's request finds them. Core decides each
//! link's scope and lifetime and whether it still opens; this module draws the token, stores its hash and
//! counts the lookups that fail.

use chrono::NaiveDate;
use remit_core::access::LoginDecision;
use remit_core::customer::Customer;
use remit_core::decide::threads::AnswerMail;
use remit_core::ids::{CustomerId, InvoiceId, MailId, OrganisationId, PortalLinkId};
use remit_core::organisation::Organisation;
use remit_core::portal::{
    LinkMail, LinkState, LinkedInvoice, NewPortalLink, PORTAL_LOOKUP_THROTTLE, PortalLink,
    PortalLinkFacts, PortalPolicy, decide_portal_link,
};
use remit_core::sync::MutationError;
use remit_documents::LinkWording;
use sqlx::AnyConnection;
use uuid::Uuid;

use super::address::ClientAddress;
use crate::auth::{Role, session};
use crate::clock::Clock;
use crate::http::session::CurrentSession;
use crate::mail::link::{LinkMailError, LinkToMail, queue_link_mail};
use crate::store::portal::{self as store, ListedLink};
use crate::store::{Store, StoreError, accounts, customers, invoices, records};
use crate::sync::Caller;

/// Where a portal page lives, relative to the server's root.
pub fn path(token: &str) -> String {
    format!("/p/{token}")
}

/// Why a link could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No such customer or link in the caller's organisation.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Refused(MutationError),
    /// A link with the request's id exists already; its address was shown when it was made.
    #[error("a link with this id exists already")]
    Exists(PortalLink),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the organisation's time zone: {0}")]
    TimeZone(String),
    /// The id drawn for the link is not one (the clock or the random source failed).
    #[error("drawing the link's id: {0}")]
    Id(#[from] remit_core::validation::ValidationError),
    /// The link's mail could not be queued (nothing of the request was stored).
    #[error(transparent)]
    Mail(#[from] LinkMailError),
}

/// A link just made, with the token only its creator ever sees, and the mail queued with it.
#[derive(Debug, Clone)]
pub struct MadeLink {
    pub link: PortalLink,
    pub token: String,
    pub mail: Option<MailId>,
}

async fn today(
    conn: &mut AnyConnection,
    clock: &Clock,
    organisation: OrganisationId,
) -> Result<NaiveDate, LinkError> {
    let organisation = accounts::organisation(conn, organisation)
        .await?
        .ok_or(LinkError::NotFound)?;
    clock
        .today_in(&organisation.time_zone)
        .map_err(|e| LinkError::TimeZone(e.to_string()))
}

async fn linked_invoice(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: Option<InvoiceId>,
) -> Result<Option<LinkedInvoice>, LinkError> {
    let Some(id) = id else { return Ok(None) };
    let found = invoices::find_invoice(conn, organisation, id).await?;
    Ok(found.map(|invoice| LinkedInvoice {
        id: invoice.id,
        customer_id: invoice.customer_id,
        last_due_date: invoice
            .snapshot
            .schedule
            .iter()
            .map(|s| s.due_date)
            .max()
            .unwrap_or(invoice.snapshot.issue_date),
    }))
}

/// What core decides a link on, for `request` of `customer`'s, by a user of `role`.
async fn link_facts(
    conn: &mut AnyConnection,
    clock: &Clock,
    (organisation, role): (OrganisationId, Role),
    customer: CustomerId,
    request: &NewPortalLink,
) -> Result<PortalLinkFacts, LinkError> {
    customers::find_customer(conn, organisation, customer)
        .await?
        .ok_or(LinkError::NotFound)?;
    let settings = records::settings(conn, organisation).await?;
    Ok(PortalLinkFacts {
        organisation_id: organisation,
        role,
        customer_id: customer,
        invoice: linked_invoice(conn, organisation, request.invoice_id).await?,
        policy: PortalPolicy::of(&settings),
        today: today(conn, clock, organisation).await?,
    })
}

/// Makes a link to customer `customer`'s portal as `request` asks, and when it names an address to
/// send it to, queues its mail in the same transaction ([`queue_link_mail`]): the link is made with its
/// mail or not at all. `origin` is where the portal is served (`https://remit.example`), for the mailed
/// address.
pub async fn create(
    store: &Store,
    clock: &Clock,
    session: &CurrentSession,
    customer: CustomerId,
    request: &NewPortalLink,
    origin: &str,
) -> Result<MadeLink, LinkError> {
    let refused = |e| LinkError::Refused(MutationError::invalid(e));
    let mail = request.mail().map_err(refused)?;
    if let Some(mail) = &mail {
        mail.validate().map_err(refused)?;
    }
    let organisation = session.organisation.id;
    let facts = link_facts(
        &mut *store.read().await?,
        clock,
        (organisation, session.user.role),
        customer,
        request,
    )
    .await?;
    let drawn = PortalLinkId::try_from(Uuid::now_v7())?;
    let link = decide_portal_link(request, drawn, &facts).map_err(LinkError::Refused)?;
    let token = session::new_token();
    let mut tx = store.write().await?;
    let made = store::insert_link(
        &mut tx,
        &link,
        &session::token_hash(&token),
        session.user.id,
        clock.now_ms(),
    )
    .await?;
    if !made {
        let existing = store::find_link(&mut tx, organisation, link.id).await?;
        return Err(existing.map_or(LinkError::NotFound, LinkError::Exists));
    }
    let mail = match &mail {
        Some(mail) => Some(
            queue_link_mail(
                &mut tx,
                LinkToMail {
                    link: &link,
                    token: &token,
                    origin,
                    mail,
                    wording: LinkWording::NewLink,
                    user: session.user.id,
                    now_ms: clock.now_ms(),
                },
            )
            .await?,
        ),
        None => None,
    };
    tx.commit().await.map_err(StoreError::from)?;
    Ok(MadeLink { link, token, mail })
}

/// Makes a fresh link for a customer whose question a mutation answered, and queues the mail that
/// hands it to them ([`LinkWording::Answer`]), in the mutation's transaction: a link to the thread's
/// invoice, or the statement for a question about the account, for the policy's lifetime. `origin` is
/// where the portal is served; the mail's id.
pub async fn mail_answer(
    conn: &mut AnyConnection,
    clock: &Clock,
    answer: &AnswerMail,
    caller: &Caller,
    origin: &str,
) -> Result<MailId, LinkError> {
    let request = NewPortalLink {
        id: None,
        invoice_id: answer.invoice_id,
        expires_on: None,
        send_to: Some(answer.to.clone()),
        subject: String::new(),
        message: String::new(),
    };
    let facts = link_facts(
        conn,
        clock,
        (caller.organisation_id, caller.role),
        answer.customer_id,
        &request,
    )
    .await?;
    let drawn = PortalLinkId::try_from(Uuid::now_v7())?;
    let link = decide_portal_link(&request, drawn, &facts).map_err(LinkError::Refused)?;
    let token = session::new_token();
    let now_ms = clock.now_ms();
    store::insert_link(
        conn,
        &link,
        &session::token_hash(&token),
        caller.user_id,
        now_ms,
    )
    .await?;
    let mail = LinkMail {
        send_to: answer.to.clone(),
        subject: String::new(),
        message: String::new(),
    };
    let wording = LinkWording::Answer {
        resolved: answer.outcome.is_some(),
    };
    let to_mail = LinkToMail {
        link: &link,
        token: &token,
        origin,
        mail: &mail,
        wording,
        user: caller.user_id,
        now_ms,
    };
    Ok(queue_link_mail(conn, to_mail).await?)
}

/// The customer's links, newest first.
pub async fn list(
    store: &Store,
    organisation: OrganisationId,
    customer: CustomerId,
) -> Result<Vec<ListedLink>, LinkError> {
    let mut conn = store.read().await?;
    customers::find_customer(&mut conn, organisation, customer)
        .await?
        .ok_or(LinkError::NotFound)?;
    Ok(store::links_of(&mut conn, organisation, customer).await?)
}

/// Revokes the organisation's link `id`.
pub async fn revoke(
    store: &Store,
    clock: &Clock,
    session: &CurrentSession,
    id: PortalLinkId,
) -> Result<(), LinkError> {
    if !session.user.role.may_write() {
        return Err(LinkError::Refused(MutationError::forbidden(
            "id",
            "a read-only user cannot withdraw portal links",
        )));
    }
    let mut tx = store.write().await?;
    if !store::revoke(&mut tx, session.organisation.id, id, clock.now_ms()).await? {
        return Err(LinkError::NotFound);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// What an open link gives a page: the link, its organisation and customer, and the business date.
#[derive(Debug, Clone)]
pub struct Visit {
    pub link: PortalLink,
    pub organisation: Organisation,
    pub customer: Customer,
    pub today: NaiveDate,
}

/// Why a token opens nothing.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Unknown, expired or revoked: the customer cannot tell which, and neither can a guesser.
    #[error("no open link")]
    NoLink,
    /// Too many failed lookups from this address lately.
    #[error("too many failed lookups")]
    Throttled(remit_core::access::RetryAfter),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Opens the link of `token` for `client`, counting a failure against the client's address.
pub async fn open(
    store: &Store,
    clock: &Clock,
    client: ClientAddress,
    token: &str,
) -> Result<Visit, OpenError> {
    let now = clock.now_ms();
    let key = client.key();
    let mut conn = store.read().await?;
    let failures = store::lookup_failures(&mut conn, &key).await?;
    if let LoginDecision::Refuse { retry_after } = PORTAL_LOOKUP_THROTTLE.decide(&failures, now) {
        return Err(OpenError::Throttled(retry_after));
    }
    let visit = match store::find_by_token(&mut conn, &session::token_hash(token)).await? {
        Some(link) => visit(&mut conn, clock, link).await?,
        None => None,
    };
    drop(conn);
    match visit {
        Some(visit) => Ok(visit),
        None => {
            let mut tx = store.write().await?;
            store::forget_lookup_failures(&mut tx, PORTAL_LOOKUP_THROTTLE.forget_before(now))
                .await?;
            store::insert_lookup_failure(&mut tx, &key, now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Err(OpenError::NoLink)
        }
    }
}

/// The visit a stored link gives, when it opens today.
async fn visit(
    conn: &mut sqlx::AnyConnection,
    clock: &Clock,
    link: PortalLink,
) -> Result<Option<Visit>, StoreError> {
    let Some(organisation) = accounts::organisation(conn, link.organisation_id).await? else {
        return Ok(None);
    };
    let today = clock
        .today_in(&organisation.time_zone)
        .map_err(|e| StoreError::corrupt("organisation", e.to_string()))?;
    if link.state(today) != LinkState::Open {
        return Ok(None);
    }
    let customer = customers::find_customer(conn, link.organisation_id, link.customer_id).await?;
    Ok(customer.map(|customer| Visit {
        link,
        organisation,
        customer,
        today,
    }))
}
