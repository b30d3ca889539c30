//! Customers: each stored as its JSON body (exactly what core serializes) beside the columns that
//! queries and the drafts' foreign key need.

use remit_core::customer::Customer;
use remit_core::ids::{CustomerId, OrganisationId};
use sqlx::AnyConnection;

use super::{StoreResult, body, owner, to_i64};

/// The organisation a customer id belongs to, if the id is in use.
pub async fn customer_owner(
    conn: &mut AnyConnection,
    id: CustomerId,
) -> StoreResult<Option<OrganisationId>> {
    owner(
        conn,
        "SELECT organisation_id FROM customers WHERE id = $1",
        id.as_uuid(),
    )
    .await
}

pub async fn upsert_customer(
    conn: &mut AnyConnection,
    customer: &Customer,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO customers \
           (id, organisation_id, name, email, currency, payment_terms_days, body, change_no, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET \
           name = excluded.name, email = excluded.email, currency = excluded.currency, \
           payment_terms_days = excluded.payment_terms_days, body = excluded.body, \
           change_no = excluded.change_no, updated_at_ms = excluded.updated_at_ms \
         WHERE customers.organisation_id = excluded.organisation_id",
    )
    .bind(customer.id.to_string())
    .bind(customer.organisation_id.to_string())
    .bind(&customer.name)
    .bind(&customer.email)
    .bind(customer.currency.code())
    .bind(i64::from(customer.payment_terms_days))
    .bind(body::encode(customer, "customer")?)
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A customer of the organisation, as stored.
pub async fn find_customer(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: CustomerId,
) -> StoreResult<Option<Customer>> {
    let row = sqlx::query("SELECT body FROM customers WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body::read(&r, "customer")).transpose()
}

/// The organisation's customers, by name.
pub async fn list_customers(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<Customer>> {
    let rows =
        sqlx::query("SELECT body FROM customers WHERE organisation_id = $1 ORDER BY name, id")
            .bind(organisation.to_string())
            .fetch_all(conn)
            .await?;
    rows.iter().map(|r| body::read(r, "customer")).collect()
}
