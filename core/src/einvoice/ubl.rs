//! UBL 2.1 Invoice and CreditNote, as EN 16931 binds them (the Peppol BIS Billing 3.0 syntax).

use crate::validation::ValidationError;
use rust_decimal::Decimal;

use super::read::{self, text};
use super::xml::{Element, Writer};
use super::{
    DeliveryInfo, EInvoice, Header, InvoicePeriod, MAX_ADDRESS_LINES, ParseError, Party, Payment,
    PaymentAccount, PrecedingInvoice, StatedTotals, StatedVat, Syntax,
};
use crate::document::en16931::{AllowanceCharge, DocumentKind, Line, Price, VatClass};
use crate::document::parts::Period;
use crate::money::Currency;

const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

pub fn is_root(el: &Element) -> bool {
    el.is(INVOICE, "Invoice") || el.is(CREDIT_NOTE, "CreditNote")
}

fn cbc(name: &str) -> (&str, &str) {
    (CBC, name)
}

fn cac(name: &str) -> (&str, &str) {
    (CAC, name)
}

/// The element names that differ between an Invoice and a CreditNote.
struct Names {
    root: &'static str,
    namespace: &'static str,
    type_code: &'static str,
    line: &'static str,
    quantity: &'static str,
}

fn names(kind: DocumentKind) -> Names {
    match kind {
        DocumentKind::Invoice => Names {
            root: "Invoice",
            namespace: INVOICE,
            type_code: "InvoiceTypeCode",
            line: "InvoiceLine",
            quantity: "InvoicedQuantity",
        },
        DocumentKind::CreditNote => Names {
            root: "CreditNote",
            namespace: CREDIT_NOTE,
            type_code: "CreditNoteTypeCode",
            line: "CreditNoteLine",
            quantity: "CreditedQuantity",
        },
    }
}

/// Reads a UBL Invoice or CreditNote root element.
pub fn read(root: &Element) -> Result<EInvoice, ParseError> {
    let root_kind = if root.name == "CreditNote" {
        DocumentKind::CreditNote
    } else {
        DocumentKind::Invoice
    };
    let n = names(root_kind);
    let mut assumptions = Vec::new();
    let type_code = text(root.child(CBC, n.type_code));
    let kind = read::kind(type_code.as_deref(), root_kind)?;
    let currency = root
        .child(CBC, "DocumentCurrencyCode")
        .map(|c| read::currency(c.text(), "BT-5", "cbc:DocumentCurrencyCode"))
        .transpose()?;
    let tax_currency = root
        .child(CBC, "TaxCurrencyCode")
        .map(|c| read::currency(c.text(), "BT-6", "cbc:TaxCurrencyCode"))
        .transpose()?;
    let doc_currency = read::document_currency(currency, root, &mut assumptions)?;
    let due_date = match root_kind {
        DocumentKind::Invoice => root.child(CBC, "DueDate"),
        DocumentKind::CreditNote => root.path(&[cac("PaymentMeans"), cbc("PaymentDueDate")]),
    };
    let preceding = root
        .all(CAC, "BillingReference")
        .filter_map(|r| r.child(CAC, "InvoiceDocumentReference"))
        .map(|r| {
            Ok(PrecedingInvoice {
                number: r.text_at(&[cbc("ID")]).unwrap_or_default().to_owned(),
                issue_date: r
                    .child(CBC, "IssueDate")
                    .map(|d| read::date(d.text(), false, "BT-26", "cbc:IssueDate"))
                    .transpose()?,
            })
        })
        .collect::<Result<_, ParseError>>()?;

    let (stated, tax_total_in_tax_currency) = stated_totals(root, doc_currency, tax_currency)?;
    let header = Header {
        syntax: Syntax::Ubl,
        customization_id: text(root.child(CBC, "CustomizationID")),
        number: text(root.child(CBC, "ID")),
        issue_date: root
            .child(CBC, "IssueDate")
            .map(|d| read::date(d.text(), false, "BT-2", "cbc:IssueDate"))
            .transpose()?,
        due_date: due_date
            .map(|d| read::date(d.text(), false, "BT-9", "due date"))
            .transpose()?,
        type_code,
        currency,
        tax_currency,
        tax_total_in_tax_currency,
        buyer_reference: text(root.child(CBC, "BuyerReference")),
        purchase_order: text(root.path(&[cac("OrderReference"), cbc("ID")])),
        delivery: delivery(root)?,
        payment: payment(root),
        notes: root.all(CBC, "Note").map(|n| n.text().to_owned()).collect(),
        preceding,
        seller: party(root.path(&[cac("AccountingSupplierParty"), cac("Party")])),
        buyer: party(root.path(&[cac("AccountingCustomerParty"), cac("Party")])),
    };

    let mut allowances = Vec::new();
    let mut charges = Vec::new();
    for (i, el) in root.all(CAC, "AllowanceCharge").enumerate() {
        let label = format!("document allowance/charge {}", i + 1);
        let (charge, mut ac) = allowance_charge(el, &label, &mut assumptions)?;
        let category = el.text_at(&[cac("TaxCategory"), cbc("ID")]);
        let rate = el
            .path(&[cac("TaxCategory"), cbc("Percent")])
            .map(|p| read::rate(p.text(), "BT-96", "cac:TaxCategory/cbc:Percent"))
            .transpose()?;
        ac.vat = read::allowance_vat(category, rate, &label, &mut assumptions);
        if charge {
            charges.push(ac);
        } else {
            allowances.push(ac);
        }
    }
    let lines = root
        .all(CAC, n.line)
        .enumerate()
        .map(|(i, el)| line(el, &n, i, &mut assumptions))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(EInvoice::read(
        header,
        kind,
        doc_currency,
        lines,
        (allowances, charges),
        stated,
        assumptions,
    ))
}

fn party(el: Option<&Element>) -> Party {
    let Some(p) = el else {
        return Party::default();
    };
    let address = p.child(CAC, "PostalAddress");
    let at = |steps: &[(&str, &str)]| text(address.and_then(|a| a.path(steps)));
    Party {
        name: text(p.path(&[cac("PartyLegalEntity"), cbc("RegistrationName")])),
        vat_id: p
            .all(CAC, "PartyTaxScheme")
            .find(|s| s.text_at(&[cac("TaxScheme"), cbc("ID")]) == Some("VAT"))
            .and_then(|s| text(s.child(CBC, "CompanyID"))),
        legal_id: text(p.path(&[cac("PartyLegalEntity"), cbc("CompanyID")])),
        address_lines: [
            at(&[cbc("StreetName")]),
            at(&[cbc("AdditionalStreetName")]),
            at(&[cac("AddressLine"), cbc("Line")]),
        ]
        .into_iter()
        .flatten()
        .collect(),
        city: at(&[cbc("CityName")]),
        postcode: at(&[cbc("PostalZone")]),
        country: at(&[cac("Country"), cbc("IdentificationCode")]),
    }
}

fn delivery(root: &Element) -> Result<DeliveryInfo, ParseError> {
    let date = |el: Option<&Element>, term, element| {
        el.map(|d| read::date(d.text(), false, term, element))
            .transpose()
    };
    let period = root.child(CAC, "InvoicePeriod");
    let start = date(
        period.and_then(|p| p.child(CBC, "StartDate")),
        "BT-73",
        "cac:InvoicePeriod/cbc:StartDate",
    )?;
    let end = date(
        period.and_then(|p| p.child(CBC, "EndDate")),
        "BT-74",
        "cac:InvoicePeriod/cbc:EndDate",
    )?;
    Ok(DeliveryInfo {
        date: date(
            root.path(&[cac("Delivery"), cbc("ActualDeliveryDate")]),
            "BT-72",
            "cac:Delivery/cbc:ActualDeliveryDate",
        )?,
        period: start
            .zip(end)
            .map(|(start, end)| InvoicePeriod { start, end }),
        country: text(root.path(&[
            cac("Delivery"),
            cac("DeliveryLocation"),
            cac("Address"),
            cac("Country"),
            cbc("IdentificationCode"),
        ])),
    })
}

fn payment(root: &Element) -> Payment {
    let means = root.child(CAC, "PaymentMeans");
    let account = means.and_then(|m| m.child(CAC, "PayeeFinancialAccount"));
    Payment {
        means_code: text(means.and_then(|m| m.child(CBC, "PaymentMeansCode"))),
        remittance: text(means.and_then(|m| m.child(CBC, "PaymentID"))),
        account: account.and_then(|a| {
            Some(PaymentAccount {
                id: text(a.child(CBC, "ID"))?,
                name: text(a.child(CBC, "Name")),
                bic: text(a.path(&[cac("FinancialInstitutionBranch"), cbc("ID")])),
            })
        }),
        terms: text(root.path(&[cac("PaymentTerms"), cbc("Note")])),
    }
}

/// The stated totals and BT-111. A TaxTotal in the tax currency (when it differs from the invoice
/// currency) is BT-111; the first other one is BT-110 with the breakdown, any further one is repeated.
fn stated_totals(
    root: &Element,
    currency: Currency,
    tax_currency: Option<Currency>,
) -> Result<(StatedTotals, Option<Decimal>), ParseError> {
    let mut stated = StatedTotals::default();
    let mut in_tax_currency = None;
    for total in root.all(CAC, "TaxTotal") {
        let amount_el = total.child(CBC, "TaxAmount");
        let amount = read::opt_decimal(amount_el, "BT-110", "cac:TaxTotal/cbc:TaxAmount")?;
        let amount_currency = amount_el.and_then(|a| a.attr("currencyID"));
        let is_tax_currency = tax_currency.is_some_and(|t| {
            t != currency && amount_currency.is_some_and(|c| c.eq_ignore_ascii_case(t.code()))
        });
        if is_tax_currency {
            in_tax_currency = amount;
            continue;
        }
        match (stated.tax_total, amount) {
            (None, _) => stated.tax_total = amount,
            (Some(_), Some(repeated)) => stated.repeated_tax_totals.push(repeated),
            (Some(_), None) => {}
        }
        for sub in total.all(CAC, "TaxSubtotal") {
            stated.vat.push(StatedVat {
                category: read::category(sub.text_at(&[cac("TaxCategory"), cbc("ID")])),
                rate: read::opt_decimal(
                    sub.path(&[cac("TaxCategory"), cbc("Percent")]),
                    "BT-119",
                    "cac:TaxSubtotal/cac:TaxCategory/cbc:Percent",
                )?,
                taxable: read::opt_decimal(
                    sub.child(CBC, "TaxableAmount"),
                    "BT-116",
                    "cac:TaxSubtotal/cbc:TaxableAmount",
                )?,
                tax: read::opt_decimal(
                    sub.child(CBC, "TaxAmount"),
                    "BT-117",
                    "cac:TaxSubtotal/cbc:TaxAmount",
                )?,
                exemption_reason: text(sub.path(&[cac("TaxCategory"), cbc("TaxExemptionReason")])),
                exemption_code: text(
                    sub.path(&[cac("TaxCategory"), cbc("TaxExemptionReasonCode")]),
                ),
            });
        }
    }
    if let Some(m) = root.child(CAC, "LegalMonetaryTotal") {
        let amount = |name: &str, term: &'static str| {
            read::opt_decimal(
                m.child(CBC, name),
                term,
                &format!("cac:LegalMonetaryTotal/cbc:{name}"),
            )
        };
        stated.line_net_total = amount("LineExtensionAmount", "BT-106")?;
        stated.tax_exclusive = amount("TaxExclusiveAmount", "BT-109")?;
        stated.tax_inclusive = amount("TaxInclusiveAmount", "BT-112")?;
        stated.allowance_total = amount("AllowanceTotalAmount", "BT-107")?;
        stated.charge_total = amount("ChargeTotalAmount", "BT-108")?;
        stated.prepaid = amount("PrepaidAmount", "BT-113")?;
        stated.rounding = amount("PayableRoundingAmount", "BT-114")?;
        stated.amount_due = amount("PayableAmount", "BT-115")?;
    }
    Ok((stated, in_tax_currency))
}

/// An allowance or charge (BG-20/21/27/28) without its VAT; returns whether it is a charge.
fn allowance_charge(
    el: &Element,
    label: &str,
    assumptions: &mut Vec<String>,
) -> Result<(bool, AllowanceCharge), ParseError> {
    let charge = read::is_charge(el.text_at(&[cbc("ChargeIndicator")]), label, assumptions);
    let (amount, base, percent) = if charge {
        ("BT-99", "BT-100", "BT-101")
    } else {
        ("BT-92", "BT-93", "BT-94")
    };
    Ok((
        charge,
        AllowanceCharge {
            amount: read::opt_decimal(el.child(CBC, "Amount"), amount, "cbc:Amount")?,
            base: read::opt_decimal(el.child(CBC, "BaseAmount"), base, "cbc:BaseAmount")?,
            percent: read::opt_decimal(
                el.child(CBC, "MultiplierFactorNumeric"),
                percent,
                "cbc:MultiplierFactorNumeric",
            )?,
            reason: el
                .text_at(&[cbc("AllowanceChargeReason")])
                .unwrap_or_default()
                .to_owned(),
            reason_code: el
                .text_at(&[cbc("AllowanceChargeReasonCode")])
                .unwrap_or_default()
                .to_owned(),
            vat: None,
        },
    ))
}

fn line(
    el: &Element,
    n: &Names,
    index: usize,
    assumptions: &mut Vec<String>,
) -> Result<Line, ParseError> {
    let label = format!("line {}", index + 1);
    let at = |name: &str| format!("{}[{}]/{name}", n.line, index + 1);
    let quantity_el = el.child(CBC, n.quantity);
    let quantity = match quantity_el {
        Some(q) => read::decimal(q.text(), "BT-129", &at(n.quantity))?,
        None => {
            assumptions.push(format!("{label}: no quantity (BT-129); taken as 1"));
            Decimal::ONE
        }
    };
    let price_el = el.child(CAC, "Price");
    let net = match price_el.and_then(|p| p.child(CBC, "PriceAmount")) {
        Some(p) => read::decimal(p.text(), "BT-146", &at("cac:Price/cbc:PriceAmount"))?,
        None => {
            assumptions.push(format!("{label}: no net price (BT-146); taken as 0"));
            Decimal::ZERO
        }
    };
    let price_discount = price_el.and_then(|p| p.child(CAC, "AllowanceCharge"));
    let mut allowances = Vec::new();
    let mut charges = Vec::new();
    for (i, ac) in el.all(CAC, "AllowanceCharge").enumerate() {
        let (charge, ac) = allowance_charge(
            ac,
            &format!("{label}, allowance/charge {}", i + 1),
            assumptions,
        )?;
        if charge {
            charges.push(ac);
        } else {
            allowances.push(ac);
        }
    }
    let tax = el.path(&[cac("Item"), cac("ClassifiedTaxCategory")]);
    let rate = tax
        .and_then(|t| t.child(CBC, "Percent"))
        .map(|p| {
            read::rate(
                p.text(),
                "BT-152",
                &at("cac:ClassifiedTaxCategory/cbc:Percent"),
            )
        })
        .transpose()?;
    Ok(Line {
        id: el.text_at(&[cbc("ID")]).unwrap_or_default().to_owned(),
        name: el
            .text_at(&[cac("Item"), cbc("Name")])
            .unwrap_or_default()
            .to_owned(),
        quantity,
        unit_code: quantity_el
            .and_then(|q| q.attr("unitCode"))
            .unwrap_or_default()
            .to_owned(),
        price: Price {
            net,
            base_quantity: read::opt_decimal(
                price_el.and_then(|p| p.child(CBC, "BaseQuantity")),
                "BT-149",
                &at("cac:Price/cbc:BaseQuantity"),
            )?,
            gross: read::opt_decimal(
                price_discount.and_then(|d| d.child(CBC, "BaseAmount")),
                "BT-148",
                &at("cac:Price/cac:AllowanceCharge/cbc:BaseAmount"),
            )?,
            discount: read::opt_decimal(
                price_discount.and_then(|d| d.child(CBC, "Amount")),
                "BT-147",
                &at("cac:Price/cac:AllowanceCharge/cbc:Amount"),
            )?,
        },
        allowances,
        charges,
        vat: read::line_vat(
            tax.and_then(|t| t.text_at(&[cbc("ID")])),
            rate,
            &label,
            assumptions,
        ),
        exemption_reason: String::new(),
        stated_net: read::opt_decimal(
            el.child(CBC, "LineExtensionAmount"),
            "BT-131",
            &at("cbc:LineExtensionAmount"),
        )?,
        additional_taxes: Vec::new(),
        exemption_code: String::new(),
        period: line_period(el, &at)?,
    })
}

/// BG-26, when the line states both its start (BT-134) and its end (BT-135).
fn line_period(el: &Element, at: &dyn Fn(&str) -> String) -> Result<Option<Period>, ParseError> {
    let period = el.child(CAC, "InvoicePeriod");
    let date = |name: &str, term| {
        period
            .and_then(|p| p.child(CBC, name))
            .map(|d| {
                read::date(
                    d.text(),
                    false,
                    term,
                    &at(&format!("cac:InvoicePeriod/cbc:{name}")),
                )
            })
            .transpose()
    };
    let (start, end) = (date("StartDate", "BT-134")?, date("EndDate", "BT-135")?);
    Ok(start.zip(end).map(|(start, end)| Period { start, end }))
}

/// Writes an e-invoice as UBL 2.1: an Invoice or a CreditNote after the document's kind. BT-3 and BT-5,
/// which EN 16931 requires (BR-04, BR-05), are always written: the kind's code and the document's
/// currency when the header has none. A document EN 16931 cannot express (taxes besides VAT) is
/// refused with the field to blame rather than written wrongly.
pub fn to_ubl(invoice: &EInvoice) -> Result<String, ValidationError> {
    invoice.document.check_en16931()?;
    let h = &invoice.header;
    let doc = &invoice.document;
    let n = names(doc.kind);
    let cur = doc.currency.code();
    let mut w = Writer::new(n.root, &[("", n.namespace), ("cac", CAC), ("cbc", CBC)]);
    w.opt("cbc:CustomizationID", h.customization_id.as_deref());
    w.opt("cbc:ID", h.number.as_deref());
    w.opt(
        "cbc:IssueDate",
        h.issue_date.map(|d| d.to_string()).as_deref(),
    );
    if doc.kind == DocumentKind::Invoice {
        w.opt("cbc:DueDate", h.due_date.map(|d| d.to_string()).as_deref());
    }
    w.leaf(
        &format!("cbc:{}", n.type_code),
        &[],
        h.type_code
            .as_deref()
            .unwrap_or(read::default_type_code(doc.kind)),
    );
    for note in &h.notes {
        w.leaf("cbc:Note", &[], note);
    }
    w.leaf(
        "cbc:DocumentCurrencyCode",
        &[],
        h.currency.unwrap_or(doc.currency).code(),
    );
    w.opt(
        "cbc:TaxCurrencyCode",
        h.tax_currency.as_ref().map(Currency::code),
    );
    w.opt("cbc:BuyerReference", h.buyer_reference.as_deref());
    if let Some(period) = h.delivery.period {
        w.open("cac:InvoicePeriod");
        w.leaf("cbc:StartDate", &[], &period.start.to_string());
        w.leaf("cbc:EndDate", &[], &period.end.to_string());
        w.close("cac:InvoicePeriod");
    }
    if let Some(order) = &h.purchase_order {
        w.open("cac:OrderReference");
        w.leaf("cbc:ID", &[], order);
        w.close("cac:OrderReference");
    }
    for p in &h.preceding {
        w.open("cac:BillingReference");
        w.open("cac:InvoiceDocumentReference");
        w.leaf("cbc:ID", &[], &p.number);
        w.opt(
            "cbc:IssueDate",
            p.issue_date.map(|d| d.to_string()).as_deref(),
        );
        w.close("cac:InvoiceDocumentReference");
        w.close("cac:BillingReference");
    }
    write_party(&mut w, "cac:AccountingSupplierParty", &h.seller);
    write_party(&mut w, "cac:AccountingCustomerParty", &h.buyer);
    write_delivery(&mut w, &h.delivery);
    write_payment(&mut w, h, doc.kind);
    for (charge, list) in [(false, &doc.allowances), (true, &doc.charges)] {
        for ac in list {
            write_allowance_charge(&mut w, charge, ac, cur, ac.vat.as_ref());
        }
    }
    write_tax_totals(&mut w, invoice, cur);
    write_monetary_total(&mut w, &invoice.stated, cur);
    for line in &doc.lines {
        write_line(&mut w, &n, line, cur);
    }
    Ok(w.finish(n.root))
}

fn amount(w: &mut Writer, name: &str, value: Option<Decimal>, currency: &str) {
    if let Some(v) = value {
        w.leaf(name, &[("currencyID", currency)], &v.to_string());
    }
}

fn write_party(w: &mut Writer, role: &str, party: &Party) {
    if party == &Party::default() {
        return;
    }
    w.open(role);
    w.open("cac:Party");
    if party.has_address() {
        w.open("cac:PostalAddress");
        let mut lines = party.address_lines.iter().take(MAX_ADDRESS_LINES);
        w.opt("cbc:StreetName", lines.next().map(String::as_str));
        w.opt("cbc:AdditionalStreetName", lines.next().map(String::as_str));
        w.opt("cbc:CityName", party.city.as_deref());
        w.opt("cbc:PostalZone", party.postcode.as_deref());
        if let Some(line) = lines.next() {
            w.open("cac:AddressLine");
            w.leaf("cbc:Line", &[], line);
            w.close("cac:AddressLine");
        }
        if let Some(country) = &party.country {
            write_country(w, country);
        }
        w.close("cac:PostalAddress");
    }
    if let Some(vat_id) = &party.vat_id {
        w.open("cac:PartyTaxScheme");
        w.leaf("cbc:CompanyID", &[], vat_id);
        write_tax_scheme(w);
        w.close("cac:PartyTaxScheme");
    }
    if party.name.is_some() || party.legal_id.is_some() {
        w.open("cac:PartyLegalEntity");
        w.opt("cbc:RegistrationName", party.name.as_deref());
        w.opt("cbc:CompanyID", party.legal_id.as_deref());
        w.close("cac:PartyLegalEntity");
    }
    w.close("cac:Party");
    w.close(role);
}

fn write_country(w: &mut Writer, country: &str) {
    w.open("cac:Country");
    w.leaf("cbc:IdentificationCode", &[], country);
    w.close("cac:Country");
}

fn write_delivery(w: &mut Writer, delivery: &DeliveryInfo) {
    if delivery.date.is_none() && delivery.country.is_none() {
        return;
    }
    w.open("cac:Delivery");
    w.opt(
        "cbc:ActualDeliveryDate",
        delivery.date.map(|d| d.to_string()).as_deref(),
    );
    if let Some(country) = &delivery.country {
        w.open("cac:DeliveryLocation");
        w.open("cac:Address");
        write_country(w, country);
        w.close("cac:Address");
        w.close("cac:DeliveryLocation");
    }
    w.close("cac:Delivery");
}

/// BG-16 and BT-20. A credit note has no `cbc:DueDate`: its BT-9 is the payment means' due date, under
/// code 1 (not defined) when the document names no means.
fn write_payment(w: &mut Writer, h: &Header, kind: DocumentKind) {
    let p = &h.payment;
    let due = h.due_date.filter(|_| kind == DocumentKind::CreditNote);
    let code = p.means_code.as_deref().or(due.map(|_| CREDIT_NOTE_MEANS));
    if let Some(code) = code {
        w.open("cac:PaymentMeans");
        w.leaf("cbc:PaymentMeansCode", &[], code);
        w.opt("cbc:PaymentDueDate", due.map(|d| d.to_string()).as_deref());
        w.opt("cbc:PaymentID", p.remittance.as_deref());
        if let Some(account) = &p.account {
            w.open("cac:PayeeFinancialAccount");
            w.leaf("cbc:ID", &[], &account.id);
            w.opt("cbc:Name", account.name.as_deref());
            if let Some(bic) = &account.bic {
                w.open("cac:FinancialInstitutionBranch");
                w.leaf("cbc:ID", &[], bic);
                w.close("cac:FinancialInstitutionBranch");
            }
            w.close("cac:PayeeFinancialAccount");
        }
        w.close("cac:PaymentMeans");
    }
    if let Some(terms) = &p.terms {
        w.open("cac:PaymentTerms");
        w.leaf("cbc:Note", &[], terms);
        w.close("cac:PaymentTerms");
    }
}

/// The payment means code (UNCL4461 1, not defined) a credit note's due date is written under when the
/// document names none.
pub const CREDIT_NOTE_MEANS: &str = "1";

fn write_tax_scheme(w: &mut Writer) {
    w.open("cac:TaxScheme");
    w.leaf("cbc:ID", &[], "VAT");
    w.close("cac:TaxScheme");
}

fn write_category(w: &mut Writer, element: &str, vat: &VatClass) {
    w.open(element);
    w.leaf("cbc:ID", &[], vat.category.code());
    w.opt(
        "cbc:Percent",
        vat.rate.map(|r| r.percent().to_string()).as_deref(),
    );
    write_tax_scheme(w);
    w.close(element);
}

fn write_allowance_charge(
    w: &mut Writer,
    charge: bool,
    ac: &AllowanceCharge,
    cur: &str,
    vat: Option<&VatClass>,
) {
    w.open("cac:AllowanceCharge");
    w.leaf(
        "cbc:ChargeIndicator",
        &[],
        if charge { "true" } else { "false" },
    );
    if !ac.reason_code.is_empty() {
        w.leaf("cbc:AllowanceChargeReasonCode", &[], &ac.reason_code);
    }
    if !ac.reason.is_empty() {
        w.leaf("cbc:AllowanceChargeReason", &[], &ac.reason);
    }
    w.opt(
        "cbc:MultiplierFactorNumeric",
        ac.percent.map(|p| p.to_string()).as_deref(),
    );
    amount(w, "cbc:Amount", ac.amount, cur);
    amount(w, "cbc:BaseAmount", ac.base, cur);
    if let Some(vat) = vat {
        write_category(w, "cac:TaxCategory", vat);
    }
    w.close("cac:AllowanceCharge");
}

fn write_tax_totals(w: &mut Writer, invoice: &EInvoice, cur: &str) {
    let stated = &invoice.stated;
    if stated.tax_total.is_some() || !stated.vat.is_empty() {
        w.open("cac:TaxTotal");
        amount(w, "cbc:TaxAmount", stated.tax_total, cur);
        for v in &stated.vat {
            w.open("cac:TaxSubtotal");
            amount(w, "cbc:TaxableAmount", v.taxable, cur);
            amount(w, "cbc:TaxAmount", v.tax, cur);
            w.open("cac:TaxCategory");
            w.opt("cbc:ID", v.category.map(|c| c.code()));
            w.opt("cbc:Percent", v.rate.map(|r| r.to_string()).as_deref());
            w.opt("cbc:TaxExemptionReasonCode", v.exemption_code.as_deref());
            w.opt("cbc:TaxExemptionReason", v.exemption_reason.as_deref());
            write_tax_scheme(w);
            w.close("cac:TaxCategory");
            w.close("cac:TaxSubtotal");
        }
        w.close("cac:TaxTotal");
    }
    for repeated in &stated.repeated_tax_totals {
        w.open("cac:TaxTotal");
        amount(w, "cbc:TaxAmount", Some(*repeated), cur);
        w.close("cac:TaxTotal");
    }
    if let (Some(tax_currency), Some(total)) = (
        invoice.header.tax_currency,
        invoice.header.tax_total_in_tax_currency,
    ) {
        w.open("cac:TaxTotal");
        amount(w, "cbc:TaxAmount", Some(total), tax_currency.code());
        w.close("cac:TaxTotal");
    }
}

fn write_monetary_total(w: &mut Writer, s: &StatedTotals, cur: &str) {
    let fields = [
        ("cbc:LineExtensionAmount", s.line_net_total),
        ("cbc:TaxExclusiveAmount", s.tax_exclusive),
        ("cbc:TaxInclusiveAmount", s.tax_inclusive),
        ("cbc:AllowanceTotalAmount", s.allowance_total),
        ("cbc:ChargeTotalAmount", s.charge_total),
        ("cbc:PrepaidAmount", s.prepaid),
        ("cbc:PayableRoundingAmount", s.rounding),
        ("cbc:PayableAmount", s.amount_due),
    ];
    if fields.iter().all(|(_, v)| v.is_none()) {
        return;
    }
    w.open("cac:LegalMonetaryTotal");
    for (name, value) in fields {
        amount(w, name, value, cur);
    }
    w.close("cac:LegalMonetaryTotal");
}

fn write_line(w: &mut Writer, n: &Names, line: &Line, cur: &str) {
    let element = format!("cac:{}", n.line);
    w.open(&element);
    w.leaf("cbc:ID", &[], &line.id);
    w.leaf(
        &format!("cbc:{}", n.quantity),
        &[("unitCode", &line.unit_code)],
        &line.quantity.to_string(),
    );
    amount(w, "cbc:LineExtensionAmount", line.stated_net, cur);
    if let Some(period) = line.period {
        w.open("cac:InvoicePeriod");
        w.leaf("cbc:StartDate", &[], &period.start.to_string());
        w.leaf("cbc:EndDate", &[], &period.end.to_string());
        w.close("cac:InvoicePeriod");
    }
    for (charge, list) in [(false, &line.allowances), (true, &line.charges)] {
        for ac in list {
            write_allowance_charge(w, charge, ac, cur, None);
        }
    }
    w.open("cac:Item");
    w.leaf("cbc:Name", &[], &line.name);
    write_category(w, "cac:ClassifiedTaxCategory", &line.vat);
    w.close("cac:Item");
    w.open("cac:Price");
    amount(w, "cbc:PriceAmount", Some(line.price.net), cur);
    if let Some(base) = line.price.base_quantity {
        w.leaf(
            "cbc:BaseQuantity",
            &[("unitCode", &line.unit_code)],
            &base.to_string(),
        );
    }
    if line.price.gross.is_some() || line.price.discount.is_some() {
        w.open("cac:AllowanceCharge");
        w.leaf("cbc:ChargeIndicator", &[], "false");
        amount(w, "cbc:Amount", line.price.discount, cur);
        amount(w, "cbc:BaseAmount", line.price.gross, cur);
        w.close("cac:AllowanceCharge");
    }
    w.close("cac:Price");
    w.close(&element);
}
