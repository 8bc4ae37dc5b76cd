//! The desktop device's encryption key. The store under `HOME/device` is encrypted at rest
//! (SQLCipher database, sealed attachment files) with a key derived from a passphrase:
//! `$CERIA_PASSPHRASE`, else asked on the terminal (twice when the store is new). Argon2id
//! with its parameters and a random salt stored in `HOME/device-key.json` (not secret: the
//! passphrase is), so a stolen laptop's copy of the home is as strong as the passphrase.
//!
//! Why a passphrase rather than the OS keyring: the CLI runs on servers and over SSH as well
//! as on desktops, where no keyring service may be running; a passphrase works everywhere
//! and the same way in scripts (the environment variable) and by hand (the prompt).

use crate::exit::{self, Failure};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::path::Path;
use zeroize::Zeroizing;

/// The environment variable holding the device passphrase.
pub const PASSPHRASE_ENV: &str = "CERIA_PASSPHRASE";

const PARAMS_FILE: &str = "device-key.json";

/// How the key is derived (stored next to the store; raising the cost later only needs a
/// new file for new homes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KdfParams {
    /// Always `argon2id`.
    kdf: String,
    /// Memory in KiB.
    m_kib: u32,
    /// Passes.
    t: u32,
    /// Lanes.
    p: u32,
    /// Random salt, hex.
    salt: String,
}

impl KdfParams {
    /// OWASP's recommended Argon2id minimum (19 MiB, 2 passes, 1 lane): about 50 ms in a
    /// release build, paid once per command.
    fn new() -> KdfParams {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        KdfParams {
            kdf: "argon2id".into(),
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
            salt: hex::encode(salt),
        }
    }
}

fn failure(message: impl Into<String>) -> Failure {
    Failure::new(exit::INTERNAL, message.into())
}

/// The 32-byte key of the device store in `home`: the passphrase through Argon2id.
pub fn device_key(home: &Path) -> Result<Vec<u8>, Failure> {
    let file = home.join(PARAMS_FILE);
    let saved = match std::fs::read_to_string(&file) {
        Ok(text) => Some(
            serde_json::from_str::<KdfParams>(&text)
                .map_err(|e| failure(format!("{}: {e}", file.display())))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(failure(format!("{}: {e}", file.display()))),
    };
    let passphrase = passphrase(saved.is_none())?;
    let params = match saved {
        Some(p) => p,
        None => {
            let p = KdfParams::new();
            std::fs::create_dir_all(home)
                .map_err(|e| failure(format!("{}: {e}", home.display())))?;
            let text = serde_json::to_string_pretty(&p).map_err(|e| failure(e.to_string()))?;
            std::fs::write(&file, text).map_err(|e| failure(format!("{}: {e}", file.display())))?;
            p
        }
    };
    derive(&passphrase, &params).map(|k| k.to_vec())
}

/// The passphrase from the environment, else from the terminal (`confirm`: asked twice).
fn passphrase(confirm: bool) -> Result<Zeroizing<String>, Failure> {
    if let Some(p) = std::env::var_os(PASSPHRASE_ENV).filter(|p| !p.is_empty()) {
        return p
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| Failure::new(exit::USAGE, format!("{PASSPHRASE_ENV}: not UTF-8")));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new(
            exit::AUTH,
            format!(
                "Data perangkat dienkripsi: isi {PASSPHRASE_ENV} atau jalankan di terminal. / \
                 The device data is encrypted: set {PASSPHRASE_ENV} or run in a terminal."
            ),
        ));
    }
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| failure(format!("passphrase: {e}")))
    };
    let first = read("Frasa sandi perangkat / Device passphrase: ")?;
    if confirm && *read("Ulangi / Repeat: ")? != *first {
        return Err(Failure::new(
            exit::USAGE,
            "Frasa sandi tidak sama. / The passphrases differ.",
        ));
    }
    Ok(first)
}

fn derive(passphrase: &str, params: &KdfParams) -> Result<Zeroizing<[u8; 32]>, Failure> {
    if params.kdf != "argon2id" {
        return Err(failure(format!("unknown key derivation `{}`", params.kdf)));
    }
    let salt = hex::decode(&params.salt).map_err(|e| failure(format!("salt: {e}")))?;
    let argon = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(params.m_kib, params.t, params.p, Some(32))
            .map_err(|e| failure(format!("argon2 parameters: {e}")))?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), &salt, &mut key[..])
        .map_err(|e| failure(format!("argon2: {e}")))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key() {
        let p = KdfParams::new();
        let a = derive("kata sandi panjang", &p).unwrap();
        let b = derive("kata sandi panjang", &p).unwrap();
        let c = derive("kata sandi lain", &p).unwrap();
        let d = derive("kata sandi panjang", &KdfParams::new()).unwrap();
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
        assert_ne!(*a, *d);
    }
}
