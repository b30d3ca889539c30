//! What every document prints the same way: the heading with the logo, a party's name and address, the
//! bank account, the two columns of parties and references, and wrapped paragraphs.

use remit_core::bank::BankAccount;
use remit_core::document::issue::Party;

use crate::RenderError;
use crate::layout::{BODY, LEADING, Op, Row};
use crate::locale::{Arg, Localizer};
use crate::text::{Face, Fonts};

const TITLE: f32 = 18.0;

/// Lines of text, each in its face.
pub type Lines = Vec<(Face, String)>;

/// The logo (its size in points) on the left, `title` on the right.
pub fn heading(fonts: &Fonts, width: f32, title: String, logo: Option<(f32, f32)>) -> Row {
    let (_, logo_height) = logo.unwrap_or_default();
    let mut row = Row::new(logo_height.max(TITLE * 1.3) + LEADING);
    if let Some((width, height)) = logo {
        row.ops.push(Op::Logo {
            x: 0.0,
            y: 0.0,
            width,
            height,
        });
    }
    row.text_right(fonts, width, 0.0, Face::Bold, TITLE, title);
    row
}

/// A party's name, address and VAT id, one line each.
pub fn party_lines(l10n: &Localizer, party: &Party) -> Result<Lines, RenderError> {
    let mut lines = vec![(Face::Bold, party.name.clone())];
    for line in &party.address.lines {
        lines.push((Face::Regular, line.clone()));
    }
    let address = &party.address;
    lines.push((
        Face::Regular,
        format!("{} {}", address.postcode, address.city)
            .trim()
            .to_owned(),
    ));
    lines.push((Face::Regular, l10n.country(&address.country)));
    if !party.tax_id.is_empty() {
        let id = l10n.text("vat-id", &[("id", Arg::Text(&party.tax_id))])?;
        lines.push((Face::Regular, id));
    }
    Ok(lines)
}

/// The account's heading, holder, IBAN and BIC.
pub fn bank_lines(l10n: &Localizer, account: &BankAccount) -> Result<Lines, RenderError> {
    let mut lines = vec![(Face::Bold, l10n.label("bank-account")?)];
    let holder = l10n.text("account-holder", &[("name", Arg::Text(&account.name))])?;
    lines.push((Face::Regular, holder));
    let iban = l10n.text("iban", &[("iban", Arg::Text(&account.iban))])?;
    lines.push((Face::Regular, iban));
    if !account.bic.is_empty() {
        let bic = l10n.text("bic", &[("bic", Arg::Text(&account.bic))])?;
        lines.push((Face::Regular, bic));
    }
    Ok(lines)
}

/// Lines on the left and labelled values (the value right-aligned, bold) on the right half.
pub fn beside(fonts: &Fonts, width: f32, left: Lines, right: Vec<(String, String)>) -> Row {
    let lines = left.len().max(right.len());
    let mut row = Row::new(lines as f32 * LEADING + 2.0 * LEADING);
    for (i, (face, text)) in left.into_iter().enumerate() {
        row.text(0.0, i as f32 * LEADING, face, BODY, text);
    }
    let label_x = width * 0.52;
    for (i, (label, value)) in right.into_iter().enumerate() {
        let top = i as f32 * LEADING;
        row.text(label_x, top, Face::Regular, BODY, label);
        row.text_right(fonts, width, top, Face::Bold, BODY, value);
    }
    row
}

/// Lines of text across `width`, wrapped, followed by a blank line: a row each, so a long text
/// continues on the next page.
pub fn paragraphs(fonts: &Fonts, width: f32, lines: Lines) -> Vec<Row> {
    let mut rows: Vec<Row> = lines
        .into_iter()
        .flat_map(|(face, text)| {
            fonts
                .wrap(face, BODY, &text, width)
                .into_iter()
                .map(move |line| {
                    let mut row = Row::new(LEADING);
                    row.text(0.0, 0.0, face, BODY, line);
                    row
                })
        })
        .collect();
    rows.push(Row::new(LEADING));
    rows
}

/// A rule across `width`, closing a table.
pub fn closing_rule(width: f32) -> Row {
    let mut rule = Row::new(4.0);
    rule.rule(0.0, width, 1.0, 0.6);
    rule
}
