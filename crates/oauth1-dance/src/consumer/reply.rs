//! Parsing what the provider and the callback send back to the consumer.

use std::string::String;

use oauth1_sign::{Secret, form_decode};
use subtle::ConstantTimeEq;

use super::{AwaitAuthorization, OutOfBand};
use crate::store::Attributes;
use crate::{Error, Excerpt};

/// The largest reply body a consumer parses; longer ones are malformed.
const MAX_REPLY_LEN: usize = 64 * 1024;

/// A credentials reply ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1), §2.3).
pub(super) struct CredentialsReply {
    pub(super) token: String,
    pub(super) secret: Secret,
    pub(super) callback_confirmed: Option<String>,
    pub(super) attributes: Attributes,
}

/// Proof that the callback was checked: its token matched the held one in
/// constant time, or the state asked for `oob` (the user typed the verifier
/// into this very session). Only this module can make one.
pub(super) struct CallbackChecked(());

impl CallbackChecked {
    /// Compares the callback's token with the held one in constant time.
    pub(super) fn matched(held: &str, presented: &str) -> Result<Self, Error> {
        if presented.is_empty() {
            return Err(Error::MalformedCallback("empty oauth_token"));
        }
        if bool::from(presented.as_bytes().ct_eq(held.as_bytes())) {
            Ok(CallbackChecked(()))
        } else {
            Err(Error::CallbackMismatch)
        }
    }

    /// Only a state that asked for `oob` can take a verifier without a token.
    pub(super) fn out_of_band(_state: &AwaitAuthorization<OutOfBand>) -> Self {
        CallbackChecked(())
    }
}

/// Parses a 2xx form-encoded credentials reply.
pub(super) fn parse_credentials(status: u16, body: &[u8]) -> Result<CredentialsReply, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::UnexpectedStatus {
            status,
            body: Excerpt::new(body),
        });
    }
    let malformed = |reason| Error::MalformedResponse {
        status,
        reason,
        body: Excerpt::new(body),
    };
    if body.len() > MAX_REPLY_LEN {
        return Err(malformed("reply too large"));
    }
    let text = std::str::from_utf8(body).map_err(|_| malformed("reply is not utf-8"))?;
    let pairs = form_decode(text.trim()).map_err(|_| malformed("reply is not form-encoded"))?;
    let mut token = None;
    let mut secret = None;
    let mut confirmed = None;
    let mut attributes = Attributes::new();
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "oauth_token" => &mut token,
            "oauth_token_secret" => &mut secret,
            "oauth_callback_confirmed" => &mut confirmed,
            _ => {
                if attributes.insert(name, value).is_some() {
                    return Err(malformed("repeated parameter"));
                }
                continue;
            }
        };
        if slot.replace(value).is_some() {
            return Err(malformed("repeated oauth parameter"));
        }
    }
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("missing oauth_token"))?;
    let secret = secret
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed("missing oauth_token_secret"))?;
    Ok(CredentialsReply {
        token,
        secret: Secret::new(secret),
        callback_confirmed: confirmed,
        attributes,
    })
}
