//! Organisations, users and sessions.

use remit_core::ids::{OrganisationId, UserId};
use remit_core::money::Currency;
use remit_core::organisation::TimeZoneName;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult};
use crate::auth::{Organisation, Role, User};

/// Whether anyone can sign in yet.
pub async fn any_user_exists(conn: &mut AnyConnection) -> StoreResult<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Stores a new organisation with its change clock at zero.
pub async fn insert_organisation(
    conn: &mut AnyConnection,
    organisation: &Organisation,
    now_ms: i64,
) -> StoreResult<()> {
    let id = organisation.id.to_string();
    sqlx::query(
        "INSERT INTO organisations (id, name, time_zone, currency, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(&organisation.name)
    .bind(organisation.time_zone.as_str())
    .bind(organisation.currency.code())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO org_clock (organisation_id, v) VALUES ($1, 0)")
        .bind(&id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn organisation(
    conn: &mut AnyConnection,
    id: OrganisationId,
) -> StoreResult<Option<Organisation>> {
    let row = sqlx::query("SELECT id, name, time_zone, currency FROM organisations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| read_organisation(&r, "")).transpose()
}

/// Who the organisation's user `id` is to a customer reading their answer: their name, or `None`
/// for the organisation's system user (it writes for the customer, in the portal) and for an unknown id.
pub async fn person_named(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: UserId,
) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "SELECT name FROM users WHERE id = $1 AND organisation_id = $2 AND kind = 'person'",
    )
    .bind(id.to_string())
    .bind(organisation.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("name")).transpose()?)
}

/// The oldest organisations named `name` (at most two, enough to tell "one" from "ambiguous").
pub async fn organisations_named(
    conn: &mut AnyConnection,
    name: &str,
) -> StoreResult<Vec<Organisation>> {
    let rows = sqlx::query(
        "SELECT id, name, time_zone, currency FROM organisations WHERE name = $1 \
         ORDER BY created_at_ms, id LIMIT 2",
    )
    .bind(name)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| read_organisation(r, "")).collect()
}

pub async fn email_taken(conn: &mut AnyConnection, email: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

pub async fn insert_user(
    conn: &mut AnyConnection,
    user: &User,
    password_hash: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, organisation_id, email, name, role, password_hash, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user.id.to_string())
    .bind(user.organisation_id.to_string())
    .bind(&user.email)
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(password_hash)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds the organisation's system user unless it exists: the author of facts that start on the server.
/// It has no password and never signs in ([`credentials`] skips it).
pub async fn insert_system_user(
    conn: &mut AnyConnection,
    user: &User,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, organisation_id, email, name, role, password_hash, created_at_ms, kind) \
         VALUES ($1, $2, $3, $4, $5, '', $6, 'system') ON CONFLICT (id) DO NOTHING",
    )
    .bind(user.id.to_string())
    .bind(user.organisation_id.to_string())
    .bind(&user.email)
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person who signs in, with the stored password hash, by (normalised) e-mail. A system user is
/// never found here, so it can never sign in.
pub async fn credentials(
    conn: &mut AnyConnection,
    email: &str,
) -> StoreResult<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT id, organisation_id, email, name, role, password_hash FROM users \
         WHERE email = $1 AND kind = 'person'",
    )
    .bind(email)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((read_user(&r, "")?, r.try_get("password_hash")?)))
        .transpose()
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: &User,
    now_ms: i64,
    expires_at_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, organisation_id, created_at_ms, expires_at_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user.id.to_string())
    .bind(user.organisation_id.to_string())
    .bind(now_ms)
    .bind(expires_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a user's sessions that have run out.
pub async fn delete_expired_sessions(
    conn: &mut AnyConnection,
    user_id: UserId,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at_ms <= $2")
        .bind(user_id.to_string())
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// The user and organisation of a session that has not expired.
pub async fn live_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> StoreResult<Option<(User, Organisation)>> {
    let row = sqlx::query(
        "SELECT u.id AS u_id, u.organisation_id AS u_organisation_id, u.email AS u_email, \
                u.name AS u_name, u.role AS u_role, \
                o.id AS o_id, o.name AS o_name, o.time_zone AS o_time_zone, o.currency AS o_currency \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         JOIN organisations o ON o.id = s.organisation_id \
         WHERE s.token_hash = $1 AND s.expires_at_ms > $2",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((read_user(&r, "u_")?, read_organisation(&r, "o_")?)))
        .transpose()
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The instants of an account's recorded sign-in failures.
pub async fn login_failures(conn: &mut AnyConnection, account_key: &str) -> StoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT failed_at_ms FROM login_failures WHERE account_key = $1")
            .bind(account_key)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn insert_login_failure(
    conn: &mut AnyConnection,
    account_key: &str,
    at_ms: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO login_failures (account_key, failed_at_ms) VALUES ($1, $2)")
        .bind(account_key)
        .bind(at_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets an account's failures at or before `up_to_ms`.
pub async fn forget_login_failures(
    conn: &mut AnyConnection,
    account_key: &str,
    up_to_ms: i64,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE account_key = $1 AND failed_at_ms <= $2")
        .bind(account_key)
        .bind(up_to_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets every account's failures at or before `up_to_ms`; how many were forgotten.
pub async fn forget_all_login_failures(
    conn: &mut AnyConnection,
    up_to_ms: i64,
) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM login_failures WHERE failed_at_ms <= $1")
            .bind(up_to_ms)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Forgets all of an account's failures.
pub async fn clear_login_failures(conn: &mut AnyConnection, account_key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE account_key = $1")
        .bind(account_key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Reads a user from columns named `{prefix}id`, `{prefix}email`, ….
fn read_user(row: &AnyRow, prefix: &str) -> StoreResult<User> {
    let col = |name: &str| format!("{prefix}{name}");
    let role: String = row.try_get(col("role").as_str())?;
    Ok(User {
        id: UserId::parse(&row.try_get::<String, _>(col("id").as_str())?)
            .map_err(|e| StoreError::corrupt("user id", e))?,
        organisation_id: OrganisationId::parse(
            &row.try_get::<String, _>(col("organisation_id").as_str())?,
        )
        .map_err(|e| StoreError::corrupt("user organisation id", e))?,
        email: row.try_get(col("email").as_str())?,
        name: row.try_get(col("name").as_str())?,
        role: Role::parse(&role).map_err(|_| StoreError::corrupt("user role", role))?,
    })
}

/// Reads an organisation from columns named `{prefix}id`, `{prefix}name`, ….
fn read_organisation(row: &AnyRow, prefix: &str) -> StoreResult<Organisation> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Organisation {
        id: OrganisationId::parse(&row.try_get::<String, _>(col("id").as_str())?)
            .map_err(|e| StoreError::corrupt("organisation id", e))?,
        name: row.try_get(col("name").as_str())?,
        time_zone: TimeZoneName::parse(&row.try_get::<String, _>(col("time_zone").as_str())?)
            .map_err(|e| StoreError::corrupt("organisation time zone", e))?,
        currency: Currency::parse(&row.try_get::<String, _>(col("currency").as_str())?)
            .map_err(|e| StoreError::corrupt("organisation currency", e))?,
    })
}
