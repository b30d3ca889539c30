//! A customer's statement, as the JSON route and the PDF both give it: the server loads the customer's
//! position (its snapshot, see [`crate::store::ledger`]) and the entries of the period; core writes the
//! statement, one balance-forward and one open-item statement per currency: the customer's own and any
//! other the account has seen.

use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::ids::{CustomerId, OrganisationId};
use remit_core::receivables::statement::{self, BalanceForward, OpenItemStatement};
use remit_core::validation::ValidationError;
use serde::Serialize;

use crate::store::{Store, StoreError, customers, ledger};

/// The days a statement covers, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A customer's statement for a period.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub customer_id: CustomerId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub balance_forward: Vec<BalanceForward>,
    pub open_items: Vec<OpenItemStatement>,
}

/// Why a statement could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// The period ends before it starts: the requester's to fix.
    #[error(transparent)]
    Period(ValidationError),
    /// Core refuses what the server stored (an amount that overflows).
    #[error("the statement of customer {customer} cannot be computed from what is stored")]
    Stored {
        customer: CustomerId,
        #[source]
        source: ValidationError,
    },
}

/// The statement of the organisation's customer `id` for `period`, with the customer; `None` for any
/// other id.
pub async fn load(
    store: &Store,
    organisation: OrganisationId,
    id: CustomerId,
    period: Period,
) -> Result<Option<(Customer, Statement)>, StatementError> {
    let mut conn = store.read().await?;
    let Some(customer) = customers::find_customer(&mut conn, organisation, id).await? else {
        return Ok(None);
    };
    let Period { from, to } = period;
    statement::check_period(from, to).map_err(StatementError::Period)?;
    let (position, entries) = ledger::statement(&mut conn, organisation, id, from).await?;
    drop(conn);
    let stored = |source| StatementError::Stored {
        customer: id,
        source,
    };
    let currencies = position.statement_currencies(customer.currency);
    let balance_forward = currencies
        .iter()
        .map(|&c| {
            let balance = position.balance(c)?;
            statement::balance_forward_since(balance, &entries, c, from, to)
        })
        .collect::<Result<_, _>>()
        .map_err(stored)?;
    let open_items = currencies
        .iter()
        .map(|&c| statement::open_items(&position, c))
        .collect::<Result<_, _>>()
        .map_err(stored)?;
    let statement = Statement {
        customer_id: id,
        from,
        to,
        balance_forward,
        open_items,
    };
    Ok(Some((customer, statement)))
}
