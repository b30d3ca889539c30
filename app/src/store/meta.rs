//! The `meta` key-value store: who the local data belongs to, whether they are signed in, and the sync
//! state ([`ClientSync`]) that travels with the outbox.

use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use remit_core::ids::ClientId;
use remit_core::sync::ClientSync;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::schema::{CONFLICTS, META, OUTBOX, REJECTED, record_stores};
use super::{Store, StoreResult, from_js, to_js};
use remit_core::organisation::SessionInfo;

/// The account the local data belongs to (the last one signed in). Kept on sign-out, so the next
/// sign-in knows whether the local data and outbox are theirs.
pub const SESSION: &str = "session";
/// Whether that account is signed in on this device (`false` after signing out).
pub const SIGNED_IN: &str = "signed_in";
/// [`ClientSync`]: this installation's client id, mutation counters and pull cookie.
pub const SYNC: &str = "sync";

/// Why a sign-in cannot take over this device's local data.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingForOtherAccount {
    pub email: String,
    pub pending: u32,
}

impl Store {
    /// The account that is signed in on this device, if any; read without the network.
    pub async fn signed_in_session(&self) -> StoreResult<Option<SessionInfo>> {
        let tx = self.read(&[META])?;
        let meta = tx.object_store(META)?;
        let signed_in: Option<bool> = get(&meta, SIGNED_IN).await?;
        if signed_in != Some(true) {
            return Ok(None);
        }
        get(&meta, SESSION).await
    }

    pub async fn sync_state(&self) -> StoreResult<Option<ClientSync>> {
        let tx = self.read(&[META])?;
        get(&tx.object_store(META)?, SYNC).await
    }

    /// Records a sign-in. The same account keeps its local data, outbox and sync state. Another account
    /// starts from an empty local copy with a new client id — unless the previous account still has
    /// changes waiting to sync, which are never thrown away: then nothing changes and the caller is told
    /// whose changes wait.
    pub async fn begin_session(
        &self,
        info: &SessionInfo,
    ) -> StoreResult<Result<(), PendingForOtherAccount>> {
        let mut stores = record_stores();
        stores.extend([OUTBOX, META, CONFLICTS, REJECTED]);
        let tx = self.write(&stores)?;
        let meta = tx.object_store(META)?;
        let previous: Option<SessionInfo> = get(&meta, SESSION).await?;
        let sync: Option<ClientSync> = get(&meta, SYNC).await?;
        let same = previous.as_ref().is_some_and(|p| p.same_account(info));
        if !same {
            let pending = tx.object_store(OUTBOX)?.count().await?;
            if let (Some(previous), true) = (&previous, pending > 0) {
                tx.abort().await?;
                return Ok(Err(PendingForOtherAccount {
                    email: previous.user.email.clone(),
                    pending,
                }));
            }
            for store in record_stores()
                .into_iter()
                .chain([OUTBOX, CONFLICTS, REJECTED])
            {
                tx.object_store(store)?.clear()?.await?;
            }
        }
        if !same || sync.is_none() {
            put(&meta, SYNC, &ClientSync::new(new_client_id()?)).await?;
        }
        put(&meta, SESSION, info).await?;
        put(&meta, SIGNED_IN, &true).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Refreshes the stored account details (name, time zone…) after the server confirmed the session.
    pub async fn refresh_session(&self, info: &SessionInfo) -> StoreResult<()> {
        let tx = self.write(&[META])?;
        put(&tx.object_store(META)?, SESSION, info).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs out on this device. The local data and outbox stay for the account's next sign-in.
    pub async fn end_session(&self) -> StoreResult<()> {
        let tx = self.write(&[META])?;
        put(&tx.object_store(META)?, SIGNED_IN, &false).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A new installation identity. UUIDv7 from the browser's clock and `crypto.getRandomValues`.
fn new_client_id() -> StoreResult<ClientId> {
    Ok(ClientId::try_from(Uuid::now_v7())?)
}

pub(super) async fn get<T: serde::de::DeserializeOwned>(
    meta: &ObjectStore<'_>,
    key: &str,
) -> StoreResult<Option<T>> {
    let value: Option<JsValue> = meta.get(key).await?;
    value.map(|v| from_js(&v)).transpose()
}

pub(super) async fn put<T: serde::Serialize>(
    meta: &ObjectStore<'_>,
    key: &str,
    value: &T,
) -> StoreResult<()> {
    meta.put(to_js(value)?)
        .with_key(key)
        .without_key_type()
        .await?;
    Ok(())
}
