//! Catalogue items and the organisation's settings: the facts of `remit_core::decide::catalogue`'s
//! decisions.

use remit_core::catalogue::Item;
use remit_core::decide::Decision;
use remit_core::decide::catalogue::{decide_item_upsert, decide_settings_save};
use remit_core::settings::Settings;
use remit_core::sync::EntityKind;
use sqlx::AnyConnection;

use super::{ApplyError, Ctx};
use crate::store::records;

pub(super) async fn upsert_item(
    conn: &mut AnyConnection,
    ctx: Ctx,
    item: Item,
) -> Result<Decision, ApplyError> {
    let kind = EntityKind::Item;
    let stored = records::find_record(conn, ctx.organisation(), kind, item.id.as_uuid()).await?;
    Ok(decide_item_upsert(item, stored.as_ref()))
}

pub(super) async fn save_settings(
    conn: &mut AnyConnection,
    ctx: Ctx,
    settings: Settings,
) -> Result<Decision, ApplyError> {
    let id = settings.organisation_id.as_uuid();
    let head = records::record_head(conn, EntityKind::Settings, id)
        .await?
        .map(|(_, head)| head);
    Ok(decide_settings_save(
        settings,
        head.as_ref(),
        ctx.cause.client,
    )?)
}
