//! The keys of the store at rest. The app gives a 256-bit device key
//! ([`crate::DeviceConfig::encryption_key`]); it opens the SQLCipher database and wraps one
//! random file key per account (table `account_keys`), which seals that account's attachment
//! files ([`super::sealed`]). Logging an account out deletes its wrapped key (with
//! `secure_delete` on, and the write-ahead log truncated), so its files stay unreadable even
//! when recovered from the flash, with or without the device key.

use crate::device::error::{Error, Result};
use crate::device::store::sealed::SecretKey;
use chacha20poly1305::XNonce;
use chacha20poly1305::aead::{Aead, Payload};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes of a device key.
pub(crate) const KEY_BYTES: usize = 32;

/// The device key given by the app: opens the database and wraps the accounts' file keys.
#[derive(Debug, Clone)]
pub(crate) struct DeviceKey {
    /// SQLCipher's raw key (the app's key as is, so a developer can open a copy of the
    /// database with the `sqlcipher` shell and the same key).
    database: SecretKey,
    /// Wraps the file keys: derived, so the two uses never share a key.
    wrapping: SecretKey,
}

impl DeviceKey {
    /// The key from the configuration: `None` is an unencrypted store (tests and development
    /// only); anything but 32 bytes is a programming error in the app.
    pub(crate) fn from_config(key: Option<&[u8]>) -> Result<Option<DeviceKey>> {
        let Some(bytes) = key else { return Ok(None) };
        let database = SecretKey::from_slice(bytes).ok_or_else(|| {
            Error::malformed(format!(
                "encryption_key must be {KEY_BYTES} bytes, not {}",
                bytes.len()
            ))
        })?;
        let mut derive = Sha256::new();
        derive.update(b"ceria.device.wrap-file-keys.v1");
        derive.update(database.bytes());
        let wrapping = SecretKey::from_slice(&derive.finalize())
            .ok_or_else(|| Error::internal("a SHA-256 digest is 32 bytes"))?;
        Ok(Some(DeviceKey { database, wrapping }))
    }

    /// The value of SQLCipher's `PRAGMA key` / `ATTACH ... KEY`: the raw key in blob syntax,
    /// which skips SQLCipher's passphrase derivation (the key is random already).
    pub(crate) fn sqlcipher_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.database.bytes())))
    }
}

/// The file key of `account_id`, created on first use.
pub(crate) fn file_key(
    conn: &Connection,
    device: &DeviceKey,
    account_id: &str,
) -> Result<SecretKey> {
    let wrapped: Option<Vec<u8>> = conn
        .query_row(
            "SELECT wrapped FROM account_keys WHERE account_id = ?1",
            params![account_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(wrapped) = wrapped {
        return unwrap(device, account_id, &wrapped);
    }
    let key = SecretKey::random();
    let wrapped = wrap(device, account_id, &key)?;
    // OR IGNORE + read back: a concurrent first use keeps one key, never two.
    conn.execute(
        "INSERT OR IGNORE INTO account_keys (account_id, wrapped) VALUES (?1, ?2)",
        params![account_id, wrapped],
    )?;
    let stored: Vec<u8> = conn.query_row(
        "SELECT wrapped FROM account_keys WHERE account_id = ?1",
        params![account_id],
        |r| r.get(0),
    )?;
    unwrap(device, account_id, &stored)
}

/// Nonce (24 bytes) and the sealed key; the account id is associated data, so a wrapped key
/// cannot be moved to another account's row.
fn wrap(device: &DeviceKey, account_id: &str, key: &SecretKey) -> Result<Vec<u8>> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = device
        .wrapping
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.bytes(),
                aad: account_id.as_bytes(),
            },
        )
        .map_err(|_| Error::internal("cannot wrap a file key"))?;
    Ok([nonce.as_slice(), sealed.as_slice()].concat())
}

fn unwrap(device: &DeviceKey, account_id: &str, wrapped: &[u8]) -> Result<SecretKey> {
    let (nonce, sealed) = wrapped
        .split_at_checked(24)
        .ok_or_else(|| Error::key_wrong("wrapped file key too short"))?;
    let plain = Zeroizing::new(
        device
            .wrapping
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: account_id.as_bytes(),
                },
            )
            .map_err(|_| Error::key_wrong("a file key does not open with this device key"))?,
    );
    SecretKey::from_slice(&plain).ok_or_else(|| Error::key_wrong("wrapped file key of wrong size"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::store::db::Db;

    #[test]
    fn one_key_per_account_bound_to_its_row() {
        let db = Db::open_in_memory().unwrap();
        let device = DeviceKey::from_config(Some(&[7u8; 32])).unwrap().unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO accounts (id, username, name, role, created_ms) VALUES ('a','u','n','citizen',0), ('b','v','m','citizen',0)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        let a1 = db.read(|c| file_key(c, &device, "a")).unwrap();
        let a2 = db.read(|c| file_key(c, &device, "a")).unwrap();
        let b = db.read(|c| file_key(c, &device, "b")).unwrap();
        assert_eq!(a1.bytes(), a2.bytes());
        assert_ne!(a1.bytes(), b.bytes());

        // Another device key cannot unwrap it.
        let other = DeviceKey::from_config(Some(&[8u8; 32])).unwrap().unwrap();
        let err = db.read(|c| file_key(c, &other, "a")).unwrap_err();
        assert!(err.to_string().starts_with("device.key_wrong"), "{err}");
        // A wrapped key moved to another account's row does not open there.
        db.write(|tx| {
            tx.execute(
                "UPDATE account_keys SET wrapped = (SELECT wrapped FROM account_keys WHERE account_id = 'a') WHERE account_id = 'b'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        assert!(db.read(|c| file_key(c, &device, "b")).is_err());

        assert!(DeviceKey::from_config(Some(&[1u8; 16])).is_err());
        assert!(DeviceKey::from_config(None).unwrap().is_none());
    }
}
