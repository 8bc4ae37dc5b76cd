//! The device database schema: its migrations, numbered by `PRAGMA user_version` and applied
//! by the shared runner. A migration is never edited once released: a change is a new entry at
//! the end.

use crate::sqlite::MigrateError;
use rusqlite::Connection;

/// Migrations in order; entry `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE accounts (
        id            TEXT PRIMARY KEY,          -- the server's user id
        username      TEXT NOT NULL UNIQUE,      -- NIK for citizens, user name for staff
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        village       TEXT,
        token         TEXT,                      -- bearer token; NULL once logged out
        expires_at_ms INTEGER,
        needs_login   INTEGER NOT NULL DEFAULT 0,
        pull_cursor   TEXT NOT NULL DEFAULT '',
        last_sync_ms  INTEGER,
        created_ms    INTEGER NOT NULL
    );
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE catalog_cache (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        version    TEXT NOT NULL,
        etag       TEXT NOT NULL,
        json       TEXT NOT NULL,
        fetched_ms INTEGER NOT NULL
    );
    CREATE TABLE requests (
        id              TEXT PRIMARY KEY,        -- local UUIDv7
        account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        origin          TEXT NOT NULL,           -- 'device' or 'server' (seen in the feed only)
        service         TEXT NOT NULL,
        catalog_version TEXT NOT NULL,
        payload_json    TEXT,                    -- the RequestPayload last finalised here
        server_id       TEXT,
        tracking_code   TEXT,
        state           TEXT NOT NULL,           -- what the app shows (LocalState code)
        server_state    TEXT,                    -- last state known from the server
        needs_fix       INTEGER NOT NULL DEFAULT 0,
        issues_json     TEXT NOT NULL DEFAULT '[]',
        reasons_json    TEXT NOT NULL DEFAULT '[]',
        document_json   TEXT,
        note            TEXT,
        last_seq        INTEGER,
        created_ms      INTEGER NOT NULL,
        updated_ms      INTEGER NOT NULL,
        UNIQUE (account_id, server_id)
    );
    CREATE INDEX requests_by_account ON requests(account_id, created_ms, id);
    CREATE TABLE request_history (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
        state      TEXT NOT NULL,
        at_ms      INTEGER NOT NULL,
        source     TEXT NOT NULL,                -- 'device' or 'server'
        seq        INTEGER,                      -- the server feed position, for 'server'
        code       TEXT,
        note       TEXT,
        UNIQUE (request_id, seq)
    );
    CREATE TABLE drafts (
        id           TEXT PRIMARY KEY,
        account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        service      TEXT NOT NULL,
        values_json  TEXT NOT NULL DEFAULT '{}',
        village      TEXT,
        on_behalf_of TEXT,
        revises      TEXT REFERENCES requests(id) ON DELETE CASCADE,
        created_ms   INTEGER NOT NULL,
        updated_ms   INTEGER NOT NULL
    );
    CREATE INDEX drafts_by_account ON drafts(account_id, updated_ms);
    CREATE TABLE attachments (
        id          TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        draft_id    TEXT REFERENCES drafts(id) ON DELETE CASCADE,
        request_id  TEXT REFERENCES requests(id) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        size        INTEGER NOT NULL,
        media_type  TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        created_ms  INTEGER NOT NULL,
        CHECK ((draft_id IS NULL) <> (request_id IS NULL))
    );
    CREATE INDEX attachments_by_draft ON attachments(draft_id);
    CREATE INDEX attachments_by_request ON attachments(request_id);
    CREATE INDEX attachments_by_sha ON attachments(sha256);
    CREATE TABLE uploads (
        account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        sha256          TEXT NOT NULL,
        size            INTEGER NOT NULL,
        media_type      TEXT NOT NULL,
        url             TEXT,                    -- tus upload URL, recorded before any PATCH
        confirmed       INTEGER NOT NULL DEFAULT 0,
        done            INTEGER NOT NULL DEFAULT 0,
        failed_code     TEXT,                    -- set when the server refuses the file for good
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        PRIMARY KEY (account_id, sha256)
    );
    CREATE TABLE outbox (
        ord             INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id           TEXT NOT NULL UNIQUE,    -- the idempotency key, fixed at finalise
        account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        request_id      TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
        kind            TEXT NOT NULL,           -- 'submit', 'revise', 'cancel'
        body_json       TEXT,                    -- the Operation (cancel: built once the id is known)
        status          TEXT NOT NULL DEFAULT 'pending', -- 'pending', 'done', 'failed'
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        result_json     TEXT,
        base_seq        INTEGER,                 -- the request's feed position when queued
        created_ms      INTEGER NOT NULL
    );
    CREATE INDEX outbox_pending ON outbox(account_id, status, ord);
    CREATE INDEX outbox_by_request ON outbox(request_id);
    "#,
    // 2: whether a citizen account has shown that it owns its NIK (`IdentityState` code;
    // NULL for staff and until the server says).
    r#"
    ALTER TABLE accounts ADD COLUMN identity TEXT;
    "#,
    // 3: per-account file keys, wrapped by the device key (encryption at rest); deleted with
    // the account, which makes its sealed files unreadable.
    r#"
    CREATE TABLE account_keys (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        wrapped    BLOB NOT NULL                 -- nonce (24 bytes) + XChaCha20-Poly1305 sealed key
    );
    "#,
];

/// The schema version this code writes.
#[cfg(test)]
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to date with the shared runner ([`crate::sqlite::migrate`]): one
/// transaction per migration, and a database written by a newer app version is refused
/// rather than misread.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    crate::sqlite::migrate(conn, MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        // A second run must not try to recreate tables.
        migrate(&mut conn).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(tables >= 9, "{tables}");
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(MigrateError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn attachment_belongs_to_exactly_one_owner() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO accounts (id, username, name, role, created_ms) VALUES ('a','u','n','citizen',0)",
            [],
        )
        .unwrap();
        let both_null = conn.execute(
            "INSERT INTO attachments (id, account_id, requirement, sha256, size, media_type, file_name, created_ms)
             VALUES ('x','a','kk','00',1,'image/jpeg','f',0)",
            [],
        );
        assert!(both_null.is_err());
    }
}
