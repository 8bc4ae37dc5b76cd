//! A citizen proves on the device that the NIK of their account is theirs, with the facts the
//! population register holds (No. KK, birth date, mother's name). The account's state is in
//! [`Account::identity`]; the catalog's `identity.unverified` message says what else to do
//! (visit the nagari office with the KTP-el or KK).

use crate::device::error::{Error, Result};
use crate::device::store::accounts::{self, Account};
use crate::device::{Device, DeviceError};
use crate::protocol::{RegisterProof, UserInfo};

impl Device {
    /// Sends the current account's No. KK, birth date (`YYYY-MM-DD`) and mother's name to
    /// the server, which verifies the account when all three match its population register
    /// extract. Online.
    ///
    /// Errors: `Unauthorized` (nobody logged in, or the session ended), `Offline`,
    /// `Validation`/`Server` with the server's code: `identity.mismatch` (with the attempts
    /// left), `identity.attempts_exceeded`, `identity.no_register`.
    pub fn prove_identity(
        &self,
        nomor_kk: &str,
        birth_date: &str,
        mother_name: &str,
    ) -> std::result::Result<Account, DeviceError> {
        self.handle(|| self.send_proof(nomor_kk, birth_date, mother_name))
    }

    fn send_proof(&self, nomor_kk: &str, birth_date: &str, mother_name: &str) -> Result<Account> {
        let id = self.current()?;
        let session = self
            .db
            .read(|c| accounts::session(c, &id))?
            .ok_or_else(|| Error::unauthorized("auth.session_expired"))?;
        let body = RegisterProof {
            nomor_kk: nomor_kk.trim().to_string(),
            birth_date: birth_date.trim().to_string(),
            mother_name: mother_name.trim().to_string(),
        };
        let me: UserInfo =
            self.api
                .json("POST", "/v1/me/identity", Some(&session.token), Some(&body))?;
        if let Some(state) = me.identity {
            self.db.write(|tx| accounts::set_identity(tx, &id, state))?;
        }
        self.account(&id)
    }
}
