//! The numbering report: what became of every number of every sequence — issued, voided, leased to a
//! device, handed back unused — and core's proof that none is missing. It is the server's report of
//! its own records, so it is read online and never stored; offline the screen says so.

use leptos::prelude::*;
use remit_core::numbering::NumberUse;
use remit_core::numbering::report::{NumberRange, SequenceReport};

use crate::api::{self, ApiError};
use crate::components::boundary::Loading;
use crate::components::empty::EmptyState;
use crate::state::use_app;

/// `/numbering`
#[component]
pub fn NumberingReport() -> impl IntoView {
    view! { <Report /> }
}

#[component]
fn Report() -> impl IntoView {
    let app = use_app();
    // A memo, so the report is fetched again when the device comes online, not on every sync pass.
    let online = Memo::new(move |_| app.sync.reaches_server());
    let report = LocalResource::new(move || {
        let online = online.get();
        async move {
            if online {
                Some(api::numbering_report().await)
            } else {
                None
            }
        }
    });
    view! {
        <div class="toolbar">
            <h1>"Numbering report"</h1>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| report.refetch()>
                    "Refresh"
                </button>
            </div>
        </div>
        <p class="muted">
            "Every number of every series, from the server's records: issued, voided, leased to a device, or handed back unused. Numbers are never reused."
        </p>
        <Loading>
            {move || Suspend::new(async move {
                let Some(sequences) = report.await else {
                    return Ok::<_, ApiError>(
                        view! {
                            <p class="muted" data-testid="report-offline">
                                "The numbering report is the server's: connect to the network to see it."
                            </p>
                        }
                            .into_any(),
                    );
                };
                let sequences = sequences?;
                if sequences.is_empty() {
                    return Ok(view! { <EmptyState message="No number has been handed out yet." /> }.into_any());
                }
                Ok(sequences
                    .into_iter()
                    .map(|sequence| view! { <Sequence sequence /> })
                    .collect_view()
                    .into_any())
            })}
        </Loading>
    }
}

#[component]
fn Sequence(sequence: SequenceReport) -> impl IntoView {
    let whole = sequence.is_whole();
    let name = sequence.sequence;
    let key = name.clone();
    let missing = sequence
        .missing
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sequence
        .ranges
        .into_iter()
        .map(|range| view! { <Range range /> })
        .collect_view();
    view! {
        <section class="card" data-testid="sequence" data-sequence=key>
            <h2 class="code">{name}</h2>
            <table class="list">
                <thead>
                    <tr>
                        <th class="num">"From"</th>
                        <th class="num">"To"</th>
                        <th class="num">"Numbers"</th>
                        <th>"Use"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {if whole {
                view! {
                    <p class="ok" data-testid="sequence-whole">
                        "No gaps"
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p class="error" data-testid="sequence-missing">
                        {format!("Missing: {missing}")}
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Range(range: NumberRange) -> impl IntoView {
    let use_ = match range.use_ {
        NumberUse::Issued => "issued",
        NumberUse::Voided => "voided",
        NumberUse::Leased => "leased",
        NumberUse::ReturnedUnused => "returned unused",
    };
    view! {
        <tr data-testid="range" data-use=use_>
            <td class="num">{range.from}</td>
            <td class="num">{range.to}</td>
            <td class="num" data-testid="range-count">
                {range.count()}
            </td>
            <td>{use_}</td>
        </tr>
    }
}
