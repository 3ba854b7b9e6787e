//! The in-memory harness: a consumer and a provider, a virtual clock, a seeded
//! random source, and a transport that hands requests across as values.
//!
//! Unwrap and expect are allowed in tests: a failed step should stop the test
//! right there with the value that failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::string::{String, ToString};
use std::vec::Vec;

use oauth1_sign::{Secret, SignatureMethod};

use crate::memory::MemoryStore;
use crate::store::{Attributes, ConsumerRecord};
use crate::{
    AuthorizationGrant, Authorized, AwaitAuthorization, AwaitTemporaryCredentials,
    AwaitTokenCredentials, CallbackKind, Consumer, Endpoints, Error, Excerpt, OutOfBand,
    OutgoingRequest, Provider, ProviderConfig, ProviderRequest, Random, Stamp,
    TemporaryCredentialsRequest,
};

mod dance;
mod explain;
mod faults;
mod props;
mod rfc5849;
mod security;
mod security_dance;
mod store;
mod transport;
mod two_legged;
mod units;

/// The container's external origin.
const ORIGIN: &str = "https://smart.example.org";
const APP_KEY: &str = "rest-minimal@apps.smartplatforms.org";
const APP_SECRET: &str = "app-secret-0123456789abcdef";
const APP_CALLBACK: &str = "http://localhost:8000/authorized";
const OTHER_KEY: &str = "other@apps.smartplatforms.org";
const OTHER_SECRET: &str = "other-secret-0123456789abcdef";
const START: u64 = 1_700_000_000;

/// SplitMix64: a tiny deterministic generator, good enough to stand in for a CSPRNG in tests.
#[derive(Debug, Clone)]
struct SeededRng(u64);

impl SeededRng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Random for SeededRng {
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

fn endpoints() -> Endpoints {
    Endpoints::new(
        format!("{ORIGIN}/oauth/request_token"),
        format!("{ORIGIN}/oauth/authorize"),
        format!("{ORIGIN}/oauth/access_token"),
    )
    .unwrap()
}

/// The `oauth_token` and `oauth_verifier` of a callback query (a leading `?`
/// allowed), as a web framework would decode them; empty when absent.
fn callback_params(query: &str) -> (String, String) {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs = oauth1_sign::form_decode(query).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (get("oauth_token"), get("oauth_verifier"))
}

/// The callback step from a whole query, for tests that hold the redirect's query.
trait CallbackQuery {
    fn callback_query(
        self,
        query: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error>;
}

impl<K: CallbackKind> CallbackQuery for AwaitAuthorization<K> {
    fn callback_query(
        self,
        query: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        let (token, verifier) = callback_params(query);
        self.handle_callback(&token, &verifier, stamp)
    }
}

/// The state's type name, as in transcripts (`AwaitAuthorization<OutOfBand>` → `AwaitAuthorization`).
fn state_name<T>(_: &T) -> &'static str {
    let full = std::any::type_name::<T>();
    let full = full.split('<').next().unwrap_or(full);
    full.rsplit("::").next().unwrap_or(full)
}

fn consumer_record(key: &str, secret: &str, callback: Option<&str>) -> ConsumerRecord {
    ConsumerRecord {
        key: key.to_string(),
        secret: Secret::new(secret),
        signature_methods: vec![SignatureMethod::HmacSha1],
        callback: callback.map(str::to_string),
    }
}

fn smart_config() -> ProviderConfig {
    let mut config = ProviderConfig::new("SMART");
    config.required_request_parameters = vec!["smart_record_id".to_string()];
    config.access_token_ttl = Some(3600);
    config
}

/// What the transport gives back: a status and a body, as an HTTP client would.
#[derive(Debug)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// The provider's error, kept for assertions.
    error: Option<Error>,
    /// The `WWW-Authenticate` value sent with a 401.
    challenge: Option<String>,
}

/// A consumer and a provider wired together in memory.
struct Harness {
    provider: Provider<MemoryStore>,
    consumer: Consumer,
    now: u64,
    rng: SeededRng,
    /// Consumer states passed through, by name.
    consumer_transcript: Vec<&'static str>,
    /// Provider outcomes, by name.
    provider_transcript: Vec<String>,
    /// `(method, path, status)` of every request sent.
    wire: Vec<(String, String, u16)>,
}

impl Harness {
    fn new() -> Self {
        Self::with_config(smart_config())
    }

    fn with_config(config: ProviderConfig) -> Self {
        let store = MemoryStore::new();
        store
            .add_consumer(consumer_record(APP_KEY, APP_SECRET, Some(APP_CALLBACK)))
            .unwrap();
        store
            .add_consumer(consumer_record(OTHER_KEY, OTHER_SECRET, Some(APP_CALLBACK)))
            .unwrap();
        Harness {
            provider: Provider::new(config, store),
            consumer: Consumer::new(APP_KEY, Secret::new(APP_SECRET)),
            now: START,
            rng: SeededRng(42),
            consumer_transcript: Vec::new(),
            provider_transcript: Vec::new(),
            wire: Vec::new(),
        }
    }

    fn other_consumer() -> Consumer {
        Consumer::new(OTHER_KEY, Secret::new(OTHER_SECRET))
    }

    fn stamp(&mut self) -> Stamp {
        Stamp::generate(self.now, &mut self.rng).unwrap()
    }

    fn note<T>(&mut self, state: &T) {
        self.consumer_transcript.push(state_name(state));
    }

    /// Builds the SMART temporary-credentials request for record 123.
    fn initiate(&mut self) -> (OutgoingRequest, AwaitTemporaryCredentials<OutOfBand>) {
        let stamp = self.stamp();
        let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints())
            .param("smart_record_id", "123")
            .sign(&self.consumer, stamp)
            .unwrap();
        self.note(&state);
        (request, state)
    }

    /// Delivers a request to the provider endpoint its URL names and returns the reply.
    fn send(&mut self, request: &OutgoingRequest) -> Reply {
        let provider_request = ProviderRequest::from(request);
        let path = request.url.strip_prefix(ORIGIN).unwrap_or(&request.url);
        let path = path.split('?').next().unwrap_or_default().to_string();
        let outcome = match path.as_str() {
            "/oauth/request_token" => self
                .provider
                .issue_temporary_credentials(self.now, &provider_request, &mut self.rng)
                .map(|issued| ("TemporaryCredentialsIssued", issued.body().to_string())),
            "/oauth/access_token" => self
                .provider
                .issue_token_credentials(self.now, &provider_request, &mut self.rng)
                .map(|issued| ("TokenCredentialsIssued", issued.body().to_string())),
            _ => self
                .provider
                .authenticate(self.now, &provider_request)
                .map(|auth| ("Authenticated", format!("data for {}", auth.user_id))),
        };
        let reply = match outcome {
            Ok((name, body)) => {
                self.provider_transcript.push(name.to_string());
                Reply {
                    status: 200,
                    body: body.into_bytes(),
                    error: None,
                    challenge: None,
                }
            }
            Err(error) => Reply {
                status: error.http_status(),
                body: error.to_string().into_bytes(),
                challenge: self.provider.challenge(&error),
                error: Some(error),
            },
        };
        self.wire
            .push((request.method.to_string(), path, reply.status));
        reply
    }

    /// The user approves on the authorize page; returns the redirect location.
    fn approve(&mut self, token: &str) -> String {
        let pending = self
            .provider
            .pending_authorization(self.now, token)
            .unwrap();
        self.provider_transcript
            .push("PendingAuthorization".to_string());
        let mut attributes = Attributes::new();
        let record = pending.attributes["smart_record_id"].clone();
        attributes.insert("record_id".to_string(), record);
        attributes.insert("user_id".to_string(), "alice@example.org".to_string());
        let grant = self
            .provider
            .authorize(
                self.now,
                token,
                "alice@example.org",
                attributes,
                &mut self.rng,
            )
            .unwrap();
        self.provider_transcript
            .push("AuthorizationGranted".to_string());
        match grant {
            AuthorizationGrant::Redirect { location } => location,
            AuthorizationGrant::OutOfBand { .. } => panic!("expected a redirect"),
        }
    }

    /// Runs steps 1 and 2: temporary credentials and the user's approval.
    fn until_callback(&mut self) -> (AwaitAuthorization<OutOfBand>, String) {
        let (request, state) = self.initiate();
        let reply = self.send(&request);
        let state = state.handle_response(reply.status, &reply.body).unwrap();
        self.note(&state);
        let location = self.approve(state.token());
        let query = location.split_once('?').unwrap().1.to_string();
        (state, query)
    }

    /// The whole dance.
    fn dance(&mut self) -> Authorized {
        let (state, query) = self.until_callback();
        let stamp = self.stamp();
        let (request, state) = state.callback_query(&query, stamp).unwrap();
        self.note(&state);
        let reply = self.send(&request);
        let authorized = state.handle_response(reply.status, &reply.body).unwrap();
        self.note(&authorized);
        authorized
    }

    /// A signed GET of `path` with these credentials.
    fn get(&mut self, authorized: &Authorized, path: &str) -> OutgoingRequest {
        let url = format!("{ORIGIN}{path}");
        let stamp = self.stamp();
        authorized.request("GET", &url, None, b"", stamp).unwrap()
    }
}

/// Replaces the value of one header parameter in an `OAuth ...` header.
fn replace_param(header: &str, name: &str, value: &str) -> String {
    let start = header.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + header[start..].find('"').unwrap();
    format!("{}{}{}", &header[..start], value, &header[end..])
}

/// The value of one header parameter, as sent (still percent-encoded).
fn header_param<'a>(header: &'a str, name: &str) -> &'a str {
    let start = header.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + header[start..].find('"').unwrap();
    &header[start..end]
}
