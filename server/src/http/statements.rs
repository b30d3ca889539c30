//! A customer's statement and aged receivables over REST. The statement is [`crate::statements`]'s (the
//! PDF's too); the aging is core's of the customer's position (its snapshot, see [`crate::store::ledger`]).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::ids::CustomerId;
use remit_core::receivables::aging::{self, AgingPolicy, AgingReport};
use remit_core::receivables::position::Position;
use serde::{Deserialize, Serialize};

use super::session::CurrentSession;
use super::{ApiQuery, AppError, AppState, query};
use crate::documents;
use crate::statements::{self, Period, Statement, StatementError};
use crate::store::{customers, ledger};

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both required, and for a PDF the statement's date `on`.
#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    on: Option<String>,
}

impl PeriodQuery {
    /// The period asked for; a missing or malformed date names its parameter.
    pub fn period(&self) -> Result<Period, AppError> {
        Ok(Period {
            from: query::date("from", self.from.as_deref())?,
            to: query::date("to", self.to.as_deref())?,
        })
    }

    /// The statement's date: `on` when given, else today in the organisation's time zone.
    pub fn on(&self, state: &AppState, session: &CurrentSession) -> Result<NaiveDate, AppError> {
        match &self.on {
            Some(on) => query::date("on", Some(on)),
            None => Ok(state.clock.today_in(&session.organisation.time_zone)?),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Day {
    on: Option<String>,
}

/// A customer's open amounts by age on a day, one report per currency.
#[derive(Debug, Serialize)]
pub struct Aging {
    pub customer_id: CustomerId,
    pub on: NaiveDate,
    pub reports: Vec<AgingReport>,
}

/// A customer of the signed-in user's organisation and its position; 404 for any other id.
async fn account(
    state: &AppState,
    session: &CurrentSession,
    id: &str,
) -> Result<(Customer, Position), AppError> {
    let id = CustomerId::parse(id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let mut conn = state.store.read().await?;
    let customer = customers::find_customer(&mut conn, organisation, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let position = ledger::position(&mut conn, organisation, id).await?;
    Ok((customer, position))
}

/// `GET /api/customers/{id}/statement?from=YYYY-MM-DD&to=YYYY-MM-DD`: balance-forward and open items,
/// one of each per currency.
pub async fn statement(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<Statement>, AppError> {
    let period = query.period()?;
    let id = CustomerId::parse(&id).map_err(|_| AppError::NotFound)?;
    let (_, statement) = statements::load(&state.store, session.organisation.id, id, period)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(statement))
}

/// `GET /api/customers/{id}/statement/pdf?from=YYYY-MM-DD&to=YYYY-MM-DD[&on=YYYY-MM-DD]`: the same
/// statement as PDF, dated `on` (today in the organisation's time zone when not given), in the
/// customer's language. Rendered for each request, never kept.
pub async fn statement_pdf(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Response, AppError> {
    let period = query.period()?;
    let on = query.on(&state, &session)?;
    let id = CustomerId::parse(&id).map_err(|_| AppError::NotFound)?;
    let file = documents::statement_pdf(&state.store, session.organisation.id, id, period, on)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file.into_response())
}

impl From<StatementError> for AppError {
    fn from(e: StatementError) -> Self {
        match e {
            StatementError::Store(e) => AppError::Store(e),
            StatementError::Period(e) => AppError::InvalidQuery(e),
            StatementError::Stored { customer, source } => AppError::Stored {
                what: format!("the statement of customer {customer}"),
                source,
            },
        }
    }
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
    let (customer, position) = account(&state, &session, &id).await?;
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
