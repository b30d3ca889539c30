//! Stripe's objects as this server reads them (only the fields it uses), and what they report as
//! core's [`GatewayEvent`]s. A checkout session reads the same whether a webhook carries it or the
//! success page asks for it ([`session_report`]): the same payment, dated by when it was reported
//! (the event's time, or the success page's); core keeps the day it was first recorded on.

use std::collections::HashMap;

use chrono_tz::Tz;
use remit_core::gateway::{GatewayEvent, from_minor_units};
use remit_core::ids::{CheckoutId, OrganisationId, RefundId};
use remit_core::money::Currency;
use serde::Deserialize;
use sqlx::AnyConnection;

use crate::clock::{self, UnknownTimeZone};
use crate::store::{StoreError, accounts};

/// Stripe's error answer: `{"error": {"type", "code", "message"}}`.
#[derive(Debug, Deserialize)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Deserialize)]
pub struct ApiErrorBody {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ApiError {
    /// Why Stripe refused, as it said it: its code and message.
    pub fn reason(&self) -> String {
        let e = &self.error;
        let code = e.code.as_deref().or(e.kind.as_deref()).unwrap_or("error");
        match e.message.as_deref() {
            Some(message) => format!("{code}: {message}"),
            None => code.to_owned(),
        }
    }
}

/// A Checkout Session.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    /// The hosted page (none once the session is complete or expired).
    #[serde(default)]
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    #[serde(default)]
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub customer_details: Option<CustomerDetails>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CustomerDetails {
    #[serde(default)]
    pub email: Option<String>,
}

/// A refund, as Stripe answers its creation and lists it in a charge.
#[derive(Debug, Clone, Deserialize)]
pub struct StripeRefund {
    pub id: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub created: i64,
    /// `pending`, `succeeded`, `failed`, `canceled` or `requires_action`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

/// A charge, as `charge.refunded` carries it.
#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub refunds: Option<List<StripeRefund>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

/// A webhook's event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// Why a Stripe object cannot be read as a report. Names the field, never its value.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the event is not Stripe's event JSON")]
    Json(#[source] serde_json::Error),
    #[error("the {0} is missing or not valid")]
    Field(&'static str),
}

/// The organisation's time zone, in which its business dates fall.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("the organisation does not exist")]
    NoOrganisation,
    #[error("the organisation's time zone is unknown")]
    Unknown(#[from] UnknownTimeZone),
}

/// The time zone of `organisation`'s business dates.
pub async fn business_zone(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> Result<Tz, ZoneError> {
    let found = accounts::organisation(conn, organisation)
        .await?
        .ok_or(ZoneError::NoOrganisation)?;
    Ok(clock::zone(&found.time_zone)?)
}

/// The business date in `zone` of Stripe's `seconds` since the Unix epoch.
fn date_of(seconds: i64, zone: Tz) -> chrono::NaiveDate {
    clock::today_in(zone, clock::instant(seconds.saturating_mul(1000)))
}

fn currency(code: Option<&str>, field: &'static str) -> Result<Currency, ReadError> {
    code.and_then(|c| Currency::parse(c).ok())
        .ok_or(ReadError::Field(field))
}

/// The checkout a session was made for, when Remit made it: a session of another integration on the
/// same Stripe account has no reference, or one of its own.
fn checkout_of(session: &Session) -> Option<CheckoutId> {
    session
        .client_reference_id
        .as_deref()
        .and_then(|id| CheckoutId::parse(id).ok())
}

/// What a checkout session reports at `reported_at` (Unix seconds), or `None` while the customer has
/// not finished the page or when the session is not Remit's: paid (its payment intent, amount and payer's address, paid on the
/// organisation's business date of `reported_at`), or pending (finished with a method that settles
/// later).
pub fn session_report(
    session: &Session,
    zone: Tz,
    reported_at: i64,
) -> Result<Option<GatewayEvent>, ReadError> {
    let Some(checkout) = checkout_of(session) else {
        return Ok(None);
    };
    match (session.payment_status.as_str(), session.status.as_deref()) {
        ("paid", _) => {
            let gateway_payment = session
                .payment_intent
                .clone()
                .filter(|p| !p.is_empty())
                .ok_or(ReadError::Field("session's payment intent"))?;
            let minor = session
                .amount_total
                .ok_or(ReadError::Field("session's amount total"))?;
            let currency = currency(session.currency.as_deref(), "session's currency")?;
            Ok(Some(GatewayEvent::Paid {
                checkout,
                gateway_payment,
                amount: from_minor_units(minor, currency),
                paid_on: date_of(reported_at, zone),
                payer_email: session
                    .customer_details
                    .as_ref()
                    .and_then(|d| d.email.clone()),
            }))
        }
        ("unpaid", Some("complete")) => Ok(Some(GatewayEvent::Pending { checkout })),
        _ => Ok(None),
    }
}

/// What a charge's refunds report: one refund each that went through, naming Remit's refund when
/// Remit sent it. A charge without a payment intent was not taken through Checkout: nothing.
pub fn charge_reports(charge: &Charge, zone: Tz) -> Result<Vec<GatewayEvent>, ReadError> {
    let Some(gateway_payment) = charge.payment_intent.clone().filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let refunds = charge
        .refunds
        .as_ref()
        .ok_or(ReadError::Field("charge's refunds"))?;
    refunds
        .data
        .iter()
        .filter(|r| !matches!(r.status.as_deref(), Some("failed" | "canceled")))
        .map(|refund| {
            let currency = currency(refund.currency.as_deref(), "refund's currency")?;
            let remit_refund = match refund.metadata.get("remit_refund_id") {
                Some(id) => Some(
                    RefundId::parse(id)
                        .map_err(|_| ReadError::Field("refund's remit_refund_id"))?,
                ),
                None => None,
            };
            Ok(GatewayEvent::Refunded {
                gateway_payment: gateway_payment.clone(),
                gateway_refund: refund.id.clone(),
                amount: from_minor_units(refund.amount, currency),
                refunded_on: date_of(refund.created, zone),
                remit_refund,
            })
        })
        .collect()
}

/// What an event reports; an event of a type Remit does not handle reports nothing.
pub fn event_reports(event: &Event, zone: Tz) -> Result<Vec<GatewayEvent>, ReadError> {
    let session =
        || serde_json::from_value::<Session>(event.data.object.clone()).map_err(ReadError::Json);
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            Ok(session_report(&session()?, zone, event.created)?
                .into_iter()
                .collect())
        }
        "checkout.session.async_payment_failed" => Ok(checkout_of(&session()?)
            .map(|checkout| GatewayEvent::Failed {
                checkout,
                reason: "Stripe reported that the payment failed after the customer left its page"
                    .into(),
            })
            .into_iter()
            .collect()),
        "charge.refunded" => {
            let charge = serde_json::from_value::<Charge>(event.data.object.clone())
                .map_err(ReadError::Json)?;
            charge_reports(&charge, zone)
        }
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use remit_core::money::Money;
    use serde_json::{Value, json};

    use super::*;

    const CHECKOUT: &str = "019a4d5e-0000-7000-8000-0000000000c1";
    const REFUND: &str = "019a4d5e-0000-7000-8000-0000000000e1";
    /// 2026-03-28T23:30:00Z: the 29th in Oslo.
    const REPORTED_AT: i64 = 1_774_740_600;

    fn oslo() -> Tz {
        "Europe/Oslo".parse().unwrap()
    }

    fn checkout() -> CheckoutId {
        CheckoutId::parse(CHECKOUT).unwrap()
    }

    fn eur(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn day(text: &str) -> chrono::NaiveDate {
        text.parse().unwrap()
    }

    /// A session as Stripe sends it.
    fn session(status: &str, payment_status: &str) -> Value {
        json!({
            "id": "cs_test_1", "object": "checkout.session", "url": null,
            "status": status, "payment_status": payment_status,
            "client_reference_id": CHECKOUT, "payment_intent": "pi_3Q",
            "amount_total": 14000, "currency": "eur", "created": 1_774_600_000,
            "customer_details": { "email": "payer@example.test" },
            "metadata": { "checkout_id": CHECKOUT },
        })
    }

    /// An event Stripe created at 2026-03-28T23:30:00Z, already the 29th in Oslo.
    fn event(kind: &str, object: Value) -> Event {
        serde_json::from_value(json!({
            "id": "evt_1", "object": "event", "type": kind, "created": REPORTED_AT,
            "data": { "object": object },
        }))
        .unwrap()
    }

    fn paid() -> GatewayEvent {
        GatewayEvent::Paid {
            checkout: checkout(),
            gateway_payment: "pi_3Q".into(),
            amount: eur("140.00"),
            paid_on: day("2026-03-29"),
            payer_email: Some("payer@example.test".into()),
        }
    }

    #[test]
    fn each_handled_event_reports_what_core_reads() {
        let failed = GatewayEvent::Failed {
            checkout: checkout(),
            reason: "Stripe reported that the payment failed after the customer left its page"
                .into(),
        };
        let pending = GatewayEvent::Pending {
            checkout: checkout(),
        };
        let cases = [
            (
                "checkout.session.completed",
                session("complete", "paid"),
                vec![paid()],
            ),
            (
                "checkout.session.completed",
                session("complete", "unpaid"),
                vec![pending],
            ),
            (
                "checkout.session.async_payment_succeeded",
                session("complete", "paid"),
                vec![paid()],
            ),
            (
                "checkout.session.async_payment_failed",
                session("complete", "unpaid"),
                vec![failed],
            ),
            (
                "checkout.session.expired",
                session("expired", "unpaid"),
                vec![],
            ),
            ("customer.created", json!({ "id": "cus_1" }), vec![]),
        ];
        for (kind, object, expected) in cases {
            assert_eq!(
                event_reports(&event(kind, object), oslo()).unwrap(),
                expected,
                "{kind}"
            );
        }
    }

    #[test]
    fn a_session_reads_the_same_from_a_webhook_and_from_the_api_dated_by_its_report() {
        let completed = event("checkout.session.completed", session("complete", "paid"));
        let asked: Session = serde_json::from_value(session("complete", "paid")).unwrap();
        assert_eq!(
            event_reports(&completed, oslo()).unwrap(),
            Vec::from_iter(session_report(&asked, oslo(), REPORTED_AT).unwrap())
        );
        // Asked an hour earlier, it was still the 28th in Oslo.
        let Some(GatewayEvent::Paid { paid_on, .. }) =
            session_report(&asked, oslo(), REPORTED_AT - 3600).unwrap()
        else {
            panic!("paid");
        };
        assert_eq!(paid_on, day("2026-03-28"));
        let open: Session = serde_json::from_value(session("open", "unpaid")).unwrap();
        assert_eq!(
            session_report(&open, oslo(), REPORTED_AT).unwrap(),
            None,
            "not finished"
        );
    }

    #[test]
    fn a_paid_session_missing_what_a_payment_needs_is_refused_naming_the_field() {
        let cases = [
            ("payment_intent", Value::Null, "session's payment intent"),
            ("amount_total", Value::Null, "session's amount total"),
            ("currency", json!("xyz"), "session's currency"),
        ];
        for (field, value, named) in cases {
            let mut object = session("complete", "paid");
            object[field] = value;
            let e =
                event_reports(&event("checkout.session.completed", object), oslo()).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("the {named} is missing or not valid"),
                "{field}"
            );
        }
        let e = event_reports(&event("charge.refunded", json!({ "id": 1 })), oslo()).unwrap_err();
        assert!(matches!(e, ReadError::Json(_)));
    }

    #[test]
    fn sessions_and_charges_another_integration_made_report_nothing() {
        let kinds = [
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
        ];
        for reference in [Value::Null, json!("order-4711")] {
            for kind in kinds {
                let mut object = session("complete", "paid");
                object["client_reference_id"] = reference.clone();
                assert_eq!(
                    event_reports(&event(kind, object), oslo()).unwrap(),
                    vec![],
                    "{kind} {reference}"
                );
            }
        }
        let direct = json!({ "id": "ch_1", "object": "charge", "payment_intent": null });
        assert_eq!(
            event_reports(&event("charge.refunded", direct), oslo()).unwrap(),
            vec![]
        );
    }

    #[test]
    fn a_refunded_charge_reports_each_refund_that_went_through() {
        let charge = json!({
            "id": "ch_1", "object": "charge", "payment_intent": "pi_3Q",
            "refunds": { "object": "list", "data": [
                { "id": "re_dash", "amount": 1000, "currency": "eur", "created": 1_774_740_600,
                  "status": "succeeded", "metadata": {} },
                { "id": "re_remit", "amount": 500, "currency": "eur", "created": 1_774_800_000,
                  "status": "succeeded", "metadata": { "remit_refund_id": REFUND } },
                { "id": "re_failed", "amount": 700, "currency": "eur", "created": 1_774_800_000,
                  "status": "failed", "metadata": {} },
            ]},
        });
        let reports = event_reports(&event("charge.refunded", charge), oslo()).unwrap();
        assert_eq!(
            reports,
            vec![
                GatewayEvent::Refunded {
                    gateway_payment: "pi_3Q".into(),
                    gateway_refund: "re_dash".into(),
                    amount: eur("10.00"),
                    refunded_on: day("2026-03-29"),
                    remit_refund: None,
                },
                GatewayEvent::Refunded {
                    gateway_payment: "pi_3Q".into(),
                    gateway_refund: "re_remit".into(),
                    amount: eur("5.00"),
                    refunded_on: day("2026-03-29"),
                    remit_refund: Some(RefundId::parse(REFUND).unwrap()),
                },
            ]
        );
    }

    #[test]
    fn stripes_error_reads_as_its_code_and_message() {
        let cases = [
            (
                json!({ "error": { "type": "invalid_request_error", "code": "amount_too_large", "message": "Too much" } }),
                "amount_too_large: Too much",
            ),
            (json!({ "error": { "type": "card_error" } }), "card_error"),
            (json!({ "error": {} }), "error"),
        ];
        for (body, reason) in cases {
            let error: ApiError = serde_json::from_value(body).unwrap();
            assert_eq!(error.reason(), reason);
        }
    }
}
