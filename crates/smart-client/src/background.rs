//! Background (helper) apps: a token per record without a user. The app
//! signs two-legged requests (consumer key and secret, no token) to the
//! container's `tokens/records/...` calls and gets back token credentials
//! for one record at a time; the container answers 404 past the last record.

use http::{Method, StatusCode};
use smart_api::CallId;

use crate::client::{AccessToken, SmartClient};
use crate::error::{Error, Result};
use crate::oauth::{self, Secret};
use crate::response::SmartResponse;

/// The most records one loop walks: a guard, with the check that no record
/// comes twice, against a container whose `next` never ends.
pub const MAX_RECORDS: usize = 1_000_000;

/// Every record of the container, one token each, in the container's order.
/// Made by [`SmartClient::loop_over_records`].
///
/// ```no_run
/// # async fn census(client: &smart_client::SmartClient) -> smart_client::Result<()> {
/// let mut records = client.loop_over_records();
/// while let Some(token) = records.next_record().await {
///     let token = token?;
///     let record = client.record(&token)?;
///     let _medications = record.medications(&smart_client::Query::new()).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RecordLoop<'a> {
    client: &'a SmartClient,
    last: Option<String>,
    done: bool,
    walked: usize,
    seen: std::collections::HashSet<String>,
}

impl<'a> RecordLoop<'a> {
    /// The token for the next record, `None` after the last one (the
    /// container's 404). An error ends the loop.
    pub async fn next_record(&mut self) -> Option<Result<AccessToken>> {
        if self.done {
            return None;
        }
        if self.walked >= MAX_RECORDS {
            self.done = true;
            return Some(Err(Error::Protocol(format!(
                "the container offered more than {MAX_RECORDS} records"
            ))));
        }
        let token = match &self.last {
            None => self.client.first_record_token().await,
            Some(id) => self.client.next_record_token(id).await,
        };
        match token {
            Ok(Some(token)) => {
                if !self.seen.insert(token.record_id.clone()) {
                    // A container that comes back to a record would loop for ever.
                    self.done = true;
                    return Some(Err(Error::Protocol(format!(
                        "the container offered record {} twice",
                        token.record_id
                    ))));
                }
                self.last = Some(token.record_id.clone());
                self.walked += 1;
                Some(Ok(token))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    /// Every remaining token.
    pub async fn collect_all(mut self) -> Result<Vec<AccessToken>> {
        let mut tokens = Vec::new();
        while let Some(token) = self.next_record().await {
            tokens.push(token?);
        }
        Ok(tokens)
    }
}

impl SmartClient {
    /// Walks every record of the container with a token each, as a
    /// background app: `POST /apps/{app_id}/tokens/records/first`, then
    /// `.../{record_id}/next` until the container answers 404. Only an app
    /// installed with `mode` `background` (or `helper`) may (403 otherwise).
    pub fn loop_over_records(&self) -> RecordLoop<'_> {
        RecordLoop {
            client: self,
            last: None,
            done: false,
            walked: 0,
            seen: std::collections::HashSet::new(),
        }
    }

    /// A background app's token for the first record, in the container's
    /// order: `POST /apps/{app_id}/tokens/records/first`; `None` when the
    /// container holds no record.
    pub async fn first_record_token(&self) -> Result<Option<AccessToken>> {
        self.background_token_at(CallId::FirstRecordToken, &[])
            .await
    }

    /// A background app's token for the record after `record_id`:
    /// `POST /apps/{app_id}/tokens/records/{record_id}/next`; `None` after
    /// the last record.
    pub async fn next_record_token(&self, record_id: &str) -> Result<Option<AccessToken>> {
        self.background_token_at(CallId::NextRecordToken, &[record_id])
            .await
    }

    /// A background app's token for one record:
    /// `POST /apps/{app_id}/tokens/records/{record_id}`.
    pub async fn background_token(&self, record_id: &str) -> Result<AccessToken> {
        self.background_token_at(CallId::RecordToken, &[record_id])
            .await?
            .ok_or_else(|| Error::Status {
                status: StatusCode::NOT_FOUND,
                body: format!("no record {record_id}"),
            })
    }

    /// Token credentials from a two-legged `POST` to a call of the table
    /// (this app's id, then `rest`, in its path); `None` on 404.
    async fn background_token_at(
        &self,
        call: CallId,
        rest: &[&str],
    ) -> Result<Option<AccessToken>> {
        // The manifest is fetched (and checked) as for a dance.
        oauth::endpoints(&*self.manifest().await?)?;
        let mut values = vec![self.app_id()];
        values.extend_from_slice(rest);
        let url = self.call_url(call, &values)?;
        let request = oauth::two_legged_request(self.credentials(), &Method::POST, &url)?;
        let reply = oauth::send(self.transport(), request).await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let reply = SmartResponse::from_reply(reply)?;
        let mut token = None;
        let mut secret = None;
        let mut record_id = None;
        for (name, value) in url::form_urlencoded::parse(&reply.body) {
            let slot = match name.as_ref() {
                "oauth_token" => &mut token,
                "oauth_token_secret" => &mut secret,
                "smart_record_id" => &mut record_id,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(Error::Protocol(format!("{name} given twice")));
            }
        }
        let (Some(token), Some(secret), Some(record_id)) = (token, secret, record_id) else {
            return Err(Error::Protocol(
                "the token reply lacks oauth_token, oauth_token_secret or smart_record_id".into(),
            ));
        };
        if token.is_empty() || secret.is_empty() || record_id.is_empty() {
            return Err(Error::Protocol("an empty value in the token reply".into()));
        }
        let state = oauth::installed(self.credentials(), &token, Secret::new(secret));
        Ok(Some(AccessToken {
            api_base: self.api_base().to_owned(),
            record_id,
            user_id: None,
            state,
        }))
    }
}
