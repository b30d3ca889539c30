//! The editor's state: what is typed, and what core makes of it (the draft, its totals, whether it is
//! valid). The form owns the user's edits; a background pull never rewrites them.

use leptos::prelude::*;
use remit_core::customer::Customer;
use remit_core::document::en16931::PriceBasis;
use remit_core::document::inclusive::unreproducible;
use remit_core::document::parts::{Delivery, Period};
use remit_core::document::{
    AccountingRate, DocumentTotals, InvoiceDraft, TaxRounding, TermsPreview, compute,
};
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::money::Currency;
use remit_core::money::Money;
use remit_core::organisation::SessionInfo;
use remit_core::settings::TermsOption;
use remit_core::sync::mutation::DraftRef;
use remit_core::terms::PaymentPlan;
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use crate::calendar;
use crate::components::adjustment_table::{AdjustmentForm, read_adjustments};
use crate::components::field::in_words;
use crate::components::line_table::{LineForm, LineSignal, Lines, blank_line, line_signal};

/// The parts of a draft the form does not edit.
#[derive(Clone, Copy)]
pub struct Head {
    pub id: InvoiceId,
    pub organisation_id: OrganisationId,
    /// The server version the edit is based on (0 for a new draft).
    pub version: u64,
}

impl Head {
    /// The loaded draft's head, or a new draft's `new_id` in the session's organisation.
    fn of(draft: Option<&InvoiceDraft>, session: &SessionInfo, new_id: InvoiceId) -> Self {
        draft.map_or(
            Self {
                id: new_id,
                organisation_id: session.organisation.id,
                version: 0,
            },
            |d| Self {
                id: d.id,
                organisation_id: d.organisation_id,
                version: d.version,
            },
        )
    }

    /// The reference a delete of this draft carries.
    pub fn draft_ref(&self) -> DraftRef {
        DraftRef {
            id: self.id,
            organisation_id: self.organisation_id,
            version: self.version,
        }
    }
}

/// The draft as typed, and core's reading of it. Copy: every field is a reactive handle.
#[derive(Clone, Copy)]
pub struct DraftState {
    pub head: Head,
    pub is_new: bool,
    pub customers: StoredValue<Vec<Customer>>,
    pub customer_id: RwSignal<String>,
    /// The currency code as typed; `currency` is core's reading of it.
    pub currency_code: RwSignal<String>,
    pub currency: Memo<Option<Currency>>,
    /// The organisation's accounting currency (BT-6), from its settings.
    pub accounting_currency: Option<Currency>,
    /// The rate to the accounting currency and its date, as typed.
    pub rate: RwSignal<String>,
    pub rate_date: RwSignal<String>,
    pub issue_date: RwSignal<String>,
    pub due_date: RwSignal<String>,
    pub note: RwSignal<String>,
    /// Each line a signal of its own: a keystroke in one re-runs the draft, not every row.
    pub lines: Lines,
    /// The organisation's named terms the draft can choose from.
    pub terms_options: StoredValue<Vec<TermsOption>>,
    /// The chosen terms; `None` leaves the due date to be typed.
    pub terms: RwSignal<Option<PaymentPlan>>,
    pub prices_include_vat: RwSignal<bool>,
    pub buyer_reference: RwSignal<String>,
    pub purchase_order: RwSignal<String>,
    pub delivery_date: RwSignal<String>,
    /// BG-14 as typed: the period delivered, both days included.
    pub delivery_start: RwSignal<String>,
    pub delivery_end: RwSignal<String>,
    /// VAT rounded once per category and rate (EN 16931's way) or on each line.
    pub tax_rounding: RwSignal<TaxRounding>,
    /// BT-113 as typed; empty for nothing paid.
    pub prepaid: RwSignal<String>,
    /// Whether the amount due is rounded to the currency's cash increment (CHF 0.05, SEK 1).
    pub cash_rounding: RwSignal<bool>,
    /// Document allowances and charges as typed.
    pub adjustments: RwSignal<Vec<AdjustmentForm>>,
    /// Core's draft from what is typed, or the first field it cannot read.
    pub built: Memo<Result<InvoiceDraft, ValidationError>>,
    /// Core's totals, while the draft can be computed.
    pub totals: Signal<Option<DocumentTotals>>,
    /// What the chosen terms give (due date, discount, instalments), while the draft can be computed.
    pub schedule: Memo<Option<TermsPreview>>,
    /// The cents VAT-inclusive prices cannot reproduce once converted to net prices (core's
    /// `unreproducible`); zero or `None` when nothing is lost.
    pub unreproducible: Memo<Option<Money>>,
    /// Core's objection to the draft, if any.
    pub invalid: Memo<Option<ValidationError>>,
    /// Errors show only once the user tried to save or issue.
    pub save_attempted: RwSignal<bool>,
}

impl DraftState {
    /// The form for `draft`, or for a new draft `new_id` issued today in the organisation's zone.
    pub fn new(
        customers: Vec<Customer>,
        terms_options: Vec<TermsOption>,
        accounting_currency: Option<Currency>,
        draft: Option<&InvoiceDraft>,
        session: &SessionInfo,
        new_id: InvoiceId,
    ) -> Self {
        let head = Head::of(draft, session, new_id);
        let today = calendar::today_in(session.organisation.time_zone.as_str());
        let customer_id =
            RwSignal::new(draft.map(|d| d.customer_id.to_string()).unwrap_or_default());
        let currency_code = RwSignal::new(
            draft
                .map(|d| d.currency.code().to_owned())
                .unwrap_or_default(),
        );
        let currency = Memo::new(move |_| currency_code.with(|c| Currency::parse(c).ok()));
        let loaded_rate = draft.and_then(|d| d.accounting_rate);
        let rate = RwSignal::new(loaded_rate.map(|r| r.rate.to_string()).unwrap_or_default());
        let rate_date = RwSignal::new(loaded_rate.map(|r| r.date.to_string()).unwrap_or_default());
        let issue_date = RwSignal::new(draft.map_or(today, |d| d.issue_date).to_string());
        let due_date = RwSignal::new(draft.map(|d| d.due_date.to_string()).unwrap_or_default());
        let note = RwSignal::new(draft.map(|d| d.note.clone()).unwrap_or_default());
        let lines = RwSignal::new(loaded_lines(draft));
        let terms = RwSignal::new(draft.and_then(|d| d.terms.clone()));
        let prices_include_vat =
            RwSignal::new(draft.is_some_and(|d| d.price_basis == PriceBasis::Gross));
        let text =
            |pick: fn(&InvoiceDraft) -> String| RwSignal::new(draft.map(pick).unwrap_or_default());
        let buyer_reference = text(|d| d.buyer_reference.clone());
        let purchase_order = text(|d| d.purchase_order.clone());
        let delivery_date = text(loaded_delivery_date);
        let prepaid = text(loaded_prepaid);
        let delivery_start = text(|d| loaded_delivery_period(d, |p| p.start));
        let delivery_end = text(|d| loaded_delivery_period(d, |p| p.end));
        let tax_rounding = RwSignal::new(draft.map(|d| d.tax_rounding).unwrap_or_default());
        let cash_rounding = RwSignal::new(draft.is_some_and(|d| d.cash_rounding));
        let adjustments = RwSignal::new(draft.map(AdjustmentForm::from_draft).unwrap_or_default());
        // The loaded draft: the document fields the form has no input for yet are saved as they were. Its
        // lines are the form's, so it keeps none (a keystroke then never copies 500 lines to drop them).
        let base = StoredValue::new(draft.map(|d| InvoiceDraft {
            lines: Vec::new(),
            ..d.clone()
        }));
        let built = Memo::new(move |_| {
            build(
                head,
                base.read_value().as_ref(),
                &customer_id.get(),
                &currency_code.get(),
                &issue_date.get(),
                &due_date.get(),
                note.get(),
                &lines.read(),
                Details {
                    terms: terms.get(),
                    prices_include_vat: prices_include_vat.get(),
                    buyer_reference: buyer_reference.get(),
                    purchase_order: purchase_order.get(),
                    delivery_date: delivery_date.get(),
                    delivery_period: (delivery_start.get(), delivery_end.get()),
                    tax_rounding: tax_rounding.get(),
                    prepaid: prepaid.get(),
                    cash_rounding: cash_rounding.get(),
                    adjustments: adjustments.get(),
                    accounting_rate: rate_inputs_shown(currency.get(), accounting_currency)
                        .then(|| (rate.get(), rate_date.get())),
                },
            )
        });
        let (schedule, unreproducible) = terms_and_cents(built);
        let (totals, invalid) = totals_and_objection(built);
        Self {
            head,
            is_new: draft.is_none(),
            customers: StoredValue::new(customers),
            customer_id,
            currency_code,
            currency,
            accounting_currency,
            rate,
            rate_date,
            issue_date,
            due_date,
            note,
            lines,
            terms_options: StoredValue::new(terms_options),
            terms,
            prices_include_vat,
            buyer_reference,
            purchase_order,
            delivery_date,
            delivery_start,
            delivery_end,
            tax_rounding,
            prepaid,
            cash_rounding,
            adjustments,
            built,
            totals,
            schedule,
            unreproducible,
            invalid,
            save_attempted: RwSignal::new(false),
        }
    }

    fn selected_customer(&self) -> Option<Customer> {
        let id = self.customer_id.get();
        self.customers
            .with_value(|cs| cs.iter().find(|c| c.id.to_string() == id).cloned())
    }

    /// The user picked customer `id`: the draft takes the customer's currency and terms.
    pub fn choose_customer(&self, id: String) {
        self.customer_id.set(id);
        self.currency_code.set(
            self.selected_customer()
                .map(|c| c.currency.code().to_owned())
                .unwrap_or_default(),
        );
        self.refresh_due_date();
    }

    /// The issue date changed: the due date follows the customer's terms.
    pub fn set_issue_date(&self, date: String) {
        self.issue_date.set(date);
        self.refresh_due_date();
    }

    /// The terms a draft can choose: the organisation's named terms, or the customer's own when the
    /// organisation has named none.
    pub fn terms_choices(&self) -> Vec<TermsOption> {
        let named = self.terms_options.get_value();
        if !named.is_empty() {
            return named;
        }
        self.selected_customer()
            .map(|c| TermsOption {
                name: format!("Net {} days (the customer's terms)", c.payment_terms_days),
                plan: PaymentPlan::single(c.terms()),
            })
            .into_iter()
            .collect()
    }

    /// Chooses terms (`None`: the due date is typed) and sets the due date they give.
    pub fn choose_terms(&self, plan: Option<PaymentPlan>) {
        self.terms.set(plan);
        self.refresh_due_date();
    }

    /// The chosen terms, or else the customer's, counted by core from the issue date.
    fn refresh_due_date(&self) {
        let Ok(issue) = parse_date("issue_date", &self.issue_date.get_untracked()) else {
            return;
        };
        let due = match self.terms.get_untracked() {
            Some(plan) => plan.due_date(issue).ok(),
            None => self
                .selected_customer()
                .and_then(|c| c.terms().due_date(issue).ok()),
        };
        if let Some(due) = due {
            self.due_date.set(due.to_string());
        }
    }

    /// The draft to save or issue, once core accepts it; otherwise its errors start to show.
    pub fn valid_draft(&self) -> Option<InvoiceDraft> {
        self.save_attempted.set(true);
        self.built
            .get_untracked()
            .ok()
            .filter(|d| d.validate().is_ok())
    }

    /// The draft as typed, if it can be read: issuing sends it for the server's or core's checks.
    pub fn typed_draft(&self) -> Option<InvoiceDraft> {
        self.save_attempted.set(true);
        self.built.get_untracked().ok()
    }

    /// Core's objection, once the user tried to save or issue: shown beside its field.
    pub fn shown_invalid(&self) -> Signal<Option<ValidationError>> {
        let (attempted, invalid) = (self.save_attempted, self.invalid);
        Signal::derive(move || attempted.get().then(|| invalid.get()).flatten())
    }

    /// Core's objection in the user's words, once the user tried to save or issue: the form's summary.
    pub fn shown_error(&self) -> Option<String> {
        self.save_attempted
            .get()
            .then(|| self.invalid.get().map(|e| in_words(&e)))
            .flatten()
    }
}

/// Reads the form into core's draft. Unreadable input is an error naming its field; whether the draft
/// is acceptable is core's `validate`, asked separately.
#[allow(clippy::too_many_arguments)] // one argument per input of the form, each a signal's value
fn build(
    head: Head,
    base: Option<&InvoiceDraft>,
    customer_id: &str,
    currency: &str,
    issue_date: &str,
    due_date: &str,
    note: String,
    lines: &[LineSignal],
    details: Details,
) -> Result<InvoiceDraft, ValidationError> {
    let customer_id = CustomerId::parse(customer_id)
        .map_err(|_| ValidationError::new("customer_id", Rule::Required))?;
    let currency = match currency.trim() {
        "" => return Err(ValidationError::new("currency", Rule::Required)),
        code => Currency::parse(code).map_err(|e| ValidationError {
            field: "currency".into(),
            ..e
        })?,
    };
    let accounting_rate = details.accounting_rate()?;
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| line.with(|l| l.to_line(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let issue_date = parse_date("issue_date", issue_date)?;
    let due_date = parse_date("due_date", due_date)?;
    let delivery = details.delivery()?;
    let (allowances, charges) = read_adjustments(&details.adjustments)?;
    let prepaid = details.prepaid()?;
    let cash_rounding = details.cash_rounding;
    let price_basis = if details.prices_include_vat {
        PriceBasis::Gross
    } else {
        PriceBasis::Net
    };
    Ok(match base {
        Some(base) => InvoiceDraft {
            customer_id,
            currency,
            issue_date,
            due_date,
            lines,
            note,
            price_basis,
            buyer_reference: details.buyer_reference,
            purchase_order: details.purchase_order,
            delivery,
            terms: details.terms,
            allowances,
            charges,
            prepaid,
            cash_rounding,
            tax_rounding: details.tax_rounding,
            accounting_rate,
            ..base.clone()
        },
        None => InvoiceDraft {
            id: head.id,
            organisation_id: head.organisation_id,
            customer_id,
            currency,
            issue_date,
            due_date,
            tax_rounding: details.tax_rounding,
            lines,
            note,
            version: head.version,
            price_basis,
            allowances,
            charges,
            prepaid,
            buyer_reference: details.buyer_reference,
            purchase_order: details.purchase_order,
            delivery,
            cash_rounding,
            terms: details.terms,
            accounting_rate,
        },
    })
}

/// The loaded draft's lines as the table shows them, each with a signal of its own; one empty line for
/// a new draft.
fn loaded_lines(draft: Option<&InvoiceDraft>) -> Vec<LineSignal> {
    draft.map_or_else(
        || vec![blank_line()],
        |d| {
            d.lines
                .iter()
                .map(|l| line_signal(LineForm::from_line(l)))
                .collect()
        },
    )
}

fn loaded_delivery_date(draft: &InvoiceDraft) -> String {
    draft
        .delivery
        .and_then(|v| v.date)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// A day of the loaded draft's delivery period, as the input shows it.
fn loaded_delivery_period(draft: &InvoiceDraft, day: fn(&Period) -> chrono::NaiveDate) -> String {
    draft
        .delivery
        .and_then(|d| d.period)
        .map(|p| day(&p).to_string())
        .unwrap_or_default()
}

/// The prepaid amount as the input shows it: empty for nothing paid.
fn loaded_prepaid(draft: &InvoiceDraft) -> String {
    if draft.prepaid.is_zero() {
        String::new()
    } else {
        draft.prepaid.to_string()
    }
}

/// Core's totals of the draft while it can be computed, and core's objection to it, if any.
fn totals_and_objection(
    built: Memo<Result<InvoiceDraft, ValidationError>>,
) -> (
    Signal<Option<DocumentTotals>>,
    Memo<Option<ValidationError>>,
) {
    let totals =
        Memo::new(move |_| built.with(|d| d.as_ref().ok().and_then(|d| compute(d).ok()))).into();
    let invalid = Memo::new(move |_| {
        built.with(|d| match d {
            Ok(draft) => draft.validate().err(),
            Err(e) => Some(e.clone()),
        })
    });
    (totals, invalid)
}

/// Core's schedule of the chosen terms, and the cents VAT-inclusive prices cannot reproduce (not zero).
fn terms_and_cents(
    built: Memo<Result<InvoiceDraft, ValidationError>>,
) -> (Memo<Option<TermsPreview>>, Memo<Option<Money>>) {
    let schedule = Memo::new(move |_| {
        built.with(|d| {
            d.as_ref()
                .ok()
                .and_then(|d| d.payment_schedule().ok().flatten())
        })
    });
    let unreproducible = Memo::new(move |_| {
        built.with(|d| {
            d.as_ref()
                .ok()
                .filter(|d| d.price_basis == PriceBasis::Gross)
                .and_then(|d| unreproducible(d).ok())
                .filter(|cents| !cents.amount().is_zero())
        })
    });
    (schedule, unreproducible)
}

/// The document's fields beyond the header and lines, as typed.
struct Details {
    terms: Option<PaymentPlan>,
    prices_include_vat: bool,
    buyer_reference: String,
    purchase_order: String,
    delivery_date: String,
    /// Start and end as typed.
    delivery_period: (String, String),
    tax_rounding: TaxRounding,
    prepaid: String,
    cash_rounding: bool,
    adjustments: Vec<AdjustmentForm>,
    /// The rate and its date as typed, when the currency differs from the accounting currency.
    accounting_rate: Option<(String, String)>,
}

/// Whether the editor asks for a rate to the accounting currency: core says the draft needs one.
pub fn rate_inputs_shown(currency: Option<Currency>, accounting: Option<Currency>) -> bool {
    currency.is_some_and(|c| AccountingRate::needed_for(c, accounting).is_some())
}

impl Details {
    /// The rate to the accounting currency: none when not needed or not typed at all.
    fn accounting_rate(&self) -> Result<Option<AccountingRate>, ValidationError> {
        let Some((rate, date)) = &self.accounting_rate else {
            return Ok(None);
        };
        let within = |e: ValidationError| e.within("accounting_rate");
        match (rate.trim(), date.trim()) {
            ("", "") => Ok(None),
            ("", _) => Err(within(ValidationError::new("rate", Rule::Required))),
            (rate, date) => Ok(Some(AccountingRate {
                rate: rate
                    .parse()
                    .map_err(|_| within(ValidationError::new("rate", Rule::Decimal)))?,
                date: parse_date("date", date).map_err(within)?,
            })),
        }
    }

    /// The prepaid amount (BT-113): zero when nothing is typed.
    fn prepaid(&self) -> Result<Decimal, ValidationError> {
        match self.prepaid.trim() {
            "" => Ok(Decimal::ZERO),
            text => text
                .parse()
                .map_err(|_| ValidationError::new("prepaid", Rule::Decimal)),
        }
    }

    /// The delivery date and period typed (BT-72, BG-14); none when neither is.
    fn delivery(&self) -> Result<Option<Delivery>, ValidationError> {
        let within = |e: ValidationError| e.within("delivery");
        let date = match self.delivery_date.trim() {
            "" => None,
            text => Some(parse_date("date", text).map_err(within)?),
        };
        let period = match (self.delivery_period.0.trim(), self.delivery_period.1.trim()) {
            ("", "") => None,
            (start, end) => Some(Period {
                start: parse_date("period.start", start).map_err(within)?,
                end: parse_date("period.end", end).map_err(within)?,
            }),
        };
        Ok((date.is_some() || period.is_some()).then_some(Delivery { date, period }))
    }
}

fn parse_date(field: &str, text: &str) -> Result<chrono::NaiveDate, ValidationError> {
    text.trim()
        .parse()
        .map_err(|_| ValidationError::new(field, Rule::Date))
}
