//! Portal links, failed portal lookups and views of links (migration 0011). The token itself is never
//! stored: links are found by its SHA-256.

use chrono::NaiveDate;
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId, PortalLinkId, UserId};
use remit_core::portal::PortalLink;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult};

/// A link with what the workspace lists beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedLink {
    pub link: PortalLink,
    pub created_at_ms: i64,
    pub views: i64,
    pub last_viewed_at_ms: Option<i64>,
}

const LINK_COLUMNS: &str = "l.id, l.organisation_id, l.customer_id, l.invoice_id, l.created_on, \
                            l.expires_on, l.revoked_at_ms";

fn parse<T, E: ToString>(what: &'static str, parsed: Result<T, E>) -> StoreResult<T> {
    parsed.map_err(|e| StoreError::corrupt(what, e.to_string()))
}

fn date(row: &AnyRow, column: &str) -> StoreResult<NaiveDate> {
    let text: String = row.try_get(column)?;
    parse("portal link", text.parse::<NaiveDate>())
}

fn link_of(row: &AnyRow) -> StoreResult<PortalLink> {
    let id: String = row.try_get("id")?;
    let organisation: String = row.try_get("organisation_id")?;
    let customer: String = row.try_get("customer_id")?;
    let invoice: Option<String> = row.try_get("invoice_id")?;
    let revoked: Option<i64> = row.try_get("revoked_at_ms")?;
    Ok(PortalLink {
        id: parse("portal link", PortalLinkId::parse(&id))?,
        organisation_id: parse("portal link", OrganisationId::parse(&organisation))?,
        customer_id: parse("portal link", CustomerId::parse(&customer))?,
        invoice_id: invoice
            .map(|i| parse("portal link", InvoiceId::parse(&i)))
            .transpose()?,
        created_on: date(row, "created_on")?,
        expires_on: date(row, "expires_on")?,
        revoked: revoked.is_some(),
    })
}

/// Stores a new link under its token's hash; false when a link with its id exists already.
pub async fn insert_link(
    conn: &mut AnyConnection,
    link: &PortalLink,
    token_hash: &str,
    created_by: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO portal_links (id, organisation_id, customer_id, invoice_id, token_hash, \
           created_on, expires_on, created_by, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (organisation_id, id) DO NOTHING",
    )
    .bind(link.id.to_string())
    .bind(link.organisation_id.to_string())
    .bind(link.customer_id.to_string())
    .bind(link.invoice_id.map(|i| i.to_string()))
    .bind(token_hash)
    .bind(link.created_on.to_string())
    .bind(link.expires_on.to_string())
    .bind(created_by.to_string())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The organisation's link `id`; none for another organisation's.
pub async fn find_link(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: PortalLinkId,
) -> StoreResult<Option<PortalLink>> {
    let row = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} FROM portal_links l WHERE l.organisation_id = $1 AND l.id = $2"
    ))
    .bind(organisation.to_string())
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(link_of).transpose()
}

/// The link whose token has this hash, of whichever organisation.
pub async fn find_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> StoreResult<Option<PortalLink>> {
    let row = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} FROM portal_links l WHERE l.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(link_of).transpose()
}

/// A customer's links, newest first, with how often and when last each was opened.
pub async fn links_of(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Vec<ListedLink>> {
    let rows = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS}, l.created_at_ms, \
           (SELECT COUNT(*) FROM portal_views v \
             WHERE v.organisation_id = l.organisation_id AND v.link_id = l.id) AS views, \
           (SELECT MAX(v.viewed_at_ms) FROM portal_views v \
             WHERE v.organisation_id = l.organisation_id AND v.link_id = l.id) AS last_viewed \
         FROM portal_links l WHERE l.organisation_id = $1 AND l.customer_id = $2 \
         ORDER BY l.created_at_ms DESC, l.id DESC"
    ))
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ListedLink {
                link: link_of(row)?,
                created_at_ms: row.try_get("created_at_ms")?,
                views: row.try_get("views")?,
                last_viewed_at_ms: row.try_get("last_viewed")?,
            })
        })
        .collect()
}

/// Revokes the organisation's link `id` (a second revocation keeps the first's time); false when the
/// organisation has no such link.
pub async fn revoke(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: PortalLinkId,
    now_ms: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE portal_links SET revoked_at_ms = COALESCE(revoked_at_ms, $3) \
         WHERE organisation_id = $1 AND id = $2",
    )
    .bind(organisation.to_string())
    .bind(id.to_string())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The failed lookups from an address still kept.
pub async fn lookup_failures(conn: &mut AnyConnection, address_key: &str) -> StoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar(
            "SELECT failed_at_ms FROM portal_lookup_failures WHERE address_key = $1",
        )
        .bind(address_key)
        .fetch_all(conn)
        .await?,
    )
}

pub async fn insert_lookup_failure(
    conn: &mut AnyConnection,
    address_key: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO portal_lookup_failures (address_key, failed_at_ms) VALUES ($1, $2)")
        .bind(address_key)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the failed lookups at or before `before_ms`, of every address.
pub async fn forget_lookup_failures(conn: &mut AnyConnection, before_ms: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM portal_lookup_failures WHERE failed_at_ms <= $1")
        .bind(before_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// One view of a link, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub organisation: OrganisationId,
    pub link: PortalLinkId,
    pub at_ms: i64,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// When the organisation's link's last recorded view was.
pub async fn last_view(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    link: PortalLinkId,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(viewed_at_ms) FROM portal_views WHERE organisation_id = $1 AND link_id = $2",
    )
    .bind(organisation.to_string())
    .bind(link.to_string())
    .fetch_one(conn)
    .await?)
}

pub async fn insert_view(conn: &mut AnyConnection, view: &View) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO portal_views (organisation_id, link_id, viewed_at_ms, address, user_agent) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(view.organisation.to_string())
    .bind(view.link.to_string())
    .bind(view.at_ms)
    .bind(view.address.as_deref())
    .bind(view.user_agent.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Erases the address and user agent of the views recorded before `before_ms`; how many.
pub async fn erase_view_details(conn: &mut AnyConnection, before_ms: i64) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE portal_views SET address = NULL, user_agent = NULL \
         WHERE viewed_at_ms < $1 AND (address IS NOT NULL OR user_agent IS NOT NULL)",
    )
    .bind(before_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The organisation's link's views, oldest first.
pub async fn views_of(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    link: PortalLinkId,
) -> StoreResult<Vec<View>> {
    let rows = sqlx::query(
        "SELECT organisation_id, viewed_at_ms, address, user_agent FROM portal_views \
         WHERE organisation_id = $1 AND link_id = $2 ORDER BY viewed_at_ms, id",
    )
    .bind(organisation.to_string())
    .bind(link.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let organisation: String = row.try_get("organisation_id")?;
            Ok(View {
                organisation: parse("portal view", OrganisationId::parse(&organisation))?,
                link,
                at_ms: row.try_get("viewed_at_ms")?,
                address: row.try_get("address")?,
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}
