//! The numbering report over REST: what became of every number of every sequence.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use remit_core::numbering::NumberUse;
use remit_core::numbering::report::SequenceReport;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::sequences;

/// `GET /api/numbering/report`: one report per sequence, by sequence name, each built by core from the
/// uses the server recorded (issued, voided, leased, handed back unused).
pub async fn report(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Json<Vec<SequenceReport>>, AppError> {
    let mut conn = state.store.read().await?;
    let mut sequences: BTreeMap<String, Vec<(u64, NumberUse)>> = BTreeMap::new();
    for (sequence, number, use_) in
        sequences::number_uses(&mut conn, session.organisation.id).await?
    {
        sequences.entry(sequence).or_default().push((number, use_));
    }
    sequences
        .iter()
        .map(|(sequence, uses)| {
            SequenceReport::build(sequence, uses).map_err(|source| AppError::Stored {
                what: format!("the report of sequence {sequence}"),
                source,
            })
        })
        .collect::<Result<_, _>>()
        .map(Json)
}
