//! The organisation's system client: how facts that start on the server (a gateway's payment, a
//! scheduled invoice or fee) enter Remit. They go through the same decisions as a device's mutations:
//! each is a command pushed by the organisation's own client, with mutation ids of its own, recorded
//! with its result and an audit row authored by the organisation's system user, and replayed changes
//! nothing. A fact that arrives twice (a webhook delivered again) carries the same natural-key id
//! (`remit_core::ids::NaturalKey`) and is recorded once.

use remit_core::ids::{ClientId, NaturalKey, OrganisationId, UserId};
use remit_core::sync::{Command, MutationResult};

use super::push::process;
use super::{Caller, SyncError};
use crate::auth::{Role, User};
use crate::clock::Clock;
use crate::store::{Store, StoreError, accounts, sync_log};

/// An organisation's system client and the system user it pushes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemClient {
    pub organisation: OrganisationId,
    pub client: ClientId,
    pub user: UserId,
}

impl SystemClient {
    /// The organisation's system client; its ids are the same on every server process.
    pub fn of(organisation: OrganisationId) -> Self {
        let key = |kind: &str| NaturalKey::new(kind).ordered_after(organisation.as_uuid());
        Self {
            organisation,
            client: ClientId::derived(&key("system client")),
            user: UserId::derived(&key("system user")),
        }
    }

    /// Who the system client pushes as: a billing user (it records money and documents, never
    /// settings).
    pub fn caller(&self) -> Caller {
        Caller {
            organisation_id: self.organisation,
            user_id: self.user,
            role: Role::Billing,
        }
    }

    /// The organisation's system user, as stored.
    fn user(&self) -> User {
        User {
            id: self.user,
            organisation_id: self.organisation,
            email: format!("system+{}@remit.invalid", self.organisation),
            name: "Remit".into(),
            role: Role::Billing,
        }
    }

    /// Applies `command` as the client's next mutation, in one transaction: its id is taken under the
    /// client's lock, so two server processes applying facts at once never share an id.
    pub async fn apply(
        &self,
        store: &Store,
        clock: &Clock,
        command: &Command,
    ) -> Result<MutationResult, SyncError> {
        self.register(store, clock).await?;
        let mut tx = store.write().await?;
        let last = sync_log::claim_client(&mut tx, self.client)
            .await?
            .ok_or_else(|| StoreError::corrupt("client", "the system client is missing"))?;
        let mutation = command.to_mutation(last + 1);
        let (result, _) = process(
            &mut tx,
            (clock, None),
            &self.caller(),
            self.client,
            &mutation,
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Creates the system user and registers the client, unless done before.
    async fn register(&self, store: &Store, clock: &Clock) -> Result<(), SyncError> {
        let now = clock.now_ms();
        let mut tx = store.write().await?;
        accounts::insert_system_user(&mut tx, &self.user(), now).await?;
        sync_log::register_client(&mut tx, self.client, self.organisation, self.user, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
