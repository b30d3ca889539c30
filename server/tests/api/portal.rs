//! The customer's portal: links made through the API, opened with no account, scoped to one customer
//! (or one invoice), and the same 404 for every token that opens nothing.

use std::time::Duration;

use remit_core::customer::Customer;
use remit_core::ids::{InvoiceId, OrganisationId};
use remit_server::portal::views;
use remit_server::store::portal as links;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

/// An organisation with two customers; Nordlys has two issued invoices, Fjord one.
pub(crate) struct Books {
    pub app: TestApp,
    pub owner: Api,
    pub org: OrganisationId,
    pub nordlys: Customer,
    pub fjord: Customer,
    pub first: InvoiceId,
    pub second: InvoiceId,
    pub fjords: InvoiceId,
}

impl Books {
    pub async fn new(backend: Backend) -> Self {
        let app = spawn_app(backend).await;
        let (owner, info) = app.set_up().await;
        let org = organisation_of(&info);
        set_up_seller(&owner, org).await;
        let nordlys = customer(org, "Nordlys AS");
        let fjord = customer(org, "Fjord & Sønner <AS>");
        let (first, second, fjords) = (new_id(), new_id(), new_id());
        let reply = owner
            .push(
                new_client(),
                vec![
                    upsert(1, &nordlys),
                    upsert(2, &fjord),
                    issue_numbered(3, first, &draft(&nordlys)),
                    issue_numbered(4, second, &draft(&nordlys)),
                    issue_numbered(5, fjords, &draft(&fjord)),
                ],
            )
            .await;
        assert_applied(&reply);
        Self {
            app,
            owner,
            org,
            nordlys,
            fjord,
            first,
            second,
            fjords,
        }
    }

    /// The day `days` after today (UTC, as the test organisation's time zone has it within a day).
    fn in_days(&self, days: u64) -> chrono::NaiveDate {
        let today = self.app.clock().now().date_naive();
        today.checked_add_days(chrono::Days::new(days)).unwrap()
    }

    /// Makes a link for `customer`; returns its id and address.
    pub async fn link(&self, customer: &Customer, body: Value) -> (String, String) {
        let path = format!("/api/customers/{}/portal-links", customer.id);
        let made = self.owner.post(&path, &body).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.unwrap();
        let url = made["url"].as_str().unwrap().to_owned();
        (made["id"].as_str().unwrap().to_owned(), url)
    }
}

/// Status, headers and body of a page, read by a customer's browser (no session, no cookies).
pub(crate) async fn open(
    app: &TestApp,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = reqwest::get(format!("{}{path}", app.address))
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

pub(crate) fn text(body: &[u8]) -> String {
    String::from_utf8(body.to_vec()).unwrap()
}

async fn a_statement_link_opens_the_customers_statement_with_a_pages_safety_headers(
    backend: Backend,
) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    assert!(
        url.starts_with("/p/") && url.len() == 3 + 64,
        "256 bits in hex: {url}"
    );

    let (status, headers, body) = open(&books.app, &url).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    assert!(
        page.contains("Nordlys AS") && page.contains("Acme GmbH"),
        "{page}"
    );
    assert!(page.contains("INV-2026-000001") && page.contains("INV-2026-000002"));
    assert!(
        !page.contains("INV-2026-000003"),
        "Fjord's invoice is not Nordlys's"
    );
    assert!(!page.contains("<script"), "no script at all");
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-robots-tag"), "noindex");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        body.len() < 50 * 1024,
        "first load within 50 KB: {}",
        body.len()
    );
    let (status, headers, css) = open(&books.app, "/p/portal.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(body.len() + css.len() < 50 * 1024);
}
on_both_backends!(a_statement_link_opens_the_customers_statement_with_a_pages_safety_headers => a_statement_link_opens_the_customers_statement_with_a_pages_safety_headers_sqlite, a_statement_link_opens_the_customers_statement_with_a_pages_safety_headers_postgres);

async fn unknown_expired_and_revoked_tokens_get_the_very_same_404(backend: Backend) {
    let books = Books::new(backend).await;
    let (revoked_id, revoked) = books.link(&books.nordlys, json!({})).await;
    let (_, expiring) = books
        .link(&books.nordlys, json!({"expires_on": books.in_days(31)}))
        .await;
    let answered = books
        .owner
        .delete(&format!("/api/portal-links/{revoked_id}"))
        .await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = open(&books.app, &expiring).await;
    assert_eq!(status, StatusCode::OK, "open through its last day");
    books.app.clock.advance(Duration::from_secs(60 * 86_400));

    let unknown = format!("/p/{}", "0".repeat(64));
    let (status, headers, body) = open(&books.app, &unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text(&body).contains("does not open"));
    for path in [revoked, expiring, "/p/short".to_owned()] {
        let (s, h, b) = open(&books.app, &path).await;
        assert_eq!((s, &b), (status, &body), "{path}");
        assert_eq!(h.get("content-type"), headers.get("content-type"));
        assert_eq!(h.get("content-length"), headers.get("content-length"));
    }
}
on_both_backends!(unknown_expired_and_revoked_tokens_get_the_very_same_404 => unknown_expired_and_revoked_tokens_get_the_very_same_404_sqlite, unknown_expired_and_revoked_tokens_get_the_very_same_404_postgres);

async fn an_invoice_link_shows_its_invoice_and_nothing_else(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books
        .link(&books.nordlys, json!({"invoice_id": books.first}))
        .await;
    let (status, _, body) = open(&books.app, &url).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    assert!(page.contains("INV-2026-000001") && !page.contains("INV-2026-000002"));

    let (status, _, body) = open(&books.app, &format!("{url}/invoices/{}", books.first)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&body).contains("INV-2026-000001"));
    let (_, _, not_found) = open(&books.app, &format!("/p/{}", "0".repeat(64))).await;
    for other in [books.second, books.fjords] {
        let (status, _, body) = open(&books.app, &format!("{url}/invoices/{other}")).await;
        assert_eq!((status, body), (StatusCode::NOT_FOUND, not_found.clone()));
    }
}
on_both_backends!(an_invoice_link_shows_its_invoice_and_nothing_else => an_invoice_link_shows_its_invoice_and_nothing_else_sqlite, an_invoice_link_shows_its_invoice_and_nothing_else_postgres);

async fn no_link_opens_another_customers_or_organisations_invoice(backend: Backend) {
    let books = Books::new(backend).await;
    // A link is never made for another customer's invoice.
    let path = format!("/api/customers/{}/portal-links", books.nordlys.id);
    let refused = books
        .owner
        .post(&path, &json!({"invoice_id": books.fjords}))
        .await;
    let (status, error) = error_of(refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["field"], "invoice_id");

    // A statement link opens its own customer's invoices only, by whatever id is put in its URL.
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let (status, _, _) = open(&books.app, &format!("{url}/invoices/{}", books.second)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = open(&books.app, &format!("{url}/invoices/{}", books.fjords)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another organisation's invoice, and its links, are nothing to this one.
    let (other, info) = books
        .app
        .user(
            "Other Org",
            "owner@other.example",
            remit_server::auth::Role::Owner,
        )
        .await;
    let other_org = organisation_of(&info);
    set_up_seller(&other, other_org).await;
    let theirs = customer(other_org, "Their Customer");
    let their_invoice: InvoiceId = new_id();
    let reply = other
        .push(
            new_client(),
            vec![
                upsert(1, &theirs),
                issue_numbered(2, their_invoice, &draft(&theirs)),
            ],
        )
        .await;
    assert_applied(&reply);
    let (status, _, _) = open(&books.app, &format!("{url}/invoices/{their_invoice}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let swapped = format!("/api/customers/{}/portal-links", theirs.id);
    let (status, _) = error_of(books.owner.post(&swapped, &json!({})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(books.org, other_org);
}
on_both_backends!(no_link_opens_another_customers_or_organisations_invoice => no_link_opens_another_customers_or_organisations_invoice_sqlite, no_link_opens_another_customers_or_organisations_invoice_postgres);

async fn the_portal_serves_the_very_bytes_the_workspace_serves(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    for file in ["pdf", "ubl", "cii"] {
        let (status, headers, from_portal) = open(
            &books.app,
            &format!("{url}/invoices/{}/{file}", books.first),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let workspace = books
            .owner
            .get(&format!("/api/invoices/{}/{file}", books.first))
            .await;
        assert_eq!(
            from_portal,
            workspace.bytes().await.unwrap().to_vec(),
            "{file}"
        );
    }
    let (status, _, _) = open(&books.app, &format!("{url}/invoices/{}/exe", books.first)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
on_both_backends!(the_portal_serves_the_very_bytes_the_workspace_serves => the_portal_serves_the_very_bytes_the_workspace_serves_sqlite, the_portal_serves_the_very_bytes_the_workspace_serves_postgres);

async fn failed_lookups_are_throttled_per_address_whatever_it_claims_to_forward(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.fjord, json!({})).await;
    let client = reqwest::Client::new();
    let guess = |n: usize| {
        client
            .get(format!("{}/p/{n:064}", books.app.address))
            // Without --trusted-proxy the header names nobody: every guess counts against 127.0.0.1.
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .send()
    };
    for n in 0..20 {
        assert_eq!(guess(n).await.unwrap().status(), StatusCode::NOT_FOUND);
    }
    let throttled = guess(20).await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    let (status, _, _) = open(&books.app, &url).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even a good token waits"
    );

    books.app.clock.advance(Duration::from_secs(wait));
    let (status, _, body) = open(&books.app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text(&body).contains("Fjord &amp; Sønner &lt;AS&gt;"),
        "the name is escaped"
    );
}
on_both_backends!(failed_lookups_are_throttled_per_address_whatever_it_claims_to_forward => failed_lookups_are_throttled_per_address_whatever_it_claims_to_forward_sqlite, failed_lookups_are_throttled_per_address_whatever_it_claims_to_forward_postgres);

/// The views recorded for link `id`, waiting for the background write.
async fn views_of(books: &Books, id: &str, expected: usize) -> Vec<links::View> {
    let id = remit_core::ids::PortalLinkId::parse(id).unwrap();
    for _ in 0..100 {
        let mut conn = books.app.store.read().await.unwrap();
        let views = links::views_of(&mut conn, books.org, id).await.unwrap();
        if views.len() >= expected {
            return views;
        }
        drop(conn);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{expected} views of {id} were never recorded");
}

async fn views_are_recorded_once_an_hour_and_their_address_erased_after_ninety_days(
    backend: Backend,
) {
    let books = Books::new(backend).await;
    let (id, url) = books
        .link(&books.nordlys, json!({"expires_on": books.in_days(200)}))
        .await;
    for _ in 0..3 {
        assert_eq!(open(&books.app, &url).await.0, StatusCode::OK);
    }
    let views = views_of(&books, &id, 1).await;
    assert_eq!(views.len(), 1, "three views within the hour are one");
    assert_eq!(views[0].address.as_deref(), Some("127.0.0.1"));

    books.app.clock.advance(Duration::from_secs(3_600));
    assert_eq!(open(&books.app, &url).await.0, StatusCode::OK);
    assert_eq!(views_of(&books, &id, 2).await.len(), 2);
    let listed = books
        .owner
        .get(&format!("/api/customers/{}/portal-links", books.nordlys.id))
        .await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(
        (listed[0]["views"].as_i64(), listed[0]["state"].as_str()),
        (Some(2), Some("open"))
    );

    books.app.clock.advance(Duration::from_secs(89 * 86_400));
    let erased = views::erase_old_details(&books.app.store, &books.app.clock())
        .await
        .unwrap();
    assert_eq!(erased, 0, "ninety days have not passed for either view");
    books.app.clock.advance(Duration::from_secs(86_400));
    let erased = views::erase_old_details(&books.app.store, &books.app.clock())
        .await
        .unwrap();
    assert_eq!(erased, 1, "the first view is over ninety days old");
    let views = views_of(&books, &id, 2).await;
    assert_eq!(
        (views[0].address.as_deref(), views[0].user_agent.as_deref()),
        (None, None)
    );
    assert_eq!(views[1].address.as_deref(), Some("127.0.0.1"));
}
on_both_backends!(views_are_recorded_once_an_hour_and_their_address_erased_after_ninety_days => views_are_recorded_once_an_hour_and_their_address_erased_after_ninety_days_sqlite, views_are_recorded_once_an_hour_and_their_address_erased_after_ninety_days_postgres);

async fn pages_speak_the_chosen_the_customers_or_the_browsers_language(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let client = reqwest::Client::new();
    let page = |path: String, accept: &'static str| {
        let request = client.get(format!("{}{path}", books.app.address));
        async move {
            let response = request
                .header("accept-language", accept)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (_, german) = page(url.clone(), "de-CH, de;q=0.9, en;q=0.5").await;
    assert!(
        german.contains("Offener Saldo") && german.contains(r#"lang="de""#),
        "{german}"
    );
    let (_, french) = page(format!("{url}?lang=fr"), "de").await;
    assert!(
        french.contains("Solde dû"),
        "a chosen language wins: {french}"
    );
    let (_, unknown_tongue) = page(url.clone(), "ja").await;
    assert!(unknown_tongue.contains("Balance due"));

    // A dead link's page is in the browser's language, the same for every token.
    let (status, dead) = page(format!("/p/{}", "1".repeat(64)), "nb-NO").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(dead.contains("Denne lenken åpnes ikke"), "{dead}");
}
on_both_backends!(pages_speak_the_chosen_the_customers_or_the_browsers_language => pages_speak_the_chosen_the_customers_or_the_browsers_language_sqlite, pages_speak_the_chosen_the_customers_or_the_browsers_language_postgres);

async fn a_long_statement_lists_its_open_invoices_a_hundred_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let payer = customer(org, "Langliste AS");
    let mut mutations = vec![upsert(1, &payer)];
    mutations.extend((0..101).map(|n| issue_numbered(n + 2, new_id(), &draft(&payer))));
    assert_applied(&owner.push(new_client(), mutations).await);
    let made = owner
        .post(
            &format!("/api/customers/{}/portal-links", payer.id),
            &json!({}),
        )
        .await;
    let made: Value = made.json().await.unwrap();
    let url = made["url"].as_str().unwrap();

    let (_, _, first) = open(&app, url).await;
    let first = text(&first);
    assert!(first.contains("INV-2026-000100") && !first.contains("INV-2026-000101"));
    assert!(first.contains("Page 1 of 2") && first.contains(r#"rel="next""#));
    let (_, _, second) = open(&app, &format!("{url}?page=2")).await;
    let second = text(&second);
    assert!(second.contains("INV-2026-000101") && !second.contains("INV-2026-000100<"));
    assert!(second.contains(r#"rel="prev""#) && !second.contains(r#"rel="next""#));
    let (_, _, beyond) = open(&app, &format!("{url}?page=99")).await;
    assert_eq!(text(&beyond), second, "a page past the end is the last");
}
on_both_backends!(a_long_statement_lists_its_open_invoices_a_hundred_a_page => a_long_statement_lists_its_open_invoices_a_hundred_a_page_sqlite, a_long_statement_lists_its_open_invoices_a_hundred_a_page_postgres);

async fn a_statement_link_downloads_statements_and_its_customers_receipts_only(backend: Backend) {
    let books = Books::new(backend).await;
    let nordlys_paid = payment(&books.nordlys, "50.00", "2026-11-20");
    let fjord_paid = payment(&books.fjord, "20.00", "2026-11-21");
    let reply = books
        .owner
        .push(
            new_client(),
            vec![pay(1, &nordlys_paid), pay(2, &fjord_paid)],
        )
        .await;
    assert_applied(&reply);
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let (_, invoice_url) = books
        .link(&books.nordlys, json!({"invoice_id": books.first}))
        .await;

    let (status, _, page) = open(&books.app, &url).await;
    assert_eq!(status, StatusCode::OK);
    let receipt = format!("/receipts/{}", nordlys_paid.id);
    assert!(
        text(&page).contains(&receipt),
        "the payment links its receipt"
    );
    let (status, headers, from_portal) = open(&books.app, &format!("{url}{receipt}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let workspace = books
        .owner
        .get(&format!("/api/payments/{}/receipt", nordlys_paid.id))
        .await;
    assert_eq!(
        from_portal,
        workspace.bytes().await.unwrap().to_vec(),
        "the kept receipt"
    );

    let today = books.app.clock().now().date_naive();
    let period = format!("from=2026-01-01&to={today}");
    let (status, _, statement) = open(&books.app, &format!("{url}/statement.pdf?{period}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(statement.starts_with(b"%PDF-"));
    let (_, _, not_found) = open(&books.app, &format!("/p/{}", "0".repeat(64))).await;
    for refused in [
        format!("{url}/receipts/{}", fjord_paid.id),
        format!("{invoice_url}{receipt}"),
        format!("{invoice_url}/statement.pdf"),
    ] {
        let (status, _, body) = open(&books.app, &refused).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, not_found.clone()),
            "{refused}"
        );
    }
    let (status, _, body) = open(
        &books.app,
        &format!("{url}/statement.pdf?from=2026-12-01&to=2026-11-01"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text(&body).contains("The period cannot be read"));
    let (status, _, _) = open(&books.app, &format!("{url}/statement.pdf?from=1.1.2026")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
on_both_backends!(a_statement_link_downloads_statements_and_its_customers_receipts_only => a_statement_link_downloads_statements_and_its_customers_receipts_only_sqlite, a_statement_link_downloads_statements_and_its_customers_receipts_only_postgres);

async fn the_portal_wears_the_organisations_colour_and_its_links_their_lifetime(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let (_, _, page) = open(&books.app, &url).await;
    assert!(text(&page).contains(&format!(r#"href="{url}/theme.css""#)));
    let (status, headers, css) = open(&books.app, &format!("{url}/theme.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.is_empty(), "Remit's own colours");

    let mut settings = remit_core::fixtures::settings_with_seller(
        books.org,
        "Acme GmbH",
        remit_core::fixtures::address("Hauptstraße 1", "10115", "Berlin", "DE"),
    );
    settings.version = 1;
    settings.brand_colour = Some("#0b5d3b".into());
    settings.portal_link_days = Some(7);
    let reply = books
        .owner
        .push(new_client(), vec![save_settings(1, &settings)])
        .await;
    assert_applied(&reply);
    let (_, _, css) = open(&books.app, &format!("{url}/theme.css")).await;
    assert_eq!(text(&css), ":root { --accent: #0b5d3b; }\n");
    let (status, _, _) = open(&books.app, &format!("/p/{}/theme.css", "0".repeat(64))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The organisation's links now live the week its settings say.
    books.link(&books.fjord, json!({})).await;
    let listed = books
        .owner
        .get(&format!("/api/customers/{}/portal-links", books.fjord.id))
        .await;
    let listed: Value = listed.json().await.unwrap();
    let day = |key: &str| {
        listed[0][key]
            .as_str()
            .unwrap()
            .parse::<chrono::NaiveDate>()
            .unwrap()
    };
    assert_eq!((day("expires_on") - day("created_on")).num_days(), 7);
}
on_both_backends!(the_portal_wears_the_organisations_colour_and_its_links_their_lifetime => the_portal_wears_the_organisations_colour_and_its_links_their_lifetime_sqlite, the_portal_wears_the_organisations_colour_and_its_links_their_lifetime_postgres);
