//! What the server remembers of each client's pushes: the client's registration and progress, the result
//! of every processed mutation (so a replay gets the same answer), and the audit log.

use remit_core::ids::{ClientId, OrganisationId, UserId};
use remit_core::sync::{MutationError, MutationResult, MutationStatus};
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, body, to_i64, to_u64};

/// A client's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientState {
    pub organisation_id: OrganisationId,
    /// The user who registered the client (an installation of the app syncs for one account).
    pub user_id: UserId,
    pub last_mutation_id: u64,
}

pub async fn find_client(
    conn: &mut AnyConnection,
    client: ClientId,
) -> StoreResult<Option<ClientState>> {
    let row = sqlx::query(
        "SELECT organisation_id, user_id, last_mutation_id FROM sync_clients WHERE client_id = $1",
    )
    .bind(client.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let organisation: String = r.try_get("organisation_id")?;
        let user: String = r.try_get("user_id")?;
        Ok(ClientState {
            organisation_id: OrganisationId::parse(&organisation)
                .map_err(|e| StoreError::corrupt("client organisation", e))?,
            user_id: UserId::parse(&user).map_err(|e| StoreError::corrupt("client user", e))?,
            last_mutation_id: to_u64("last mutation id", r.try_get("last_mutation_id")?)?,
        })
    })
    .transpose()
}

/// Registers a client to an organisation and user, with no mutation processed yet. A client that
/// registered meanwhile (two first pushes racing) keeps its registration; read it back with
/// [`find_client`].
pub async fn register_client(
    conn: &mut AnyConnection,
    client: ClientId,
    organisation: OrganisationId,
    user: UserId,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sync_clients (client_id, organisation_id, user_id, last_mutation_id, updated_at_ms) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(client.to_string())
    .bind(organisation.to_string())
    .bind(user.to_string())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Reads the client's last processed mutation id and holds the client's row for the rest of the
/// transaction, so two pushes of one client (even to two server processes) process each mutation once.
pub async fn claim_client(conn: &mut AnyConnection, client: ClientId) -> StoreResult<Option<u64>> {
    let row = sqlx::query(
        "UPDATE sync_clients SET last_mutation_id = last_mutation_id WHERE client_id = $1 \
         RETURNING last_mutation_id",
    )
    .bind(client.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| to_u64("last mutation id", r.try_get("last_mutation_id")?))
        .transpose()
}

/// Marks a mutation as processed: its result for replays, and the client's progress.
pub async fn record_result(
    conn: &mut AnyConnection,
    client: ClientId,
    organisation: OrganisationId,
    user: UserId,
    result: &MutationResult,
    now_ms: i64,
) -> StoreResult<()> {
    let id = to_i64("mutation id", result.id)?;
    let error = result
        .error
        .as_ref()
        .map(|e| body::encode(e, "mutation error"))
        .transpose()?;
    sqlx::query(
        "INSERT INTO mutation_results (client_id, organisation_id, mutation_id, status, error) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(client.to_string())
    .bind(organisation.to_string())
    .bind(id)
    .bind(status_name(result.status))
    .bind(error)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE sync_clients SET last_mutation_id = $2, user_id = $3, updated_at_ms = $4 \
         WHERE client_id = $1",
    )
    .bind(client.to_string())
    .bind(id)
    .bind(user.to_string())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The recorded result of a mutation the client sent before.
pub async fn recorded_result(
    conn: &mut AnyConnection,
    client: ClientId,
    mutation_id: u64,
) -> StoreResult<Option<MutationResult>> {
    let row = sqlx::query(
        "SELECT status, error FROM mutation_results WHERE client_id = $1 AND mutation_id = $2",
    )
    .bind(client.to_string())
    .bind(to_i64("mutation id", mutation_id)?)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let status: String = r.try_get("status")?;
        let error: Option<String> = r.try_get("error")?;
        Ok(MutationResult {
            id: mutation_id,
            status: status_of(&status)
                .ok_or_else(|| StoreError::corrupt("mutation status", status))?,
            error: error
                .map(|e| body::decode::<MutationError>(&e, "mutation error"))
                .transpose()?,
        })
    })
    .transpose()
}

/// One processed mutation, for the audit log: who, from which device, when, and what it did.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub organisation_id: OrganisationId,
    pub change_no: Option<u64>,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub mutation_id: u64,
    pub mutation_name: &'a str,
    pub status: MutationStatus,
    pub at_ms: i64,
    pub summary: serde_json::Value,
}

pub async fn append_audit(conn: &mut AnyConnection, entry: &AuditEntry<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (organisation_id, change_no, user_id, client_id, mutation_id, \
                                mutation_name, status, at_ms, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry.organisation_id.to_string())
    .bind(
        entry
            .change_no
            .map(|c| to_i64("change number", c))
            .transpose()?,
    )
    .bind(entry.user_id.to_string())
    .bind(entry.client_id.to_string())
    .bind(to_i64("mutation id", entry.mutation_id)?)
    .bind(entry.mutation_name)
    .bind(status_name(entry.status))
    .bind(entry.at_ms)
    .bind(entry.summary.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored name of a status: the same word the wire uses.
pub fn status_name(status: MutationStatus) -> &'static str {
    match status {
        MutationStatus::Applied => "applied",
        MutationStatus::Rejected => "rejected",
        MutationStatus::Conflict => "conflict",
        MutationStatus::OutOfOrder => "out_of_order",
    }
}

fn status_of(name: &str) -> Option<MutationStatus> {
    [
        MutationStatus::Applied,
        MutationStatus::Rejected,
        MutationStatus::Conflict,
        MutationStatus::OutOfOrder,
    ]
    .into_iter()
    .find(|s| status_name(*s) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_wire_names() {
        for status in [
            MutationStatus::Applied,
            MutationStatus::Rejected,
            MutationStatus::Conflict,
            MutationStatus::OutOfOrder,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::String(status_name(status).into())
            );
            assert_eq!(status_of(status_name(status)), Some(status));
        }
    }
}
