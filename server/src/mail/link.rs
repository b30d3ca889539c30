//! Mailing a portal link: the message carrying a link's address is queued inside the caller's write
//! transaction, beside the synced `mail` record (kind `portal_link`, at the organisation's next change
//! number) and an audit row naming the user. The address (which holds the token) goes into `mail_queue`
//! only: the record and the audit row name the link by its id.
//!
//! [`queue_link_mail`] is the one way: a link made on the customer screen is mailed with it
//! ([`LinkWording::NewLink`]), and any later mail that hands the customer a fresh link does the same
//! with its own default wording.

use remit_core::decide::FIRST_VERSION;
use remit_core::ids::{MailId, UserId};
use remit_core::portal::{LinkMail, LinkMailFacts, PortalLink, decide_portal_link_mail};
use remit_core::sync::{MutationError, MutationStatus, Record};
use remit_core::validation::ValidationError;
use remit_documents::{LinkMailFacts as Wording, LinkWording, link_mail_text};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::documents::{DocumentError, language_of};
use crate::portal::links::path;
use crate::store::records::{self, RecordWrite};
use crate::store::sync_log::{self, AuditEntry};
use crate::store::{StoreError, accounts, changes, customers, invoices, mail as queue};
use crate::sync::system::SystemClient;

/// The audit log's name for a mail queued with a portal link (a REST request, not a sync mutation: its
/// mutation id is 0 and its client the organisation's system client, which writes the record).
pub const AUDITED_AS: &str = "portal_link.mail";

/// A portal link to mail, just made in the caller's transaction.
#[derive(Debug, Clone, Copy)]
pub struct LinkToMail<'a> {
    pub link: &'a PortalLink,
    /// The link's token, which only the queued message holds.
    pub token: &'a str,
    /// Where the portal is served, without a trailing slash: `https://remit.example`.
    pub origin: &'a str,
    /// To whom, and what the user wrote.
    pub mail: &'a LinkMail,
    /// The default subject and text, where the user wrote none.
    pub wording: LinkWording,
    /// The user who asked, named in the audit row.
    pub user: UserId,
    pub now_ms: i64,
}

/// Why a link's mail was not queued. The caller drops its transaction: nothing of the request stays.
#[derive(Debug, thiserror::Error)]
pub enum LinkMailError {
    /// Core refused it, naming the field (`send_to`, `subject`, `message`).
    #[error(transparent)]
    Refused(MutationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The default text cannot be written in the customer's language.
    #[error(transparent)]
    Wording(DocumentError),
    /// The id drawn for the mail is not one.
    #[error("drawing the mail's id: {0}")]
    Id(#[from] ValidationError),
}

/// The link's full address: `origin` and the portal's path.
pub fn url(origin: &str, token: &str) -> String {
    format!("{}{}", origin.trim_end_matches('/'), path(token))
}

/// Queues the mail of `request.link` in `tx`, with its synced record and audit row; the mail's id.
pub async fn queue_link_mail(
    tx: &mut AnyConnection,
    request: LinkToMail<'_>,
) -> Result<MailId, LinkMailError> {
    let link = request.link;
    let organisation = link.organisation_id;
    let seller = accounts::organisation(tx, organisation)
        .await?
        .ok_or_else(|| StoreError::corrupt("portal link", "its organisation is missing"))?
        .name;
    let customer = customers::find_customer(tx, organisation, link.customer_id).await?;
    let invoice_number = match link.invoice_id {
        Some(id) => Some(
            invoices::find_invoice(tx, organisation, id)
                .await?
                .ok_or_else(|| StoreError::corrupt("portal link", "its invoice is missing"))?
                .snapshot
                .number
                .to_string(),
        ),
        None => None,
    };
    let url = url(request.origin, request.token);
    let default = link_mail_text(
        language_of(customer.as_ref()),
        &Wording {
            wording: request.wording,
            seller: &seller,
            invoice_number: invoice_number.as_deref(),
            expires_on: link.expires_on,
            url: &url,
        },
    )
    .map_err(|source| {
        LinkMailError::Wording(DocumentError::Render {
            what: format!("the mail of portal link {}", link.id),
            source,
        })
    })?;
    let facts = LinkMailFacts {
        mail_id: MailId::try_from(Uuid::now_v7())?,
        link,
        url: &url,
        invoice_number: invoice_number.as_deref(),
        reply_to: queue::reply_address(tx, organisation).await?,
        default_subject: default.subject,
        default_text: default.body,
    };
    let decided = decide_portal_link_mail(request.mail, &facts).map_err(LinkMailError::Refused)?;
    let system = SystemClient::of(organisation);
    let change_no = changes::next_change_no(tx, organisation).await?;
    records::put_record(
        tx,
        organisation,
        RecordWrite {
            record: &Record::Mail(decided.mail),
            customer: Some(link.customer_id),
            version: FIRST_VERSION,
            client: system.client,
            change_no,
            now_ms: request.now_ms,
        },
    )
    .await?;
    queue::insert(tx, &decided.outgoing, request.now_ms).await?;
    sync_log::append_audit(
        tx,
        &AuditEntry {
            organisation_id: organisation,
            change_no: Some(change_no),
            user_id: request.user,
            client_id: system.client,
            mutation_id: 0,
            mutation_name: AUDITED_AS,
            status: MutationStatus::Applied,
            at_ms: request.now_ms,
            summary: decided.audit,
        },
    )
    .await?;
    Ok(facts.mail_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_links_url_is_the_origin_and_the_portals_path() {
        assert_eq!(
            url("https://remit.example/", "abc"),
            "https://remit.example/p/abc"
        );
        assert_eq!(
            url("http://127.0.0.1:8080", "abc"),
            "http://127.0.0.1:8080/p/abc"
        );
    }
}
