//! The tagged and flattened types that read their JSON by hand (`core/src/wire.rs`) read exactly what
//! they write: every variant decodes from its wire form and encodes back to the same bytes, whatever the
//! order of the fields it was read in (PostgreSQL's `jsonb` sorts them).

use remit_core::document::en16931::PayableRounding;
use remit_core::document::issue::CreditScope;
use remit_core::document::issued::NumberSource;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::dispute::Dispute;
use remit_core::receivables::exception::{ExceptionItem, ExceptionKind};
use remit_core::receivables::payment::Payment;
use remit_core::sync::{Command, EntityKind, Mutation, PatchOp, Record};
use remit_core::terms::PaymentTerms;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One record of every kind (and both shapes of a payment and a dispute), as the server sends them:
/// written by this build's `Serialize`, which the hand-written readers did not change.
const RECORDS: &str = include_str!("wire-records.jsonl");

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sync.md"));

/// `value` as JSON text with every object's keys in reverse order.
fn reversed(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), reversed(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(reversed).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Every example decodes as a `T` and encodes back to exactly its text, and decodes to the same value
/// with its fields in reverse order.
fn round_trips<T: Serialize + DeserializeOwned + std::fmt::Debug + PartialEq>(examples: &[&str]) {
    assert!(!examples.is_empty());
    for json in examples {
        let value: T =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} does not decode: {e}"));
        assert_eq!(serde_json::to_string(&value).unwrap(), *json);
        let backwards = reversed(&serde_json::from_str(json).unwrap());
        let again: T = serde_json::from_str(&backwards)
            .unwrap_or_else(|e| panic!("{backwards} does not decode: {e}"));
        assert_eq!(again, value, "{backwards}");
    }
}

/// Each input decodes as a `T` that encodes as its canonical form.
fn reads_as<T: Serialize + DeserializeOwned + std::fmt::Debug>(cases: &[(&str, &str)]) {
    for (input, canonical) in cases {
        let value: T =
            serde_json::from_str(input).unwrap_or_else(|e| panic!("{input} does not decode: {e}"));
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            *canonical,
            "{input}"
        );
    }
}

/// Each input is refused with an error that contains the expected text.
fn refuses<T: DeserializeOwned + std::fmt::Debug>(cases: &[(&str, &str)]) {
    for (input, expected) in cases {
        let e = serde_json::from_str::<T>(input).expect_err(input);
        assert!(e.to_string().contains(expected), "{input}: {e}");
    }
}

fn records() -> Vec<&'static str> {
    RECORDS.lines().filter(|l| !l.is_empty()).collect()
}

#[test]
fn every_kind_of_record_reads_what_it_writes() {
    let records = records();
    round_trips::<Record>(&records);
    for kind in EntityKind::ALL {
        assert!(
            records
                .iter()
                .any(|r| serde_json::from_str::<Record>(r).unwrap().kind() == kind),
            "wire-records.jsonl has no {}",
            kind.name()
        );
    }
}

#[test]
fn a_patch_reads_what_it_writes() {
    let puts: Vec<String> = records()
        .iter()
        .enumerate()
        .map(|(i, r)| format!(r#"{{"op":"put","change":{},"record":{r}}}"#, i + 1))
        .collect();
    let mut examples: Vec<&str> = puts.iter().map(String::as_str).collect();
    examples.push(
        r#"{"op":"del","change":43,"entity":"invoice_draft","id":"019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f"}"#,
    );
    round_trips::<PatchOp>(&examples);
}

#[test]
fn the_records_flattened_parts_read_what_they_write() {
    // A record line is `{"entity":"<kind>","value":<value>}`: the values, as written.
    let of = |entity: &str| -> Vec<&'static str> {
        let head = format!(r#"{{"entity":"{entity}","value":"#);
        records()
            .into_iter()
            .filter_map(|r| r.strip_prefix(head.as_str())?.strip_suffix('}'))
            .collect()
    };
    round_trips::<Payment>(&of("payment"));
    round_trips::<Dispute>(&of("dispute"));
}

const ORG: &str = "019a4d5e-0000-7000-8000-000000000001";
const INVOICE: &str = "019a4d5e-0000-7000-8000-0000000000f1";
const PAYMENT: &str = "019a4d5e-0000-7000-8000-0000000000b1";

#[test]
fn every_exception_kind_reads_what_it_writes() {
    let kinds = [
        format!(
            r#"{{"kind":"issued_in_closed_period","invoice_id":"{INVOICE}","number":"INV-2026-000001","issue_date":"2026-11-23","locked_until":"2026-11-30"}}"#
        ),
        format!(
            r#"{{"kind":"issue_date_out_of_order","invoice_id":"{INVOICE}","number":"INV-2026-000002","issue_date":"2026-11-20","last_date":"2026-11-23"}}"#
        ),
        format!(
            r#"{{"kind":"draft_issued_twice","draft_id":"{INVOICE}","numbers":["INV-2026-000001","L7-2026-000001"]}}"#
        ),
        format!(
            r#"{{"kind":"draft_changed_elsewhere","invoice_id":"{INVOICE}","number":"L7-2026-000001"}}"#
        ),
        format!(
            r#"{{"kind":"payment_for_voided_invoice","payment_id":"{PAYMENT}","invoice_id":"{INVOICE}"}}"#
        ),
        format!(
            r#"{{"kind":"overpayment","payment_id":"{PAYMENT}","unapplied":{{"amount":"12.50","currency":"NOK"}}}}"#
        ),
        format!(
            r#"{{"kind":"payment_in_closed_period","payment_id":"{PAYMENT}","received_on":"2026-11-02","locked_until":"2026-11-30"}}"#
        ),
        r#"{"kind":"refund_exceeds_credit","refund_id":"019a4d5e-0000-7000-8000-0000000000d1","excess":{"amount":"50.00","currency":"NOK"}}"#.to_owned(),
        r#"{"kind":"refund_refused_by_gateway","refund_id":"019a4d5e-0000-7000-8000-0000000000d1","amount":{"amount":"50.00","currency":"NOK"},"reason":"expired_or_canceled_card"}"#.to_owned(),
        format!(
            r#"{{"kind":"not_an_e_invoice","invoice_id":"{INVOICE}","number":"L7-2026-000002","problem":"customer.tax_id must be given (BR-AE-02)"}}"#
        ),
    ];
    round_trips::<ExceptionKind>(&kinds.iter().map(String::as_str).collect::<Vec<_>>());

    // An exception item carries its kind's fields among its own (flattened), with and without a
    // customer and a resolution.
    let items: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let kind_fields = &kind[1..kind.len() - 1];
            let (customer, resolution) = if i % 2 == 0 {
                (format!(r#""{PAYMENT}""#), "null".to_owned())
            } else {
                (
                    "null".to_owned(),
                    r#"{"remedy":"credit_note","note":"Credited","resolved_by":"019a4d5e-0000-7000-8000-0000000000a1"}"#
                        .to_owned(),
                )
            };
            format!(
                r#"{{"id":"019a4d5e-0000-7000-8000-00000000009{i}","organisation_id":"{ORG}","customer_id":{customer},{kind_fields},"message":"m{i}","resolution":{resolution}}}"#
            )
        })
        .collect();
    round_trips::<ExceptionItem>(&items.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn every_variant_of_the_small_tagged_types_reads_what_it_writes() {
    round_trips::<PaymentTerms>(&[
        r#"{"kind":"due_on_receipt"}"#,
        r#"{"kind":"net","days":30}"#,
        r#"{"kind":"net_end_of_month","days":30}"#,
        r#"{"kind":"end_of_following_month"}"#,
        r#"{"kind":"day_of_next_month","day":15}"#,
    ]);
    round_trips::<PayableRounding>(&[
        r#"{"kind":"none"}"#,
        r#"{"kind":"to_increment","value":"0.05"}"#,
        r#"{"kind":"stated","value":"-0.02"}"#,
    ]);
    round_trips::<CreditScope>(&[
        r#"{"kind":"full"}"#,
        r#"{"kind":"lines","lines":[[0,"1"],[2,"0.5"]]}"#,
    ]);
    round_trips::<NumberSource>(&[
        r#"{"kind":"server"}"#,
        r#"{"kind":"leased","lease_id":"019a4d5e-0000-7000-8000-0000000000a1","number":"L7-2026-000003"}"#,
    ]);
    round_trips::<Instruction>(&[
        r#"{"kind":"oldest_due_first"}"#,
        &format!(r#"{{"kind":"named","invoices":["{INVOICE}","{PAYMENT}"]}}"#),
    ]);
}

#[test]
fn what_serde_accepted_besides_the_canonical_form_is_still_accepted() {
    // A unit variant's content may be present as null; fields a type does not know are ignored.
    reads_as::<PayableRounding>(&[(r#"{"value":null,"kind":"none"}"#, r#"{"kind":"none"}"#)]);
    reads_as::<CreditScope>(&[(r#"{"kind":"full","lines":null}"#, r#"{"kind":"full"}"#)]);
    reads_as::<Instruction>(&[(
        r#"{"kind":"oldest_due_first","invoices":null}"#,
        r#"{"kind":"oldest_due_first"}"#,
    )]);
    reads_as::<NumberSource>(&[(
        r#"{"kind":"server","lease_id":null,"note":"x"}"#,
        r#"{"kind":"server"}"#,
    )]);
    reads_as::<PaymentTerms>(&[(
        r#"{"days":30,"kind":"net","later":true}"#,
        r#"{"kind":"net","days":30}"#,
    )]);
}

#[test]
fn a_bad_tag_or_a_missing_field_is_refused_by_name() {
    refuses::<PaymentTerms>(&[
        (r#"{"days":30}"#, "missing field `kind`"),
        (r#"{"kind":"net"}"#, "missing field `days`"),
        (r#"{"kind":"net_60"}"#, "unknown variant `net_60`"),
        (r#"{"kind":"net","days":-1}"#, "invalid value"),
        (r#""net""#, "invalid type"),
    ]);
    refuses::<PayableRounding>(&[
        (r#"{"kind":"stated"}"#, "missing field `value`"),
        (r#"{"kind":"none","value":"0.05"}"#, "invalid type"),
    ]);
    refuses::<CreditScope>(&[(r#"{"kind":"some"}"#, "unknown variant `some`")]);
    refuses::<NumberSource>(&[(
        r#"{"kind":"leased","number":"L7-1"}"#,
        "missing field `lease_id`",
    )]);
    refuses::<Instruction>(&[(r#"{"invoices":[]}"#, "missing field `kind`")]);
    refuses::<Record>(&[
        (
            r#"{"entity":"order","value":{}}"#,
            "unknown variant `order`",
        ),
        (r#"{"entity":"customer"}"#, "missing field `value`"),
        (r#"{"value":{}}"#, "missing field `entity`"),
    ]);
    refuses::<PatchOp>(&[
        (r#"{"op":"upsert","change":1}"#, "unknown variant `upsert`"),
        (
            r#"{"op":"del","change":1,"entity":"customer"}"#,
            "missing field `id`",
        ),
    ]);
    refuses::<Payment>(&[(
        r#"{"allocation":{"lines":[],"unapplied":null}}"#,
        "invalid type",
    )]);
    refuses::<Dispute>(&[(r#"{"resolution":null}"#, "missing field `customer_id`")]);
}

/// The JSON blocks of docs/sync.md that are mutations.
fn examples() -> Vec<Mutation> {
    DOC.split("```json")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .filter_map(|json| serde_json::from_str::<Mutation>(json).ok())
        .collect()
}

/// Every field of `written` is in `read` with the same value (`read` may add fields a writer left to
/// their defaults).
fn keeps(read: &Value, written: &Value) -> bool {
    match (read, written) {
        (Value::Object(read), Value::Object(written)) => written
            .iter()
            .all(|(k, w)| read.get(k).is_some_and(|r| keeps(r, w))),
        (Value::Array(read), Value::Array(written)) => {
            read.len() == written.len() && read.iter().zip(written).all(|(r, w)| keeps(r, w))
        }
        (read, written) => read == written,
    }
}

#[test]
fn every_mutation_example_of_the_protocol_page_reads_back_as_written() {
    let examples = examples();
    assert!(!examples.is_empty());
    for example in examples {
        let command = Command::decode(&example)
            .unwrap_or_else(|e| panic!("the example of {} does not decode: {e}", example.name));
        let again = command.to_mutation(example.id);
        assert!(
            keeps(&again.args, &example.args),
            "{}: {} reads back as {}",
            example.name,
            example.args,
            again.args
        );
        assert_eq!(
            Command::decode(&again).unwrap(),
            command,
            "{}",
            example.name
        );
    }
}

#[test]
fn every_pulled_record_example_of_the_protocol_page_reads() {
    let patches: Vec<&str> = DOC
        .split("```json")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .filter(|json| json.trim_start().starts_with(r#"{ "op""#))
        .collect();
    assert!(patches.len() > 5, "{patches:?}");
    for json in patches {
        let op: PatchOp =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} does not decode: {e}"));
        let again: Value = serde_json::to_value(&op).unwrap();
        assert!(
            keeps(&again, &serde_json::from_str(json).unwrap()),
            "{json} reads back as {again}"
        );
    }
}
