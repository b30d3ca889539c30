//! Resolving a draft that another device changed (or deleted) while this one edited it offline.
//!
//! Both copies are shown side by side, each with the totals core computes for it. Which choices a
//! conflict allows, the merged draft and the change that settles the conflict are core's
//! (`DraftConflict`, `resolve`, `DraftConflict::settle`); the screen collects the choice, shows core's
//! result, and stores it through [`crate::state::AppState::settle_conflict`].

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use remit_core::document::{InvoiceDraft, compute};
use remit_core::ids::CustomerId;
use remit_core::sync::Command;
use remit_core::sync::merge::{DraftConflict, LinePick, Resolution, Side, resolve};
use uuid::Uuid;

use crate::components::boundary::Loading;
use crate::components::date::DateText;
use crate::components::field_error::FieldError;
use crate::components::lines::{LeadColumn, LineView, LinesTable};
use crate::components::totals::{DocumentSums, TotalsTable};
use crate::state::use_app;
use crate::store::StoreError;

/// `/conflicts/<draft id>`.
#[component]
pub fn ConflictResolve() -> impl IntoView {
    let params = use_params_map();
    move || match params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())) {
        Some(id) => view! { <ConflictLoader id /> }.into_any(),
        None => view! { <p class="error">"There is no such draft."</p> }.into_any(),
    }
}

/// Customer names by id, for the copies' headers.
type Names = HashMap<CustomerId, String>;

#[component]
fn ConflictLoader(id: Uuid) -> impl IntoView {
    let app = use_app();
    // Read again when stored records change: the pull after a conflict brings the other device's copy.
    let loaded = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move {
            let names: Names = store
                .customers()
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let held = store.conflict(id).await?;
            Ok::<_, StoreError>(held.map(|held| {
                let mine = held.conflict.draft.as_ref();
                let stored = held.stored.as_ref().map(|r| &r.draft);
                (DraftConflict::new(mine, stored), names)
            }))
        }
    });
    // Only a different conflict redraws the screen, so a pull of unrelated records keeps the user's
    // picks; the boundary shows a failed read.
    let state = Memo::new(move |_| loaded.get());
    view! {
        <Loading>
            {move || {
                state
                    .get()
                    .map(|read| {
                        read.map(|held| match held {
                            None => view! { <Settled /> }.into_any(),
                            Some((conflict, names)) => {
                                view! { <Resolver id conflict names /> }.into_any()
                            }
                        })
                    })
            }}
        </Loading>
    }
}

/// No conflict is kept for the draft (any longer): resolved here, or in another tab.
#[component]
fn Settled() -> impl IntoView {
    view! {
        <section class="card">
            <p>"There is no conflict for this draft on this device: it may be resolved already."</p>
            <a href="/">"Back to billing"</a>
        </section>
    }
}

/// The customer's name as the copies show it.
type CustomerName = Arc<dyn Fn(&InvoiceDraft) -> String + Send + Sync>;

#[component]
fn Resolver(id: Uuid, conflict: DraftConflict, names: Names) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let names = StoredValue::new(names);
    let customer: CustomerName = Arc::new(move |draft: &InvoiceDraft| {
        names
            .with_value(|n| n.get(&draft.customer_id).cloned())
            .unwrap_or_else(|| "Unknown customer".into())
    });
    // Storing core's settlement is the one write here.
    let store = Action::new_local(move |change: &Option<Command>| {
        let (change, navigate) = (change.clone(), navigate.clone());
        async move {
            app.settle_conflict(id, change).await?;
            navigate("/", NavigateOptions::default());
            Ok::<(), StoreError>(())
        }
    });
    let conflict = StoredValue::new(conflict);
    // Core turns the choice into the change to store; a choice the conflict does not allow is its error.
    let settle = Callback::new(move |resolution: Resolution| {
        match conflict.with_value(|c| c.settle(&resolution)) {
            Ok(change) => {
                error.set(None);
                store.dispatch_local(change);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let shown_error = Signal::derive(move || {
        error.get().or_else(|| {
            store
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| e.to_string())
        })
    });
    let body = match conflict.get_value() {
        DraftConflict::Awaiting => view! { <Awaiting settle /> }.into_any(),
        DraftConflict::DeletedElsewhere { mine } => {
            view! { <DeletedElsewhere name=customer(&mine) mine settle /> }.into_any()
        }
        DraftConflict::EditedElsewhere { theirs } => {
            view! { <EditedElsewhere name=customer(&theirs) theirs settle /> }.into_any()
        }
        DraftConflict::BothEdited { mine, theirs } => {
            view! { <Merge mine theirs customer settle /> }.into_any()
        }
    };
    view! {
        <section class="card conflict">
            {body}
            <FieldError error=shown_error />
        </section>
    }
}

/// A button that settles the conflict one way.
#[component]
fn Choice(
    label: &'static str,
    testid: &'static str,
    resolution: Resolution,
    settle: Callback<Resolution>,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=if danger { "danger" } else { "" }
            data-testid=testid
            on:click=move |_| settle.run(resolution.clone())
        >
            {label}
        </button>
    }
}

/// The other device's change has not arrived yet.
#[component]
fn Awaiting(settle: Callback<Resolution>) -> impl IntoView {
    let app = use_app();
    view! {
        <h1>"This draft was changed on another device"</h1>
        <p>
            "The other device's version has not reached this device yet; it comes with the next sync. "
            "Your version stays here until then."
        </p>
        <div class="actions">
            <button type="button" on:click=move |_| app.sync.kick()>
                "Sync now"
            </button>
            <Choice
                label="Discard my change"
                testid="take-theirs"
                resolution=Resolution::TakeTheirs
                settle
                danger=true
            />
        </div>
    }
}

#[component]
fn DeletedElsewhere(
    mine: InvoiceDraft,
    name: String,
    settle: Callback<Resolution>,
) -> impl IntoView {
    view! {
        <h1>"Another device deleted this draft"</h1>
        <p>"You changed it here meanwhile. Restore your version, or accept the deletion."</p>
        <DraftCopy title="Your version" testid="conflict-mine" customer=name draft=mine />
        <div class="actions">
            <Choice
                label="Restore my version"
                testid="keep-mine"
                resolution=Resolution::KeepMine
                settle
            />
            <Choice
                label="Accept the deletion"
                testid="take-theirs"
                resolution=Resolution::TakeTheirs
                settle
                danger=true
            />
        </div>
    }
}

#[component]
fn EditedElsewhere(
    theirs: InvoiceDraft,
    name: String,
    settle: Callback<Resolution>,
) -> impl IntoView {
    view! {
        <h1>"You deleted this draft; another device changed it"</h1>
        <p>"Keep their version, or delete it anyway."</p>
        <DraftCopy title="Their version" testid="conflict-theirs" customer=name draft=theirs />
        <div class="actions">
            <Choice
                label="Keep their version"
                testid="take-theirs"
                resolution=Resolution::TakeTheirs
                settle
            />
            <Choice
                label="Delete it anyway"
                testid="keep-mine"
                resolution=Resolution::KeepMine
                settle
                danger=true
            />
        </div>
    }
}

/// Both devices edited the draft: keep mine, take theirs, or build the draft line by line.
#[component]
fn Merge(
    mine: InvoiceDraft,
    theirs: InvoiceDraft,
    customer: CustomerName,
    settle: Callback<Resolution>,
) -> impl IntoView {
    let resolution = RwSignal::new(None::<Resolution>);
    let copies = StoredValue::new((mine.clone(), theirs.clone()));
    let result = Memo::new(move |_| {
        resolution
            .get()
            .map(|r| copies.with_value(|(mine, theirs)| resolve(mine, theirs, &r)))
    });
    let picker = |side| Picker { side, resolution };
    let save = move |_| {
        if let Some(r) = resolution.get_untracked() {
            settle.run(r);
        }
    };
    let named = customer.clone();
    let result_view = move || match result.get() {
        None => view! { <p class="muted">"Choose how to resolve the conflict."</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
        Some(Ok(draft)) => view! {
            <DraftCopy title="Result" testid="conflict-result" customer=named(&draft) draft />
        }
        .into_any(),
    };
    view! {
        <h1>"This draft was changed on another device"</h1>
        <p>
            "You edited it here while another device saved its own changes. Both versions are below; "
            "choose which one to keep, or build the draft line by line."
        </p>
        <div class="side-by-side">
            <DraftCopy
                title="Your version"
                testid="conflict-mine"
                customer=customer(&mine)
                draft=mine
                pick=picker(Side::Mine)
            />
            <DraftCopy
                title="Their version"
                testid="conflict-theirs"
                customer=customer(&theirs)
                draft=theirs
                pick=picker(Side::Theirs)
            />
        </div>
        <ResolutionOptions resolution />
        {result_view}
        <div class="actions">
            <a class="button secondary" href="/">
                "Decide later"
            </a>
            <button
                type="button"
                data-testid="save-resolution"
                disabled=move || !result.with(|r| matches!(r, Some(Ok(_))))
                on:click=save
            >
                "Save resolution"
            </button>
        </div>
    }
}

/// The kinds of resolution, one radio button each.
#[component]
fn ResolutionOptions(resolution: RwSignal<Option<Resolution>>) -> impl IntoView {
    let option = move |label: &'static str, testid: &'static str, pick: Resolution| {
        // Checked for the chosen kind of resolution, whatever a merge's picks are.
        let checked = {
            let pick = pick.clone();
            move || {
                resolution.with(|r| {
                    r.as_ref().map(std::mem::discriminant) == Some(std::mem::discriminant(&pick))
                })
            }
        };
        view! {
            <label>
                <input
                    type="radio"
                    name="resolution"
                    data-testid=testid
                    prop:checked=checked
                    on:change=move |_| resolution.set(Some(pick.clone()))
                />
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="choice">
            <legend>"Resolve by"</legend>
            {option("Keeping my version", "choose-keep-mine", Resolution::KeepMine)}
            {option("Taking their version", "choose-take-theirs", Resolution::TakeTheirs)}
            {option(
                "Merging line by line: pick the header, then tick lines from either side in the order they should appear",
                "choose-merge",
                Resolution::Merge {
                    header: Side::Theirs,
                    lines: Vec::new(),
                },
            )}
        </fieldset>
    }
}

/// One copy's side in a line-by-line merge being built.
#[derive(Clone, Copy)]
struct Picker {
    side: Side,
    resolution: RwSignal<Option<Resolution>>,
}

impl Picker {
    fn merging(&self) -> bool {
        self.resolution
            .with(|r| matches!(r, Some(Resolution::Merge { .. })))
    }

    fn takes_header(&self) -> bool {
        self.resolution
            .with(|r| matches!(r, Some(Resolution::Merge { header, .. }) if *header == self.side))
    }

    fn take_header(&self) {
        let side = self.side;
        self.resolution.update(|r| {
            if let Some(Resolution::Merge { header, .. }) = r {
                *header = side;
            }
        });
    }

    /// The line's place in the merged draft (from 1), if it is picked.
    fn position(&self, index: usize) -> Option<usize> {
        let pick = LinePick {
            side: self.side,
            index,
        };
        self.resolution.with(|r| match r {
            Some(Resolution::Merge { lines, .. }) => {
                lines.iter().position(|p| *p == pick).map(|i| i + 1)
            }
            _ => None,
        })
    }

    /// Ticking appends the line to the merged draft; unticking takes it out.
    fn toggle(&self, index: usize) {
        let pick = LinePick {
            side: self.side,
            index,
        };
        self.resolution.update(|r| {
            if let Some(Resolution::Merge { lines, .. }) = r {
                match lines.iter().position(|p| *p == pick) {
                    Some(i) => {
                        lines.remove(i);
                    }
                    None => lines.push(pick),
                }
            }
        });
    }

    fn name(&self) -> &'static str {
        match self.side {
            Side::Mine => "mine",
            Side::Theirs => "theirs",
        }
    }

    /// The radio button that takes this copy's header.
    fn header_choice(self) -> impl IntoView {
        view! {
            <label class="pick">
                <input
                    type="radio"
                    name="header"
                    data-testid=format!("header-{}", self.name())
                    disabled=move || !self.merging()
                    prop:checked=move || self.takes_header()
                    on:change=move |_| self.take_header()
                />
                "Use this header"
            </label>
        }
    }

    /// The tick that keeps line `index` of this copy, with its place in the merged draft.
    fn tick(self, index: usize) -> AnyView {
        view! {
            <td class="pick">
                <input
                    type="checkbox"
                    aria-label="Keep this line"
                    data-testid=format!("pick-{}-{index}", self.name())
                    disabled=move || !self.merging()
                    prop:checked=move || self.position(index).is_some()
                    on:change=move |_| self.toggle(index)
                />
                <span class="muted">{move || self.position(index).map(|n| format!(" {n}."))}</span>
            </td>
        }
        .into_any()
    }
}

/// One copy of the draft, read-only: header, lines and the totals core computes for it. With `pick`, its
/// header and lines can be picked for a line-by-line merge.
#[component]
fn DraftCopy(
    title: &'static str,
    testid: &'static str,
    draft: InvoiceDraft,
    customer: String,
    #[prop(optional)] pick: Option<Picker>,
) -> impl IntoView {
    let totals = compute(&draft);
    let lines = draft
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let net = totals
                .as_ref()
                .ok()
                .and_then(|t| t.line_nets.get(index).copied());
            LineView::of_draft(line, net)
        })
        .collect::<Vec<_>>();
    let lead = pick.map(|p| LeadColumn {
        header: "Keep",
        cell: Arc::new(move |index| p.tick(index)),
    });
    let sums = totals.as_ref().ok().map(DocumentSums::from);
    let problem = totals
        .err()
        .map(|e| view! { <p class="error">{e.to_string()}</p> });
    view! {
        <section class="copy" data-testid=testid>
            <h2>{title}</h2>
            {pick.map(|p| p.header_choice())}
            <dl class="header">
                <dt>"Customer"</dt>
                <dd>{customer}</dd>
                <dt>"Issue date"</dt>
                <dd class="date">
                    <DateText date=draft.issue_date />
                </dd>
                <dt>"Due date"</dt>
                <dd class="date">
                    <DateText date=draft.due_date />
                </dd>
                <dt>"Currency"</dt>
                <dd class="code">{draft.currency.code().to_owned()}</dd>
                <dt>"Note"</dt>
                <dd>{draft.note.clone()}</dd>
            </dl>
            <LinesTable lines lead />
            {problem}
            <TotalsTable sums currency=Some(draft.currency) />
        </section>
    }
}
