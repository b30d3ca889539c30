//! Paying online from the portal through the built-in sandbox gateway: the customer ticks invoices or
//! types an amount and sees, before paying, how core will allocate it; refused choices name the field
//! in the customer's words; the payment form needs its page's token; the TEST MODE card page decides
//! by card number; a paid checkout records exactly one payment allocated as previewed, however often
//! its forms are sent; a declined or unconfirmed card records nothing; checkouts are throttled.

use std::time::Duration;

use remit_core::document::InvoiceDraft;
use remit_core::gateway::Provider;
use remit_core::ids::InvoiceId;
use remit_core::receivables::payment::Payment;
use remit_core::sync::{PatchOp, Record};
use remit_core::terms::{DiscountVat, EarlyPaymentDiscount, Instalment, PaymentPlan, PaymentTerms};
use remit_server::application::Intervals;
use remit_server::gateway::GatewayConfig;
use remit_server::store::gateway::{self, GatewayAccount};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use rust_decimal_macros::dec;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::{Books, open, text};
use crate::stripe::{SECRET_KEY as STRIPE_KEY, StandIn};

/// Nordlys with three open invoices of 24.67 EUR each (INV-2026-000001, -000002 and -000004; Fjord's
/// is -000003), the sandbox as the organisation's gateway, and a statement link for Nordlys.
struct Paying {
    books: Books,
    third: InvoiceId,
    url: String,
}

impl Paying {
    async fn new(backend: Backend) -> Self {
        let books = Books::new(backend).await;
        let third = new_id();
        let reply = books
            .owner
            .push(
                new_client(),
                vec![issue_numbered(1, third, &draft(&books.nordlys))],
            )
            .await;
        assert_applied(&reply);
        let mut tx = books.app.store.write().await.unwrap();
        let sandbox = GatewayAccount {
            provider: Provider::Sandbox,
            secret_key: String::new(),
            webhook_secrets: Vec::new(),
        };
        gateway::put_account(&mut tx, books.org, &sandbox, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (_, url) = books.link(&books.nordlys, json!({})).await;
        Self { books, third, url }
    }

    fn app(&self) -> &TestApp {
        &self.books.app
    }

    /// The pay page for a choice (`invoice` repeated, `amount`), as the statement's form sends it.
    async fn review(&self, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("currency", "EUR")
            .extend_pairs(fields)
            .finish();
        let (status, _, body) = open(self.app(), &format!("{}/pay?{query}", self.url)).await;
        (status, shown(&body))
    }

    /// Every payment the owner's device pulls.
    async fn payments(&self) -> Vec<Payment> {
        self.books
            .owner
            .pull(new_client(), None, Some(5000))
            .await
            .patch
            .into_iter()
            .filter_map(|op| match op {
                PatchOp::Put {
                    record: Record::Payment(p),
                    ..
                } => Some(p),
                _ => None,
            })
            .collect()
    }
}

/// A page's text with CLDR's no-break spaces (`EUR\u{a0}24.67`) as plain ones, as a reader sees it.
fn shown(body: &[u8]) -> String {
    text(body).replace('\u{a0}', " ")
}

/// A customer's browser that does not follow redirects, so a test reads where a form sends it.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Posts a form; returns the status, the `Location` and the page.
async fn send(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let response = browser()
        .post(format!("{}{path}", app.address))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let page = response.text().await.unwrap().replace('\u{a0}', " ");
    (status, location, page)
}

/// The value of the first hidden field `name` on `page`.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = page.find(&marker).expect("the field") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The preview section of a pay page.
fn preview(page: &str) -> &str {
    let at = page.find(r#"class="preview""#).expect("a preview");
    &page[at..]
}

/// The text of the problem shown beside `field`'s paragraph (`amount-problem`, `card-problem`, …).
fn problem(page: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}" role="alert">"#);
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} in {page}"))
        + marker.len();
    page[at..].split('<').next().unwrap().to_owned()
}

async fn the_preview_shows_what_each_ticked_invoice_gets_and_what_a_typed_amount_leaves_as_credit(
    backend: Backend,
) {
    let paying = Paying::new(backend).await;
    let (status, _, body) = open(paying.app(), &paying.url).await;
    assert_eq!(status, StatusCode::OK);
    let statement = text(&body);
    assert!(
        statement.contains(&format!(r#"name="invoice" value="{}""#, paying.books.first))
            && statement.contains(r#"aria-label="Pay INV-2026-000004""#)
            && statement.contains("Review payment"),
        "{statement}"
    );

    let (first, third) = (paying.books.first.to_string(), paying.third.to_string());
    let (status, page) = paying
        .review(&[("invoice", &first), ("invoice", &third), ("amount", "")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let shown = preview(&page);
    assert!(
        shown.contains("INV-2026-000001") && shown.contains("INV-2026-000004"),
        "{shown}"
    );
    assert!(!shown.contains("INV-2026-000002"), "not ticked: {shown}");
    assert!(
        shown.contains("EUR 49.34") && shown.contains("Pay EUR 49.34"),
        "{shown}"
    );
    assert!(!shown.contains("Becomes credit"), "nothing left over");
    assert_eq!(hidden(shown, "amount"), "");

    let (status, page) = paying.review(&[("amount", "100")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let shown = preview(&page);
    assert!(shown.contains("the invoices due longest first"));
    for number in ["INV-2026-000001", "INV-2026-000002", "INV-2026-000004"] {
        assert!(shown.contains(number), "{number}: {shown}");
    }
    // 100.00 − 3 × 24.67 = 25.99
    assert!(
        shown.contains("Becomes credit on your account") && shown.contains("EUR 25.99"),
        "{shown}"
    );
    assert!(shown.contains("Pay EUR 100.00"));
    let (_, _, none) = open(paying.app(), &format!("{}/pay", paying.url)).await;
    assert!(
        !text(&none).contains(r#"class="preview""#),
        "nothing chosen yet: the form only"
    );
}
on_both_backends!(the_preview_shows_what_each_ticked_invoice_gets_and_what_a_typed_amount_leaves_as_credit => the_preview_shows_what_each_ticked_invoice_gets_and_what_a_typed_amount_leaves_as_credit_sqlite, the_preview_shows_what_each_ticked_invoice_gets_and_what_a_typed_amount_leaves_as_credit_postgres);

/// A form's fields, as a browser sends them.
type Fields<'a> = &'a [(&'a str, &'a str)];

async fn a_refused_choice_is_said_beside_its_field_in_the_customers_words(backend: Backend) {
    let paying = Paying::new(backend).await;
    let fjords = paying.books.fjords.to_string();
    let cases: [(Fields, &str, &str); 7] = [
        (
            &[("amount", "")],
            "amount-problem",
            "tick an invoice or type an amount",
        ),
        (
            &[("amount", "ten euros")],
            "amount-problem",
            "type the amount as a number",
        ),
        (
            &[("amount", "10.005")],
            "amount-problem",
            "amounts in EUR have at most 2 decimals",
        ),
        (
            &[("amount", "0")],
            "amount-problem",
            "the amount must be more than zero",
        ),
        (
            &[("amount", "-5")],
            "amount-problem",
            "the amount must be more than zero",
        ),
        (
            &[("amount", "1000000")],
            "amount-problem",
            "one payment can be at most EUR 999,999.99",
        ),
        (
            &[("invoice", &fjords), ("amount", "")],
            "invoices-problem",
            "this invoice is no longer open",
        ),
    ];
    for (fields, id, said) in cases {
        let (status, page) = paying.review(fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(problem(&page, id).contains(said), "{fields:?}: {page}");
        assert!(!page.contains(r#"class="preview""#), "{fields:?}");
    }
    let (_, page) = paying.review(&[("amount", "ten euros")]).await;
    assert!(
        page.contains(
            r#"value="ten euros" aria-describedby="amount-hint amount-problem" aria-invalid="true""#
        ),
        "what was typed is kept and described by the problem: {page}"
    );
}
on_both_backends!(a_refused_choice_is_said_beside_its_field_in_the_customers_words => a_refused_choice_is_said_beside_its_field_in_the_customers_words_sqlite, a_refused_choice_is_said_beside_its_field_in_the_customers_words_postgres);

async fn paying_needs_the_preview_pages_own_form_token(backend: Backend) {
    let paying = Paying::new(backend).await;
    let first = paying.books.first.to_string();
    let posted = format!("{}/pay?lang=en", paying.url);
    let choice = |token: &str| {
        vec![
            ("form", token.to_owned()),
            ("currency", "EUR".to_owned()),
            ("invoice", first.clone()),
            ("amount", String::new()),
        ]
    };
    let as_fields = |f: &[(&'static str, String)]| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let app = paying.app();
        let posted = posted.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(app, &posted, &fields).await
        }
    };
    let (status, _, page) = post(as_fields(&choice(""))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(problem(&page, "form-problem").contains("the page has expired"));
    // A token of another link's pay page is forged here.
    let (_, fjord) = paying.books.link(&paying.books.fjord, json!({})).await;
    let (_, _, body) = open(
        paying.app(),
        &format!("{fjord}/pay?currency=EUR&invoice={}", paying.books.fjords),
    )
    .await;
    let foreign = hidden(&text(&body), "form");
    let (status, _, _) = post(as_fields(&choice(&foreign))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(paying.app().count("checkouts").await, 0);
    assert!(paying.payments().await.is_empty());
}
on_both_backends!(paying_needs_the_preview_pages_own_form_token => paying_needs_the_preview_pages_own_form_token_sqlite, paying_needs_the_preview_pages_own_form_token_postgres);

/// Reviews the ticked invoices and sends the preview's form; returns the sandbox page's address.
async fn start(paying: &Paying, ticked: &[&str]) -> String {
    let (status, location) = send_preview(paying, ticked).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = location
        .strip_prefix(&paying.app().address)
        .unwrap_or_else(|| panic!("under the origin the customer used: {location}"));
    assert!(page.starts_with("/sandbox/pay/"), "{location}");
    page.to_owned()
}

/// Reviews the ticked invoices and sends the preview's form twice at once; returns the status and
/// where it sends the customer.
async fn send_preview(paying: &Paying, ticked: &[&str]) -> (StatusCode, String) {
    let mut fields: Vec<(&str, &str)> = ticked.iter().map(|id| ("invoice", *id)).collect();
    fields.push(("amount", ""));
    let (status, page) = paying.review(&fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = hidden(preview(&page), "form");
    let mut sent = vec![("form", token.as_str()), ("currency", "EUR")];
    sent.extend(fields);
    let posted = format!("{}/pay?lang=en", paying.url);
    // Sent twice at once (a double click): one checkout, both sent to its page.
    let ((status, location, _), (again, location_again, _)) = tokio::join!(
        send(paying.app(), &posted, &sent),
        send(paying.app(), &posted, &sent)
    );
    assert_eq!(
        (again, location_again.as_str()),
        (status, location.as_str()),
        "the same form sent twice starts one checkout"
    );
    (status, location)
}

/// The card form of the sandbox page at `address`, sent with `card`.
async fn pay_with(paying: &Paying, address: &str, card: &str) -> (StatusCode, String, String) {
    let (status, _, body) = open(paying.app(), address).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    let token = hidden(&page, "form");
    let fields = [
        ("form", token.as_str()),
        ("step", "card"),
        ("card", card),
        ("expiry", "12/34"),
        ("cvc", "123"),
    ];
    send(paying.app(), address, &fields).await
}

async fn the_sandbox_card_pays_the_ticked_invoices_once_however_often_it_is_sent(backend: Backend) {
    let paying = Paying::new(backend).await;
    let (first, third) = (paying.books.first.to_string(), paying.third.to_string());
    let address = start(&paying, &[&first, &third]).await;
    let (status, headers, body) = open(paying.app(), &address).await;
    assert_eq!(status, StatusCode::OK);
    let page = shown(&body);
    assert!(
        page.contains("<title>TEST MODE — pay Acme GmbH</title>")
            && page.contains("TEST MODE: this is the sandbox")
            && page.contains("EUR 49.34"),
        "{page}"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "the portal's headers");
    assert!(!page.contains("<script"));

    let token = hidden(&page, "form");
    let fields = [
        ("form", token.as_str()),
        ("step", "card"),
        ("card", "4242 4242 4242 4242"),
        ("expiry", "12/34"),
        ("cvc", "123"),
    ];
    let (status, done, _) = send(paying.app(), &address, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        done.starts_with("/pay/") && done.ends_with("/done?lang=en"),
        "{done}"
    );
    let (again, done_again, _) = send(paying.app(), &address, &fields).await;
    assert_eq!(
        (again, done_again.as_str()),
        (StatusCode::SEE_OTHER, done.as_str())
    );

    let (status, _, body) = open(paying.app(), &done).await;
    assert_eq!(status, StatusCode::OK);
    let page = shown(&body);
    assert!(
        page.contains("Payment received — thank you")
            && page.contains("Acme GmbH received your payment of EUR 49.34")
            && page.contains("A receipt is on its way"),
        "{page}"
    );
    let [payment] = paying.payments().await.try_into().expect("one payment");
    assert_eq!(payment.received.amount.amount().to_string(), "49.34");
    assert!(payment.received.reference.starts_with("sbx_"));
    let mut allocated: Vec<InvoiceId> = payment
        .allocation
        .lines
        .iter()
        .map(|l| l.item.invoice_id)
        .collect();
    allocated.sort();
    let mut ticked = vec![paying.books.first, paying.third];
    ticked.sort();
    assert_eq!(allocated, ticked);
    assert!(payment.allocation.unapplied.is_zero());

    // The checkout's return pages: cancelled says nothing was charged; an unknown checkout is a 404.
    let cancelled = done.replace("/done", "/cancelled");
    let (status, _, body) = open(paying.app(), &cancelled).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&body).contains("Nothing was charged"));
    assert_eq!(paying.app().count("checkouts").await, 1);
    assert_eq!(paying.payments().await.len(), 1);
    let (status, _, body) = open(
        paying.app(),
        &format!("/pay/{}/done", new_id::<InvoiceId>()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text(&body).contains("This address names no payment"));
}
on_both_backends!(the_sandbox_card_pays_the_ticked_invoices_once_however_often_it_is_sent => the_sandbox_card_pays_the_ticked_invoices_once_however_often_it_is_sent_sqlite, the_sandbox_card_pays_the_ticked_invoices_once_however_often_it_is_sent_postgres);

async fn a_declined_unknown_or_unconfirmed_card_records_nothing(backend: Backend) {
    let paying = Paying::new(backend).await;
    let first = paying.books.first.to_string();
    let address = start(&paying, &[&first]).await;
    let events = paying.app().count("account_events").await;

    let (status, _, page) = pay_with(&paying, &address, "4000 0000 0000 0002").await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert!(problem(&page, "problem").contains("Your card was declined"));
    let (status, _, page) = pay_with(&paying, &address, "1234 5678 9012 3456").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem(&page, "card-problem").contains("use a test card"));
    assert!(page.contains(r#"aria-describedby="card-problem""#));

    let (status, _, page) = pay_with(&paying, &address, "4000 0025 0000 3155").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Confirm this payment (test 3-D Secure)"),
        "{page}"
    );
    let confirm = hidden(&page, "form");
    let (status, _, page) = send(
        paying.app(),
        &address,
        &[("form", &confirm), ("step", "confirm"), ("outcome", "fail")],
    )
    .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert!(problem(&page, "problem").contains("not confirmed"));
    // The confirmation step cannot be reached with the card form's token.
    let (_, _, card_page) = open(paying.app(), &address).await;
    let card_token = hidden(&text(&card_page), "form");
    let (status, _, _) = send(
        paying.app(),
        &address,
        &[
            ("form", &card_token),
            ("step", "confirm"),
            ("outcome", "complete"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    assert!(paying.payments().await.is_empty());
    assert_eq!(paying.app().count("account_events").await, events);
    let (_, _, body) = open(paying.app(), &paying.url).await;
    assert!(
        text(&body).contains("No payments"),
        "the statement lists no payment"
    );

    // The checkout stays open: the confirmation completed pays it.
    let (_, _, page) = pay_with(&paying, &address, "4000002500003155").await;
    let confirm = hidden(&page, "form");
    let (status, location, _) = send(
        paying.app(),
        &address,
        &[
            ("form", &confirm),
            ("step", "confirm"),
            ("outcome", "complete"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("/done?lang=en"));
    assert_eq!(paying.payments().await.len(), 1);
}
on_both_backends!(a_declined_unknown_or_unconfirmed_card_records_nothing => a_declined_unknown_or_unconfirmed_card_records_nothing_sqlite, a_declined_unknown_or_unconfirmed_card_records_nothing_postgres);

async fn checkouts_through_one_link_are_throttled(backend: Backend) {
    let paying = Paying::new(backend).await;
    let first = paying.books.first.to_string();
    for _ in 0..remit_core::gateway::CHECKOUT_THROTTLE_PER_LINK.max_failures {
        start(&paying, &[&first]).await;
    }
    let (_, page) = paying.review(&[("invoice", &first), ("amount", "")]).await;
    let token = hidden(preview(&page), "form");
    let response = browser()
        .post(format!(
            "{}{}/pay?lang=en",
            paying.app().address,
            paying.url
        ))
        .form(&[
            ("form", token.as_str()),
            ("currency", "EUR"),
            ("invoice", first.as_str()),
            ("amount", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");
    assert!(response.text().await.unwrap().contains("Too many payments"));
    assert_eq!(
        paying.app().count("checkouts").await,
        i64::try_from(remit_core::gateway::CHECKOUT_THROTTLE_PER_LINK.max_failures).unwrap()
    );
}
on_both_backends!(checkouts_through_one_link_are_throttled => checkouts_through_one_link_are_throttled_sqlite, checkouts_through_one_link_are_throttled_postgres);

/// Issues one invoice of `lines` to a new customer paying in `currency`; returns its link and invoice.
async fn customer_in(
    paying: &Paying,
    (name, currency): (&str, &str),
    lines: Vec<remit_core::document::InvoiceLine>,
) -> (String, InvoiceId) {
    let buyer = remit_core::customer::Customer {
        currency: remit_core::money::Currency::parse(currency).unwrap(),
        ..customer(paying.books.org, name)
    };
    let invoice = new_id();
    let draft = InvoiceDraft {
        due_date: date("2026-12-23"),
        ..remit_core::fixtures::draft_for(new_id(), &buyer, lines)
    };
    let reply = paying
        .books
        .owner
        .push(
            new_client(),
            vec![upsert(1, &buyer), issue_numbered(2, invoice, &draft)],
        )
        .await;
    assert_applied(&reply);
    let (_, url) = paying
        .books
        .link(&buyer, json!({"invoice_id": invoice}))
        .await;
    (url, invoice)
}

async fn amounts_follow_the_currencys_minor_units_and_a_discount_is_taken_inside_its_window(
    backend: Backend,
) {
    let paying = Paying::new(backend).await;
    let line = |price| remit_core::fixtures::line("Audit", dec!(1), price, dec!(19));

    // 1 × 1000 JPY at 19 %: 1190 JPY, no decimals; an invoice link pays its own invoice.
    let (yen, invoice) = customer_in(&paying, ("Sakura KK", "JPY"), vec![line(dec!(1000))]).await;
    let (status, _, body) = open(paying.app(), &format!("{yen}/invoices/{invoice}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = shown(&body);
    assert!(page.contains("Pay this invoice"), "{page}");
    let (_, _, body) = open(
        paying.app(),
        &format!("{yen}/pay?currency=JPY&invoice={invoice}"),
    )
    .await;
    let page = shown(&body);
    assert!(preview(&page).contains("Pay JPY 1,190<"), "{page}");
    let (status, _, body) = open(paying.app(), &format!("{yen}/pay?currency=JPY&amount=1.5")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem(&shown(&body), "amount-problem").contains("amounts in JPY have at most 0 decimals")
    );

    // KWD has three decimals (no invoice can be in it, EN 16931 states two): paid ahead, as credit.
    let gulf = remit_core::customer::Customer {
        currency: remit_core::money::Currency::parse("KWD").unwrap(),
        ..customer(paying.books.org, "Gulf Trading WLL")
    };
    assert_applied(
        &paying
            .books
            .owner
            .push(new_client(), vec![upsert(1, &gulf)])
            .await,
    );
    let (_, dinar) = paying.books.link(&gulf, json!({})).await;
    let (_, _, body) = open(
        paying.app(),
        &format!("{dinar}/pay?currency=KWD&amount=12.495"),
    )
    .await;
    let page = shown(&body);
    let ahead = preview(&page);
    assert!(
        ahead.contains("Becomes credit on your account") && ahead.contains("Pay KWD 12.495<"),
        "{ahead}"
    );
    let (_, _, body) = open(
        paying.app(),
        &format!("{dinar}/pay?currency=KWD&amount=1.2345"),
    )
    .await;
    assert!(
        problem(&shown(&body), "amount-problem").contains("amounts in KWD have at most 3 decimals")
    );

    // 2 % within 10 days of issue: 24.67 is settled by 24.18 today, the 0.49 taken as discount.
    let today = paying.app().clock().now().date_naive();
    let discounted = InvoiceDraft {
        issue_date: today,
        due_date: today + chrono::Days::new(30),
        terms: Some(PaymentPlan {
            instalments: vec![Instalment {
                percent: dec!(100),
                terms: PaymentTerms::Net { days: 30 },
            }],
            discount: Some(EarlyPaymentDiscount {
                percent: dec!(2),
                days: 10,
                vat: DiscountVat::GrossOnly,
            }),
        }),
        ..draft(&paying.books.nordlys)
    };
    let early = new_id::<InvoiceId>();
    let reply = paying
        .books
        .owner
        .push(new_client(), vec![issue_numbered(1, early, &discounted)])
        .await;
    assert_applied(&reply);
    let early = early.to_string();
    let (status, page) = paying.review(&[("invoice", &early), ("amount", "")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let shown = preview(&page);
    assert!(
        shown.contains("EUR 24.18")
            && shown.contains("Early-payment discount taken")
            && shown.contains("EUR 0.49")
            && shown.contains("Pay EUR 24.18"),
        "{shown}"
    );
}
on_both_backends!(amounts_follow_the_currencys_minor_units_and_a_discount_is_taken_inside_its_window => amounts_follow_the_currencys_minor_units_and_a_discount_is_taken_inside_its_window_sqlite, amounts_follow_the_currencys_minor_units_and_a_discount_is_taken_inside_its_window_postgres);

async fn a_stripe_checkout_starts_at_stripe_and_its_done_page_asks_stripe_how_it_ended(
    backend: Backend,
) {
    let stand_in = StandIn::start();
    let gateways = GatewayConfig::new(stand_in.url.clone(), Duration::from_secs(300)).unwrap();
    let app = spawn_app_with_gateways(backend, Intervals::default(), gateways).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let buyer = customer(org, "Fiskeri AS");
    let (ticked, other): (InvoiceId, InvoiceId) = (new_id(), new_id());
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &buyer),
                issue_numbered(2, ticked, &draft(&buyer)),
                issue_numbered(3, other, &draft(&buyer)),
            ],
        )
        .await;
    assert_applied(&reply);
    let mut tx = app.store.write().await.unwrap();
    let stripe = GatewayAccount {
        provider: Provider::Stripe,
        secret_key: STRIPE_KEY.into(),
        webhook_secrets: vec!["whsec_portal_pay".into()],
    };
    gateway::put_account(&mut tx, org, &stripe, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let made = owner
        .post(
            &format!("/api/customers/{}/portal-links", buyer.id),
            &json!({}),
        )
        .await;
    let url = made.json::<serde_json::Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // The preview's policy lets its form go on to Stripe's page, and nowhere else.
    let response = reqwest::get(format!(
        "{}{url}/pay?currency=EUR&invoice={ticked}&amount=",
        app.address
    ))
    .await
    .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!(
            "form-action 'self' https://checkout.stripe.com {};",
            stand_in.url
        )),
        "{csp}"
    );
    let page = response.text().await.unwrap();
    let token = hidden(preview(&page), "form");
    let ticked_id = ticked.to_string();
    let fields = [
        ("form", token.as_str()),
        ("currency", "EUR"),
        ("invoice", ticked_id.as_str()),
        ("amount", ""),
    ];
    let (status, location, _) = send(&app, &format!("{url}/pay?lang=en"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = location
        .strip_prefix(&format!("{}/pay/", stand_in.url))
        .unwrap_or_else(|| panic!("Stripe's page: {location}"));
    let stored = gateway::find_by_session(
        &mut app.store.read().await.unwrap(),
        Provider::Stripe,
        session,
    )
    .await
    .unwrap()
    .expect("the checkout keeps its session");
    let id = stored.checkout.id;
    let created = stand_in.get(&format!("/test/sessions/{session}")).await;
    assert_eq!(
        created["form"]["success_url"],
        format!("{}/pay/{id}/done?lang=en", app.address)
    );
    assert_eq!(
        created["form"]["cancel_url"],
        format!("{}/pay/{id}/cancelled?lang=en", app.address)
    );

    // Back before paying (or before Stripe says so): processing; then paid, asked of Stripe.
    let done = format!("/pay/{id}/done?lang=en");
    let (_, _, body) = open(&app, &done).await;
    assert!(shown(&body).contains("Payment processing"));
    stand_in
        .control(
            &format!("/test/sessions/{session}/pay"),
            json!({"method": "card"}),
        )
        .await;
    let (status, _, body) = open(&app, &done).await;
    assert_eq!(status, StatusCode::OK);
    let page = shown(&body);
    assert!(
        page.contains("Payment received — thank you") && page.contains("EUR 24.67"),
        "{page}"
    );
    let payments: Vec<Payment> = owner
        .pull(new_client(), None, Some(5000))
        .await
        .patch
        .into_iter()
        .filter_map(|op| match op {
            PatchOp::Put {
                record: Record::Payment(p),
                ..
            } => Some(p),
            _ => None,
        })
        .collect();
    let [payment] = payments.try_into().expect("one payment");
    assert_eq!(payment.allocation.lines.len(), 1);
    assert_eq!(payment.allocation.lines[0].item.invoice_id, ticked);
}
on_both_backends!(a_stripe_checkout_starts_at_stripe_and_its_done_page_asks_stripe_how_it_ended => a_stripe_checkout_starts_at_stripe_and_its_done_page_asks_stripe_how_it_ended_sqlite, a_stripe_checkout_starts_at_stripe_and_its_done_page_asks_stripe_how_it_ended_postgres);
