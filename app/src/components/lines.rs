//! A document's lines, read-only: description, quantity, unit price, VAT and the net core computed.
//! The editable lines of a draft are [`super::line_table::LineTable`].

use std::sync::Arc;

use leptos::prelude::*;
use remit_core::document::InvoiceLine;
use remit_core::document::en16931::{Line, LineTotal};
use remit_core::money::Money;

use super::money::amount_text;

/// One line as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub vat: String,
    /// Empty while core cannot compute it.
    pub net: String,
}

impl LineView {
    /// A draft's line with the net core computed for it.
    pub fn of_draft(line: &InvoiceLine, net: Option<Money>) -> Self {
        Self {
            description: line.description.clone(),
            quantity: line.quantity.to_string(),
            unit_price: line.unit_price.to_string(),
            vat: format!("{} {} %", line.tax_category, line.tax_rate),
            net: amount_text(net),
        }
    }

    /// An issued document's line with its frozen total.
    pub fn of_issued(line: &Line, total: &LineTotal) -> Self {
        Self {
            description: line.name.clone(),
            quantity: line.quantity.to_string(),
            unit_price: line.price.net.to_string(),
            vat: format!(
                "{} {}",
                line.vat.category,
                line.vat.rate.map(|r| format!("{r} %")).unwrap_or_default(),
            ),
            net: amount_text(Some(total.used)),
        }
    }
}

/// A first column added to every row (the conflict screen's "Keep" ticks): its header and its cell.
#[derive(Clone)]
pub struct LeadColumn {
    pub header: &'static str,
    pub cell: Arc<dyn Fn(usize) -> AnyView + Send + Sync>,
}

/// `view! { <LinesTable lines=vec![LineView::of_draft(&line, net)] /> }`
#[component]
pub fn LinesTable(
    lines: Vec<LineView>,
    #[prop(optional_no_strip)] lead: Option<LeadColumn>,
) -> impl IntoView {
    let header = lead
        .as_ref()
        .map(|l| view! { <th scope="col">{l.header}</th> });
    let rows = lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            let lead = lead.as_ref().map(|l| (l.cell)(index));
            view! {
                <tr data-testid="line">
                    {lead}
                    <td class="description">{line.description}</td>
                    <td class="num">{line.quantity}</td>
                    <td class="num">{line.unit_price}</td>
                    <td class="num">{line.vat}</td>
                    <td class="num" data-testid=format!("line-net-{index}")>
                        {line.net}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="lines">
                <thead>
                    <tr>
                        {header}
                        <th scope="col" class="description">"Description"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col" class="num">"VAT"</th>
                        <th scope="col" class="num">"Net"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
