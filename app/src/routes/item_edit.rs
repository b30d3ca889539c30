//! Creating, editing and archiving a catalogue item. Saving queues core's `item.upsert` through the
//! outbox, so it works offline like every other change; archiving is a save with the item withdrawn
//! from sale.

use std::str::FromStr;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use remit_core::catalogue::Item;
use remit_core::ids::{ItemId, OrganisationId};
use remit_core::money::Currency;
use remit_core::sync::Command;
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::components::boundary::Loading;
use crate::components::field::Field;
use crate::components::field_error::FieldError;
use crate::state::use_app;
use crate::store::StoreError;

/// `/items/new` or `/items/<id>`.
#[component]
pub fn ItemEdit() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("id").and_then(|id| ItemId::parse(&id).ok()));
        view! { <ItemLoader id /> }
    }
}

#[component]
fn ItemLoader(id: Option<ItemId>) -> impl IntoView {
    let app = use_app();
    let existing = LocalResource::new(move || {
        let store = app.store();
        async move {
            match id {
                Some(id) => store.item(id).await,
                None => Ok(None),
            }
        }
    });
    let shown = move || {
        Suspend::new(async move {
            let item = existing.await?;
            Ok::<_, StoreError>(if item.is_none() && id.is_some() {
                view! { <p class="error">"This item is not on this device."</p> }.into_any()
            } else {
                view! { <ItemForm item /> }.into_any()
            })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

/// The item as typed; numbers keep the user's text until they are read.
#[derive(Clone, Copy)]
struct ItemFields {
    id: Option<ItemId>,
    archived: bool,
    name: RwSignal<String>,
    description: RwSignal<String>,
    unit_price: RwSignal<String>,
    currency: RwSignal<String>,
    tax_category: RwSignal<String>,
    tax_rate: RwSignal<String>,
    unit: RwSignal<String>,
}

impl ItemFields {
    /// The form for `item`, or for a new item in `currency`, standard rated, sold by the piece.
    fn new(item: Option<&Item>, currency: Currency) -> Self {
        let text = |read: fn(&Item) -> String, default: &str| {
            RwSignal::new(item.map_or_else(|| default.to_owned(), read))
        };
        Self {
            id: item.map(|i| i.id),
            archived: item.is_some_and(|i| i.archived),
            name: text(|i| i.name.clone(), ""),
            description: text(|i| i.description.clone(), ""),
            unit_price: text(|i| i.unit_price.to_string(), ""),
            currency: text(|i| i.currency.code().to_owned(), currency.code()),
            tax_category: text(|i| i.tax_category.code().to_owned(), TaxCategory::S.code()),
            tax_rate: text(|i| i.tax_rate.percent().to_string(), ""),
            unit: text(|i| i.unit.clone(), "C62"),
        }
    }

    /// Reads the form into core's item of `organisation_id`, `archived` or on sale, checked by core.
    fn read(
        &self,
        organisation_id: OrganisationId,
        archived: bool,
    ) -> Result<Item, ValidationError> {
        let id = match self.id {
            Some(id) => id,
            None => ItemId::try_from(Uuid::now_v7())?,
        };
        let unit_price = Decimal::from_str(self.unit_price.get_untracked().trim())
            .map_err(|_| ValidationError::new("unit_price", Rule::Decimal))?;
        let item = Item {
            id,
            organisation_id,
            name: self.name.get_untracked().trim().to_owned(),
            description: self.description.get_untracked().trim().to_owned(),
            unit_price,
            currency: Currency::parse(&self.currency.get_untracked())?,
            tax_category: TaxCategory::parse(&self.tax_category.get_untracked())?,
            tax_rate: TaxRate::parse(&self.tax_rate.get_untracked())?,
            unit: self.unit.get_untracked().trim().to_uppercase(),
            archived,
        };
        item.validate()?;
        Ok(item)
    }
}

#[component]
fn ItemForm(item: Option<Item>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let fields = ItemFields::new(item.as_ref(), session.organisation.currency);
    let invalid = RwSignal::new(None::<ValidationError>);
    let save = Action::new_local(move |item: &Item| {
        let (item, navigate) = (item.clone(), navigate.clone());
        async move {
            app.record(Command::UpsertItem(item)).await?;
            navigate("/items", NavigateOptions::default());
            Ok::<(), StoreError>(())
        }
    });
    // Saves the form, on sale or `archived`; a field core refuses shows beside that field.
    let submit = move |archived: bool| match fields.read(session.organisation.id, archived) {
        Ok(item) => {
            invalid.set(None);
            save.dispatch_local(item);
        }
        Err(e) => invalid.set(Some(e)),
    };
    let failed = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    let busy = Signal::derive(move || save.pending().get());
    view! {
        <section class="card narrow">
            <h1>
                {match (&item, fields.archived) {
                    (None, _) => "New item",
                    (Some(_), false) => "Item",
                    (Some(_), true) => "Archived item",
                }}
            </h1>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                submit(fields.archived);
            }>
                <ItemInputs fields error=invalid />
                <FieldError error=failed />
                <div class="actions">
                    <a class="button secondary" href="/items">
                        "Cancel"
                    </a>
                    {fields
                        .id
                        .map(|_| {
                            let archive = !fields.archived;
                            view! {
                                <button
                                    type="button"
                                    class="secondary"
                                    data-testid="archive-item"
                                    disabled=busy
                                    on:click=move |_| submit(archive)
                                >
                                    {if archive { "Archive item" } else { "Put back on sale" }}
                                </button>
                            }
                        })}
                    <button type="submit" data-testid="save-item" disabled=busy>
                        "Save item"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ItemInputs(
    fields: ItemFields,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    view! {
        <Field label="Name" field="name" error>
            <input name="name" required bind:value=fields.name />
        </Field>
        <Field label="Description" field="description" error>
            <input name="description" bind:value=fields.description />
        </Field>
        <div class="row">
            <Field label="Unit price" field="unit_price" error>
                <input name="unit_price" inputmode="decimal" bind:value=fields.unit_price />
            </Field>
            <Field label="Currency" field="currency" error>
                <input name="currency" class="code" maxlength="3" bind:value=fields.currency />
            </Field>
            <Field label="Unit (UN/ECE code)" field="unit" error>
                <input name="unit" class="code" maxlength="3" bind:value=fields.unit />
            </Field>
        </div>
        <div class="row">
            <Field label="VAT category" field="tax_category" error>
                <select
                    name="tax_category"
                    on:change=move |ev| fields.tax_category.set(event_target_value(&ev))
                >
                    {TaxCategory::ALL
                        .into_iter()
                        .map(|c| {
                            let selected = move || fields.tax_category.with(|t| t == c.code());
                            view! {
                                <option value=c.code() prop:selected=selected>
                                    {c.code()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>
            <Field label="VAT rate %" field="tax_rate" error>
                <input name="tax_rate" inputmode="decimal" bind:value=fields.tax_rate />
            </Field>
        </div>
    }
}
