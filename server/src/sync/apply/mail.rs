//! Sending an issued document by mail: the facts of `remit_core::decide::mail`'s decision. The message
//! is queued by [`super::carry_out`] in the mutation's transaction.

use remit_core::decide::Decision;
use remit_core::decide::mail::{IssuedDocument, SendMailFacts, decide_send_mail};
use remit_core::ids::{CreditNoteId, InvoiceId, PaymentId};
use remit_core::mail::{Mail, MailedKind, SendMail};
use remit_core::receivables::payment::Payment;
use remit_core::sync::EntityKind;
use sqlx::AnyConnection;

use super::{ApplyError, Ctx};
use crate::store::{credit_notes, invoices, mail, records};

pub(super) async fn send_mail(
    conn: &mut AnyConnection,
    ctx: Ctx,
    command: SendMail,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let id = command.document.id;
    // An id of another UUID version names no document: the decision refuses it as not found.
    let document = match command.document.kind {
        MailedKind::Invoice => match InvoiceId::try_from(id) {
            Ok(id) => invoices::find_invoice(conn, organisation, id)
                .await?
                .map(|i| IssuedDocument::Invoice(Box::new(i))),
            Err(_) => None,
        },
        MailedKind::CreditNote => match CreditNoteId::try_from(id) {
            Ok(id) => credit_notes::find_credit_note(conn, organisation, id)
                .await?
                .map(|c| IssuedDocument::CreditNote(Box::new(c))),
            Err(_) => None,
        },
        MailedKind::PortalLink => None,
        MailedKind::Receipt => match PaymentId::try_from(id) {
            Ok(id) => records::find_record::<Payment>(
                conn,
                organisation,
                EntityKind::Payment,
                id.as_uuid(),
            )
            .await?
            .map(|stored| IssuedDocument::Receipt(Box::new(stored.record))),
            Err(_) => None,
        },
    };
    let facts = SendMailFacts {
        stored: records::find_record::<Mail>(
            conn,
            organisation,
            EntityKind::Mail,
            command.id.as_uuid(),
        )
        .await?
        .map(|stored| stored.record),
        document,
        reply_to: mail::reply_address(conn, organisation).await?,
    };
    Ok(decide_send_mail(&command, &facts)?)
}
