//! A pending authorisation or an access token in a form that can be stored,
//! to survive a restart of the app: [`SavedPending`] and [`SavedToken`].
//!
//! **Each holds a token secret in clear** (the temporary secret, or the
//! access token secret): store it only sealed, in the app's server-side
//! session store, never in a cookie, a URL or a log. `Debug` shows neither
//! the token nor its secret. The consumer secret is not in it: resuming
//! takes it from the [`SmartClient`] the app configured.

use oauth1_dance::Saved;
use serde::{Deserialize, Serialize};

use crate::client::{AccessToken, PendingAuthorization, SmartClient};
use crate::oauth::{self, AuthorizedState, PendingState};
use crate::{Error, Result};

/// A [`PendingAuthorization`] made storable by [`PendingAuthorization::save`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPending {
    api_base: String,
    record_id: String,
    state: Saved<PendingState>,
}

/// An [`AccessToken`] made storable by [`AccessToken::save`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedToken {
    api_base: String,
    record_id: String,
    user_id: Option<String>,
    state: Saved<AuthorizedState>,
}

impl std::fmt::Debug for SavedPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedPending")
            .field("api_base", &self.api_base)
            .field("record_id", &self.record_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SavedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedToken")
            .field("api_base", &self.api_base)
            .field("record_id", &self.record_id)
            .finish_non_exhaustive()
    }
}

impl SavedPending {
    /// The api_base of the container the dance runs with.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }
}

impl SavedToken {
    /// The api_base of the container the token is for.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }
}

impl PendingAuthorization {
    /// This pending authorisation in a storable form (secret in clear: seal it).
    pub fn save(&self) -> SavedPending {
        SavedPending {
            api_base: self.api_base.clone(),
            record_id: self.record_id.clone(),
            state: self.state.save(),
        }
    }
}

impl AccessToken {
    /// This token in a storable form (secret in clear: seal it).
    pub fn save(&self) -> SavedToken {
        SavedToken {
            api_base: self.api_base.clone(),
            record_id: self.record_id.clone(),
            user_id: self.user_id.clone(),
            state: self.state.save(),
        }
    }
}

impl SmartClient {
    /// A saved pending authorisation again, for this client's container and
    /// app ([`Error::UnknownApiBase`] for another container's).
    pub fn resume_pending(&self, saved: SavedPending) -> Result<PendingAuthorization> {
        if saved.api_base != self.api_base() {
            return Err(Error::UnknownApiBase(saved.api_base));
        }
        let state = saved
            .state
            .resume(&oauth::consumer(self.credentials()))
            .map_err(|e| Error::Protocol(format!("cannot resume a saved dance: {e}")))?;
        Ok(PendingAuthorization {
            api_base: saved.api_base,
            record_id: saved.record_id,
            state,
        })
    }

    /// A saved access token again, for this client's container and app.
    pub fn resume_token(&self, saved: SavedToken) -> Result<AccessToken> {
        if saved.api_base != self.api_base() {
            return Err(Error::UnknownApiBase(saved.api_base));
        }
        let state = saved
            .state
            .resume(&oauth::consumer(self.credentials()))
            .map_err(|e| Error::Protocol(format!("cannot resume a saved token: {e}")))?;
        Ok(AccessToken {
            api_base: saved.api_base,
            record_id: saved.record_id,
            user_id: saved.user_id,
            state,
        })
    }
}
