//! The request list of the exports: requests matching a filter, oldest first.

use crate::store::{Db, DbError};
use ceria_core::protocol::RequestState;
use rusqlite::params;

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
            let mut stmt = c.prepare_cached(
                "SELECT tracking_code, service, village, state, created_ms, completed_ms
                 FROM requests
                 WHERE (?1 IS NULL OR state = ?1)
                   AND (?2 IS NULL OR service = ?2)
                   AND (?3 IS NULL OR village = ?3
                        OR substr(village, 1, length(?3) + 1) = ?3 || '.')
                   AND created_ms >= ?4 AND created_ms < ?5
                 ORDER BY created_ms, id
                 LIMIT ?6",
            )?;
            let rows = stmt.query_map(
                params![
                    q.state.map(RequestState::code),
                    q.service,
                    q.region,
                    q.from_ms,
                    q.until_ms,
                    q.limit
                ],
                |r| {
                    let state: String = r.get(3)?;
                    Ok((
                        state,
                        ExportRow {
                            tracking_code: r.get(0)?,
                            service: r.get(1)?,
                            village: r.get(2)?,
                            state: RequestState::Submitted,
                            created_ms: r.get(4)?,
                            completed_ms: r.get(5)?,
                        },
                    ))
                },
            )?;
            rows.map(|row| {
                let (state, mut row) = row?;
                row.state = RequestState::from_code(&state)
                    .ok_or_else(|| DbError::Corrupt(format!("state `{state}`")))?;
                Ok(row)
            })
            .collect()
        })
    }
}
