//! A customer's statement and aged receivables over REST. The server loads the customer's position (its
//! snapshot, see [`crate::store::ledger`]) and the entries of the period; core writes the statement.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::ids::CustomerId;
use remit_core::receivables::account::Entry;
use remit_core::receivables::aging::{self, AgingPolicy, AgingReport};
use remit_core::receivables::position::Position;
use remit_core::receivables::statement::{self, BalanceForward, OpenItemStatement};
use serde::{Deserialize, Serialize};

use super::session::CurrentSession;
use super::{ApiQuery, AppError, AppState, query};
use crate::store::{customers, ledger};

#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Day {
    on: Option<String>,
}

/// A customer's statement for a period: balance-forward and open items, one of each per currency: the
/// customer's own and any other the account has seen.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub customer_id: CustomerId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub balance_forward: Vec<BalanceForward>,
    pub open_items: Vec<OpenItemStatement>,
}

/// A customer's open amounts by age on a day, one report per currency.
#[derive(Debug, Serialize)]
pub struct Aging {
    pub customer_id: CustomerId,
    pub on: NaiveDate,
    pub reports: Vec<AgingReport>,
}

/// A customer of the signed-in user's organisation, its position and, with `from`, the entries of its
/// account dated `from` or later; 404 for any other id.
async fn account(
    state: &AppState,
    session: &CurrentSession,
    id: &str,
    from: Option<NaiveDate>,
) -> Result<(Customer, Position, Vec<Entry>), AppError> {
    let id = CustomerId::parse(id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let mut conn = state.store.read().await?;
    let customer = customers::find_customer(&mut conn, organisation, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (position, entries) = match from {
        Some(from) => ledger::statement(&mut conn, organisation, id, from).await?,
        None => (
            ledger::position(&mut conn, organisation, id).await?,
            Vec::new(),
        ),
    };
    Ok((customer, position, entries))
}

/// `GET /api/customers/{id}/statement?from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn statement(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Json<Statement>, AppError> {
    let from = query::date("from", period.from.as_deref())?;
    let to = query::date("to", period.to.as_deref())?;
    let (customer, position, entries) = account(&state, &session, &id, Some(from)).await?;
    // The period's own rule (it must not end before it starts) is the caller's to fix.
    statement::check_period(from, to).map_err(AppError::InvalidQuery)?;
    let customer_id = customer.id;
    let mut currencies = position.currencies();
    currencies.push(customer.currency);
    currencies.sort();
    currencies.dedup();
    let balance_forward = currencies
        .iter()
        .map(|&c| {
            let balance = position.balance(c)?;
            statement::balance_forward_since(balance, &entries, c, from, to)
        })
        .collect::<Result<_, _>>()
        .map_err(|source| AppError::Stored {
            what: format!("the statement of customer {customer_id}"),
            source,
        })?;
    let open_items = currencies
        .iter()
        .map(|&c| statement::open_items(&position, c))
        .collect::<Result<_, _>>()
        .map_err(|source| AppError::Stored {
            what: format!("the open items of customer {customer_id}"),
            source,
        })?;
    Ok(Json(Statement {
        customer_id,
        from,
        to,
        balance_forward,
        open_items,
    }))
}

/// `GET /api/customers/{id}/aging?on=YYYY-MM-DD`, bucketed by core's default policy (days past due:
/// current, 1–30, 31–60, 61–90, 90+), one report per currency the account has entries in.
pub async fn aging(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiQuery(day): ApiQuery<Day>,
) -> Result<Json<Aging>, AppError> {
    let on = query::date("on", day.on.as_deref())?;
    let (customer, position, _) = account(&state, &session, &id, None).await?;
    let customer_id = customer.id;
    let policy = AgingPolicy::default();
    let reports =
        aging::age_in(&position.currencies(), position.items(), on, &policy).map_err(|source| {
            AppError::Stored {
                what: format!("the aging of customer {customer_id}"),
                source,
            }
        })?;
    Ok(Json(Aging {
        customer_id,
        on,
        reports,
    }))
}
