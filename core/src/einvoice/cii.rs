//! UN/CEFACT Cross Industry Invoice (D16B), as EN 16931 binds it.

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

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

pub fn is_root(el: &Element) -> bool {
    el.is(RSM, "CrossIndustryInvoice")
}

fn ram(name: &str) -> (&str, &str) {
    (RAM, name)
}

/// A CII date: `<udt:DateTimeString format="102">YYYYMMDD</…>` (or the `qdt` twin) inside `el`.
fn date_in(
    el: Option<&Element>,
    term: &'static str,
    element: &str,
) -> Result<Option<chrono::NaiveDate>, ParseError> {
    let Some(s) = el.and_then(|e| {
        e.child(UDT, "DateTimeString")
            .or_else(|| e.child(QDT, "DateTimeString"))
            .or_else(|| e.child(UDT, "DateString"))
    }) else {
        return Ok(None);
    };
    if let Some(format) = s.attr("format").filter(|f| *f != "102") {
        return Err(ParseError::Invalid {
            term,
            element: element.to_owned(),
            value: format.to_owned(),
            expected: "date format 102 (YYYYMMDD)",
        });
    }
    read::date(s.text(), true, term, element).map(Some)
}

/// Reads a CII CrossIndustryInvoice root element.
#[allow(
    clippy::too_many_lines,
    reason = "reads the CII elements in document order; to be split"
)]
pub fn read(root: &Element) -> Result<EInvoice, ParseError> {
    let mut assumptions = Vec::new();
    let exchanged = root.child(RSM, "ExchangedDocument");
    let tx = root.child(RSM, "SupplyChainTradeTransaction");
    let agreement = tx.and_then(|t| t.child(RAM, "ApplicableHeaderTradeAgreement"));
    let settlement = tx.and_then(|t| t.child(RAM, "ApplicableHeaderTradeSettlement"));
    let type_code = text(exchanged.and_then(|d| d.child(RAM, "TypeCode")));
    let kind = read::kind(type_code.as_deref(), DocumentKind::Invoice)?;
    let code_at = |name: &str, term: &'static str| {
        settlement
            .and_then(|s| s.child(RAM, name))
            .map(|c| read::currency(c.text(), term, name))
            .transpose()
    };
    let currency = code_at("InvoiceCurrencyCode", "BT-5")?;
    let tax_currency = code_at("TaxCurrencyCode", "BT-6")?;
    let doc_currency = read::document_currency(currency, root, &mut assumptions)?;

    let (stated, tax_total_in_tax_currency) =
        stated_totals(settlement, doc_currency, tax_currency)?;
    let header = Header {
        syntax: Syntax::Cii,
        customization_id: text(root.path(&[
            (RSM, "ExchangedDocumentContext"),
            ram("GuidelineSpecifiedDocumentContextParameter"),
            ram("ID"),
        ])),
        number: text(exchanged.and_then(|d| d.child(RAM, "ID"))),
        issue_date: date_in(
            exchanged.and_then(|d| d.child(RAM, "IssueDateTime")),
            "BT-2",
            "ram:IssueDateTime",
        )?,
        due_date: date_in(
            settlement
                .and_then(|s| s.path(&[ram("SpecifiedTradePaymentTerms"), ram("DueDateDateTime")])),
            "BT-9",
            "ram:DueDateDateTime",
        )?,
        type_code,
        currency,
        tax_currency,
        tax_total_in_tax_currency,
        buyer_reference: text(agreement.and_then(|a| a.child(RAM, "BuyerReference"))),
        purchase_order: text(
            agreement.and_then(|a| {
                a.path(&[ram("BuyerOrderReferencedDocument"), ram("IssuerAssignedID")])
            }),
        ),
        delivery: delivery(tx, settlement)?,
        payment: payment(settlement),
        notes: exchanged
            .into_iter()
            .flat_map(|d| d.all(RAM, "IncludedNote"))
            .map(|n| n.text_at(&[ram("Content")]).unwrap_or_default().to_owned())
            .collect(),
        preceding: settlement
            .into_iter()
            .flat_map(|s| s.all(RAM, "InvoiceReferencedDocument"))
            .map(|r| {
                Ok(PrecedingInvoice {
                    number: r
                        .text_at(&[ram("IssuerAssignedID")])
                        .unwrap_or_default()
                        .to_owned(),
                    issue_date: date_in(
                        r.child(RAM, "FormattedIssueDateTime"),
                        "BT-26",
                        "ram:FormattedIssueDateTime",
                    )?,
                })
            })
            .collect::<Result<_, ParseError>>()?,
        seller: party(agreement.and_then(|a| a.child(RAM, "SellerTradeParty"))),
        buyer: party(agreement.and_then(|a| a.child(RAM, "BuyerTradeParty"))),
    };

    let mut allowances = Vec::new();
    let mut charges = Vec::new();
    for (i, el) in settlement
        .into_iter()
        .flat_map(|s| s.all(RAM, "SpecifiedTradeAllowanceCharge"))
        .enumerate()
    {
        let label = format!("document allowance/charge {}", i + 1);
        let (charge, mut ac) = allowance_charge(el, &label, &mut assumptions)?;
        let tax = el.child(RAM, "CategoryTradeTax");
        let rate = tax
            .and_then(|t| t.child(RAM, "RateApplicablePercent"))
            .map(|p| {
                read::rate(
                    p.text(),
                    "BT-96",
                    "ram:CategoryTradeTax/ram:RateApplicablePercent",
                )
            })
            .transpose()?;
        ac.vat = read::allowance_vat(
            tax.and_then(|t| t.text_at(&[ram("CategoryCode")])),
            rate,
            &label,
            &mut assumptions,
        );
        if charge {
            charges.push(ac);
        } else {
            allowances.push(ac);
        }
    }
    let lines = tx
        .into_iter()
        .flat_map(|t| t.all(RAM, "IncludedSupplyChainTradeLineItem"))
        .enumerate()
        .map(|(i, el)| line(el, i, &mut assumptions))
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
    let address = p.child(RAM, "PostalTradeAddress");
    let at = |name: &str| text(address.and_then(|a| a.child(RAM, name)));
    Party {
        name: text(p.child(RAM, "Name")),
        vat_id: p
            .all(RAM, "SpecifiedTaxRegistration")
            .filter_map(|r| r.child(RAM, "ID"))
            .find(|id| id.attr("schemeID") == Some("VA"))
            .and_then(|id| text(Some(id))),
        legal_id: text(p.path(&[ram("SpecifiedLegalOrganization"), ram("ID")])),
        address_lines: ["LineOne", "LineTwo", "LineThree"]
            .into_iter()
            .filter_map(at)
            .collect(),
        city: at("CityName"),
        postcode: at("PostcodeCode"),
        country: at("CountryID"),
    }
}

fn delivery(
    tx: Option<&Element>,
    settlement: Option<&Element>,
) -> Result<DeliveryInfo, ParseError> {
    let delivery = tx.and_then(|t| t.child(RAM, "ApplicableHeaderTradeDelivery"));
    let period = settlement.and_then(|s| s.child(RAM, "BillingSpecifiedPeriod"));
    let start = date_in(
        period.and_then(|p| p.child(RAM, "StartDateTime")),
        "BT-73",
        "ram:BillingSpecifiedPeriod/ram:StartDateTime",
    )?;
    let end = date_in(
        period.and_then(|p| p.child(RAM, "EndDateTime")),
        "BT-74",
        "ram:BillingSpecifiedPeriod/ram:EndDateTime",
    )?;
    Ok(DeliveryInfo {
        date: date_in(
            delivery.and_then(|d| {
                d.path(&[
                    ram("ActualDeliverySupplyChainEvent"),
                    ram("OccurrenceDateTime"),
                ])
            }),
            "BT-72",
            "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
        )?,
        period: start
            .zip(end)
            .map(|(start, end)| InvoicePeriod { start, end }),
        country: text(delivery.and_then(|d| {
            d.path(&[
                ram("ShipToTradeParty"),
                ram("PostalTradeAddress"),
                ram("CountryID"),
            ])
        })),
    })
}

fn payment(settlement: Option<&Element>) -> Payment {
    let means = settlement.and_then(|s| s.child(RAM, "SpecifiedTradeSettlementPaymentMeans"));
    let account = means.and_then(|m| m.child(RAM, "PayeePartyCreditorFinancialAccount"));
    Payment {
        means_code: text(means.and_then(|m| m.child(RAM, "TypeCode"))),
        remittance: text(settlement.and_then(|s| s.child(RAM, "PaymentReference"))),
        account: account.and_then(|a| {
            Some(PaymentAccount {
                id: text(a.child(RAM, "IBANID"))?,
                name: text(a.child(RAM, "AccountName")),
                bic: text(means.and_then(|m| {
                    m.path(&[
                        ram("PayeeSpecifiedCreditorFinancialInstitution"),
                        ram("BICID"),
                    ])
                })),
            })
        }),
        terms: text(
            settlement
                .and_then(|s| s.path(&[ram("SpecifiedTradePaymentTerms"), ram("Description")])),
        ),
    }
}

/// The stated totals and BT-111: a `TaxTotalAmount` in the tax currency (when it differs from the
/// invoice currency) is BT-111, the first other one BT-110, any further one repeated.
fn stated_totals(
    settlement: Option<&Element>,
    currency: Currency,
    tax_currency: Option<Currency>,
) -> Result<(StatedTotals, Option<Decimal>), ParseError> {
    let mut stated = StatedTotals::default();
    let mut in_tax_currency = None;
    let Some(settlement) = settlement else {
        return Ok((stated, in_tax_currency));
    };
    for tax in settlement.all(RAM, "ApplicableTradeTax") {
        let amount = |name: &str, term: &'static str| {
            read::opt_decimal(
                tax.child(RAM, name),
                term,
                &format!("ram:ApplicableTradeTax/ram:{name}"),
            )
        };
        stated.vat.push(StatedVat {
            category: read::category(tax.text_at(&[ram("CategoryCode")])),
            rate: amount("RateApplicablePercent", "BT-119")?,
            taxable: amount("BasisAmount", "BT-116")?,
            tax: amount("CalculatedAmount", "BT-117")?,
            exemption_reason: text(tax.child(RAM, "ExemptionReason")),
            exemption_code: text(tax.child(RAM, "ExemptionReasonCode")),
        });
    }
    let Some(m) = settlement.child(RAM, "SpecifiedTradeSettlementHeaderMonetarySummation") else {
        return Ok((stated, in_tax_currency));
    };
    let amount = |name: &str, term: &'static str| {
        read::opt_decimal(m.child(RAM, name), term, &format!("ram:{name}"))
    };
    stated.line_net_total = amount("LineTotalAmount", "BT-106")?;
    stated.charge_total = amount("ChargeTotalAmount", "BT-108")?;
    stated.allowance_total = amount("AllowanceTotalAmount", "BT-107")?;
    stated.tax_exclusive = amount("TaxBasisTotalAmount", "BT-109")?;
    stated.rounding = amount("RoundingAmount", "BT-114")?;
    stated.tax_inclusive = amount("GrandTotalAmount", "BT-112")?;
    stated.prepaid = amount("TotalPrepaidAmount", "BT-113")?;
    stated.amount_due = amount("DuePayableAmount", "BT-115")?;
    for total in m.all(RAM, "TaxTotalAmount") {
        let value = read::decimal(total.text(), "BT-110", "ram:TaxTotalAmount")?;
        let is_tax_currency = tax_currency.is_some_and(|t| {
            t != currency
                && total
                    .attr("currencyID")
                    .is_some_and(|c| c.eq_ignore_ascii_case(t.code()))
        });
        if is_tax_currency {
            in_tax_currency = Some(value);
        } else if stated.tax_total.is_none() {
            stated.tax_total = Some(value);
        } else {
            stated.repeated_tax_totals.push(value);
        }
    }
    Ok((stated, in_tax_currency))
}

/// An allowance or charge (BG-20/21/27/28) without its VAT; returns whether it is a charge.
fn allowance_charge(
    el: &Element,
    label: &str,
    assumptions: &mut Vec<String>,
) -> Result<(bool, AllowanceCharge), ParseError> {
    let charge = read::is_charge(
        el.text_at(&[ram("ChargeIndicator"), (UDT, "Indicator")]),
        label,
        assumptions,
    );
    let (amount, base, percent) = if charge {
        ("BT-99", "BT-100", "BT-101")
    } else {
        ("BT-92", "BT-93", "BT-94")
    };
    Ok((
        charge,
        AllowanceCharge {
            amount: read::opt_decimal(el.child(RAM, "ActualAmount"), amount, "ram:ActualAmount")?,
            base: read::opt_decimal(el.child(RAM, "BasisAmount"), base, "ram:BasisAmount")?,
            percent: read::opt_decimal(
                el.child(RAM, "CalculationPercent"),
                percent,
                "ram:CalculationPercent",
            )?,
            reason: el.text_at(&[ram("Reason")]).unwrap_or_default().to_owned(),
            reason_code: el
                .text_at(&[ram("ReasonCode")])
                .unwrap_or_default()
                .to_owned(),
            vat: None,
        },
    ))
}

#[allow(
    clippy::too_many_lines,
    reason = "reads the CII line elements in document order; to be split"
)]
fn line(el: &Element, index: usize, assumptions: &mut Vec<String>) -> Result<Line, ParseError> {
    let label = format!("line {}", index + 1);
    let at = |name: &str| format!("IncludedSupplyChainTradeLineItem[{}]/{name}", index + 1);
    let agreement = el.child(RAM, "SpecifiedLineTradeAgreement");
    let settlement = el.child(RAM, "SpecifiedLineTradeSettlement");
    let quantity_el = el.path(&[ram("SpecifiedLineTradeDelivery"), ram("BilledQuantity")]);
    let quantity = match quantity_el {
        Some(q) => read::decimal(q.text(), "BT-129", &at("ram:BilledQuantity"))?,
        None => {
            assumptions.push(format!("{label}: no quantity (BT-129); taken as 1"));
            Decimal::ONE
        }
    };
    let net_price = agreement.and_then(|a| a.child(RAM, "NetPriceProductTradePrice"));
    let net = match net_price.and_then(|p| p.child(RAM, "ChargeAmount")) {
        Some(p) => read::decimal(
            p.text(),
            "BT-146",
            &at("ram:NetPriceProductTradePrice/ram:ChargeAmount"),
        )?,
        None => {
            assumptions.push(format!("{label}: no net price (BT-146); taken as 0"));
            Decimal::ZERO
        }
    };
    let gross_price = agreement.and_then(|a| a.child(RAM, "GrossPriceProductTradePrice"));
    let mut allowances = Vec::new();
    let mut charges = Vec::new();
    for (i, ac) in settlement
        .into_iter()
        .flat_map(|s| s.all(RAM, "SpecifiedTradeAllowanceCharge"))
        .enumerate()
    {
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
    let tax = settlement.and_then(|s| s.child(RAM, "ApplicableTradeTax"));
    let rate = tax
        .and_then(|t| t.child(RAM, "RateApplicablePercent"))
        .map(|p| {
            read::rate(
                p.text(),
                "BT-152",
                &at("ram:ApplicableTradeTax/ram:RateApplicablePercent"),
            )
        })
        .transpose()?;
    Ok(Line {
        id: el
            .text_at(&[ram("AssociatedDocumentLineDocument"), ram("LineID")])
            .unwrap_or_default()
            .to_owned(),
        name: el
            .text_at(&[ram("SpecifiedTradeProduct"), ram("Name")])
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
                net_price.and_then(|p| p.child(RAM, "BasisQuantity")),
                "BT-149",
                &at("ram:NetPriceProductTradePrice/ram:BasisQuantity"),
            )?,
            gross: read::opt_decimal(
                gross_price.and_then(|p| p.child(RAM, "ChargeAmount")),
                "BT-148",
                &at("ram:GrossPriceProductTradePrice/ram:ChargeAmount"),
            )?,
            discount: read::opt_decimal(
                gross_price.and_then(|p| {
                    p.path(&[ram("AppliedTradeAllowanceCharge"), ram("ActualAmount")])
                }),
                "BT-147",
                &at("ram:AppliedTradeAllowanceCharge/ram:ActualAmount"),
            )?,
        },
        allowances,
        charges,
        vat: read::line_vat(
            tax.and_then(|t| t.text_at(&[ram("CategoryCode")])),
            rate,
            &label,
            assumptions,
        ),
        exemption_reason: String::new(),
        stated_net: read::opt_decimal(
            settlement.and_then(|s| {
                s.path(&[
                    ram("SpecifiedTradeSettlementLineMonetarySummation"),
                    ram("LineTotalAmount"),
                ])
            }),
            "BT-131",
            &at("ram:LineTotalAmount"),
        )?,
        additional_taxes: Vec::new(),
        exemption_code: String::new(),
        period: line_period(settlement, &at)?,
    })
}

/// BG-26, when the line states both its start (BT-134) and its end (BT-135).
fn line_period(
    settlement: Option<&Element>,
    at: &dyn Fn(&str) -> String,
) -> Result<Option<Period>, ParseError> {
    let period = settlement.and_then(|s| s.child(RAM, "BillingSpecifiedPeriod"));
    let date = |name: &str, term| {
        date_in(
            period.and_then(|p| p.child(RAM, name)),
            term,
            &at(&format!("ram:BillingSpecifiedPeriod/ram:{name}")),
        )
    };
    let (start, end) = (
        date("StartDateTime", "BT-134")?,
        date("EndDateTime", "BT-135")?,
    );
    Ok(start.zip(end).map(|(start, end)| Period { start, end }))
}

fn date_102(w: &mut Writer, element: &str, date: Option<chrono::NaiveDate>, qualified: bool) {
    if let Some(d) = date {
        w.open(element);
        w.leaf(
            if qualified {
                "qdt:DateTimeString"
            } else {
                "udt:DateTimeString"
            },
            &[("format", "102")],
            &d.format("%Y%m%d").to_string(),
        );
        w.close(element);
    }
}

fn decimal(w: &mut Writer, name: &str, value: Option<Decimal>) {
    if let Some(v) = value {
        w.leaf(name, &[], &v.to_string());
    }
}

/// Writes an e-invoice as a CII CrossIndustryInvoice. BT-3 and BT-5, which EN 16931 requires (BR-04,
/// BR-05), are always written: the document's kind's code and currency when the header has none. A
/// document EN 16931 cannot express (taxes besides VAT) is refused with the field to blame.
pub fn to_cii(invoice: &EInvoice) -> Result<String, ValidationError> {
    invoice.document.check_en16931()?;
    let h = &invoice.header;
    let doc = &invoice.document;
    let root = "rsm:CrossIndustryInvoice";
    let mut w = Writer::new(
        root,
        &[("rsm", RSM), ("ram", RAM), ("udt", UDT), ("qdt", QDT)],
    );
    w.open("rsm:ExchangedDocumentContext");
    w.open("ram:GuidelineSpecifiedDocumentContextParameter");
    w.opt("ram:ID", h.customization_id.as_deref());
    w.close("ram:GuidelineSpecifiedDocumentContextParameter");
    w.close("rsm:ExchangedDocumentContext");

    w.open("rsm:ExchangedDocument");
    w.opt("ram:ID", h.number.as_deref());
    w.leaf(
        "ram:TypeCode",
        &[],
        h.type_code
            .as_deref()
            .unwrap_or(read::default_type_code(doc.kind)),
    );
    date_102(&mut w, "ram:IssueDateTime", h.issue_date, false);
    for note in &h.notes {
        w.open("ram:IncludedNote");
        w.leaf("ram:Content", &[], note);
        w.close("ram:IncludedNote");
    }
    w.close("rsm:ExchangedDocument");

    w.open("rsm:SupplyChainTradeTransaction");
    for line in &doc.lines {
        write_line(&mut w, line);
    }
    w.open("ram:ApplicableHeaderTradeAgreement");
    w.opt("ram:BuyerReference", h.buyer_reference.as_deref());
    write_party(&mut w, "ram:SellerTradeParty", &h.seller);
    write_party(&mut w, "ram:BuyerTradeParty", &h.buyer);
    if let Some(order) = &h.purchase_order {
        w.open("ram:BuyerOrderReferencedDocument");
        w.leaf("ram:IssuerAssignedID", &[], order);
        w.close("ram:BuyerOrderReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeAgreement");
    write_delivery(&mut w, &h.delivery);
    write_settlement(&mut w, invoice);
    w.close("rsm:SupplyChainTradeTransaction");
    Ok(w.finish(root))
}

fn write_party(w: &mut Writer, role: &str, party: &Party) {
    w.open(role);
    w.opt("ram:Name", party.name.as_deref());
    if let Some(legal_id) = &party.legal_id {
        w.open("ram:SpecifiedLegalOrganization");
        w.leaf("ram:ID", &[], legal_id);
        w.close("ram:SpecifiedLegalOrganization");
    }
    if party.has_address() {
        w.open("ram:PostalTradeAddress");
        w.opt("ram:PostcodeCode", party.postcode.as_deref());
        for (element, line) in ["ram:LineOne", "ram:LineTwo", "ram:LineThree"]
            .into_iter()
            .zip(party.address_lines.iter().take(MAX_ADDRESS_LINES))
        {
            w.leaf(element, &[], line);
        }
        w.opt("ram:CityName", party.city.as_deref());
        w.opt("ram:CountryID", party.country.as_deref());
        w.close("ram:PostalTradeAddress");
    }
    if let Some(vat_id) = &party.vat_id {
        w.open("ram:SpecifiedTaxRegistration");
        w.leaf("ram:ID", &[("schemeID", "VA")], vat_id);
        w.close("ram:SpecifiedTaxRegistration");
    }
    w.close(role);
}

fn write_delivery(w: &mut Writer, delivery: &DeliveryInfo) {
    w.open("ram:ApplicableHeaderTradeDelivery");
    if let Some(country) = &delivery.country {
        w.open("ram:ShipToTradeParty");
        w.open("ram:PostalTradeAddress");
        w.leaf("ram:CountryID", &[], country);
        w.close("ram:PostalTradeAddress");
        w.close("ram:ShipToTradeParty");
    }
    if delivery.date.is_some() {
        w.open("ram:ActualDeliverySupplyChainEvent");
        date_102(w, "ram:OccurrenceDateTime", delivery.date, false);
        w.close("ram:ActualDeliverySupplyChainEvent");
    }
    w.close("ram:ApplicableHeaderTradeDelivery");
}

fn write_payment_means(w: &mut Writer, payment: &Payment) {
    let Some(code) = &payment.means_code else {
        return;
    };
    w.open("ram:SpecifiedTradeSettlementPaymentMeans");
    w.leaf("ram:TypeCode", &[], code);
    if let Some(account) = &payment.account {
        w.open("ram:PayeePartyCreditorFinancialAccount");
        w.leaf("ram:IBANID", &[], &account.id);
        w.opt("ram:AccountName", account.name.as_deref());
        w.close("ram:PayeePartyCreditorFinancialAccount");
        if let Some(bic) = &account.bic {
            w.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
            w.leaf("ram:BICID", &[], bic);
            w.close("ram:PayeeSpecifiedCreditorFinancialInstitution");
        }
    }
    w.close("ram:SpecifiedTradeSettlementPaymentMeans");
}

fn write_trade_tax(w: &mut Writer, element: &str, vat: &VatClass) {
    w.open(element);
    w.leaf("ram:TypeCode", &[], "VAT");
    w.leaf("ram:CategoryCode", &[], vat.category.code());
    decimal(
        w,
        "ram:RateApplicablePercent",
        vat.rate.map(|r| r.percent()),
    );
    w.close(element);
}

fn write_allowance_charge(w: &mut Writer, charge: bool, ac: &AllowanceCharge) {
    w.open("ram:SpecifiedTradeAllowanceCharge");
    w.open("ram:ChargeIndicator");
    w.leaf("udt:Indicator", &[], if charge { "true" } else { "false" });
    w.close("ram:ChargeIndicator");
    decimal(w, "ram:CalculationPercent", ac.percent);
    decimal(w, "ram:BasisAmount", ac.base);
    decimal(w, "ram:ActualAmount", ac.amount);
    if !ac.reason_code.is_empty() {
        w.leaf("ram:ReasonCode", &[], &ac.reason_code);
    }
    if !ac.reason.is_empty() {
        w.leaf("ram:Reason", &[], &ac.reason);
    }
    if let Some(vat) = &ac.vat {
        write_trade_tax(w, "ram:CategoryTradeTax", vat);
    }
    w.close("ram:SpecifiedTradeAllowanceCharge");
}

fn write_line(w: &mut Writer, line: &Line) {
    w.open("ram:IncludedSupplyChainTradeLineItem");
    w.open("ram:AssociatedDocumentLineDocument");
    w.leaf("ram:LineID", &[], &line.id);
    w.close("ram:AssociatedDocumentLineDocument");
    w.open("ram:SpecifiedTradeProduct");
    w.leaf("ram:Name", &[], &line.name);
    w.close("ram:SpecifiedTradeProduct");
    w.open("ram:SpecifiedLineTradeAgreement");
    if line.price.gross.is_some() || line.price.discount.is_some() {
        w.open("ram:GrossPriceProductTradePrice");
        decimal(w, "ram:ChargeAmount", line.price.gross);
        if line.price.discount.is_some() {
            w.open("ram:AppliedTradeAllowanceCharge");
            w.open("ram:ChargeIndicator");
            w.leaf("udt:Indicator", &[], "false");
            w.close("ram:ChargeIndicator");
            decimal(w, "ram:ActualAmount", line.price.discount);
            w.close("ram:AppliedTradeAllowanceCharge");
        }
        w.close("ram:GrossPriceProductTradePrice");
    }
    w.open("ram:NetPriceProductTradePrice");
    decimal(w, "ram:ChargeAmount", Some(line.price.net));
    if let Some(base) = line.price.base_quantity {
        w.leaf(
            "ram:BasisQuantity",
            &[("unitCode", &line.unit_code)],
            &base.to_string(),
        );
    }
    w.close("ram:NetPriceProductTradePrice");
    w.close("ram:SpecifiedLineTradeAgreement");
    w.open("ram:SpecifiedLineTradeDelivery");
    w.leaf(
        "ram:BilledQuantity",
        &[("unitCode", &line.unit_code)],
        &line.quantity.to_string(),
    );
    w.close("ram:SpecifiedLineTradeDelivery");
    w.open("ram:SpecifiedLineTradeSettlement");
    write_trade_tax(w, "ram:ApplicableTradeTax", &line.vat);
    if let Some(period) = line.period {
        w.open("ram:BillingSpecifiedPeriod");
        date_102(w, "ram:StartDateTime", Some(period.start), false);
        date_102(w, "ram:EndDateTime", Some(period.end), false);
        w.close("ram:BillingSpecifiedPeriod");
    }
    for (charge, list) in [(false, &line.allowances), (true, &line.charges)] {
        for ac in list {
            write_allowance_charge(w, charge, ac);
        }
    }
    if line.stated_net.is_some() {
        w.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
        decimal(w, "ram:LineTotalAmount", line.stated_net);
        w.close("ram:SpecifiedTradeSettlementLineMonetarySummation");
    }
    w.close("ram:SpecifiedLineTradeSettlement");
    w.close("ram:IncludedSupplyChainTradeLineItem");
}

fn write_settlement(w: &mut Writer, invoice: &EInvoice) {
    let h = &invoice.header;
    let doc = &invoice.document;
    let s = &invoice.stated;
    w.open("ram:ApplicableHeaderTradeSettlement");
    w.opt("ram:PaymentReference", h.payment.remittance.as_deref());
    w.opt(
        "ram:TaxCurrencyCode",
        h.tax_currency.as_ref().map(Currency::code),
    );
    w.leaf(
        "ram:InvoiceCurrencyCode",
        &[],
        h.currency.unwrap_or(doc.currency).code(),
    );
    write_payment_means(w, &h.payment);
    for v in &s.vat {
        w.open("ram:ApplicableTradeTax");
        decimal(w, "ram:CalculatedAmount", v.tax);
        w.leaf("ram:TypeCode", &[], "VAT");
        w.opt("ram:ExemptionReason", v.exemption_reason.as_deref());
        decimal(w, "ram:BasisAmount", v.taxable);
        w.opt("ram:CategoryCode", v.category.map(|c| c.code()));
        w.opt("ram:ExemptionReasonCode", v.exemption_code.as_deref());
        decimal(w, "ram:RateApplicablePercent", v.rate);
        w.close("ram:ApplicableTradeTax");
    }
    if let Some(period) = h.delivery.period {
        w.open("ram:BillingSpecifiedPeriod");
        date_102(w, "ram:StartDateTime", Some(period.start), false);
        date_102(w, "ram:EndDateTime", Some(period.end), false);
        w.close("ram:BillingSpecifiedPeriod");
    }
    for (charge, list) in [(false, &doc.allowances), (true, &doc.charges)] {
        for ac in list {
            write_allowance_charge(w, charge, ac);
        }
    }
    if h.due_date.is_some() || h.payment.terms.is_some() {
        w.open("ram:SpecifiedTradePaymentTerms");
        w.opt("ram:Description", h.payment.terms.as_deref());
        date_102(w, "ram:DueDateDateTime", h.due_date, false);
        w.close("ram:SpecifiedTradePaymentTerms");
    }
    let cur = doc.currency.code();
    w.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    decimal(w, "ram:LineTotalAmount", s.line_net_total);
    decimal(w, "ram:ChargeTotalAmount", s.charge_total);
    decimal(w, "ram:AllowanceTotalAmount", s.allowance_total);
    decimal(w, "ram:TaxBasisTotalAmount", s.tax_exclusive);
    for total in s.tax_total.iter().chain(&s.repeated_tax_totals) {
        w.leaf(
            "ram:TaxTotalAmount",
            &[("currencyID", cur)],
            &total.to_string(),
        );
    }
    if let (Some(tax_currency), Some(total)) = (h.tax_currency, h.tax_total_in_tax_currency) {
        w.leaf(
            "ram:TaxTotalAmount",
            &[("currencyID", tax_currency.code())],
            &total.to_string(),
        );
    }
    decimal(w, "ram:RoundingAmount", s.rounding);
    decimal(w, "ram:GrandTotalAmount", s.tax_inclusive);
    decimal(w, "ram:TotalPrepaidAmount", s.prepaid);
    decimal(w, "ram:DuePayableAmount", s.amount_due);
    w.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    for p in &h.preceding {
        w.open("ram:InvoiceReferencedDocument");
        w.leaf("ram:IssuerAssignedID", &[], &p.number);
        date_102(w, "ram:FormattedIssueDateTime", p.issue_date, true);
        w.close("ram:InvoiceReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeSettlement");
}
