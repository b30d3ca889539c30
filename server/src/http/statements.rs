//! A customer's statement and aged receivables over REST. The server loads the customer's account (its
//! snapshot, see [`crate::store::ledger`]); core writes the statement.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::ids::CustomerId;
use remit_core::receivables::account::Account;
use remit_core::receivables::aging::{self, AgingPolicy, AgingReport};
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

/// A customer of the signed-in user's organisation and its account; 404 for any other id.
async fn account(
    state: &AppState,
    session: &CurrentSession,
    id: &str,
) -> Result<(Customer, Account), AppError> {
    let id = CustomerId::parse(id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let mut conn = state.store.read().await?;
    let customer = customers::find_customer(&mut conn, organisation, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = ledger::account(&mut conn, organisation, id).await?;
    Ok((customer, account))
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
    let (customer, account) = account(&state, &session, &id).await?;
    // The period's own rule (it must not end before it starts) is the caller's to fix.
    statement::check_period(from, to).map_err(AppError::InvalidQuery)?;
    let customer_id = customer.id;
    let mut currencies = account.currencies();
    currencies.push(customer.currency);
    currencies.sort();
    currencies.dedup();
    let balance_forward = currencies
        .iter()
        .map(|&c| statement::balance_forward(&account, c, from, to))
        .collect::<Result<_, _>>()
        .map_err(|source| AppError::Stored {
            what: format!("the statement of customer {customer_id}"),
            source,
        })?;
    let open_items = currencies
        .iter()
        .map(|&c| statement::open_items(&account, c))
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
/// current, 1–30, 31–60, 61–90, 90+).
pub async fn aging(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiQuery(day): ApiQuery<Day>,
) -> Result<Json<Aging>, AppError> {
    let on = query::date("on", day.on.as_deref())?;
    let (customer, account) = account(&state, &session, &id).await?;
    let customer_id = customer.id;
    let reports = aging::age(account.items(), on, &AgingPolicy::default()).map_err(|source| {
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
