//! The bytes of issued documents' first renderings (PDFs), kept so every later download serves the very
//! same bytes, whatever fonts, templates or crates the server has since.

use remit_core::ids::OrganisationId;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::StoreResult;

/// What a stored rendering is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
}

impl Format {
    fn code(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
        }
    }
}

/// The stored rendering of document `id`, if it was rendered before.
pub async fn find_rendering(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: Uuid,
    format: Format,
) -> StoreResult<Option<Vec<u8>>> {
    let row = sqlx::query(
        "SELECT bytes FROM rendered_documents \
         WHERE organisation_id = $1 AND document_id = $2 AND format = $3",
    )
    .bind(organisation.to_string())
    .bind(id.to_string())
    .bind(format.code())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get::<Vec<u8>, _>("bytes")).transpose()?)
}

/// Keeps `bytes` as document `id`'s rendering unless one is kept already; returns the kept one, which a
/// rendering racing this one may have written first.
pub async fn keep_first_rendering(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: Uuid,
    format: Format,
    bytes: Vec<u8>,
) -> StoreResult<Vec<u8>> {
    sqlx::query(
        "INSERT INTO rendered_documents (organisation_id, document_id, format, bytes) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(organisation.to_string())
    .bind(id.to_string())
    .bind(format.code())
    .bind(bytes.clone())
    .execute(&mut *conn)
    .await?;
    Ok(find_rendering(conn, organisation, id, format)
        .await?
        .unwrap_or(bytes))
}
