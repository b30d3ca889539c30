//! The catalogue: every item with its price and VAT, found as the user types. Archived items are listed
//! only on request; they stay for the documents that used them.

use leptos::prelude::*;
use remit_core::catalogue::Item;
use remit_core::money::Money;

use crate::catalogue::listed;
use crate::components::boundary::Loading;
use crate::components::data_table::{Column, DataTable, SortKey};
use crate::components::empty::EmptyState;
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::StoreError;

/// `/items`.
#[component]
pub fn ItemList() -> impl IntoView {
    let app = use_app();
    let items = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.items().await }
    });
    let query = RwSignal::new(String::new());
    let with_archived = RwSignal::new(false);
    let list = move || {
        Suspend::new(async move {
            let items = items.await?;
            Ok::<_, StoreError>(move || {
                let shown: Vec<Item> = query.with(|q| {
                    listed(&items, q, with_archived.get())
                        .into_iter()
                        .cloned()
                        .collect()
                });
                if items.is_empty() {
                    view! { <EmptyState message="No items yet." testid="no-items" /> }.into_any()
                } else if shown.is_empty() {
                    view! { <EmptyState message="No item matches." testid="no-items" /> }.into_any()
                } else {
                    view! {
                        <DataTable
                            rows=shown
                            columns=columns()
                            href=|i: &Item| format!("/items/{}", i.id)
                            row_testid="item-row"
                        />
                    }
                    .into_any()
                }
            })
        })
    };
    view! {
        <div class="toolbar">
            <h1>"Items"</h1>
            <div class="actions">
                <a class="button" href="/items/new" data-testid="new-item">
                    "New item"
                </a>
            </div>
        </div>
        <section class="card">
            <div class="row search">
                <label>
                    "Search items"
                    <input
                        type="search"
                        name="item_search"
                        placeholder="Name or a word of it"
                        bind:value=query
                    />
                </label>
                <label class="check">
                    <input type="checkbox" name="with_archived" bind:checked=with_archived />
                    "Show archived items"
                </label>
            </div>
            <Loading>{list}</Loading>
        </section>
    }
}

fn columns() -> Vec<Column<Item>> {
    vec![
        Column::new("Name", |i: &Item| {
            view! {
                <a href=format!("/items/{}", i.id) data-testid="item-name">
                    {i.name.clone()}
                </a>
                {i.archived.then(|| view! { <span class="flag">"Archived"</span> })}
            }
        })
        .sort_by(|i| SortKey::Text(crate::catalogue::fold(&i.name))),
        Column::new("Unit price", |i: &Item| {
            Money::exact(i.unit_price, i.currency).map_or_else(
                |_| {
                    view! { <span>{format!("{} {}", i.unit_price, i.currency.code())}</span> }
                        .into_any()
                },
                |money| view! { <MoneyText money /> }.into_any(),
            )
        })
        .class("num")
        .sort_by(|i| SortKey::Number(i.unit_price)),
        Column::new("Unit", |i: &Item| i.unit.clone()).class("code"),
        Column::new("VAT", |i: &Item| {
            format!("{} {} %", i.tax_category, i.tax_rate.percent())
        }),
    ]
}
