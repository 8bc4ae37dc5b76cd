//! The request list of the exports: requests matching a filter, oldest first.

use crate::store::{Db, DbError};
use ceria_core::protocol::RequestState;

/// Which requests an export lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExportQuery {
    /// Only in this state.
    pub state: Option<RequestState>,
    /// Only of this service.
    pub service: Option<String>,
    /// Only this village or the villages under this region code (digits and dots only).
    pub region: Option<String>,
    /// Submitted at or after (ms).
    pub from_ms: i64,
    /// Submitted before (ms).
    pub until_ms: i64,
    /// At most this many.
    pub limit: u32,
}

/// One request of the list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExportRow {
    /// Receipt code.
    pub tracking_code: String,
    /// Service id.
    pub service: String,
    /// Village code.
    pub village: String,
    /// Current state.
    pub state: RequestState,
    /// First submission (ms).
    pub created_ms: i64,
    /// Completion (ms).
    pub completed_ms: Option<i64>,
}

impl Db {
    /// The requests matching `q`, oldest first.
    pub(crate) fn export_rows(&self, q: &ExportQuery) -> Result<Vec<ExportRow>, DbError> {
        self.read(|c| {
            // The parameters are typed by a CAST where they first appear: PostgreSQL cannot
            // tell the type of a parameter only tested for NULL.
            c.query_map(
                "SELECT tracking_code, service, village, state, created_ms, completed_ms
                 FROM requests
                 WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR service = ?2)
                   AND (CAST(?3 AS TEXT) IS NULL OR village = ?3
                        OR substr(village, 1, length(?3) + 1) = ?3 || '.')
                   AND created_ms >= ?4 AND created_ms < ?5
                 ORDER BY created_ms, id
                 LIMIT ?6",
                &[
                    &q.state.map(RequestState::code),
                    &q.service,
                    &q.region,
                    &q.from_ms,
                    &q.until_ms,
                    &q.limit,
                ],
                |r| {
                    let state: String = r.get(3)?;
                    Ok(ExportRow {
                        tracking_code: r.get(0)?,
                        service: r.get(1)?,
                        village: r.get(2)?,
                        state: RequestState::from_code(&state)
                            .ok_or_else(|| DbError::Corrupt(format!("state `{state}`")))?,
                        created_ms: r.get(4)?,
                        completed_ms: r.get(5)?,
                    })
                },
            )
        })
    }
}
