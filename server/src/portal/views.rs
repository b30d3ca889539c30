//! The view log: each link's views, recorded at most once an hour per link (core's
//! [`view_is_due`]) in a task of its own, so a page never waits for the write. A map of the last view
//! this process recorded per link spares the database the repeats; the database's own last view keeps
//! several processes to the same rule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use remit_core::ids::PortalLinkId;
use remit_core::portal::{PortalLink, PortalPolicy, erase_views_before, view_is_due};

use super::address::ClientAddress;
use crate::clock::Clock;
use crate::store::portal::{self as links, View};
use crate::store::{Store, StoreError, StoreResult};

/// The longest user agent kept.
const MAX_USER_AGENT: usize = 300;

#[derive(Debug, Clone, Default)]
pub struct ViewLog {
    recorded: Arc<Mutex<HashMap<PortalLinkId, i64>>>,
}

impl ViewLog {
    /// Records a view of `link` now, in the background, when one is due.
    pub fn record(
        &self,
        store: &Store,
        clock: &Clock,
        link: &PortalLink,
        client: ClientAddress,
        user_agent: Option<&str>,
    ) {
        let now = clock.now_ms();
        let policy = PortalPolicy::default();
        {
            let mut recorded = self.recorded.lock().unwrap_or_else(|e| e.into_inner());
            if !view_is_due(recorded.get(&link.id).copied(), now, &policy) {
                return;
            }
            recorded.insert(link.id, now);
        }
        let view = View {
            organisation: link.organisation_id,
            link: link.id,
            at_ms: now,
            address: client.0.map(|a| a.to_string()),
            user_agent: user_agent.map(|a| a.chars().take(MAX_USER_AGENT).collect()),
        };
        let store = store.clone();
        tokio::spawn(async move {
            if let Err(e) = write(&store, &view, &policy).await {
                tracing::warn!(link = %view.link, "cannot record a portal view: {e}");
            }
        });
    }
}

async fn write(store: &Store, view: &View, policy: &PortalPolicy) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let last = links::last_view(&mut tx, view.organisation, view.link).await?;
    if view_is_due(last, view.at_ms, policy) {
        links::insert_view(&mut tx, view).await?;
    }
    tx.commit().await.map_err(StoreError::from)
}

/// Erases the address and user agent of views older than the policy keeps them; how many.
pub async fn erase_old_details(store: &Store, clock: &Clock) -> StoreResult<u64> {
    let before = erase_views_before(clock.now_ms(), &PortalPolicy::default());
    let mut tx = store.write().await?;
    let erased = links::erase_view_details(&mut tx, before).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(erased)
}
