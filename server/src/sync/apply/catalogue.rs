//! Catalogue items and the organisation's settings. Settings are versioned like drafts: an edit based
//! on an older version from another device is a conflict, never a silent overwrite.

use remit_core::catalogue::Item;
use remit_core::settings::Settings;
use remit_core::sync::{EntityKind, Record, decide_draft_save};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Applied, Ctx, Outcome, store_record};
use crate::store::records;

pub(super) async fn upsert_item(conn: &mut AnyConnection, ctx: Ctx<'_>, item: Item) -> Outcome {
    let summary = json!({ "op": "put", "entity": "item", "id": item.id, "name": item.name });
    let change = store_record(conn, ctx, Record::Item(item), None, 1).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn save_settings(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    mut settings: Settings,
) -> Outcome {
    let head = records::record_head(
        conn,
        EntityKind::Settings,
        settings.organisation_id.as_uuid(),
    )
    .await?
    .map(|(_, head)| head);
    let version = match decide_draft_save(head.as_ref(), settings.version, ctx.client) {
        Ok(version) => version,
        Err(e) => return Ok(Err(e)),
    };
    settings.version = version;
    let summary = json!({
        "op": "put",
        "entity": "settings",
        "version": version,
        "invoice_series": settings.invoice_series.prefix,
        "period_locked_until": settings.period_locked_until,
    });
    let change = store_record(
        conn,
        ctx,
        Record::Settings(Box::new(settings)),
        None,
        version,
    )
    .await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}
