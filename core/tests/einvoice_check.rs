//! What `check` says about small hand-written documents: each test states one rule of the validator.

use remit_core::document::en16931::AdditionalTax;
use remit_core::einvoice::{check, parse, report, to_cii, to_ubl};
use serde_json::Value;

/// A UBL invoice in EUR with one line (quantity × price, stated net) at S 25 %, and the given extra
/// elements before the lines (allowances, tax totals, monetary total).
fn ubl(quantity: &str, price: &str, line_net: &str, extra: &str) -> String {
    format!(
        r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>T-1</cbc:ID>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  {extra}
  <cac:InvoiceLine>
    <cbc:ID>A</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">{quantity}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">{line_net}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Thing</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>"#
    )
}

fn line_of(xml: &str) -> Value {
    let lines = report::for_file("t.xml", xml.as_bytes());
    assert_eq!(lines.len(), 1);
    serde_json::from_str(&lines[0].to_json()).expect("JSON")
}

fn rules(json: &Value) -> Vec<&str> {
    json["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule"))
        .collect()
}

#[test]
fn a_consistent_invoice_has_core_totals_and_no_violations() {
    let totals = r#"<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
      <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
        <cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
        <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:TaxCategory>
      </cac:TaxSubtotal></cac:TaxTotal>
    <cac:LegalMonetaryTotal>
      <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
      <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
      <cbc:TaxInclusiveAmount currencyID="EUR">125.00</cbc:TaxInclusiveAmount>
      <cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>
    </cac:LegalMonetaryTotal>"#;
    let json = line_of(&ubl("4", "25", "100.00", totals));
    assert_eq!(json["currency"], "EUR");
    assert_eq!(json["kind"], "Invoice");
    assert_eq!(json["totals"]["BT-112"], "125.00");
    assert_eq!(
        json["vat"],
        serde_json::json!([{"category": "S", "rate": "25.00", "taxable": "100.00", "tax": "25.00"}])
    );
    assert!(rules(&json).is_empty(), "{json}");
    assert_eq!(json["notes"], serde_json::json!([]));
}

#[test]
fn the_line_rule_allows_two_cents_and_not_three() {
    // 4 × 25 = 100: stated 100.02 is within R120's 0.02, 100.03 is not.
    let within = line_of(&ubl("4", "25", "100.02", ""));
    assert!(rules(&within).is_empty(), "{within}");
    assert_eq!(
        within["line_mismatches"],
        serde_json::json!([{"line": "A", "stated": "100.02", "computed": "100.00"}])
    );
    assert!(
        within["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n.as_str().expect("note").starts_with("PEPPOL-EN16931-R120"))
    );
    let beyond = line_of(&ubl("4", "25", "100.03", ""));
    assert_eq!(rules(&beyond), ["PEPPOL-EN16931-R120"]);
    // R120 does its own arithmetic, unrounded: 3 × 33.3333 = 99.9999 is 0.0201 from 100.02.
    let unrounded = line_of(&ubl("3", "33.3333", "100.02", ""));
    assert_eq!(rules(&unrounded), ["PEPPOL-EN16931-R120"]);
}

#[test]
fn document_totals_are_built_from_the_stated_line_nets() {
    // The line says 1273.00 where 2 × 1273.00 = 2546.00: BT-106 follows the stated net (BR-CO-10's
    // basis), and the line is reported apart.
    let json = line_of(&ubl(
        "2",
        "1273.00",
        "1273.00",
        r#"<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">1273.00</cbc:LineExtensionAmount></cac:LegalMonetaryTotal>"#,
    ));
    assert_eq!(json["totals"]["BT-106"], "1273.00");
    assert_eq!(json["line_mismatches"][0]["computed"], "2546.00");
    assert_eq!(rules(&json), ["PEPPOL-EN16931-R120"]);
}

#[test]
fn an_allowance_total_missing_while_allowances_exist_breaks_br_co_11() {
    let allowance = r#"<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>
      <cbc:Amount currencyID="EUR">10.00</cbc:Amount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:TaxCategory>
    </cac:AllowanceCharge>
    <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount></cac:LegalMonetaryTotal>"#;
    let json = line_of(&ubl("1", "100", "100.00", allowance));
    assert_eq!(
        json["violations"],
        serde_json::json!([{"rule": "BR-CO-11", "stated": null, "computed": "10.00"}])
    );
    assert_eq!(json["totals"]["BT-109"], "90.00");
    assert_eq!(
        report::exit_status(&report::for_file(
            "t",
            ubl("1", "100", "100.00", allowance).as_bytes()
        )),
        1
    );
}

#[test]
fn a_total_core_cannot_compute_is_null_and_the_rest_still_computes() {
    // A document allowance without a VAT category: core cannot place it in the VAT breakdown.
    let allowance = r#"<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>
      <cbc:Amount currencyID="EUR">10.00</cbc:Amount></cac:AllowanceCharge>"#;
    let json = line_of(&ubl("1", "100", "100.00", allowance));
    assert_eq!(json["totals"]["BT-106"], "100.00");
    assert_eq!(json["totals"]["BT-107"], "10.00");
    assert_eq!(json["totals"]["BT-109"], "90.00");
    assert!(json["totals"]["BT-110"].is_null());
    assert!(json["totals"]["BT-112"].is_null());
    assert!(json["totals"]["BT-115"].is_null());
    assert_eq!(json["vat"], serde_json::json!([]));
    let notes = json["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().expect("note").contains("allowances[0].vat")),
        "{notes:?}"
    );
}

#[test]
fn vat_is_rounded_per_category_and_rate_half_away_from_zero() {
    // Three lines of 0.10 at 25 %: per line the tax would be 3 × 0.03 = 0.09; per group 0.30 × 25 % =
    // 0.075 → 0.08 (half away from zero), which is what EN 16931 states.
    let line = |id: &str| {
        format!(
            r#"<cac:InvoiceLine><cbc:ID>{id}</cbc:ID><cbc:InvoicedQuantity>1</cbc:InvoicedQuantity>
      <cbc:LineExtensionAmount currencyID="EUR">0.10</cbc:LineExtensionAmount>
      <cac:Item><cbc:Name>x</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:ClassifiedTaxCategory></cac:Item>
      <cac:Price><cbc:PriceAmount currencyID="EUR">0.10</cbc:PriceAmount></cac:Price></cac:InvoiceLine>"#
        )
    };
    let xml = format!(
        r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>{}{}{}</Invoice>"#,
        line("1"),
        line("2"),
        line("3")
    );
    let json = line_of(&xml);
    assert_eq!(json["totals"]["BT-110"], "0.08");
    let negative = xml.replace(">0.10<", ">-0.10<");
    // Negative magnitudes round the same way: −0.075 → −0.08.
    assert_eq!(line_of(&negative)["totals"]["BT-110"], "-0.08");
}

#[test]
fn peppol_rules_on_a_cii_document_are_notes() {
    let cii = r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:TypeCode>381</ram:TypeCode></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>10</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>Z</ram:CategoryCode><ram:RateApplicablePercent>0</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>25.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>SEK</ram:InvoiceCurrencyCode></ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;
    let json = line_of(cii);
    assert_eq!(
        (json["syntax"].as_str(), json["kind"].as_str()),
        (Some("CII"), Some("CreditNote"))
    );
    assert!(rules(&json).is_empty(), "{json}");
    assert_eq!(json["line_mismatches"][0]["computed"], "20.00");
    assert!(json["notes"].as_array().expect("notes").iter().any(|n| {
        n.as_str()
            .expect("note")
            .starts_with("PEPPOL-EN16931-R120 (a Peppol BIS rule on UBL)")
    }));
    let invoice = &parse(cii.as_bytes()).expect("CII")[0];
    assert!(check(invoice).is_consistent());
}

#[test]
fn an_unknown_type_code_or_a_bad_amount_names_the_field() {
    let bad_code = ubl("1", "1", "1", "").replace(">380<", ">999<");
    let err = parse(bad_code.as_bytes()).expect_err("BT-3 999");
    assert!(err.to_string().starts_with("BT-3"), "{err}");
    let bad_amount = ubl("1", "1,50", "1", "");
    let err = parse(bad_amount.as_bytes()).expect_err("1,50");
    assert!(err.to_string().contains("BT-146"), "{err}");
    assert!(
        err.to_string().contains("cac:Price/cbc:PriceAmount"),
        "{err}"
    );
}

#[test]
fn a_document_with_taxes_besides_vat_is_refused_by_both_writers() {
    let mut invoice = parse(ubl("2", "10", "20", "").as_bytes())
        .expect("readable")
        .remove(0);
    assert!(to_ubl(&invoice).is_ok() && to_cii(&invoice).is_ok());
    invoice.document.lines[0]
        .additional_taxes
        .push(AdditionalTax {
            name: "Excise".into(),
            percent: "10".parse().expect("decimal"),
            compound: false,
        });
    for written in [to_ubl(&invoice), to_cii(&invoice)] {
        assert_eq!(
            written.expect_err("refused").field,
            "lines[0].additional_taxes"
        );
    }
}

#[test]
fn split_payment_b_keeps_its_vat_in_ubl_and_in_cii() {
    // Category B (transferred VAT, Italian split payment) at 22 %: read as B, taxed, and the amount due
    // includes the VAT. Read as O (no tax), BT-115 would have been 100.00.
    let xml = ubl("4", "25", "100.00", "").replace(
        "<cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>",
        "<cbc:ID>B</cbc:ID><cbc:Percent>22</cbc:Percent>",
    );
    let ubl_invoice = parse(xml.as_bytes()).expect("UBL").remove(0);
    let cii_invoice = parse(to_cii(&ubl_invoice).expect("CII").as_bytes())
        .expect("CII back")
        .remove(0);
    for invoice in [ubl_invoice, cii_invoice] {
        assert_eq!(invoice.document.lines[0].vat.category.code(), "B");
        assert!(invoice.assumptions.is_empty(), "{:?}", invoice.assumptions);
        let totals = check(&invoice).computed;
        let due = totals.amount_due.expect("BT-115").amount().to_string();
        let tax = totals.tax_total.expect("BT-110").amount().to_string();
        assert_eq!((tax.as_str(), due.as_str()), ("22.00", "122.00"));
    }
}
