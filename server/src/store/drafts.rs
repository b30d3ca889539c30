//! Invoice drafts: each stored as its JSON body beside the columns queries need, its version facts for
//! the conflict decision, and the totals the server computed for it, as canonical text.

use remit_core::document::{DocumentTotals, InvoiceDraft};
use remit_core::ids::{ClientId, InvoiceId, OrganisationId};
use remit_core::sync::DraftHead;
use sqlx::AnyConnection;

use super::{StoreResult, body, to_i64, version_head};

/// A stored draft's organisation and the version facts the conflict decision needs.
pub async fn draft_head(
    conn: &mut AnyConnection,
    id: InvoiceId,
) -> StoreResult<Option<(OrganisationId, DraftHead)>> {
    let row = sqlx::query(
        "SELECT organisation_id, version, last_client_id FROM invoice_drafts WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(version_head).transpose()
}

/// Stores a draft (its `version` already the new one) with the totals the server computed for it.
pub async fn save_draft(
    conn: &mut AnyConnection,
    draft: &InvoiceDraft,
    totals: &DocumentTotals,
    client: ClientId,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invoice_drafts \
           (id, organisation_id, customer_id, currency, issue_date, due_date, body, version, \
            last_client_id, line_net_total, tax_total, amount_due, change_no, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (id) DO UPDATE SET \
           customer_id = excluded.customer_id, currency = excluded.currency, \
           issue_date = excluded.issue_date, due_date = excluded.due_date, body = excluded.body, \
           version = excluded.version, last_client_id = excluded.last_client_id, \
           line_net_total = excluded.line_net_total, tax_total = excluded.tax_total, \
           amount_due = excluded.amount_due, change_no = excluded.change_no, \
           updated_at_ms = excluded.updated_at_ms \
         WHERE invoice_drafts.organisation_id = excluded.organisation_id",
    )
    .bind(draft.id.to_string())
    .bind(draft.organisation_id.to_string())
    .bind(draft.customer_id.to_string())
    .bind(draft.currency.code())
    .bind(draft.issue_date.to_string())
    .bind(draft.due_date.to_string())
    .bind(body::encode(draft, "draft")?)
    .bind(to_i64("draft version", draft.version)?)
    .bind(client.to_string())
    .bind(totals.line_net_total.amount().to_string())
    .bind(totals.tax_total.amount().to_string())
    .bind(totals.amount_due.amount().to_string())
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM invoice_drafts WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A draft of the organisation, as stored.
pub async fn find_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<Option<InvoiceDraft>> {
    let row = sqlx::query("SELECT body FROM invoice_drafts WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body::read(&r, "draft")).transpose()
}
