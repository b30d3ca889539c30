//! How customers pay, as the settings screen edits it: the bank account and payment means (BG-17,
//! BT-81), the accounting currency (BT-6), the named payment terms a draft chooses from, and the tax
//! rates the editor offers. Typed text is read into core's types here; core's `Settings::validate`
//! decides, and its error is shown beside the field it names.

use leptos::prelude::*;
use remit_core::bank::{BankAccount, PAYMENT_MEANS};
use remit_core::money::Currency;
use remit_core::settings::{Settings, TaxRateOption, TermsOption};
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::terms::{DiscountVat, EarlyPaymentDiscount, Instalment, PaymentPlan, PaymentTerms};
use remit_core::validation::{Rule, ValidationError};

use crate::components::field::Field;

/// The fields whose errors this part of the screen shows beside them.
pub fn shows(error: &ValidationError) -> bool {
    [
        "bank_account",
        "payment_means_code",
        "accounting_currency",
        "payment_terms",
        "tax_rates",
    ]
    .iter()
    .any(|f| {
        error
            .field
            .strip_prefix(f)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// A UNCL4461 payment means code in words.
fn means_name(code: &str) -> &'static str {
    match code {
        "1" => "Not defined",
        "10" => "Cash",
        "20" => "Cheque",
        "30" => "Credit transfer",
        "31" => "Debit transfer",
        "42" => "Payment to bank account",
        "48" => "Bank card",
        "49" => "Direct debit",
        "57" => "Standing agreement",
        "58" => "SEPA credit transfer",
        "59" => "SEPA direct debit",
        "68" => "Online payment service",
        "97" => "Clearing between partners",
        _ => "Mutually defined",
    }
}

/// The kinds of terms a named option can have, as the select offers them.
const KINDS: [(&str, &str); 5] = [
    ("net", "Net N days"),
    ("net_end_of_month", "N days after month end"),
    ("end_of_following_month", "End of the following month"),
    ("day_of_next_month", "Day of the next month"),
    ("due_on_receipt", "Due on receipt"),
];

fn kind_of(terms: PaymentTerms) -> (&'static str, String) {
    match terms {
        PaymentTerms::Net { days } => ("net", days.to_string()),
        PaymentTerms::NetEndOfMonth { days } => ("net_end_of_month", days.to_string()),
        PaymentTerms::EndOfFollowingMonth => ("end_of_following_month", String::new()),
        PaymentTerms::DayOfNextMonth { day } => ("day_of_next_month", day.to_string()),
        PaymentTerms::DueOnReceipt => ("due_on_receipt", String::new()),
    }
}

/// One named option as typed. A plan of several instalments is kept as loaded (its name and discount
/// stay editable).
#[derive(Clone, Copy)]
struct TermsRow {
    key: usize,
    name: RwSignal<String>,
    kind: RwSignal<String>,
    days: RwSignal<String>,
    discount_percent: RwSignal<String>,
    discount_days: RwSignal<String>,
    discount_vat: StoredValue<DiscountVat>,
    instalments: StoredValue<Vec<Instalment>>,
}

impl TermsRow {
    fn new(key: usize, option: &TermsOption) -> Self {
        let single = match option.plan.instalments.as_slice() {
            [one] => Some(one.terms),
            _ => None,
        };
        let (kind, days) = kind_of(single.unwrap_or(PaymentTerms::Net { days: 30 }));
        let discount = option.plan.discount;
        Self {
            key,
            name: RwSignal::new(option.name.clone()),
            kind: RwSignal::new(kind.to_owned()),
            days: RwSignal::new(days),
            discount_percent: RwSignal::new(
                discount
                    .map(|d| d.percent.normalize().to_string())
                    .unwrap_or_default(),
            ),
            discount_days: RwSignal::new(discount.map(|d| d.days.to_string()).unwrap_or_default()),
            discount_vat: StoredValue::new(discount.map(|d| d.vat).unwrap_or_default()),
            instalments: StoredValue::new(if single.is_some() {
                Vec::new()
            } else {
                option.plan.instalments.clone()
            }),
        }
    }

    fn read(&self, at: &str) -> Result<TermsOption, ValidationError> {
        let number = |field: &str, max: &'static str| {
            let field = format!("{at}.{field}");
            move |_| {
                ValidationError::new(
                    field,
                    Rule::Range {
                        min: "0".into(),
                        max: max.into(),
                    },
                )
            }
        };
        let days_text = self.days.get_untracked();
        let days = days_text.trim();
        let instalments = if self.instalments.with_value(Vec::is_empty) {
            let terms_at = "plan.instalments[0].terms";
            let terms = match self.kind.get_untracked().as_str() {
                "net" => PaymentTerms::Net {
                    days: days
                        .parse()
                        .map_err(number(&format!("{terms_at}.days"), "365"))?,
                },
                "net_end_of_month" => PaymentTerms::NetEndOfMonth {
                    days: days
                        .parse()
                        .map_err(number(&format!("{terms_at}.days"), "365"))?,
                },
                "end_of_following_month" => PaymentTerms::EndOfFollowingMonth,
                "day_of_next_month" => PaymentTerms::DayOfNextMonth {
                    day: days
                        .parse()
                        .map_err(number(&format!("{terms_at}.day"), "31"))?,
                },
                _ => PaymentTerms::DueOnReceipt,
            };
            PaymentPlan::single(terms).instalments
        } else {
            self.instalments.get_value()
        };
        let percent = self.discount_percent.get_untracked();
        let discount = match percent.trim() {
            "" => None,
            percent => Some(EarlyPaymentDiscount {
                percent: percent.parse().map_err(|_| {
                    ValidationError::new(format!("{at}.plan.discount.percent"), Rule::Decimal)
                })?,
                days: self
                    .discount_days
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(number("plan.discount.days", "365"))?,
                vat: self.discount_vat.get_value(),
            }),
        };
        Ok(TermsOption {
            name: self.name.get_untracked().trim().to_owned(),
            plan: PaymentPlan {
                instalments,
                discount,
            },
        })
    }
}

/// One tax rate the editor offers, as typed.
#[derive(Clone, Copy)]
struct TaxRow {
    key: usize,
    name: RwSignal<String>,
    category: RwSignal<String>,
    rate: RwSignal<String>,
}

impl TaxRow {
    fn new(key: usize, option: &TaxRateOption) -> Self {
        Self {
            key,
            name: RwSignal::new(option.name.clone()),
            category: RwSignal::new(option.category.code().to_owned()),
            rate: RwSignal::new(option.rate.percent().normalize().to_string()),
        }
    }

    fn read(&self, at: &str) -> Result<TaxRateOption, ValidationError> {
        let within = |e: ValidationError| ValidationError::new(format!("{at}.{}", e.field), e.rule);
        let category = TaxCategory::parse(&self.category.get_untracked()).map_err(within)?;
        let rate = TaxRate::parse(&self.rate.get_untracked())
            .map_err(|e| ValidationError::new(format!("{at}.rate"), e.rule))?;
        Ok(TaxRateOption {
            name: self.name.get_untracked().trim().to_owned(),
            category,
            rate,
        })
    }
}

/// The payment part of the settings as typed.
#[derive(Clone, Copy)]
pub struct PaymentFields {
    iban: RwSignal<String>,
    bic: RwSignal<String>,
    account_name: RwSignal<String>,
    means: RwSignal<String>,
    accounting_currency: RwSignal<String>,
    terms: RwSignal<Vec<TermsRow>>,
    tax_rates: RwSignal<Vec<TaxRow>>,
    /// The next key of a row, so rows keep their inputs when others are removed.
    next_key: StoredValue<usize>,
}

impl PaymentFields {
    pub fn new(settings: &Settings) -> Self {
        let account = settings.bank_account.clone().unwrap_or_default();
        let terms: Vec<TermsRow> = settings
            .payment_terms
            .iter()
            .enumerate()
            .map(|(key, o)| TermsRow::new(key, o))
            .collect();
        let offset = terms.len();
        let tax_rates: Vec<TaxRow> = settings
            .tax_rates
            .iter()
            .enumerate()
            .map(|(i, o)| TaxRow::new(offset + i, o))
            .collect();
        Self {
            iban: RwSignal::new(account.iban),
            bic: RwSignal::new(account.bic),
            account_name: RwSignal::new(account.name),
            means: RwSignal::new(settings.payment_means_code.clone()),
            accounting_currency: RwSignal::new(
                settings
                    .accounting_currency
                    .map(|c| c.code().to_owned())
                    .unwrap_or_default(),
            ),
            next_key: StoredValue::new(offset + tax_rates.len()),
            terms: RwSignal::new(terms),
            tax_rates: RwSignal::new(tax_rates),
        }
    }

    fn key(&self) -> usize {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }

    /// Writes what is typed into `settings`; core's validation follows on the whole.
    pub fn read_into(&self, settings: &mut Settings) -> Result<(), ValidationError> {
        let upper = |s: RwSignal<String>| s.get_untracked().trim().to_uppercase();
        let (iban, bic, name) = (
            upper(self.iban),
            upper(self.bic),
            self.account_name.get_untracked().trim().to_owned(),
        );
        settings.bank_account = (!(iban.is_empty() && bic.is_empty() && name.is_empty()))
            .then_some(BankAccount { iban, bic, name });
        settings.payment_means_code = self.means.get_untracked();
        settings.accounting_currency = match upper(self.accounting_currency).as_str() {
            "" => None,
            code => Some(
                Currency::parse(code)
                    .map_err(|e| ValidationError::new("accounting_currency", e.rule))?,
            ),
        };
        settings.payment_terms = self.terms.with_untracked(|rows| {
            rows.iter()
                .enumerate()
                .map(|(i, row)| row.read(&format!("payment_terms[{i}]")))
                .collect::<Result<_, _>>()
        })?;
        settings.tax_rates = self.tax_rates.with_untracked(|rows| {
            rows.iter()
                .enumerate()
                .map(|(i, row)| row.read(&format!("tax_rates[{i}]")))
                .collect::<Result<_, _>>()
        })?;
        Ok(())
    }
}

#[component]
pub fn BankFields(
    fields: PaymentFields,
    owner: bool,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    view! {
        <fieldset disabled=!owner>
            <legend>"Bank account, as printed on every invoice"</legend>
            <div class="row">
                <Field label="IBAN" field="bank_account.iban" error>
                    <input
                        name="bank_account.iban"
                        class="code"
                        autocomplete="off"
                        bind:value=fields.iban
                    />
                </Field>
                <Field label="BIC" field="bank_account.bic" error>
                    <input name="bank_account.bic" class="code" bind:value=fields.bic />
                </Field>
            </div>
            <Field label="Account name" field="bank_account.name" error>
                <input name="bank_account.name" bind:value=fields.account_name />
            </Field>
            <div class="row">
                <Field label="Payment means" field="payment_means_code" error>
                    <select
                        name="payment_means_code"
                        on:change=move |ev| fields.means.set(event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || fields.means.with(String::is_empty)>
                            "Not chosen"
                        </option>
                        {PAYMENT_MEANS
                            .into_iter()
                            .map(|code| {
                                let selected = move || fields.means.with(|m| m == code);
                                view! {
                                    <option value=code prop:selected=selected>
                                        {format!("{} ({code})", means_name(code))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <Field label="Accounting currency" field="accounting_currency" error>
                    <input
                        name="accounting_currency"
                        class="code"
                        maxlength="3"
                        placeholder="NOK"
                        bind:value=fields.accounting_currency
                    />
                </Field>
            </div>
        </fieldset>
    }
}

#[component]
pub fn TermsFields(
    fields: PaymentFields,
    owner: bool,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let add = move |_| {
        let row = TermsRow::new(
            fields.key(),
            &TermsOption {
                name: String::new(),
                plan: PaymentPlan::single(PaymentTerms::Net { days: 30 }),
            },
        );
        fields.terms.update(|rows| rows.push(row));
    };
    view! {
        <fieldset disabled=!owner>
            <legend>"Payment terms a draft can choose"</legend>
            // Keyed by position too: a row after a removed one is drawn again with its new place, so
            // errors about it find it.
            <For
                each=move || fields.terms.get().into_iter().enumerate()
                key=|(i, row)| (*i, row.key)
                children=move |(i, row)| {
                    view! {
                        <TermsRowInputs
                            row
                            i
                            error
                            remove=move || {
                                fields.terms.update(|rows| rows.retain(|r| r.key != row.key))
                            }
                        />
                    }
                }
            />
            <div class="actions">
                <button type="button" class="secondary" data-testid="add-terms" on:click=add>
                    "Add payment terms"
                </button>
            </div>
        </fieldset>
    }
}

#[component]
fn TermsRowInputs(
    row: TermsRow,
    i: usize,
    error: Signal<Option<ValidationError>>,
    remove: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let single = row.instalments.with_value(Vec::is_empty);
    let field = move |name: &str| format!("payment_terms[{i}].{name}");
    let kept = row.instalments.with_value(Vec::len);
    let terms = move || {
        if single {
            view! {
                <label>
                    "Kind"
                    <select
                        name="terms.kind"
                        on:change=move |ev| row.kind.set(event_target_value(&ev))
                    >
                        {KINDS
                            .into_iter()
                            .map(|(kind, words)| {
                                let selected = move || row.kind.with(|k| k == kind);
                                view! {
                                    <option value=kind prop:selected=selected>
                                        {words}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <Field label="Days (or day)" field=field("plan.instalments") error within=true>
                    <input
                        name="terms.days"
                        inputmode="numeric"
                        disabled=move || {
                            row.kind
                                .with(|k| k == "end_of_following_month" || k == "due_on_receipt")
                        }
                        bind:value=row.days
                    />
                </Field>
            }
            .into_any()
        } else {
            view! { <p class="muted">{format!("{kept} instalments")}</p> }.into_any()
        }
    };
    view! {
        <div class="terms-option" data-testid="terms-option">
            <div class="row">
                <Field label="Name" field=field("name") error>
                    <input name="terms.name" placeholder="2/10 net 30" bind:value=row.name />
                </Field>
                {terms}
            </div>
            <div class="row">
                <Field label="Early-payment discount %" field=field("plan.discount.percent") error>
                    <input
                        name="terms.discount.percent"
                        inputmode="decimal"
                        bind:value=row.discount_percent
                    />
                </Field>
                <Field label="Discount within days" field=field("plan.discount.days") error>
                    <input
                        name="terms.discount.days"
                        inputmode="numeric"
                        bind:value=row.discount_days
                    />
                </Field>
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| remove()>
                        "Remove"
                    </button>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn TaxRateFields(
    fields: PaymentFields,
    owner: bool,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let add = move |_| {
        let row = TaxRow {
            key: fields.key(),
            name: RwSignal::new(String::new()),
            category: RwSignal::new(TaxCategory::S.code().to_owned()),
            rate: RwSignal::new(String::new()),
        };
        fields.tax_rates.update(|rows| rows.push(row));
    };
    view! {
        <fieldset disabled=!owner>
            <legend>"Tax rates the editor offers"</legend>
            <For
                each=move || fields.tax_rates.get().into_iter().enumerate()
                key=|(i, row)| (*i, row.key)
                children=move |(i, row)| {
                    let field = move |name: &str| format!("tax_rates[{i}].{name}");
                    view! {
                        <div class="row" data-testid="tax-rate-option">
                            <Field label="Name" field=field("name") error>
                                <input name="tax_rates.name" bind:value=row.name />
                            </Field>
                            <Field label="VAT category" field=field("tax_category") error>
                                <select
                                    name="tax_rates.category"
                                    on:change=move |ev| row.category.set(event_target_value(&ev))
                                >
                                    {TaxCategory::ALL
                                        .into_iter()
                                        .map(|c| {
                                            let selected = move || row.category.with(|t| t == c.code());
                                            view! {
                                                <option value=c.code() prop:selected=selected>
                                                    {c.code()}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </Field>
                            <Field label="Rate %" field=field("rate") error>
                                <input name="tax_rates.rate" inputmode="decimal" bind:value=row.rate />
                            </Field>
                            <div class="actions">
                                <button
                                    type="button"
                                    class="secondary"
                                    on:click=move |_| {
                                        fields.tax_rates.update(|rows| rows.retain(|r| r.key != row.key))
                                    }
                                >
                                    "Remove"
                                </button>
                            </div>
                        </div>
                    }
                }
            />
            <div class="actions">
                <button type="button" class="secondary" on:click=add>
                    "Add tax rate"
                </button>
            </div>
        </fieldset>
    }
}
