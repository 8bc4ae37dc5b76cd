//! Storage of requests for review, the audit log / status feed (`events`), and pulls.
//!
//! The `events` table is both the audit log (who, when, from, to, note) and the feed devices
//! pull from: its `seq` is the server order and the pull cursor.

use super::db::role_column;
use super::identity::VERIFIED_SQL;
use super::sql::{Conn, Row, Value};
use crate::store::{Db, DbError};
use ceria_core::protocol::{
    AuditEntry, DocumentInfo, RequestDetail, RequestPayload, RequestState, RequestSummary,
    ReturnReason, Role, StatusChange, StoredAttachment, UserInfo,
};

/// Which requests an account may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A citizen: requests they submitted and, once their identity is verified, requests
    /// filed for their NIK by others (an unverified account may not own the NIK).
    Citizen {
        /// Account id.
        user_id: String,
        /// Their NIK (their user name).
        nik: String,
    },
    /// An operator: their village's requests.
    Village(String),
    /// Officers and admins: everything.
    All,
}

impl Scope {
    /// The scope of an account.
    pub(crate) fn of(user: &UserInfo) -> Scope {
        match user.role {
            Role::Citizen => Scope::Citizen {
                user_id: user.id.clone(),
                nik: user.username.clone(),
            },
            // An operator without a village sees nothing rather than everything.
            Role::Operator => Scope::Village(user.village.clone().unwrap_or_default()),
            Role::Officer | Role::Admin => Scope::All,
        }
    }

    /// SQL condition on `r` (requests) and its two parameters, numbered from `first`.
    fn condition(&self, first: usize) -> (String, [String; 2]) {
        let (a, b) = (first, first + 1);
        match self {
            Scope::Citizen { user_id, nik } => (
                format!(
                    "(r.submitted_by = ?{a} OR (r.citizen_nik = ?{b} AND {}))",
                    VERIFIED_SQL.replace("{n}", &a.to_string())
                ),
                [user_id.clone(), nik.clone()],
            ),
            Scope::Village(v) => (
                format!("(r.village = ?{a} AND CAST(?{b} AS TEXT) = '')"),
                [v.clone(), String::new()],
            ),
            Scope::All => (
                format!("(CAST(?{a} AS TEXT) = '' AND CAST(?{b} AS TEXT) = '')"),
                [String::new(), String::new()],
            ),
        }
    }

    /// The feed positions of one page of a pull, as a query on `events` alone: after `?1`,
    /// at most `?4`, in order; its parameters `?2` and `?3`. Each branch reads one index
    /// range of the event's audience (`events_submitter`, `events_citizen`,
    /// `events_village`, or the feed itself) and stops at the page size, so a page costs
    /// the same for an account with ten requests as for one with a hundred thousand.
    fn feed_page(&self) -> (String, [String; 2]) {
        const AFTER: &str = "e.seq > ?1 ORDER BY e.seq LIMIT ?4";
        match self {
            // Two ordered ranges, merged: what the citizen filed, and what others filed for
            // their NIK once their identity is verified.
            Scope::Citizen { user_id, nik } => (
                format!(
                    "SELECT seq FROM (SELECT e.seq FROM events e
                        WHERE e.submitted_by = ?2 AND {AFTER}) AS filed
                     UNION
                     SELECT seq FROM (SELECT e.seq FROM events e
                        WHERE e.citizen_nik = ?3 AND {} AND {AFTER}) AS filed_for
                     ORDER BY seq LIMIT ?4",
                    VERIFIED_SQL.replace("{n}", "2")
                ),
                [user_id.clone(), nik.clone()],
            ),
            Scope::Village(v) => (
                format!(
                    "SELECT e.seq FROM events e
                      WHERE e.village = ?2 AND CAST(?3 AS TEXT) = '' AND {AFTER}"
                ),
                [v.clone(), String::new()],
            ),
            Scope::All => (
                format!(
                    "SELECT e.seq FROM events e
                      WHERE CAST(?2 AS TEXT) = '' AND CAST(?3 AS TEXT) = '' AND {AFTER}"
                ),
                [String::new(), String::new()],
            ),
        }
    }
}

/// The parts of a request the workflow needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// Server id.
    pub id: String,
    /// Receipt code.
    pub tracking_code: String,
    /// Service id.
    pub service: String,
    /// Village code.
    pub village: String,
    /// Current state.
    pub state: RequestState,
    /// The NIK of the person the request is for.
    pub citizen_nik: String,
}

/// Outcome of a review transition attempt.
#[derive(Debug)]
pub(crate) enum TransitionResult<E> {
    /// Applied; the new status change.
    Applied(Box<StatusChange>),
    /// No such request visible to the caller.
    NotFound,
    /// The workflow refused.
    Denied(E),
}

/// Figures of one request for the statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatsRow {
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

fn parse_state(code: &str) -> Result<RequestState, DbError> {
    RequestState::from_code(code).ok_or_else(|| DbError::Corrupt(format!("state `{code}`")))
}

fn json_column<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>, DbError> {
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

/// The lock key of a request: every write that checks a request's state and changes it (a
/// review, a revision, a cancel) takes it first.
pub(crate) fn request_lock(id: &str) -> String {
    format!("request:{id}")
}

/// The request `id` if `scope` may see it.
pub(crate) fn visible_request(
    c: &Conn<'_>,
    id: &str,
    scope: &Scope,
) -> Result<Option<RequestHead>, DbError> {
    let (cond, p) = scope.condition(2);
    let sql = format!(
        "SELECT r.id, r.tracking_code, r.service, r.village, r.state, r.citizen_nik
         FROM requests r WHERE r.id = ?1 AND {cond}"
    );
    c.query_opt(&sql, &[&id, &p[0], &p[1]], |r| {
        Ok(RequestHead {
            id: r.get(0)?,
            tracking_code: r.get(1)?,
            service: r.get(2)?,
            village: r.get(3)?,
            state: parse_state(&r.get::<String>(4)?)?,
            citizen_nik: r.get(5)?,
        })
    })
}

/// Appends to the audit log / feed; returns the new `seq` (in commit order: see
/// [`Conn::insert_feed_row`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_event(
    tx: &Conn<'_>,
    request_id: &str,
    actor_id: &str,
    from: Option<RequestState>,
    to: RequestState,
    at_ms: i64,
    note: Option<&str>,
    reasons: &[ReturnReason],
    document: Option<&DocumentInfo>,
) -> Result<i64, DbError> {
    let document = document.map(serde_json::to_string).transpose()?;
    // The audience is copied from the request as it is now, in the same statement.
    tx.insert_feed_row(
        "INSERT INTO events (request_id, actor_id, from_state, to_state, at_ms, note, reasons,
            document, submitted_by, citizen_nik, village)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, r.submitted_by, r.citizen_nik, r.village
           FROM requests r WHERE r.id = ?1 RETURNING seq",
        &[
            &request_id,
            &actor_id,
            &from.map(RequestState::code),
            &to.code(),
            &at_ms,
            &note,
            &serde_json::to_string(reasons)?,
            &document,
        ],
    )
}

const CHANGE_COLUMNS: &str = "e.seq, e.request_id, r.local_id, r.tracking_code, r.service, \
    e.to_state, e.at_ms, e.note, e.reasons, e.document";

fn change_from_row(r: &Row<'_>) -> Result<StatusChange, DbError> {
    Ok(StatusChange {
        seq: r.get(0)?,
        request_id: r.get(1)?,
        local_id: r.get(2)?,
        tracking_code: r.get(3)?,
        service: r.get(4)?,
        state: parse_state(&r.get::<String>(5)?)?,
        at_ms: r.get(6)?,
        note: r.get(7)?,
        reasons: json_column(r.get(8)?)?.unwrap_or_default(),
        document: json_column(r.get(9)?)?,
    })
}

fn summary_from_row(r: &Row<'_>) -> Result<RequestSummary, DbError> {
    Ok(RequestSummary {
        id: r.get(0)?,
        tracking_code: r.get(1)?,
        service: r.get(2)?,
        village: r.get(3)?,
        citizen_nik: r.get(4)?,
        state: parse_state(&r.get::<String>(5)?)?,
        created_ms: r.get(6)?,
        updated_ms: r.get(7)?,
    })
}

const SUMMARY_COLUMNS: &str = "r.id, r.tracking_code, r.service, r.village, r.citizen_nik, r.state, r.created_ms, r.updated_ms";

/// Filters of the review queue.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueueFilter {
    /// Only this state.
    pub state: Option<RequestState>,
    /// Only this village.
    pub village: Option<String>,
    /// Only ids after this one (paging).
    pub after: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Only this service.
    pub service: Option<String>,
    /// Only requests first submitted before this time (ms): older than an age.
    pub created_before_ms: Option<i64>,
    /// Only open requests that are late: submitted before the cutoff (ms) of their service
    /// (`service id -> cutoff`, from `WorkingCalendar::late_cutoff_ms`); services not listed are never
    /// late.
    pub late_cutoffs: Option<std::collections::BTreeMap<String, i64>>,
}

/// An SQL string literal.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The queue filter's conditions on `r`, after the scope's `?1`, `?2`: state `?3`, village
/// `?4`, service `?7`, age `?8` (`?5`, paging, and `?6`, the page size, belong to the list). Lateness compares each
/// request with its service's cutoff, written into the statement as a `CASE` (service ids and
/// whole numbers of our own, quoted), so SQLite decides it on the index alone.
fn filter_condition(filter: &QueueFilter) -> String {
    let late = match &filter.late_cutoffs {
        None => String::new(),
        Some(cutoffs) => {
            let finals: Vec<String> = RequestState::ALL
                .into_iter()
                .filter(|s| s.is_final())
                .map(|s| sql_text(s.code()))
                .collect();
            let cases: String = cutoffs
                .iter()
                .map(|(service, cut)| format!(" WHEN {} THEN {cut}", sql_text(service)))
                .collect();
            format!(
                " AND r.state NOT IN ({}) AND r.created_ms < (CASE r.service{cases} ELSE {} END)",
                finals.join(", "),
                i64::MIN
            )
        }
    };
    // Each parameter is typed by a CAST where it first appears: PostgreSQL cannot tell the
    // type of a parameter only tested for NULL.
    format!(
        "(CAST(?3 AS TEXT) IS NULL OR r.state = ?3) AND (CAST(?4 AS TEXT) IS NULL OR r.village = ?4)
         AND (CAST(?7 AS TEXT) IS NULL OR r.service = ?7)
         AND (CAST(?8 AS BIGINT) IS NULL OR r.created_ms < ?8){late}"
    )
}

/// The parameters `?3`..`?8` of [`filter_condition`] (with the page size `limit`).
fn filter_params<'a>(
    filter: &'a QueueFilter,
    state: Option<RequestState>,
    after: Option<&'a str>,
) -> [Value<'a>; 6] {
    let text = |v: Option<&'a str>| v.map_or(Value::Null, Value::Text);
    [
        text(state.map(RequestState::code)),
        text(filter.village.as_deref()),
        text(after),
        Value::Int(i64::try_from(filter.limit).unwrap_or(i64::MAX)),
        text(filter.service.as_deref()),
        filter.created_before_ms.map_or(Value::Null, Value::Int),
    ]
}

impl Db {
    /// Status changes after `since` visible in `scope`, at most `limit`, and whether more wait.
    pub(crate) fn pull(
        &self,
        scope: &Scope,
        since: i64,
        limit: usize,
    ) -> Result<(Vec<StatusChange>, bool), DbError> {
        self.read(|c| {
            let (page, p) = scope.feed_page();
            let sql = format!(
                "SELECT {CHANGE_COLUMNS} FROM ({page}) AS page
                   JOIN events e ON e.seq = page.seq JOIN requests r ON r.id = e.request_id
                 ORDER BY e.seq"
            );
            let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
            let mut changes =
                c.query_map(&sql, &[&since, &p[0], &p[1], &fetch], change_from_row)?;
            let more = changes.len() > limit;
            changes.truncate(limit);
            Ok((changes, more))
        })
    }

    /// The request whose receipt code is `code` (canonical form), whoever may see it: only
    /// for the public status check, which shows nothing of it without the second factor.
    pub(crate) fn request_by_tracking_code(
        &self,
        code: &str,
    ) -> Result<Option<RequestHead>, DbError> {
        self.read(|c| {
            let id: Option<String> = c.query_opt(
                "SELECT id FROM requests WHERE tracking_code = ?1",
                &[&code],
                |r| r.get(0),
            )?;
            match id {
                Some(id) => visible_request(c, &id, &Scope::All),
                None => Ok(None),
            }
        })
    }

    /// The review queue in `scope`, oldest first.
    pub(crate) fn queue(
        &self,
        scope: &Scope,
        filter: &QueueFilter,
    ) -> Result<Vec<RequestSummary>, DbError> {
        self.read(|c| {
            let (cond, p) = scope.condition(1);
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM requests r WHERE {cond} AND {}
                   AND (CAST(?5 AS TEXT) IS NULL OR r.id > ?5)
                 ORDER BY r.id LIMIT ?6",
                filter_condition(filter)
            );
            let [a, b, c3, d, e, f] = filter_params(filter, filter.state, filter.after.as_deref());
            c.query_map(
                &sql,
                &[&p[0], &p[1], &a, &b, &c3, &d, &e, &f],
                summary_from_row,
            )
        })
    }

    /// How many requests of the queue (in `scope`, under `filter` but whatever their state
    /// and page) are in each state.
    pub(crate) fn queue_counts(
        &self,
        scope: &Scope,
        filter: &QueueFilter,
    ) -> Result<Vec<(RequestState, i64)>, DbError> {
        self.read(|c| {
            let (cond, p) = scope.condition(1);
            let sql = format!(
                "SELECT r.state, count(*) FROM requests r WHERE {cond} AND {}
                   AND CAST(?5 AS TEXT) IS NULL AND CAST(?6 AS BIGINT) > 0
                 GROUP BY r.state",
                filter_condition(filter)
            );
            let [a, b, c3, d, e, f] = filter_params(filter, None, None);
            c.query_map(&sql, &[&p[0], &p[1], &a, &b, &c3, &d, &e, &f], |r| {
                Ok((parse_state(&r.get::<String>(0)?)?, r.get(1)?))
            })
        })
    }

    /// The villages that have requests in `scope` (the officer's village filter).
    pub(crate) fn request_villages(&self, scope: &Scope) -> Result<Vec<String>, DbError> {
        self.read(|c| {
            let (cond, p) = scope.condition(1);
            let sql = format!("SELECT DISTINCT r.village FROM requests r WHERE {cond} ORDER BY 1");
            c.query_map(&sql, &[&p[0], &p[1]], |r| r.get(0))
        })
    }

    /// A request's full detail, if `scope` may see it.
    pub(crate) fn request_detail(
        &self,
        id: &str,
        scope: &Scope,
    ) -> Result<Option<RequestDetail>, DbError> {
        self.read(|c| {
            let (cond, p) = scope.condition(2);
            let sql = format!("SELECT {SUMMARY_COLUMNS}, r.payload FROM requests r WHERE r.id = ?1 AND {cond}");
            let found = c.query_opt(&sql, &[&id, &p[0], &p[1]], |r| {
                Ok((summary_from_row(r)?, r.get::<String>(8)?))
            })?;
            let Some((request, payload)) = found else { return Ok(None) };
            let payload: RequestPayload = serde_json::from_str(&payload)?;
            let attachments = c.query_map(
                "SELECT requirement, sha256, size, media_type FROM request_attachments
                 WHERE request_id = ?1 ORDER BY requirement, sha256",
                &[&id],
                |r| {
                    Ok(StoredAttachment {
                        requirement: r.get(0)?,
                        sha256: r.get(1)?,
                        size: r.get::<i64>(2)?.max(0) as u64,
                        media_type: r.get(3)?,
                    })
                },
            )?;
            let history = c.query_map(
                "SELECT e.seq, u.username, u.role, e.from_state, e.to_state, e.at_ms, e.note, e.reasons, e.document
                 FROM events e JOIN users u ON u.id = e.actor_id WHERE e.request_id = ?1 ORDER BY e.seq",
                &[&id],
                |r| {
                    Ok(AuditEntry {
                        seq: r.get(0)?,
                        actor: r.get(1)?,
                        actor_role: role_column(&r.get::<String>(2)?, 2)?,
                        from: r.get::<Option<String>>(3)?.map(|s| parse_state(&s)).transpose()?,
                        to: parse_state(&r.get::<String>(4)?)?,
                        at_ms: r.get(5)?,
                        note: r.get(6)?,
                        reasons: json_column(r.get(7)?)?.unwrap_or_default(),
                        document: json_column(r.get(8)?)?,
                    })
                },
            )?;
            Ok(Some(RequestDetail { request, payload, attachments, history, warnings: Vec::new() }))
        })
    }

    /// The requirement attachment `sha256` of request `id` is for, if `scope` may see it.
    pub(crate) fn request_attachment(
        &self,
        id: &str,
        sha256: &str,
        scope: &Scope,
    ) -> Result<Option<String>, DbError> {
        self.read(|c| {
            if visible_request(c, id, scope)?.is_none() {
                return Ok(None);
            }
            c.query_opt(
                "SELECT requirement FROM request_attachments WHERE request_id = ?1 AND sha256 = ?2 LIMIT 1",
                &[&id, &sha256],
                |r| r.get(0),
            )
        })
    }

    /// Moves request `id` to `to` if `check(current)` allows it, logging the transition. The
    /// check and the write happen under the request's lock: of two officers completing the
    /// same request, the second sees the first one's state (and `check` refuses).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn transition<E>(
        &self,
        id: &str,
        scope: &Scope,
        actor_id: &str,
        to: RequestState,
        note: Option<&str>,
        reasons: &[ReturnReason],
        document: Option<&DocumentInfo>,
        now: i64,
        check: impl Fn(&RequestHead) -> Result<(), E>,
    ) -> Result<TransitionResult<E>, DbError> {
        self.write(|tx| {
            tx.lock(&request_lock(id))?;
            let Some(head) = visible_request(tx, id, scope)? else {
                return Ok(TransitionResult::NotFound);
            };
            if let Err(e) = check(&head) {
                return Ok(TransitionResult::Denied(e));
            }
            tx.execute(
                "UPDATE requests SET state = ?2, updated_ms = ?3,
                    completed_ms = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_ms END
                 WHERE id = ?1",
                &[&id, &to.code(), &now],
            )?;
            let seq = insert_event(tx, id, actor_id, Some(head.state), to, now, note, reasons, document)?;
            let change = tx.query_row(
                &format!(
                    "SELECT {CHANGE_COLUMNS} FROM events e JOIN requests r ON r.id = e.request_id WHERE e.seq = ?1"
                ),
                &[&seq],
                change_from_row,
            )?;
            Ok(TransitionResult::Applied(Box::new(change)))
        })
    }

    /// One row per request, for the statistics: those created within `span` (from,
    /// inclusive, to exclusive, in ms) when given.
    pub(crate) fn stats_rows(&self, span: Option<(i64, i64)>) -> Result<Vec<StatsRow>, DbError> {
        let (from, to) = span.unwrap_or((i64::MIN, i64::MAX));
        self.read(|c| {
            c.query_map(
                "SELECT service, village, state, created_ms, completed_ms FROM requests
                 WHERE created_ms >= ?1 AND created_ms < ?2 ORDER BY created_ms",
                &[&from, &to],
                |r| {
                    Ok(StatsRow {
                        service: r.get(0)?,
                        village: r.get(1)?,
                        state: parse_state(&r.get::<String>(2)?)?,
                        created_ms: r.get(3)?,
                        completed_ms: r.get(4)?,
                    })
                },
            )
        })
    }
}
