//! The outgoing mail queue (`mail_queue`) and the synced `mail` records the sender keeps up to date.
//!
//! A row is queued in the transaction of the `mail.send` that asked for it. The sender claims a due row
//! the way the webhook dispatcher claims a delivery; when the relay accepts it or it is given up on, the
//! row and the mail's synced record change together, the record at the organisation's next change
//! number, so the app pulls what became of its mail.

use remit_core::decide::Stored;
use remit_core::ids::{MailId, OrganisationId};
use remit_core::mail::{Mail, MailStatus, MailedDocument, MailedKind, OutgoingMail};
use remit_core::sync::{EntityKind, Record};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::records::{self, RecordWrite};
use super::{Backend, Store, StoreError, StoreResult, changes};
use crate::sync::system::SystemClient;

/// A queued mail a sender claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: MailId,
    pub organisation_id: OrganisationId,
    pub document: MailedDocument,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// Queues `mail` in the caller's transaction, due at once.
pub async fn insert(conn: &mut AnyConnection, mail: &OutgoingMail, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mail_queue (id, organisation_id, document_kind, document_id, to_address, \
           reply_to, subject, body_text, status, attempts, next_attempt_at_ms, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $9)",
    )
    .bind(mail.id.to_string())
    .bind(mail.organisation_id.to_string())
    .bind(mail.document.kind.name())
    .bind(mail.document.id.to_string())
    .bind(&mail.to)
    .bind(mail.reply_to.as_deref())
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisation's address for replies: its first owner's sign-in address (system users excluded).
pub async fn reply_address(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "SELECT email FROM users WHERE organisation_id = $1 AND role = 'owner' AND kind = 'person' \
         ORDER BY created_at_ms, id LIMIT 1",
    )
    .bind(organisation.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get("email").map_err(StoreError::from))
        .transpose()
}

/// Takes the mail due longest at `now_ms`, counts the attempt and moves it out of other senders' reach
/// until `claimed_until_ms`, in one committed statement (`SKIP LOCKED` on PostgreSQL, as for webhook
/// deliveries).
pub async fn claim_due(
    store: &Store,
    now_ms: i64,
    claimed_until_ms: i64,
) -> StoreResult<Option<Claimed>> {
    let lock = match store.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claim = format!(
        "UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at_ms = $2 \
         WHERE id = (SELECT id FROM mail_queue WHERE next_attempt_at_ms <= $1 \
                     ORDER BY next_attempt_at_ms, id LIMIT 1{lock}) \
         RETURNING id, organisation_id, document_kind, document_id, to_address, reply_to, subject, \
                   body_text, attempts"
    );
    let mut tx = store.write().await?;
    let row = sqlx::query(&claim)
        .bind(now_ms)
        .bind(claimed_until_ms)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let kind: String = row.try_get("document_kind")?;
    let claimed = Claimed {
        id: MailId::parse(&row.try_get::<String, _>("id")?)
            .map_err(|e| StoreError::corrupt("mail id", e))?,
        organisation_id: super::row_organisation(&row)?,
        document: MailedDocument {
            kind: MailedKind::parse(&kind)
                .ok_or_else(|| StoreError::corrupt("mailed document kind", kind))?,
            id: Uuid::parse_str(&row.try_get::<String, _>("document_id")?)
                .map_err(|e| StoreError::corrupt("mailed document id", e))?,
        },
        to: row.try_get("to_address")?,
        reply_to: row.try_get("reply_to")?,
        subject: row.try_get("subject")?,
        text: row.try_get("body_text")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|e| StoreError::corrupt("mail attempts", e))?,
    };
    tx.commit().await?;
    Ok(Some(claimed))
}

/// Records a failed attempt that will be tried again at `retry_at_ms`; the mail stays queued.
pub async fn mark_retry(
    store: &Store,
    id: MailId,
    error: &str,
    retry_at_ms: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE mail_queue SET last_error = $1, next_attempt_at_ms = $2 WHERE id = $3")
        .bind(error)
        .bind(retry_at_ms)
        .bind(id.to_string())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Where a mail ended: accepted by the relay at a time, or given up on for a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent { at_ms: i64 },
    Failed { error: String },
}

/// Records how `claimed` ended, in its row and in its synced record (at the organisation's next change
/// number, written by the organisation's system client), in one transaction.
pub async fn settle(
    store: &Store,
    claimed: &Claimed,
    outcome: &Outcome,
    now_ms: i64,
) -> StoreResult<()> {
    let organisation = claimed.organisation_id;
    let mut tx = store.write().await?;
    changes::lock_organisation(&mut tx, organisation).await?;
    let (status, sent_at, error) = match outcome {
        Outcome::Sent { at_ms } => (MailStatus::Sent, Some(*at_ms), None),
        Outcome::Failed { error } => (MailStatus::Failed, None, Some(error.as_str())),
    };
    sqlx::query(
        "UPDATE mail_queue SET status = $1, sent_at_ms = $2, last_error = $3, \
         next_attempt_at_ms = NULL WHERE id = $4",
    )
    .bind(status.name())
    .bind(sent_at)
    .bind(error)
    .bind(claimed.id.to_string())
    .execute(&mut *tx)
    .await?;
    let stored: Stored<Mail> = records::find_record(
        &mut tx,
        organisation,
        EntityKind::Mail,
        claimed.id.as_uuid(),
    )
    .await?
    .ok_or_else(|| StoreError::corrupt("mail", "a queued mail has no record"))?;
    let mail = match outcome {
        Outcome::Sent { at_ms } => stored.record.sent(*at_ms),
        Outcome::Failed { error } => stored.record.failed(error),
    };
    let change_no = changes::next_change_no(&mut tx, organisation).await?;
    let customer = Some(mail.customer_id);
    records::put_record(
        &mut tx,
        organisation,
        RecordWrite {
            record: &Record::Mail(mail),
            customer,
            version: stored.version + 1,
            client: SystemClient::of(organisation).client,
            change_no,
            now_ms,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
