//! Pull: the organisation's changes after the client's cookie, oldest first, one page at a time.

use remit_core::sync::{Cookie, PullRequest, PullResponse};

use super::{Caller, SyncError};
use crate::store::{Store, changes, sync_log};

/// Changes per page unless the client asks for another size.
pub const DEFAULT_PAGE: u32 = 500;
/// The largest page a client may ask for.
pub const MAX_PAGE: u32 = 5000;

/// The page size to use for a requested one: the default when none is asked for, else within 1..=MAX.
pub fn page_size(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
}

pub async fn pull(
    store: &Store,
    caller: &Caller,
    request: &PullRequest,
    page: u32,
) -> Result<PullResponse, SyncError> {
    let mut conn = store.read().await?;
    // Read the client's progress before the changes: every mutation counted here committed its change
    // before this read, so it is in this page or a later one, never lost between two pulls.
    let last_mutation_id = match sync_log::find_client(&mut conn, request.client_id).await? {
        None => 0,
        Some(state) if caller.owns(&state) => state.last_mutation_id,
        Some(_) => return Err(SyncError::ForeignClient),
    };
    let after = request.cookie.unwrap_or_default();
    let mut patch =
        changes::changes_after(&mut conn, caller.organisation_id, after.0, page + 1).await?;
    let head = changes::head(&mut conn, caller.organisation_id).await?;
    let more = patch.len() > page as usize;
    patch.truncate(page as usize);
    let cookie = patch.last().map_or(after, |op| Cookie(op.change()));
    Ok(PullResponse {
        cookie,
        last_mutation_id,
        patch,
        more,
        head: Some(head),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_never_empty_nor_huge() {
        assert_eq!(page_size(None), 500);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(Some(3)), 3);
        assert_eq!(page_size(Some(1_000_000)), 5000);
    }
}
