//! Keeps a citizen account's identity state current. While the server has said the account
//! is unverified, each pass asks `GET /v1/me`, so a verification done elsewhere (at the
//! nagari office, on another device) shows up, and the feed starts over to bring in the
//! requests filed for the NIK that the account may now follow. Verified accounts, staff and
//! accounts of servers that predate identity checks (no state) cost no request.

use crate::device::store::accounts;
use crate::device::sync::engine::{Engine, Stop};
use crate::device::sync::http_api::Failure;
use crate::protocol::{IdentityState, Role, UserInfo};

impl Engine<'_> {
    /// Asks the server for the identity state of a citizen account not known as verified.
    pub(crate) fn refresh_identity(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        let account = self.db.read(|c| accounts::get(c, account_id))?;
        let Some(account) = account else {
            return Ok(());
        };
        if account.role != Role::Citizen || account.identity != Some(IdentityState::Unverified) {
            return Ok(());
        }
        let api = self.api;
        let me = self.net(|| api.json::<(), UserInfo>("GET", "/v1/me", Some(token), None));
        match me {
            Ok(me) => {
                if let Some(state) = me.identity {
                    self.db
                        .write(|tx| accounts::set_identity(tx, account_id, state))?;
                }
                Ok(())
            }
            // Not worth failing the pass for: the state is asked again at the next one.
            Err(Stop::Failure(f))
                if !f.is_retryable() && !matches!(f, Failure::Unauthorized(_)) =>
            {
                self.report
                    .problems
                    .push(format!("identity: {}", f.describe()));
                Ok(())
            }
            Err(stop) => Err(stop),
        }
    }
}
