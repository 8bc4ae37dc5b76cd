//! Keeps a citizen account's identity state current. While the device knows the account as
//! unverified (or does not know yet), each pass asks `GET /v1/me`, so a verification done
//! elsewhere (at the nagari office, on another device) shows up, and the feed starts over to
//! bring in the requests filed for the NIK that the account may now follow. Verified
//! accounts and staff cost no request.

use crate::device::store::accounts;
use crate::device::sync::engine::{Engine, Stop};
use crate::protocol::{IdentityState, Role, UserInfo};

impl Engine<'_> {
    /// Asks the server for the identity state of a citizen account not known as verified.
    pub(crate) fn refresh_identity(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        let account = self.db.read(|c| accounts::get(c, account_id))?;
        let Some(account) = account else {
            return Ok(());
        };
        if account.role != Role::Citizen || account.identity == Some(IdentityState::Verified) {
            return Ok(());
        }
        let api = self.api;
        let me: UserInfo = self.net(|| api.json::<(), _>("GET", "/v1/me", Some(token), None))?;
        if let Some(state) = me.identity {
            self.db
                .write(|tx| accounts::set_identity(tx, account_id, state))?;
        }
        Ok(())
    }
}
