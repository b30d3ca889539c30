//! Creating and editing a customer.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use remit_core::customer::Customer;
use remit_core::ids::CustomerId;
use remit_core::money::Currency;
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use remit_core::decide::catalogue::current_settings;

use crate::components::boundary::Loading;
use crate::components::date::date_text;
use crate::components::field_error::FieldError;
use crate::components::money::MoneyText;
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
            let default_terms_days = app.session.with_untracked(|s| {
                s.as_ref().map_or(Customer::FALLBACK_TERMS_DAYS, |s| {
                    let settings =
                        current_settings(settings, s.organisation.id, &s.organisation.name);
                    Customer::default_terms_days(&settings.terms)
                })
            });
            Ok(view! { <CustomerForm customer default_terms_days /> }.into_any())
        })
    };
    view! { <Loading>{shown}</Loading> }
}

#[component]
fn CustomerForm(customer: Option<Customer>, default_terms_days: u16) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let is_new = customer.is_none();
    let id = customer.as_ref().map(|c| c.id);
    // Fields this form does not edit are carried over, so saving never blanks them.
    let kept = customer.clone();
    let name = RwSignal::new(
        customer
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    );
    let email = RwSignal::new(
        customer
            .as_ref()
            .map(|c| c.email.clone())
            .unwrap_or_default(),
    );
    let currency = RwSignal::new(
        customer
            .as_ref()
            .map_or(session.organisation.currency, |c| c.currency)
            .code()
            .to_owned(),
    );
    let terms = RwSignal::new(
        customer
            .as_ref()
            .map_or(default_terms_days, |c| c.payment_terms_days)
            .to_string(),
    );
    let error = RwSignal::new(None::<String>);

    let read_form = move || -> Result<Customer, ValidationError> {
        let id = match id {
            Some(id) => id,
            None => CustomerId::try_from(Uuid::now_v7())?,
        };
        let payment_terms_days = terms.get_untracked().trim().parse::<u16>().map_err(|_| {
            ValidationError::new(
                "payment_terms_days",
                Rule::Range {
                    min: "0".into(),
                    max: Customer::MAX_TERMS_DAYS.to_string(),
                },
            )
        })?;
        let customer = Customer {
            id,
            organisation_id: session.organisation.id,
            name: name.get_untracked(),
            email: email.get_untracked().trim().to_owned(),
            currency: Currency::parse(&currency.get_untracked())?,
            payment_terms_days,
            tax_id: kept.as_ref().map(|c| c.tax_id.clone()).unwrap_or_default(),
            address: kept.as_ref().map(|c| c.address.clone()).unwrap_or_default(),
        };
        customer.validate()?;
        Ok(customer)
    };

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
        match read_form() {
            Ok(customer) => {
                error.set(None);
                save.dispatch_local(customer);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let shown_error = Signal::derive(move || {
        error.get().or_else(|| {
            save.value()
                .get()
                .and_then(Result::err)
                .map(|e| e.to_string())
        })
    });

    view! {
        <section class="card narrow">
            <h1>{if is_new { "New customer" } else { "Customer" }}</h1>
            <form on:submit=submit>
                <label>
                    "Name"
                    <input name="name" required bind:value=name />
                </label>
                <label>
                    "E-mail for invoices"
                    <input name="email" type="email" bind:value=email />
                </label>
                <div class="row">
                    <label>
                        "Currency"
                        <input name="currency" class="code" maxlength="3" bind:value=currency />
                    </label>
                    <label>
                        "Payment terms (days)"
                        <input
                            name="payment_terms_days"
                            type="number"
                            min="0"
                            max=Customer::MAX_TERMS_DAYS
                            bind:value=terms
                        />
                    </label>
                </div>
                <FieldError error=shown_error />
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
        {id.map(|id| view! { <CustomerDrafts id /> })}
    }
    .into_any()
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
