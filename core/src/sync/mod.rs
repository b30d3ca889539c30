//! The sync protocol between an offline-first client and the server (see `docs/sync.md`).
//!
//! - [`protocol`]: the messages on the wire (push, pull, patch).
//! - [`mutation`]: what a mutation may ask for, how its arguments are read and checked — the same code
//!   on both sides. The decisions on mutations are in [`crate::decide`].
//! - [`merge`]: resolving a draft two devices edited concurrently (keep mine, take theirs, line by line).
//! - [`client`]: the client's state machine: the outbox, push bookkeeping, and the rebase of local state
//!   over pulled changes.

pub mod client;
pub mod merge;
pub mod mutation;
pub mod protocol;

pub use client::{ClientSync, MAX_PUSH, PassedOver, PullPlan, PushOutcome};
pub use mutation::{Command, DraftHead, LocalEffect, MutationError, MutationErrorKind};
pub use protocol::{
    ACCEPTED_PROTOCOL_VERSIONS, Cookie, EntityKind, Mutation, MutationResult, MutationStatus,
    PROTOCOL_VERSION, PatchOp, PullProgress, PullRequest, PullResponse, PushRequest, PushResponse,
    Record, Turn,
};
