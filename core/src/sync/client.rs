//! The client's side of sync, as a state machine over plain data.
//!
//! The app owns the storage (an outbox of [`Mutation`]s, the local records, this [`ClientSync`] state);
//! this module decides what to send, what a reply means, and how pulled changes are rebased under the
//! mutations that are still pending, so that the user's offline work is never overwritten by a pull.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::document::issued::NumberSource;
use crate::ids::ClientId;
use crate::sync::mutation::Command;
use crate::sync::protocol::{
    Cookie, EntityKind, Mutation, MutationResult, MutationStatus, PROTOCOL_VERSION, PatchOp,
    PullRequest, PullResponse, PushRequest, PushResponse, Record,
};

/// The most mutations a client sends in one push ([`ClientSync::push_request`]'s `max` in the app). The
/// server has no such count: it applies whatever one push holds, in one transaction, and limits only the
/// request's size in bytes. A bounded batch keeps that transaction, and the reply a device waits for,
/// short.
pub const MAX_PUSH: usize = 100;

/// The sync bookkeeping a client persists beside its outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSync {
    pub client_id: ClientId,
    /// The id the next recorded mutation gets.
    pub next_mutation_id: u64,
    /// The highest of this client's mutation ids the server has processed.
    pub last_mutation_id: u64,
    /// Where the next pull starts; `None` before the first one.
    pub cookie: Option<Cookie>,
    /// Changes a pull passed over because a pending mutation changes their record (`kept_local`).
    #[serde(default)]
    pub passed_over: Option<PassedOver>,
}

/// Changes passed over by pulls, to pull again once the mutations then pending are processed: a mutation
/// may apply without a change of its own (a payment another device had already recorded, an invoice
/// another device had already voided), and then nothing later brings the server's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassedOver {
    /// The pull position just before the first change passed over.
    pub from: Cookie,
    /// The highest mutation id pending when they were passed over.
    pub until: u64,
}

/// What a push reply means for the outbox.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PushOutcome {
    /// Outbox entries the server has processed: remove them.
    pub done: Vec<u64>,
    /// Mutations refused for their input or authority: show them to the user; nothing changed on the server.
    pub rejected: Vec<MutationResult>,
    /// Draft edits that lost a race with another device: keep the local copy for the user to resolve.
    pub conflicts: Vec<MutationResult>,
    /// Records the device made up for a refused mutation (the invoice it issued offline under a leased
    /// number): the server never had them, so no pull would ever remove them. Delete them locally.
    pub discard: Vec<(EntityKind, Uuid)>,
    /// The server processed fewer mutations than were sent (a gap, or a page limit): push again.
    pub push_again: bool,
}

/// What a pull reply means for the local records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PullPlan {
    /// Records to store as the server has them.
    pub put: Vec<Record>,
    /// Records to delete locally.
    pub delete: Vec<(EntityKind, Uuid)>,
    /// Records the server changed that a pending local mutation also changes: the local copy stays
    /// (the pending mutation is replayed over the server's state when it is pushed), and the change is
    /// pulled again once the mutation is processed ([`ClientSync::passed_over`]).
    pub kept_local: Vec<(EntityKind, Uuid)>,
    /// Outbox entries the server has processed: remove them.
    pub done: Vec<u64>,
    /// Pull again at once: more pages wait.
    pub more: bool,
}

impl ClientSync {
    pub fn new(client_id: ClientId) -> Self {
        Self {
            client_id,
            next_mutation_id: 1,
            last_mutation_id: 0,
            cookie: None,
            passed_over: None,
        }
    }

    /// Records a command as the next mutation of this client. The caller stores the returned mutation in
    /// the outbox in the same transaction as the local effect and this state.
    pub fn record(&mut self, command: &Command) -> Mutation {
        let mutation = command.to_mutation(self.next_mutation_id);
        self.next_mutation_id += 1;
        mutation
    }

    /// The next push: pending mutations in id order, at most `max` of them; `None` when nothing waits.
    pub fn push_request(&self, outbox: &[Mutation], max: usize) -> Option<PushRequest> {
        let mut pending: Vec<Mutation> = outbox
            .iter()
            .filter(|m| m.id > self.last_mutation_id)
            .cloned()
            .collect();
        pending.sort_by_key(|m| m.id);
        pending.truncate(max);
        (!pending.is_empty()).then_some(PushRequest {
            protocol_version: PROTOCOL_VERSION,
            client_id: self.client_id,
            mutations: pending,
        })
    }

    /// Takes in a push reply for `sent`.
    ///
    /// A refused mutation (conflict or rejection) changed nothing on the server, but its effect is in the
    /// local records, and the server's copy of its record may be gone for good: a pull that came while
    /// the mutation was pending passed over it (`kept_local`), and no later change need ever bring it
    /// back. So after a refusal the next pull starts over from the beginning, which leaves every record
    /// that no pending mutation changes as the server has it.
    pub fn on_push(&mut self, sent: &PushRequest, reply: &PushResponse) -> PushOutcome {
        self.last_mutation_id = self.last_mutation_id.max(reply.last_mutation_id);
        let mut outcome = PushOutcome {
            done: sent
                .mutations
                .iter()
                .map(|m| m.id)
                .filter(|id| *id <= self.last_mutation_id)
                .collect(),
            ..PushOutcome::default()
        };
        for result in &reply.results {
            match result.status {
                MutationStatus::Applied => continue,
                MutationStatus::Rejected => outcome.rejected.push(result.clone()),
                MutationStatus::Conflict => outcome.conflicts.push(result.clone()),
                MutationStatus::OutOfOrder => {
                    outcome.push_again = true;
                    continue;
                }
            }
            let command = sent
                .mutations
                .iter()
                .find(|m| m.id == result.id)
                .and_then(|m| Command::decode(m).ok());
            if let Some(Command::IssueInvoice(issue)) = command
                && matches!(issue.number, NumberSource::Leased { .. })
            {
                outcome
                    .discard
                    .push((EntityKind::Invoice, issue.invoice_id.as_uuid()));
            }
        }
        if !outcome.rejected.is_empty() || !outcome.conflicts.is_empty() {
            self.cookie = None;
        }
        let last_sent = sent.mutations.iter().map(|m| m.id).max().unwrap_or(0);
        outcome.push_again |= self.last_mutation_id < last_sent;
        self.pull_passed_over_again();
        outcome
    }

    /// Once the mutations pending when a pull passed over changes are processed, moves the pull
    /// position back to just before the first of them. Returns whether it moved.
    fn pull_passed_over_again(&mut self) -> bool {
        match self.passed_over {
            Some(p) if p.until <= self.last_mutation_id => {
                self.passed_over = None;
                self.cookie = self.cookie.map(|c| c.min(p.from));
                true
            }
            _ => false,
        }
    }

    pub fn pull_request(&self) -> PullRequest {
        PullRequest {
            client_id: self.client_id,
            cookie: self.cookie,
        }
    }

    /// The records that mutations of `outbox` the server has not processed yet change: a pull keeps
    /// their local copies, and screens mark them as waiting to sync.
    pub fn pending_targets(&self, outbox: &[Mutation]) -> BTreeSet<(EntityKind, Uuid)> {
        outbox
            .iter()
            .filter(|m| m.id > self.last_mutation_id)
            .filter_map(|m| Command::decode(m).ok())
            .map(|c| c.target())
            .collect()
    }

    /// Takes in a pull reply, given the outbox as it is now.
    pub fn on_pull(&mut self, reply: PullResponse, outbox: &[Mutation]) -> PullPlan {
        self.last_mutation_id = self.last_mutation_id.max(reply.last_mutation_id);
        self.cookie = Some(reply.cookie);
        // The last mutation still pending: once it is processed, what this pull passed over for it is
        // pulled again.
        let until = outbox
            .iter()
            .map(|m| m.id)
            .filter(|id| *id > self.last_mutation_id)
            .max()
            .unwrap_or(0);
        let pending = self.pending_targets(outbox);
        let mut plan = PullPlan {
            done: outbox
                .iter()
                .map(|m| m.id)
                .filter(|id| *id <= self.last_mutation_id)
                .collect(),
            more: reply.more,
            ..PullPlan::default()
        };
        for op in reply.patch {
            let target = op.target();
            // Later ops on the same record supersede earlier ones in this page.
            plan.put.retain(|r| (r.kind(), r.id()) != target);
            plan.delete.retain(|t| *t != target);
            if pending.contains(&target) {
                if !plan.kept_local.contains(&target) {
                    plan.kept_local.push(target);
                }
                let from = Cookie(op.change() - 1);
                self.passed_over = Some(match self.passed_over {
                    Some(p) => PassedOver {
                        from: p.from.min(from),
                        until: p.until.max(until),
                    },
                    None => PassedOver { from, until },
                });
                continue;
            }
            match op {
                PatchOp::Put { record, .. } => plan.put.push(record),
                PatchOp::Del { entity, id, .. } => plan.delete.push((entity, id)),
            }
        }
        plan.more |= self.pull_passed_over_again();
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Customer;
    use crate::ids::{CustomerId, OrganisationId};
    use crate::money::Currency;

    fn client() -> ClientId {
        ClientId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap()
    }

    fn customer(n: u8, name: &str) -> Customer {
        Customer {
            id: CustomerId::parse(&format!("019a4d5e-0000-7000-8000-0000000001{n:02x}")).unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            name: name.into(),
            email: String::new(),
            currency: Currency::parse("EUR").unwrap(),
            payment_terms_days: 14,
            tax_id: String::new(),
            address: Default::default(),
            language: None,
        }
    }

    fn applied(id: u64) -> MutationResult {
        MutationResult {
            id,
            status: MutationStatus::Applied,
            error: None,
        }
    }

    #[test]
    fn mutations_get_consecutive_ids_and_are_pushed_in_order() {
        let mut sync = ClientSync::new(client());
        let outbox: Vec<_> = (0..5)
            .map(|n| sync.record(&Command::UpsertCustomer(customer(n, "A"))))
            .rev()
            .collect();
        let push = sync.push_request(&outbox, 3).unwrap();
        assert_eq!(
            push.mutations.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(push.protocol_version, PROTOCOL_VERSION);
    }

    #[test]
    fn a_processed_mutation_leaves_the_outbox_whatever_its_status() {
        let mut sync = ClientSync::new(client());
        let outbox: Vec<_> = (0..3)
            .map(|n| sync.record(&Command::UpsertCustomer(customer(n, "A"))))
            .collect();
        let push = sync.push_request(&outbox, 10).unwrap();
        let rejected = MutationResult {
            id: 2,
            status: MutationStatus::Rejected,
            error: None,
        };
        let outcome = sync.on_push(
            &push,
            &PushResponse {
                last_mutation_id: 3,
                results: vec![applied(1), rejected.clone(), applied(3)],
            },
        );
        assert_eq!(outcome.done, vec![1, 2, 3]);
        assert_eq!(outcome.rejected, vec![rejected]);
        assert!(!outcome.push_again);
        assert_eq!(sync.push_request(&outbox, 10), None);
    }

    #[test]
    fn a_short_reply_means_push_again_from_where_the_server_stopped() {
        let mut sync = ClientSync::new(client());
        let outbox: Vec<_> = (0..3)
            .map(|n| sync.record(&Command::UpsertCustomer(customer(n, "A"))))
            .collect();
        let push = sync.push_request(&outbox, 10).unwrap();
        let outcome = sync.on_push(
            &push,
            &PushResponse {
                last_mutation_id: 1,
                results: vec![applied(1)],
            },
        );
        assert_eq!(outcome.done, vec![1]);
        assert!(outcome.push_again);
        assert_eq!(sync.push_request(&outbox, 10).unwrap().mutations[0].id, 2);
    }

    #[test]
    fn a_pull_never_overwrites_a_record_with_a_pending_local_change() {
        let mut sync = ClientSync::new(client());
        let mine = customer(1, "Mine");
        let outbox = vec![sync.record(&Command::UpsertCustomer(mine.clone()))];
        let theirs = customer(1, "Theirs");
        let other = customer(2, "Other");
        let plan = sync.on_pull(
            PullResponse {
                cookie: Cookie(9),
                last_mutation_id: 0,
                patch: vec![
                    PatchOp::Put {
                        change: 8,
                        record: Record::Customer(theirs),
                    },
                    PatchOp::Put {
                        change: 9,
                        record: Record::Customer(other.clone()),
                    },
                ],
                more: false,
                head: None,
            },
            &outbox,
        );
        assert_eq!(plan.put, vec![Record::Customer(other)]);
        assert_eq!(
            plan.kept_local,
            vec![(EntityKind::Customer, mine.id.as_uuid())]
        );
        assert!(plan.done.is_empty());
        assert_eq!(sync.pull_request().cookie, Some(Cookie(9)));
    }

    #[test]
    fn a_pull_that_reflects_a_mutation_confirms_it() {
        let mut sync = ClientSync::new(client());
        let mine = customer(1, "Mine");
        let outbox = vec![sync.record(&Command::UpsertCustomer(mine.clone()))];
        let plan = sync.on_pull(
            PullResponse {
                cookie: Cookie(3),
                last_mutation_id: 1,
                patch: vec![PatchOp::Put {
                    change: 3,
                    record: Record::Customer(mine.clone()),
                }],
                more: true,
                head: None,
            },
            &outbox,
        );
        assert_eq!(plan.put, vec![Record::Customer(mine)]);
        assert_eq!(plan.done, vec![1]);
        assert!(plan.more);
    }

    #[test]
    fn a_refused_mutation_brings_back_the_servers_copy_with_the_next_pull() {
        for status in [MutationStatus::Conflict, MutationStatus::Rejected] {
            let mut sync = ClientSync::new(client());
            let outbox = vec![sync.record(&Command::UpsertCustomer(customer(1, "Mine")))];
            // Another device's change arrives while the edit is pending: the pull passes over it.
            let plan = sync.on_pull(
                PullResponse {
                    cookie: Cookie(5),
                    last_mutation_id: 0,
                    patch: vec![PatchOp::Put {
                        change: 5,
                        record: Record::Customer(customer(1, "Theirs")),
                    }],
                    more: false,
                    head: None,
                },
                &outbox,
            );
            assert!(plan.put.is_empty());
            let push = sync.push_request(&outbox, 10).unwrap();
            let outcome = sync.on_push(
                &push,
                &PushResponse {
                    last_mutation_id: 1,
                    results: vec![MutationResult {
                        id: 1,
                        status,
                        error: None,
                    }],
                },
            );
            assert_eq!(outcome.done, vec![1]);
            // The edit never reached the server, and no later change will bring the server's copy
            // back: the next pull starts over.
            assert_eq!(sync.pull_request().cookie, None, "{status:?}");
        }
    }

    /// Another device's change to `c` at change 5.
    fn theirs_at_5(last_mutation_id: u64, cookie: u64) -> PullResponse {
        PullResponse {
            cookie: Cookie(cookie),
            last_mutation_id,
            patch: vec![PatchOp::Put {
                change: 5,
                record: Record::Customer(customer(1, "Theirs")),
            }],
            more: false,
            head: None,
        }
    }

    #[test]
    fn a_change_passed_over_is_pulled_again_once_its_mutation_is_processed() {
        let mut sync = ClientSync::new(client());
        sync.cookie = Some(Cookie(2));
        let outbox = vec![sync.record(&Command::UpsertCustomer(customer(1, "Mine")))];
        // Another device's change arrives while the mutation is pending: the pull passes over it.
        assert!(sync.on_pull(theirs_at_5(0, 6), &outbox).put.is_empty());
        assert_eq!(sync.pull_request().cookie, Some(Cookie(6)));
        let push = sync.push_request(&outbox, 10).unwrap();
        sync.on_push(
            &push,
            &PushResponse {
                last_mutation_id: 1,
                results: vec![applied(1)],
            },
        );
        // The server may apply a mutation without a change of its own (a payment another device had
        // recorded already), so nothing later need bring the passed-over change back: the next pull
        // starts again just before it.
        assert_eq!(sync.pull_request().cookie, Some(Cookie(4)));
        let plan = sync.on_pull(theirs_at_5(1, 6), &outbox);
        assert_eq!(plan.put, vec![Record::Customer(customer(1, "Theirs"))]);
        assert!(!plan.more);
        assert_eq!(sync.pull_request().cookie, Some(Cookie(6)));
    }

    #[test]
    fn a_pull_that_reports_the_mutation_processed_pulls_the_passed_over_change_again() {
        let mut sync = ClientSync::new(client());
        let outbox = vec![sync.record(&Command::UpsertCustomer(customer(1, "Mine")))];
        sync.on_pull(theirs_at_5(0, 6), &outbox);
        // The push's reply was lost; a pull tells that the server processed the mutation.
        let plan = sync.on_pull(
            PullResponse {
                cookie: Cookie(7),
                last_mutation_id: 1,
                patch: Vec::new(),
                more: false,
                head: None,
            },
            &outbox,
        );
        assert_eq!(plan.done, vec![1]);
        assert!(plan.more, "pull again at once");
        assert_eq!(sync.pull_request().cookie, Some(Cookie(4)));
    }

    #[test]
    fn an_applied_push_keeps_the_pull_position() {
        let mut sync = ClientSync::new(client());
        sync.cookie = Some(Cookie(4));
        let outbox = vec![sync.record(&Command::UpsertCustomer(customer(1, "Mine")))];
        let push = sync.push_request(&outbox, 10).unwrap();
        sync.on_push(
            &push,
            &PushResponse {
                last_mutation_id: 1,
                results: vec![applied(1)],
            },
        );
        assert_eq!(sync.pull_request().cookie, Some(Cookie(4)));
    }

    #[test]
    fn the_last_op_on_a_record_in_a_page_wins() {
        let mut sync = ClientSync::new(client());
        let c = customer(1, "v1");
        let plan = sync.on_pull(
            PullResponse {
                cookie: Cookie(2),
                last_mutation_id: 0,
                patch: vec![
                    PatchOp::Put {
                        change: 1,
                        record: Record::Customer(c.clone()),
                    },
                    PatchOp::Del {
                        change: 2,
                        entity: EntityKind::Customer,
                        id: c.id.as_uuid(),
                    },
                ],
                more: false,
                head: None,
            },
            &[],
        );
        assert!(plan.put.is_empty());
        assert_eq!(plan.delete, vec![(EntityKind::Customer, c.id.as_uuid())]);
    }

    #[test]
    fn a_refused_offline_issue_leaves_no_invoice_behind_and_pending_records_are_named() {
        use crate::document::issued::IssueInvoice;
        use crate::fixtures;
        use crate::ids::{InvoiceId, LeaseId};
        use crate::numbering::InvoiceNumber;

        let issue = |n: u8, number: NumberSource| IssueInvoice {
            invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000000f{n}"))
                .unwrap(),
            draft: fixtures::draft("EUR", vec![]),
            number,
        };
        let leased = issue(
            1,
            NumberSource::Leased {
                lease_id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
                number: InvoiceNumber::parse("INV-L1-000001").unwrap(),
            },
        );
        let by_server = issue(2, NumberSource::Server);
        let mut sync = ClientSync::new(client());
        let outbox = vec![
            sync.record(&Command::IssueInvoice(leased.clone())),
            sync.record(&Command::IssueInvoice(by_server.clone())),
        ];
        let invoice = |i: &IssueInvoice| (EntityKind::Invoice, i.invoice_id.as_uuid());
        assert_eq!(
            sync.pending_targets(&outbox),
            BTreeSet::from([invoice(&leased), invoice(&by_server)])
        );
        let push = sync.push_request(&outbox, 10).unwrap();
        let refused = |id| MutationResult {
            id,
            status: MutationStatus::Rejected,
            error: None,
        };
        let outcome = sync.on_push(
            &push,
            &PushResponse {
                last_mutation_id: 2,
                results: vec![refused(1), refused(2)],
            },
        );
        // Only the leased issue stored an invoice of its own; a server-numbered one never did.
        assert_eq!(outcome.discard, vec![invoice(&leased)]);
        assert!(sync.pending_targets(&outbox).is_empty());
    }
}
