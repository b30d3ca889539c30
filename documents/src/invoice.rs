//! What an issued invoice or credit note states, laid out as rows: the parties, the references, the
//! lines with their allowances and charges, the VAT breakdown with its exemption reasons, the totals,
//! the payment terms and the note. Every amount is one core computed (the snapshot's totals and
//! schedule, core's line adjustment amounts); this module only formats and places them.

use std::collections::BTreeMap;

use remit_core::document::en16931::{AllowanceCharge, DocumentKind, Line, VatClass};
use remit_core::document::issue::Snapshot;
use remit_core::money::Money;
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::terms::PaymentTerms;
use rust_decimal::Decimal;

use crate::RenderError;
use crate::layout::{BODY, Flow, LEADING, Row};
use crate::locale::{Arg, Localizer};
use crate::parts;
use crate::text::{Face, Fonts};

/// The `$kind` a message selects its wording by.
pub fn kind_id(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "invoice",
        DocumentKind::CreditNote => "credit-note",
    }
}

/// Rows of one document, built against the fonts (for measuring) and the customer's language.
pub struct Writer<'a> {
    pub fonts: &'a Fonts,
    pub l10n: &'a Localizer,
    pub snapshot: &'a Snapshot,
    pub width: f32,
}

/// Columns of the lines table: right edges of the numeric columns, the unit's left edge, and the
/// description's width.
struct Columns {
    description: f32,
    quantity: f32,
    unit: f32,
    price: f32,
    vat: f32,
    net: f32,
}

impl Columns {
    fn for_width(width: f32) -> Self {
        let net = width;
        let vat = net - 74.0;
        let price = vat - 52.0;
        let unit = price - 110.0;
        let quantity = unit - 6.0;
        Columns {
            description: quantity - 56.0,
            quantity,
            unit,
            price,
            vat,
            net,
        }
    }
}

impl Writer<'_> {
    fn kind(&self) -> &'static str {
        kind_id(self.snapshot.kind)
    }

    fn money(&self, money: Money) -> Result<String, RenderError> {
        self.l10n.money(money)
    }

    /// Lays out the whole document.
    pub fn write(&self, flow: &mut Flow, logo: Option<(f32, f32)>) -> Result<(), RenderError> {
        flow.place(self.heading(logo)?);
        flow.place(self.parties()?);
        self.lines(flow)?;
        for row in self.document_adjustments()? {
            flow.place(row);
        }
        flow.place(Row::new(LEADING));
        self.vat_breakdown(flow)?;
        flow.place(self.totals()?);
        if self.snapshot.kind == DocumentKind::Invoice {
            for row in self.payment()? {
                flow.place(row);
            }
        }
        if !self.snapshot.note.trim().is_empty() {
            for row in self.note()? {
                flow.place(row);
            }
        }
        Ok(())
    }

    /// The logo (its size in points) on the left, the document's title on the right.
    fn heading(&self, logo: Option<(f32, f32)>) -> Result<Row, RenderError> {
        let title = self
            .l10n
            .text("document-title", &[("kind", Arg::Text(self.kind()))])?;
        Ok(parts::heading(self.fonts, self.width, title, logo))
    }

    /// The references on the right: number, dates, the buyer's references, the payment reference.
    fn references(&self) -> Result<Vec<(String, String)>, RenderError> {
        let s = self.snapshot;
        let l = self.l10n;
        let kind = [("kind", Arg::Text(self.kind()))];
        let mut rows = vec![
            (l.text("document-number", &kind)?, s.number.to_string()),
            (l.label("issue-date")?, l.date(s.issue_date)?),
        ];
        if let Some(delivery) = &s.references.delivery {
            if let Some(date) = delivery.date {
                rows.push((l.label("supply-date")?, l.date(date)?));
            }
            if let Some(period) = delivery.period {
                let (start, end) = (l.date(period.start)?, l.date(period.end)?);
                let text = l.text(
                    "period",
                    &[("start", Arg::Text(&start)), ("end", Arg::Text(&end))],
                )?;
                rows.push((l.label("supply-period")?, text));
            }
        }
        if s.kind == DocumentKind::Invoice {
            let due = s.plan.due_date(s.issue_date)?;
            rows.push((l.label("due-date")?, l.date(due)?));
        }
        if let Some(preceding) = &s.preceding_invoice {
            rows.push((l.label("preceding-invoice")?, preceding.to_string()));
        }
        for (id, value) in [
            ("buyer-reference", &s.references.buyer_reference),
            ("purchase-order", &s.references.purchase_order),
        ] {
            if !value.is_empty() {
                rows.push((l.label(id)?, value.clone()));
            }
        }
        if let Some(reference) = &s.references.payment_reference {
            rows.push((l.label("payment-reference")?, reference.to_string()));
        }
        let currency = s.document.currency.code();
        rows.push((
            l.text("amounts-in", &[("currency", Arg::Text(currency))])?,
            String::new(),
        ));
        Ok(rows)
    }

    /// Seller and buyer on the left, the references on the right.
    fn parties(&self) -> Result<Row, RenderError> {
        let s = self.snapshot;
        let mut left = vec![(Face::Bold, self.l10n.label("seller")?)];
        left.extend(parts::party_lines(self.l10n, &s.seller)?);
        left.push((Face::Regular, String::new()));
        left.push((Face::Bold, self.l10n.label("buyer")?));
        left.extend(parts::party_lines(self.l10n, &s.buyer)?);
        let references = self.references()?;
        Ok(parts::beside(self.fonts, self.width, left, references))
    }

    fn table_header(&self, columns: &Columns) -> Result<Row, RenderError> {
        let l = self.l10n;
        let mut row = Row::new(LEADING + 4.0);
        row.text(0.0, 0.0, Face::Bold, BODY, l.label("column-description")?);
        let f = self.fonts;
        let quantity = l.label("column-quantity")?;
        row.text_right(f, columns.quantity, 0.0, Face::Bold, BODY, quantity);
        row.text(columns.unit, 0.0, Face::Bold, BODY, l.label("column-unit")?);
        let price = l.label("column-unit-price")?;
        row.text_right(f, columns.price, 0.0, Face::Bold, BODY, price);
        let vat = l.label("column-vat")?;
        row.text_right(f, columns.vat, 0.0, Face::Bold, BODY, vat);
        let net = l.label("column-net")?;
        row.text_right(f, columns.net, 0.0, Face::Bold, BODY, net);
        row.rule(0.0, self.width, LEADING + 1.0, 0.6);
        Ok(row)
    }

    /// The rate as printed beside a line or a VAT group: `25 %`, `0 % E`; category O has no rate.
    fn rate(&self, vat: &VatClass) -> Result<String, RenderError> {
        let percent = match vat.rate {
            Some(rate) if vat.category != TaxCategory::O => self.l10n.percent(rate.percent())?,
            _ => String::new(),
        };
        Ok(match vat.category {
            TaxCategory::S => percent,
            category => format!("{percent} {}", category.code()).trim().to_owned(),
        })
    }

    fn reason(adjustment: &AllowanceCharge) -> &str {
        if adjustment.reason.trim().is_empty() {
            &adjustment.reason_code
        } else {
            &adjustment.reason
        }
    }

    fn line_rows(
        &self,
        index: usize,
        line: &Line,
        columns: &Columns,
    ) -> Result<Vec<Row>, RenderError> {
        let l = self.l10n;
        let f = self.fonts;
        let s = self.snapshot;
        let description = f.wrap(Face::Regular, BODY, &line.name, columns.description);
        let mut row = Row::new(description.len() as f32 * LEADING);
        for (i, text) in description.into_iter().enumerate() {
            row.text(0.0, i as f32 * LEADING, Face::Regular, BODY, text);
        }
        let quantity = l.quantity(line.quantity)?;
        row.text_right(f, columns.quantity, 0.0, Face::Regular, BODY, quantity);
        let unit = l.text("unit", &[("code", Arg::Text(&line.unit_code))])?;
        row.text(columns.unit, 0.0, Face::Regular, BODY, unit);
        let mut price = l.price(line.price.net)?;
        if let Some(base) = line.price.base_quantity.filter(|b| *b != Decimal::ONE) {
            price = format!("{price} / {}", l.quantity(base)?);
        }
        row.text_right(f, columns.price, 0.0, Face::Regular, BODY, price);
        row.text_right(
            f,
            columns.vat,
            0.0,
            Face::Regular,
            BODY,
            self.rate(&line.vat)?,
        );
        let net = s
            .totals
            .lines
            .get(index)
            .ok_or(RenderError::Inconsistent("a line without its total"))?
            .used;
        row.text_right(
            f,
            columns.net,
            0.0,
            Face::Regular,
            BODY,
            l.decimal(net.amount())?,
        );
        let mut rows = vec![row];
        let field = format!("lines[{index}]");
        let (allowances, charges) = line.adjustment_amounts(s.document.currency, &field)?;
        let adjustments = line
            .allowances
            .iter()
            .zip(allowances)
            .map(|(a, m)| ("line-allowance", a, -m.amount()))
            .chain(
                line.charges
                    .iter()
                    .zip(charges)
                    .map(|(c, m)| ("line-charge", c, m.amount())),
            );
        for (id, adjustment, amount) in adjustments {
            let text = l.text(id, &[("reason", Arg::Text(Self::reason(adjustment)))])?;
            let wrapped = f.wrap(Face::Regular, BODY - 1.0, &text, columns.description - 10.0);
            let mut row = Row::new(wrapped.len() as f32 * LEADING);
            for (i, text) in wrapped.into_iter().enumerate() {
                row.text(10.0, i as f32 * LEADING, Face::Regular, BODY - 1.0, text);
            }
            let amount = l.decimal(amount)?;
            row.text_right(f, columns.net, 0.0, Face::Regular, BODY - 1.0, amount);
            rows.push(row);
        }
        if let Some(last) = rows.last_mut() {
            last.height += 2.0;
        }
        Ok(rows)
    }

    fn lines(&self, flow: &mut Flow) -> Result<(), RenderError> {
        let columns = Columns::for_width(self.width);
        flow.start_table(self.table_header(&columns)?);
        for (i, line) in self.snapshot.document.lines.iter().enumerate() {
            let rows = self.line_rows(i, line, &columns)?;
            let height = rows.iter().map(|r| r.height).sum();
            // A line and its allowances and charges stay together.
            let mut block = Row::new(height);
            let mut top = 0.0;
            for row in rows {
                block
                    .ops
                    .extend(row.ops.into_iter().map(|op| op.shifted(top)));
                top += row.height;
            }
            flow.place(block);
        }
        flow.end_table();
        flow.place(parts::closing_rule(self.width));
        Ok(())
    }

    /// Document-level allowances and charges, with the VAT they belong to.
    fn document_adjustments(&self) -> Result<Vec<Row>, RenderError> {
        let s = self.snapshot;
        let currency = s.document.currency;
        let mut rows = Vec::new();
        let lists = [
            ("document-allowance", &s.document.allowances, "allowances"),
            ("document-charge", &s.document.charges, "charges"),
        ];
        for (id, list, name) in lists {
            for (i, adjustment) in list.iter().enumerate() {
                let amount = adjustment.resolved_amount(currency, None, &format!("{name}[{i}]"))?;
                let signed = if name == "allowances" {
                    -amount.amount()
                } else {
                    amount.amount()
                };
                let vat = match &adjustment.vat {
                    Some(vat) => self.rate(vat)?,
                    None => String::new(),
                };
                let text = self.l10n.text(
                    id,
                    &[
                        ("reason", Arg::Text(Self::reason(adjustment))),
                        ("vat", Arg::Text(&vat)),
                    ],
                )?;
                let mut row = Row::new(LEADING);
                row.text(0.0, 0.0, Face::Regular, BODY, text);
                let amount = self.l10n.decimal(signed)?;
                row.text_right(self.fonts, self.width, 0.0, Face::Regular, BODY, amount);
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// The exemption reasons the lines of one VAT category and rate state, each once.
    fn exemptions(&self) -> BTreeMap<(TaxCategory, Option<TaxRate>), Vec<&str>> {
        let mut reasons: BTreeMap<_, Vec<&str>> = BTreeMap::new();
        for line in &self.snapshot.document.lines {
            let reason = line.exemption_reason.trim();
            if reason.is_empty() {
                continue;
            }
            let list = reasons
                .entry((line.vat.category, line.vat.rate))
                .or_default();
            if !list.contains(&reason) {
                list.push(reason);
            }
        }
        reasons
    }

    fn vat_breakdown(&self, flow: &mut Flow) -> Result<(), RenderError> {
        let l = self.l10n;
        let f = self.fonts;
        let w = self.width;
        let (rate_x, taxable_x, tax_x) = (w - 225.0, w - 95.0, w);
        let mut header = Row::new(2.0 * LEADING + 4.0);
        header.text(0.0, 0.0, Face::Bold, BODY + 1.0, l.label("vat-breakdown")?);
        let top = LEADING;
        header.text(0.0, top, Face::Bold, BODY, l.label("column-category")?);
        header.text_right(f, rate_x, top, Face::Bold, BODY, l.label("column-rate")?);
        let taxable = l.label("column-taxable")?;
        header.text_right(f, taxable_x, top, Face::Bold, BODY, taxable);
        header.text_right(f, tax_x, top, Face::Bold, BODY, l.label("column-tax")?);
        header.rule(0.0, w, 2.0 * LEADING + 1.0, 0.6);
        flow.start_table(header);
        let exemptions = self.exemptions();
        for group in &self.snapshot.totals.vat {
            let vat = VatClass {
                category: group.category,
                rate: group.rate,
            };
            let category = l.text(
                "vat-category",
                &[("category", Arg::Text(group.category.code()))],
            )?;
            let reasons = exemptions
                .get(&(group.category, group.rate))
                .cloned()
                .unwrap_or_default();
            let mut wrapped = Vec::new();
            for reason in reasons {
                let text = l.text("exemption-reason", &[("reason", Arg::Text(reason))])?;
                wrapped.extend(f.wrap(Face::Regular, BODY - 1.0, &text, w - 10.0));
            }
            let mut row = Row::new((1 + wrapped.len()) as f32 * LEADING);
            row.text(0.0, 0.0, Face::Regular, BODY, category);
            for (i, text) in wrapped.into_iter().enumerate() {
                row.text(
                    10.0,
                    (i + 1) as f32 * LEADING,
                    Face::Regular,
                    BODY - 1.0,
                    text,
                );
            }
            row.text_right(f, rate_x, 0.0, Face::Regular, BODY, self.rate(&vat)?);
            let taxable = self.money(group.taxable)?;
            row.text_right(f, taxable_x, 0.0, Face::Regular, BODY, taxable);
            row.text_right(f, tax_x, 0.0, Face::Regular, BODY, self.money(group.tax)?);
            flow.place(row);
        }
        flow.end_table();
        flow.place(Row::new(LEADING));
        Ok(())
    }

    /// The totals, right-aligned; optional ones only when they are not zero.
    fn totals(&self) -> Result<Row, RenderError> {
        let l = self.l10n;
        let t = &self.snapshot.totals;
        let mut entries: Vec<(String, Money, Face)> =
            vec![(l.label("total-lines")?, t.line_net_total, Face::Regular)];
        for (id, amount) in [
            ("total-allowances", t.allowance_total),
            ("total-charges", t.charge_total),
        ] {
            if !amount.is_zero() {
                entries.push((l.label(id)?, amount, Face::Regular));
            }
        }
        entries.push((l.label("total-net")?, t.tax_exclusive, Face::Regular));
        entries.push((l.label("total-vat")?, t.tax_total, Face::Regular));
        for extra in &t.additional_taxes {
            let label = format!("{} {}", extra.tax.name, l.percent(extra.tax.percent)?);
            entries.push((label, extra.amount, Face::Regular));
        }
        entries.push((l.label("total-gross")?, t.tax_inclusive, Face::Bold));
        for (id, amount) in [("total-prepaid", t.prepaid), ("total-rounding", t.rounding)] {
            if !amount.is_zero() {
                entries.push((l.label(id)?, amount, Face::Regular));
            }
        }
        entries.push((l.label("total-due")?, t.amount_due, Face::Bold));
        let accounting = match &self.snapshot.references.accounting {
            Some(accounting) => {
                let amount = self.money(accounting.tax_total)?;
                let rate = l.decimal(accounting.rate.rate)?;
                Some(l.text(
                    "accounting-vat",
                    &[
                        ("currency", Arg::Text(accounting.currency.code())),
                        ("rate", Arg::Text(&rate)),
                        ("amount", Arg::Text(&amount)),
                    ],
                )?)
            }
            None => None,
        };
        let lines = entries.len() + usize::from(accounting.is_some());
        let mut row = Row::new(lines as f32 * LEADING + LEADING);
        let label_x = self.width - 250.0;
        for (i, (label, amount, face)) in entries.into_iter().enumerate() {
            let top = i as f32 * LEADING;
            row.text(label_x, top, face, BODY, label);
            let amount = self.money(amount)?;
            row.text_right(self.fonts, self.width, top, face, BODY, amount);
        }
        if let Some(text) = accounting {
            let top = (lines - 1) as f32 * LEADING;
            row.text(label_x, top, Face::Regular, BODY - 1.0, text);
        }
        Ok(row)
    }

    fn terms(&self, terms: PaymentTerms) -> Result<String, RenderError> {
        let (kind, days) = match terms {
            PaymentTerms::DueOnReceipt => ("due-on-receipt", 0),
            PaymentTerms::Net { days } => ("net", u32::from(days)),
            PaymentTerms::NetEndOfMonth { days } => ("net-end-of-month", u32::from(days)),
            PaymentTerms::EndOfFollowingMonth => ("end-of-following-month", 0),
            PaymentTerms::DayOfNextMonth { day } => ("day-of-next-month", u32::from(day)),
        };
        let formatted = self.l10n.quantity(days.into())?;
        self.l10n.text(
            "terms",
            &[
                ("kind", Arg::Text(kind)),
                ("days", Arg::Text(&formatted)),
                ("count", Arg::Count(days)),
            ],
        )
    }

    /// Terms, instalments, the early-payment discount, the bank account and the payment reference.
    fn payment(&self) -> Result<Vec<Row>, RenderError> {
        let l = self.l10n;
        let s = self.snapshot;
        let mut lines: Vec<(Face, String)> = vec![(Face::Bold, l.label("payment")?)];
        for instalment in &s.plan.instalments {
            lines.push((Face::Regular, self.terms(instalment.terms)?));
        }
        let percent = match &s.plan.discount {
            Some(discount) => Some(l.percent(discount.percent)?),
            None => None,
        };
        for scheduled in &s.schedule {
            if s.schedule.len() > 1 {
                let amount = self.money(scheduled.amount)?;
                let date = l.date(scheduled.due_date)?;
                let text = l.text(
                    "instalment",
                    &[("amount", Arg::Text(&amount)), ("date", Arg::Text(&date))],
                )?;
                lines.push((Face::Regular, text));
            }
            if let (Some((until, amount)), Some(percent)) = (scheduled.discount, &percent) {
                let amount = self.money(amount)?;
                let date = l.date(until)?;
                let text = l.text(
                    "early-discount",
                    &[
                        ("percent", Arg::Text(percent)),
                        ("amount", Arg::Text(&amount)),
                        ("date", Arg::Text(&date)),
                    ],
                )?;
                lines.push((Face::Regular, text));
            }
        }
        if let Some(account) = &s.references.bank_account {
            lines.extend(parts::bank_lines(l, account)?);
        }
        if let Some(reference) = &s.references.payment_reference {
            let text = l.text(
                "pay-with-reference",
                &[("reference", Arg::Text(reference.as_str()))],
            )?;
            lines.push((Face::Regular, text));
        }
        Ok(parts::paragraphs(self.fonts, self.width, lines))
    }

    fn note(&self) -> Result<Vec<Row>, RenderError> {
        let mut lines = vec![(Face::Bold, self.l10n.label("note")?)];
        lines.push((Face::Regular, self.snapshot.note.clone()));
        Ok(parts::paragraphs(self.fonts, self.width, lines))
    }
}
