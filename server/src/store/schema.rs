//! The database schema and its migrations, numbered by `PRAGMA user_version`.
//!
//! SQL here stays portable (no SQLite-only types or functions) so a PostgreSQL backend can
//! reuse it; timestamps are Unix milliseconds (`INTEGER`), ids are text (UUIDv7).

use rusqlite::Connection;

/// Migrations in order; migration `i` brings the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    village       TEXT,
    phone         TEXT,
    password_hash TEXT NOT NULL,
    created_ms    INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_ms);
CREATE TABLE catalogs (
    seq          INTEGER PRIMARY KEY,
    version      TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    body         TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    published_by TEXT
);
CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    parent TEXT NOT NULL,
    name   TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent, code);
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    length          INTEGER NOT NULL,
    upload_offset   INTEGER NOT NULL,
    metadata        TEXT NOT NULL,
    filetype        TEXT,
    expected_sha256 TEXT,
    sha256          TEXT REFERENCES blobs(sha256),
    created_ms      INTEGER NOT NULL,
    expires_ms      INTEGER NOT NULL,
    completed_ms    INTEGER
);
CREATE INDEX uploads_owner_sha ON uploads(owner_id, sha256);
CREATE INDEX uploads_expiry ON uploads(expires_ms);
CREATE TABLE requests (
    id              TEXT PRIMARY KEY,
    tracking_code   TEXT NOT NULL UNIQUE,
    local_id        TEXT,
    service         TEXT NOT NULL,
    village         TEXT NOT NULL,
    citizen_nik     TEXT NOT NULL,
    submitted_by    TEXT NOT NULL REFERENCES users(id),
    state           TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    completed_ms    INTEGER
);
CREATE INDEX requests_village ON requests(village, id);
CREATE INDEX requests_citizen ON requests(citizen_nik);
CREATE INDEX requests_submitter ON requests(submitted_by);
CREATE INDEX requests_state ON requests(state, id);
CREATE TABLE request_attachments (
    request_id  TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    requirement TEXT NOT NULL,
    sha256      TEXT NOT NULL REFERENCES blobs(sha256),
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    PRIMARY KEY (request_id, requirement, sha256)
);
CREATE TABLE operations (
    user_id      TEXT NOT NULL REFERENCES users(id),
    op_id        TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (user_id, op_id)
);
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    actor_id   TEXT NOT NULL REFERENCES users(id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    at_ms      INTEGER NOT NULL,
    note       TEXT,
    reasons    TEXT NOT NULL,
    document   TEXT
);
CREATE INDEX events_request ON events(request_id, seq);
"#,
    // Issue 11: token families (logout ends a login with its refreshes; a family's life is
    // capped), disabled accounts, the audit log of account administration, and the login and
    // registration counters (in the database so several instances share them).
    r#"
ALTER TABLE sessions ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN family_started_ms INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET family = token_hash, family_started_ms = created_ms;
CREATE INDEX sessions_family ON sessions(family);
CREATE INDEX sessions_user ON sessions(user_id, family_started_ms);
ALTER TABLE users ADD COLUMN disabled_ms INTEGER;
CREATE TABLE account_events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    at_ms   INTEGER NOT NULL
);
CREATE INDEX account_events_user ON account_events(user_id, seq);
CREATE TABLE rate_limits (
    key              TEXT PRIMARY KEY,
    attempts         INTEGER NOT NULL,
    window_start_ms  INTEGER NOT NULL,
    strikes          INTEGER NOT NULL,
    blocked_until_ms INTEGER,
    touched_ms       INTEGER NOT NULL
);
CREATE INDEX rate_limits_touched ON rate_limits(touched_ms);
"#,
    // Per-account quotas (issue 11): finished uploads now expire unless a request refers to
    // them, so the ones finished before get the default week from their completion; the
    // lookups of the quotas and of the sweep get their indexes.
    r#"
UPDATE uploads SET expires_ms = completed_ms + 604800000 WHERE completed_ms IS NOT NULL;
CREATE INDEX request_attachments_sha ON request_attachments(sha256);
CREATE INDEX uploads_owner_open ON uploads(owner_id, completed_ms, expires_ms);
CREATE INDEX requests_submitter_service ON requests(submitted_by, citizen_nik, service, created_ms);
"#,
    // Identity (issue 11) of citizen accounts (docs/protocol.md, "Identity"). A citizen account is
    // verified while it has a row in `identity_verifications`; `population` holds the register
    // extract only as keyed hashes; `identity_events` is the audit log of verifications and
    // reclaims; `identity_attempts` counts failed register checks per account.
    r#"
CREATE TABLE identity_verifications (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    method      TEXT NOT NULL,
    verified_by TEXT NOT NULL REFERENCES users(id),
    verified_ms INTEGER NOT NULL
);
CREATE TABLE identity_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  TEXT NOT NULL REFERENCES users(id),
    nik      TEXT NOT NULL,
    action   TEXT NOT NULL,
    method   TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    at_ms    INTEGER NOT NULL,
    note     TEXT
);
CREATE INDEX identity_events_nik ON identity_events(nik, seq);
CREATE TABLE identity_attempts (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at_ms   INTEGER NOT NULL
);
CREATE INDEX identity_attempts_user ON identity_attempts(user_id, at_ms);
CREATE TABLE population (
    proof TEXT PRIMARY KEY
);
"#,
    // The web console's queue (issue 12): the counts per state and the service, age and
    // lateness filters of a village (or of all villages) read these indexes alone instead of
    // every request row with its payload.
    r#"
CREATE INDEX requests_village_state ON requests(village, state, service, created_ms);
CREATE INDEX requests_state_service ON requests(state, service, created_ms);
"#,
    // Issue 12: the working-day calendar. National holidays and collective leave (local
    // dates `YYYY-MM-DD`) are not working days in the service-level figures.
    r#"
CREATE TABLE holidays (
    day  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
"#,
    // Issue 13: the web form's drafts, kept on the server so a closed tab loses nothing. A
    // draft is a new request (or the revision of `request_id`) being filled in by `user_id`
    // (a citizen, or an operator for the resident `on_behalf_of`); values and attachments are
    // JSON text (the same shapes as a pushed payload); deleted when sent.
    r#"
CREATE TABLE web_drafts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service      TEXT NOT NULL,
    request_id   TEXT,
    on_behalf_of TEXT,
    form_values  TEXT NOT NULL,
    attachments  TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
);
CREATE INDEX web_drafts_user ON web_drafts(user_id, updated_ms);
"#,
    // Issue 15: the feed's audience. Each event carries who may see it (the request's
    // submitter, the person it is for, its village, as they were when the event was written),
    // so a pull reads one index range in feed order and stops at its page size, instead of
    // walking every request of the account and sorting all of their events on each page
    // (an operator of a busy village, a registry's first sync).
    r#"
ALTER TABLE events ADD COLUMN submitted_by TEXT;
ALTER TABLE events ADD COLUMN citizen_nik TEXT;
ALTER TABLE events ADD COLUMN village TEXT;
UPDATE events SET
    submitted_by = (SELECT r.submitted_by FROM requests r WHERE r.id = events.request_id),
    citizen_nik = (SELECT r.citizen_nik FROM requests r WHERE r.id = events.request_id),
    village = (SELECT r.village FROM requests r WHERE r.id = events.request_id);
CREATE INDEX events_submitter ON events(submitted_by, seq);
CREATE INDEX events_citizen ON events(citizen_nik, seq);
CREATE INDEX events_village ON events(village, seq);
"#,
    // Issue 15: the lease of a tus upload's writer (a PATCH, termination or sweep), so that
    // two instances on one database never append to the same upload at once; a lease runs
    // out at `lease_until_ms`, so a killed instance does not wedge the upload.
    r#"
ALTER TABLE uploads ADD COLUMN lease_holder TEXT;
ALTER TABLE uploads ADD COLUMN lease_until_ms INTEGER;
"#,
];

/// Why the schema could not be brought up to date (the shared runner's error).
pub use ceria_core::sqlite::MigrateError as SchemaError;

/// Applies the missing migrations with core's one runner, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), SchemaError> {
    ceria_core::sqlite::migrate(conn, MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    #[test]
    fn migrates_a_fresh_database_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(n >= 10, "tables: {n}");
    }

    #[test]
    fn refuses_a_newer_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(SchemaError::TooNew { .. })
        ));
    }
}
