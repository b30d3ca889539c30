//! Creating and editing a customer.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use remit_core::customer::{Customer, Language};
use remit_core::document::issue::Address;
use remit_core::ids::{CustomerId, OrganisationId};
use remit_core::money::Currency;
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use remit_core::decide::catalogue::current_settings;
use remit_core::document::einvoice_rules::buyer_gaps;

use crate::components::boundary::Loading;
use crate::components::date::date_text;
use crate::components::field::Field;
use crate::components::field_error::FieldError;
use crate::components::money::MoneyText;
use crate::routes::portal_links::PortalLinks;
use crate::state::use_app;
use crate::store::StoreError;

/// `/customers/new` or `/customers/<id>`.
#[component]
pub fn CustomerEdit() -> impl IntoView {
    let params = use_params_map();
    move || {
        // A new id re-creates the form; `new` (or anything that is not an id) is a new customer.
        let id = params.with(|p| p.get("id").and_then(|id| CustomerId::parse(&id).ok()));
        view! { <CustomerLoader id /> }
    }
}

#[component]
fn CustomerLoader(id: Option<CustomerId>) -> impl IntoView {
    let app = use_app();
    // The customer, and for a new one the net days it starts with: core's default from the
    // organisation's terms.
    let existing = LocalResource::new(move || {
        let store = app.store();
        async move {
            let customer = match id {
                Some(id) => store.customer(id).await?,
                None => None,
            };
            let settings = store.settings().await?;
            Ok::<_, StoreError>((customer, settings))
        }
    });
    let shown = move || {
        Suspend::new(async move {
            let (customer, settings) = existing.await?;
            if customer.is_none() && id.is_some() {
                return Ok::<_, StoreError>(
                    view! { <p class="error">"This customer is not on this device."</p> }
                        .into_any(),
                );
            }
            let settings = app.session.with_untracked(|s| {
                s.as_ref()
                    .map(|s| current_settings(settings, s.organisation.id, &s.organisation.name))
            });
            let default_terms_days = settings
                .as_ref()
                .map_or(Customer::FALLBACK_TERMS_DAYS, |s| {
                    Customer::default_terms_days(&s.terms)
                });
            let gaps = match (&customer, &settings) {
                (Some(c), Some(s)) => buyer_gaps(&c.as_buyer(&s.seller)),
                _ => Vec::new(),
            };
            Ok(view! {
                <EinvoiceGaps gaps />
                <CustomerForm customer default_terms_days />
            }
            .into_any())
        })
    };
    view! { <Loading>{shown}</Loading> }
}

/// What the customer lacks for an e-invoice the receiving system accepts, as core's issue rules say:
/// shown before an invoice is issued to them, which would be refused for it. (The buyer's only such
/// rule today is BR-CO-09, on the VAT identifier.)
#[component]
fn EinvoiceGaps(gaps: Vec<ValidationError>) -> impl IntoView {
    (!gaps.is_empty()).then(|| {
        view! {
            <section class="card narrow" data-testid="customer-einvoice-gaps">
                <p class="flag danger">"Complete this customer before invoicing them:"</p>
                <ul>
                    {gaps
                        .into_iter()
                        .map(|g| view! { <li>{format!("VAT identifier {}", g.rule)}</li> })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// The customer as typed.
#[derive(Clone, Copy)]
struct CustomerFields {
    id: Option<CustomerId>,
    name: RwSignal<String>,
    email: RwSignal<String>,
    currency: RwSignal<String>,
    terms: RwSignal<String>,
    tax_id: RwSignal<String>,
    /// One address line per line of text.
    address_lines: RwSignal<String>,
    postcode: RwSignal<String>,
    city: RwSignal<String>,
    country: RwSignal<String>,
    language: RwSignal<String>,
}

impl CustomerFields {
    /// The form for `customer`, or for a new one in the organisation's currency on `default_terms_days`.
    fn new(customer: Option<Customer>, currency: Currency, default_terms_days: u16) -> Self {
        let c = customer.as_ref();
        Self {
            id: c.map(|c| c.id),
            name: RwSignal::new(c.map(|c| c.name.clone()).unwrap_or_default()),
            email: RwSignal::new(c.map(|c| c.email.clone()).unwrap_or_default()),
            currency: RwSignal::new(c.map_or(currency, |c| c.currency).code().to_owned()),
            terms: RwSignal::new(
                c.map_or(default_terms_days, |c| c.payment_terms_days)
                    .to_string(),
            ),
            tax_id: RwSignal::new(c.map(|c| c.tax_id.clone()).unwrap_or_default()),
            address_lines: RwSignal::new(c.map(|c| c.address.lines.join("\n")).unwrap_or_default()),
            postcode: RwSignal::new(c.map(|c| c.address.postcode.clone()).unwrap_or_default()),
            city: RwSignal::new(c.map(|c| c.address.city.clone()).unwrap_or_default()),
            country: RwSignal::new(c.map(|c| c.address.country.clone()).unwrap_or_default()),
            language: RwSignal::new(
                c.and_then(|c| c.language)
                    .map(|l| l.code().to_owned())
                    .unwrap_or_default(),
            ),
        }
    }

    /// Reads the form into core's customer of `organisation_id`, checked by core.
    fn read(&self, organisation_id: OrganisationId) -> Result<Customer, ValidationError> {
        let id = match self.id {
            Some(id) => id,
            None => CustomerId::try_from(Uuid::now_v7())?,
        };
        let payment_terms_days =
            self.terms
                .get_untracked()
                .trim()
                .parse::<u16>()
                .map_err(|_| {
                    ValidationError::new(
                        "payment_terms_days",
                        Rule::Range {
                            min: "0".into(),
                            max: Customer::MAX_TERMS_DAYS.to_string(),
                        },
                    )
                })?;
        let text = |s: RwSignal<String>| s.get_untracked().trim().to_owned();
        let address = Address {
            lines: self
                .address_lines
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            postcode: text(self.postcode),
            city: text(self.city),
            country: text(self.country).to_uppercase(),
        };
        let customer = Customer {
            id,
            organisation_id,
            name: self.name.get_untracked(),
            email: self.email.get_untracked().trim().to_owned(),
            currency: Currency::parse(&self.currency.get_untracked())?,
            payment_terms_days,
            tax_id: text(self.tax_id),
            address,
            language: match self.language.get_untracked().as_str() {
                "" => None,
                code => Some(Language::parse(code)?),
            },
        };
        customer.validate()?;
        Ok(customer)
    }
}

#[component]
fn CustomerForm(customer: Option<Customer>, default_terms_days: u16) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let is_new = customer.is_none();
    let fields = CustomerFields::new(customer, session.organisation.currency, default_terms_days);
    let invalid = RwSignal::new(None::<ValidationError>);
    let save = Action::new_local(move |customer: &Customer| {
        let (customer, navigate) = (customer.clone(), navigate.clone());
        async move {
            app.record(Command::UpsertCustomer(customer)).await?;
            navigate("/", NavigateOptions::default());
            Ok::<(), StoreError>(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match fields.read(session.organisation.id) {
            Ok(customer) => {
                invalid.set(None);
                save.dispatch_local(customer);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    // Errors about the billing fields show beside them; the others beneath the form.
    let beside = Signal::derive(move || invalid.get().filter(billing));
    let error = Signal::derive(move || {
        invalid
            .get()
            .filter(|e| !billing(e))
            .map(|e| e.to_string())
            .or_else(|| {
                save.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| e.to_string())
            })
    });
    view! {
        <section class="card narrow">
            <h1>{if is_new { "New customer" } else { "Customer" }}</h1>
            {fields
                .id
                .map(|id| {
                    view! {
                        <p>
                            <a href=format!("/inbox?customer={id}") data-testid="customer-threads">
                                "Questions and disputes"
                            </a>
                        </p>
                    }
                })}
            <form on:submit=submit>
                <CustomerInputs fields />
                <BillingInputs fields error=beside />
                <FieldError error />
                <div class="actions">
                    <a class="button secondary" href="/">
                        "Cancel"
                    </a>
                    <button
                        type="submit"
                        data-testid="save-customer"
                        disabled=move || save.pending().get()
                    >
                        "Save customer"
                    </button>
                </div>
            </form>
        </section>
        {fields.id.map(|id| view! { <CustomerDrafts id /> })}
        {fields.id.map(|id| view! { <PortalLinks customer=id /> })}
    }
    .into_any()
}

#[component]
fn CustomerInputs(fields: CustomerFields) -> impl IntoView {
    view! {
        <label>
            "Name"
            <input name="name" required bind:value=fields.name />
        </label>
        <label>
            "E-mail for invoices"
            <input name="email" type="email" bind:value=fields.email />
        </label>
        <div class="row">
            <label>
                "Currency"
                <input name="currency" class="code" maxlength="3" bind:value=fields.currency />
            </label>
            <label>
                "Payment terms (days)"
                <input
                    name="payment_terms_days"
                    type="number"
                    min="0"
                    max=Customer::MAX_TERMS_DAYS
                    bind:value=fields.terms
                />
            </label>
        </div>
    }
}

/// The languages (ISO 639-1) a customer's documents can be in; empty is the organisation's own.
const LANGUAGES: [(&str, &str); 9] = [
    ("", "The organisation's own"),
    ("en", "English (en)"),
    ("de", "German (de)"),
    ("fr", "French (fr)"),
    ("nl", "Dutch (nl)"),
    ("nb", "Norwegian Bokmål (nb)"),
    ("sv", "Swedish (sv)"),
    ("da", "Danish (da)"),
    ("fi", "Finnish (fi)"),
];

/// Whether `error` is about a field [`BillingInputs`] shows.
fn billing(error: &ValidationError) -> bool {
    ["tax_id", "language"].contains(&error.field.as_str()) || error.field.starts_with("address.")
}

/// What invoices print for the buyer (BG-7): its address and VAT identifier.
#[component]
fn BillingInputs(fields: CustomerFields, error: Signal<Option<ValidationError>>) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Billing details, as printed on invoices"</legend>
            <Field label="Address (one line per line)" field="address.lines" error>
                <textarea name="address.lines" rows="2" bind:value=fields.address_lines></textarea>
            </Field>
            <div class="row">
                <Field label="Postcode" field="address.postcode" error>
                    <input name="address.postcode" bind:value=fields.postcode />
                </Field>
                <Field label="City" field="address.city" error>
                    <input name="address.city" bind:value=fields.city />
                </Field>
                <Field label="Country" field="address.country" error>
                    <input
                        name="address.country"
                        class="code"
                        maxlength="2"
                        placeholder="DE"
                        bind:value=fields.country
                    />
                </Field>
            </div>
            <div class="row">
                <Field label="VAT identifier" field="tax_id" error>
                    <input name="tax_id" bind:value=fields.tax_id />
                </Field>
                <Field label="Language of documents" field="language" error>
                    <select
                        name="language"
                        on:change=move |ev| fields.language.set(event_target_value(&ev))
                    >
                        {LANGUAGES
                            .into_iter()
                            .map(|(code, words)| {
                                let selected = move || fields.language.with(|l| l == code);
                                view! {
                                    <option value=code prop:selected=selected>
                                        {words}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
            </div>
        </fieldset>
    }
}

/// The customer's drafts, read through the `by_customer` index.
#[component]
fn CustomerDrafts(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let drafts = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.drafts_of(id).await.unwrap_or_default() }
    });
    move || {
        let drafts = drafts.get().unwrap_or_default();
        (!drafts.is_empty()).then(|| {
            let rows = drafts
                .into_iter()
                .map(|record| {
                    view! {
                        <li>
                            <a href=format!("/invoices/{}", record.id)>
                                {format!("Draft of {}", date_text(record.draft.issue_date))}
                            </a>
                            " "
                            {record.totals.map(|t| view! { <MoneyText money=t.amount_due /> })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="card narrow">
                    <h2>"Drafts for this customer"</h2>
                    <ul class="plain">{rows}</ul>
                </section>
            }
        })
    }
}
