//! `docs/sync.md` is the protocol's contract: every mutation this build knows has an example there, and
//! every example decodes and passes the server's checks for an owner of its organisation.

use remit_core::ids::OrganisationId;
use remit_core::organisation::Role;
use remit_core::sync::{Command, Mutation};

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sync.md"));

/// The JSON blocks of the page that are mutations (they have a `name` and `args`).
fn examples() -> Vec<Mutation> {
    DOC.split("```json")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .filter_map(|json| serde_json::from_str::<Mutation>(json).ok())
        .collect()
}

#[test]
fn every_mutation_has_an_example_that_the_server_accepts() {
    let org = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
    let examples = examples();
    for name in Command::NAMES {
        assert!(
            examples.iter().any(|m| m.name == *name),
            "docs/sync.md has no example of {name}"
        );
    }
    for example in &examples {
        let command = Command::decode(example)
            .unwrap_or_else(|e| panic!("the example of {} does not decode: {e}", example.name));
        command
            .check(org, Role::Owner)
            .unwrap_or_else(|e| panic!("the example of {} is refused: {e}", example.name));
        assert_eq!(command.to_mutation(example.id).name, example.name);
    }
}
