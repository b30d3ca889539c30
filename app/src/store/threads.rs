//! Customers' questions and disputes on this device: the server's `thread` and `thread_message`
//! records, and what this device sent about them that the server has not answered yet (`thread.reply`
//! and `thread.resolve` wait in the outbox; their local effect is nothing, so they are read from there,
//! as payments and credit notes are). Each read takes the records and the outbox in one transaction, so
//! a reply is never shown twice nor missed while a sync reply lands. Which threads the inbox shows and
//! in which order is core's ([`InboxFilter`], [`inbox_order`]).

use chrono::NaiveDate;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use remit_core::ids::ThreadId;
use remit_core::receivables::thread::{
    InboxFilter, ReplyToThread, ResolveThread, Thread, ThreadMessage, ThreadState, inbox_order,
};
use remit_core::sync::{Command, EntityKind, Mutation};
use wasm_bindgen::JsValue;

use super::outbox::read_outbox;
use super::records::decode;
use super::schema::{BY_STATE, BY_THREAD, OUTBOX, store_of};
use super::{Store, StoreResult};

fn threads() -> &'static str {
    store_of(EntityKind::Thread)
}

fn messages() -> &'static str {
    store_of(EntityKind::ThreadMessage)
}

/// What this device sent about threads that the server has not answered yet.
#[derive(Debug, Clone, PartialEq, Default)]
struct Sent {
    replies: Vec<ReplyToThread>,
    resolutions: Vec<ResolveThread>,
}

impl Sent {
    fn of(outbox: &[Mutation]) -> Self {
        let mut sent = Sent::default();
        for mutation in outbox {
            match Command::decode(mutation) {
                Ok(Command::ReplyToThread(reply)) => sent.replies.push(reply),
                Ok(Command::ResolveThread(resolve)) => sent.resolutions.push(resolve),
                _ => {}
            }
        }
        sent
    }

    /// Whether a reply or a resolution of `thread` waits to sync: the user has answered it here.
    fn answers(&self, thread: ThreadId) -> bool {
        self.replies.iter().any(|r| r.thread_id == thread)
            || self.resolutions.iter().any(|r| r.id == thread)
    }
}

/// One row of the inbox: the thread as the server last sent it, and whether this device has answered
/// it since (a reply or resolution waits to sync).
#[derive(Debug, Clone, PartialEq)]
pub struct InboxEntry {
    pub thread: Thread,
    pub answered_here: bool,
}

/// A message of a thread: the server's, or a reply written here that waits to sync.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Recorded(ThreadMessage),
    Pending(ReplyToThread),
}

impl Message {
    fn order_key(&self) -> (i64, uuid::Uuid) {
        match self {
            Message::Recorded(m) => (m.written_at_ms, m.id.as_uuid()),
            Message::Pending(r) => (r.written_at_ms, r.id.as_uuid()),
        }
    }
}

/// One thread with its messages, oldest first, and a resolution sent from here that waits to sync.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadWithMessages {
    pub thread: Thread,
    pub messages: Vec<Message>,
    pub pending_resolution: Option<ResolveThread>,
}

/// The threads of `state` in `tx`, through the `by_state` index.
async fn threads_in(tx: &Transaction<'_>, state: ThreadState) -> StoreResult<Vec<Thread>> {
    let store = tx.object_store(threads())?;
    let rows = store
        .index(BY_STATE)?
        .get_all::<JsValue>()
        .with_query(state.name())
        .await?;
    rows.map(|row| decode(&store, &row?)).collect()
}

impl Store {
    /// The threads `filter` shows as of `today`, in core's inbox order. Resolved threads are read
    /// only when the filter asks for them: the open ones come through the `by_state` index.
    pub async fn inbox(
        &self,
        filter: InboxFilter,
        today: NaiveDate,
    ) -> StoreResult<Vec<InboxEntry>> {
        let tx = self.read(&[threads(), OUTBOX])?;
        let states = match filter.state {
            Some(state) => vec![state],
            None => vec![ThreadState::Waiting, ThreadState::Answered],
        };
        let mut shown = Vec::new();
        for state in states {
            shown.extend(
                threads_in(&tx, state)
                    .await?
                    .into_iter()
                    .filter(|t| filter.shows(t, today)),
            );
        }
        inbox_order(&mut shown);
        let sent = Sent::of(&read_outbox(&tx).await?);
        Ok(shown
            .into_iter()
            .map(|thread| InboxEntry {
                answered_here: sent.answers(thread.id),
                thread,
            })
            .collect())
    }

    /// How many threads wait for an answer that this device has not given yet.
    pub async fn waiting_count(&self) -> StoreResult<usize> {
        let tx = self.read(&[threads(), OUTBOX])?;
        let waiting = threads_in(&tx, ThreadState::Waiting).await?;
        let sent = Sent::of(&read_outbox(&tx).await?);
        Ok(waiting.iter().filter(|t| !sent.answers(t.id)).count())
    }

    /// Thread `id` with its messages (the server's and the replies waiting to sync, in the order they
    /// were written) and a resolution waiting to sync.
    pub async fn thread(&self, id: ThreadId) -> StoreResult<Option<ThreadWithMessages>> {
        let tx = self.read(&[threads(), messages(), OUTBOX])?;
        let store = tx.object_store(threads())?;
        let row: Option<JsValue> = store.get(id.to_string()).await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let thread: Thread = decode(&store, &row)?;
        let message_store = tx.object_store(messages())?;
        let rows = message_store
            .index(BY_THREAD)?
            .get_all::<JsValue>()
            .with_query(id.to_string())
            .await?;
        let recorded: Vec<ThreadMessage> = rows
            .map(|row| decode(&message_store, &row?))
            .collect::<StoreResult<_>>()?;
        let sent = Sent::of(&read_outbox(&tx).await?);
        let pending: Vec<Message> = sent
            .replies
            .into_iter()
            .filter(|r| r.thread_id == id && recorded.iter().all(|m| m.id != r.id))
            .map(Message::Pending)
            .collect();
        let mut messages: Vec<Message> = recorded
            .into_iter()
            .map(Message::Recorded)
            .chain(pending)
            .collect();
        messages.sort_by_key(Message::order_key);
        let pending_resolution = if thread.is_resolved() {
            None
        } else {
            sent.resolutions.into_iter().find(|r| r.id == id)
        };
        Ok(Some(ThreadWithMessages {
            thread,
            messages,
            pending_resolution,
        }))
    }
}
