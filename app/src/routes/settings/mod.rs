//! The organisation's settings: the seller as printed on every invoice, the invoice series' prefix and
//! the closed period. Owners change them (`settings.save`, versioned like a draft); everyone else sees
//! them read-only. Core checks them (`Settings::validate`) and says whether the seller is complete
//! enough to issue, and so to lease numbers for issuing offline.

use leptos::prelude::*;
use remit_core::decide::catalogue::current_settings;
use remit_core::document::einvoice_rules::seller_gaps;
use remit_core::document::issue::Party;
use remit_core::portal::PortalPolicy;
use remit_core::settings::Settings;
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};

mod payment;

use payment::{BankFields, PaymentFields, TaxRateFields, TermsFields};

use crate::components::boundary::Loading;
use crate::components::field_error::FieldError;
use crate::state::use_app;
use crate::store::StoreError;

/// `/settings`
#[component]
pub fn OrganisationSettings() -> impl IntoView {
    view! { <SettingsLoader /> }
}

#[component]
fn SettingsLoader() -> impl IntoView {
    let app = use_app();
    // Read once: the form then owns the owner's edits.
    let stored = LocalResource::new(move || {
        let store = app.store();
        async move { store.settings().await }
    });
    let shown = move || {
        Suspend::new(async move {
            let stored = stored.await?;
            Ok::<_, StoreError>(view! { <SettingsForm stored /> })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

/// Why no invoice can be issued with this seller yet: its address is incomplete, or it breaks a rule
/// the EN 16931 checks apply to every issue (core's `seller_gaps`); the first such reason.
fn seller_incomplete(seller: &Party) -> Option<String> {
    match seller.validate() {
        Err(e) => Some(format!("seller.{e}")),
        Ok(()) => seller_gaps(seller).first().map(ToString::to_string),
    }
}

/// The settings as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    tax_id: RwSignal<String>,
    /// One address line per line of text.
    legal_id: RwSignal<String>,
    address_lines: RwSignal<String>,
    postcode: RwSignal<String>,
    city: RwSignal<String>,
    country: RwSignal<String>,
    prefix: RwSignal<String>,
    locked_until: RwSignal<String>,
    /// The portal's colour, `#rrggbb`; empty for Remit's own.
    brand_colour: RwSignal<String>,
    /// Days a statement link opens; empty for the default.
    portal_link_days: RwSignal<String>,
    payment: PaymentFields,
}

impl Fields {
    fn new(settings: &Settings) -> Self {
        let seller = &settings.seller;
        Self {
            name: RwSignal::new(seller.name.clone()),
            tax_id: RwSignal::new(seller.tax_id.clone()),
            legal_id: RwSignal::new(seller.legal_id.clone()),
            address_lines: RwSignal::new(seller.address.lines.join("\n")),
            postcode: RwSignal::new(seller.address.postcode.clone()),
            city: RwSignal::new(seller.address.city.clone()),
            country: RwSignal::new(seller.address.country.clone()),
            prefix: RwSignal::new(settings.invoice_series.prefix.clone()),
            locked_until: RwSignal::new(
                settings
                    .period_locked_until
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            brand_colour: RwSignal::new(settings.brand_colour.clone().unwrap_or_default()),
            portal_link_days: RwSignal::new(
                settings
                    .portal_link_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            payment: PaymentFields::new(settings),
        }
    }

    /// `base` with what is typed; the fields this screen does not edit (the default terms of new
    /// customers, dunning, the credit-note series) and the version the edit is based on are carried over.
    fn read(&self, base: &Settings) -> Result<Settings, ValidationError> {
        let mut settings = base.clone();
        let seller = &mut settings.seller;
        seller.name = self.name.get_untracked();
        seller.tax_id = self.tax_id.get_untracked().trim().to_owned();
        seller.legal_id = self.legal_id.get_untracked().trim().to_owned();
        seller.address.lines = self
            .address_lines
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        seller.address.postcode = self.postcode.get_untracked().trim().to_owned();
        seller.address.city = self.city.get_untracked().trim().to_owned();
        seller.address.country = self.country.get_untracked().trim().to_owned();
        settings.invoice_series.prefix = self.prefix.get_untracked().trim().to_owned();
        let locked = self.locked_until.get_untracked();
        settings.period_locked_until = match locked.trim() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|_| ValidationError::new("period_locked_until", Rule::Date))?,
            ),
        };
        settings.brand_colour = match self.brand_colour.get_untracked().trim() {
            "" => None,
            colour => Some(colour.to_lowercase()),
        };
        settings.portal_link_days = match self.portal_link_days.get_untracked().trim() {
            "" => None,
            days => Some(days.parse().map_err(|_| {
                ValidationError::new(
                    "portal_link_days",
                    Rule::Range {
                        min: "1".into(),
                        max: PortalPolicy::default().max_link_days.to_string(),
                    },
                )
            })?),
        };
        self.payment.read_into(&mut settings)?;
        settings.validate()?;
        Ok(settings)
    }
}

/// Saving the settings: a Leptos `Action` that stores them (with their mutation) and then makes them the
/// base of the next edit.
fn save_action(base: StoredValue<Settings>) -> Action<Settings, Result<(), StoreError>> {
    let app = use_app();
    Action::new_local(move |settings: &Settings| {
        let settings = settings.clone();
        async move {
            app.record(Command::SaveSettings(settings.clone())).await?;
            base.set_value(settings);
            Ok(())
        }
    })
}

#[component]
fn SettingsForm(stored: Option<Settings>) -> impl IntoView {
    let app = use_app();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let owner = session.user.role.may_change_settings();
    // An organisation that never saved settings starts from what core gives a new one.
    let base = current_settings(stored, session.organisation.id, &session.organisation.name);
    let fields = Fields::new(&base);
    let base = StoredValue::new(base);
    let invalid = RwSignal::new(None::<ValidationError>);
    // Whether invoices can be issued with these settings: core's check of the seller, on what is stored.
    let incomplete = RwSignal::new(base.with_value(|s| seller_incomplete(&s.seller)));
    let save = save_action(base);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match base.with_value(|b| fields.read(b)) {
            Ok(settings) => {
                invalid.set(None);
                incomplete.set(seller_incomplete(&settings.seller));
                save.dispatch_local(settings);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    // Errors about the payment fields show beside them; the others beneath the form.
    let beside = Signal::derive(move || invalid.get().filter(payment::shows));
    let error = Signal::derive(move || {
        invalid
            .get()
            .filter(|e| !payment::shows(e))
            .map(|e| e.to_string())
            .or_else(|| {
                save.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| e.to_string())
            })
    });
    let saved = move || invalid.with(Option::is_none) && matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <h1>"Settings"</h1>
            {(!owner)
                .then(|| {
                    view! {
                        <p class="muted" data-testid="settings-read-only">
                            "Only an owner can change the organisation's settings."
                        </p>
                    }
                })}
            <form on:submit=submit>
                <SellerFields fields owner />
                <NumberingFields fields owner />
                <PortalFields fields owner />
                <BankFields fields=fields.payment owner error=beside />
                <TermsFields fields=fields.payment owner error=beside />
                <TaxRateFields fields=fields.payment owner error=beside />
                {move || {
                    incomplete
                        .get()
                        .map(|e| {
                            view! {
                                <p class="muted" data-testid="seller-incomplete">
                                    {format!("Invoices can be issued once the seller is complete: {e}")}
                                </p>
                            }
                        })
                }}
                <FieldError error />
                {move || {
                    saved()
                        .then(|| {
                            view! {
                                <p class="muted" role="status" data-testid="settings-saved">
                                    "Saved on this device; it reaches the server with the next sync."
                                </p>
                            }
                        })
                }}
                {owner
                    .then(|| {
                        view! {
                            <div class="actions">
                                <button
                                    type="submit"
                                    data-testid="save-settings"
                                    disabled=move || save.pending().get()
                                >
                                    "Save settings"
                                </button>
                            </div>
                        }
                    })}
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn SellerFields(fields: Fields, owner: bool) -> impl IntoView {
    view! {
        <fieldset disabled=!owner>
            <legend>"Seller, as printed on every invoice"</legend>
            <label>
                "Name"
                <input name="seller.name" required bind:value=fields.name />
            </label>
            <label>
                "VAT identifier"
                <input name="seller.tax_id" bind:value=fields.tax_id />
            </label>
            <label>
                "Company registration number (for a seller without a VAT identifier)"
                <input name="seller.legal_id" bind:value=fields.legal_id />
            </label>
            <label>
                "Address (one line per line)"
                <textarea
                    name="seller.address.lines"
                    rows="2"
                    bind:value=fields.address_lines
                ></textarea>
            </label>
            <div class="row">
                <label>
                    "Postcode"
                    <input name="seller.address.postcode" bind:value=fields.postcode />
                </label>
                <label>
                    "City"
                    <input name="seller.address.city" bind:value=fields.city />
                </label>
                <label>
                    "Country"
                    <input
                        name="seller.address.country"
                        class="code"
                        maxlength="2"
                        placeholder="NO"
                        bind:value=fields.country
                    />
                </label>
            </div>
        </fieldset>
    }
}

/// How the customer's portal looks.
#[component]
fn PortalFields(fields: Fields, owner: bool) -> impl IntoView {
    view! {
        <fieldset disabled=!owner>
            <legend>"Customer portal"</legend>
            <label>
                "Colour of links and headings (#rrggbb, dark enough to read on white)"
                <input
                    name="brand_colour"
                    class="code"
                    maxlength="7"
                    placeholder="#1f4f8f"
                    bind:value=fields.brand_colour
                />
            </label>
            <label>
                "Days a statement link opens (default 30)"
                <input
                    name="portal_link_days"
                    inputmode="numeric"
                    placeholder="30"
                    bind:value=fields.portal_link_days
                />
            </label>
        </fieldset>
    }
}

#[component]
fn NumberingFields(fields: Fields, owner: bool) -> impl IntoView {
    view! {
        <fieldset disabled=!owner>
            <legend>"Numbering and closing"</legend>
            <div class="row">
                <label>
                    "Invoice series prefix"
                    <input name="invoice_series.prefix" class="code" bind:value=fields.prefix />
                </label>
                <label>
                    "Closed up to and including"
                    <input name="period_locked_until" type="date" bind:value=fields.locked_until />
                </label>
            </div>
        </fieldset>
    }
}
