//! The explicit opt-in for storing a consumer state: [`Saved`].

use std::fmt;
use std::string::String;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Consumer;
use crate::Error;

/// A consumer state in a form that can be serialised, to resume the dance in
/// another request or process: made by `save()` on
/// [`AwaitAuthorization`](super::AwaitAuthorization) and
/// [`Authorized`](super::Authorized), turned back by [`Saved::resume`].
///
/// **It holds a token secret in clear** (the temporary secret, or the access
/// token secret), because resuming needs it. Store it only where the app's
/// other server-side secrets live: a server-side session store keyed by a
/// random session id, or a database column the app encrypts at rest. Never
/// put it in a cookie (even a signed one), a URL, a hidden form field, the
/// browser's storage, or a log. `Debug` shows only the consumer key.
///
/// It does not hold the consumer secret: [`Saved::resume`] takes the
/// [`Consumer`] from the app's configuration.
#[derive(Serialize, Deserialize)]
#[serde(bound = "", deny_unknown_fields)]
pub struct Saved<S: Resumable> {
    consumer_key: String,
    state: S::Data,
}

impl<S: Resumable> Saved<S> {
    pub(crate) fn new(state: &S) -> Self {
        Saved {
            consumer_key: state.consumer().key().into(),
            state: state.to_data(),
        }
    }

    /// The key of the consumer that started the dance.
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The state again, signing with `consumer` from now on.
    ///
    /// # Errors
    ///
    /// [`Error::ConsumerMismatch`] when `consumer` has another key than the
    /// one that started the dance, [`Error::SavedStateMismatch`] when a
    /// state saved after an `oob` request is resumed as one with a callback
    /// URL, or the other way round.
    pub fn resume(self, consumer: &Consumer) -> Result<S, Error> {
        if consumer.key() != self.consumer_key {
            return Err(Error::ConsumerMismatch);
        }
        S::from_data(consumer.clone(), self.state)
    }
}

impl<S: Resumable> Clone for Saved<S> {
    fn clone(&self) -> Self {
        Saved {
            consumer_key: self.consumer_key.clone(),
            state: self.state.clone(),
        }
    }
}

impl<S: Resumable> fmt::Debug for Saved<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Saved")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

/// A consumer state that can be [`Saved`]. Sealed: implemented by
/// [`AwaitAuthorization`](super::AwaitAuthorization) and
/// [`Authorized`](super::Authorized).
pub trait Resumable: sealed::Sealed + Sized {
    /// The serialised form, without the consumer.
    #[doc(hidden)]
    type Data: Serialize + DeserializeOwned + Clone;
    /// The consumer the state signs with.
    #[doc(hidden)]
    fn consumer(&self) -> &Consumer;
    /// The serialised form.
    #[doc(hidden)]
    fn to_data(&self) -> Self::Data;
    /// The state from its serialised form and the consumer.
    #[doc(hidden)]
    fn from_data(consumer: Consumer, data: Self::Data) -> Result<Self, Error>;
}

pub(super) mod sealed {
    pub trait Sealed {}
}
