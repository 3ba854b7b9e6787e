//! The oracle for the consumer side of the dance: arbitrary provider
//! replies, callbacks and verifiers fed to the state machine in any order.
//!
//! Properties: no panic; the temporary credentials are exactly the reply's;
//! the token request carries the request token and the verifier of a
//! callback whose token matched (or of an out-of-band verifier); token
//! credentials are exactly the reply's and come only after such a token
//! request; a failed transition ends the dance; states survive a serde
//! round trip; no secret reaches `Debug` or `Display`; a request signed by
//! `Authorized` verifies with `oauth1-sign`.

use arbitrary::Arbitrary;
use oauth1_dance::{
    Authorized, AwaitAuthorization, Callback, Consumer, ConsumerState, Endpoints, Error, Stamp,
    TemporaryCredentialsRequest,
};
use oauth1_sign::{AuthorizationHeader, IncomingRequest, Secret, SignatureMethod, form_decode};

const CONSUMER_KEY: &str = "rest-minimal@apps.smartplatforms.org";
const CONSUMER_SECRET: &str = "consumer-secret-not-in-logs";

/// One run of the consumer.
#[derive(Arbitrary, Debug)]
pub struct ConsumerInput {
    /// `oob` rather than a callback URL.
    pub oob: bool,
    /// Accept replies without `oauth_callback_confirmed`.
    pub allow_unconfirmed: bool,
    /// A signed body parameter (SMART: `smart_record_id`).
    pub record: Option<String>,
    /// What happens, in order.
    pub steps: Vec<Step>,
}

/// One input to the consumer.
#[derive(Arbitrary, Debug)]
pub enum Step {
    /// A raw provider reply.
    Reply {
        /// The status.
        status: u16,
        /// The body.
        body: Vec<u8>,
    },
    /// A well-formed credentials reply.
    Credentials {
        /// The status (200 when `None`).
        status: Option<u16>,
        /// The token.
        token: String,
        /// The secret; prefixed so that it is recognisable in logs.
        secret: String,
        /// `oauth_callback_confirmed`.
        confirmed: Option<String>,
        /// Other fields.
        extra: Vec<(String, String)>,
        /// Percent-encode every byte of the names (legal, unusual).
        encode_all: bool,
    },
    /// A raw callback query.
    Callback(String),
    /// A callback with the held request token (or another).
    GoodCallback {
        /// The verifier.
        verifier: String,
        /// Use another token.
        other_token: Option<String>,
    },
    /// An out-of-band verifier.
    Verifier(String),
    /// Sign a protected request.
    Sign {
        /// The method.
        method: String,
        /// The path and query after the API base.
        path: String,
        /// The content type.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
}

/// Runs the steps; see the module documentation for the properties checked.
pub fn dance_consumer(input: &ConsumerInput) {
    let consumer = Consumer::new(CONSUMER_KEY, Secret::new(CONSUMER_SECRET));
    let callback = if input.oob {
        Callback::Oob
    } else {
        Callback::Url("https://app.example.org/after_auth".into())
    };
    let mut request = TemporaryCredentialsRequest::new(endpoints(), callback);
    if let Some(record) = &input.record {
        request = request.param("smart_record_id", record.clone());
    }
    if input.allow_unconfirmed {
        request = request.allow_unconfirmed_callback();
    }
    let Ok((outgoing, first)) = request.sign(&consumer, stamp(0)) else {
        return;
    };
    assert_eq!(outgoing.url, endpoints().request_token);
    assert!(!format!("{outgoing:?}").contains(CONSUMER_SECRET));

    let mut state = Some(ConsumerState::from(first));
    let mut exchanged_after_check = false;
    for (i, step) in input.steps.iter().enumerate() {
        let Some(current) = state.take() else {
            return;
        };
        round_trip(&current);
        let name = current.name();
        let mut secrets = vec![CONSUMER_SECRET.to_owned()];
        let (status, body) = reply_of(step, &mut secrets);
        let next = match (current, step) {
            (ConsumerState::AwaitTemporaryCredentials(s), _) => {
                let Some(body) = body else {
                    state = Some(ConsumerState::AwaitTemporaryCredentials(s));
                    continue;
                };
                let allow = input.allow_unconfirmed;
                s.handle_response(status, &body)
                    .inspect(|next| check_temporary(next, status, &body, allow))
                    .map(ConsumerState::from)
            }
            (ConsumerState::AwaitAuthorization(s), Step::Callback(query)) => {
                let token = s.token().to_owned();
                let result = s.handle_callback(&consumer, query, stamp(i));
                check_callback(&result, query, &token);
                exchanged_after_check = result.is_ok();
                result.map(|(_, next)| ConsumerState::from(next))
            }
            (
                ConsumerState::AwaitAuthorization(s),
                Step::GoodCallback {
                    verifier,
                    other_token,
                },
            ) => {
                let token = other_token.clone().unwrap_or_else(|| s.token().to_owned());
                let mut query = String::from("?oauth_token=");
                oauth1_sign::percent_encode_into(&mut query, &token);
                query.push_str("&oauth_verifier=");
                oauth1_sign::percent_encode_into(&mut query, verifier);
                let held = s.token().to_owned();
                let result = s.handle_callback(&consumer, &query, stamp(i));
                check_callback(&result, &query, &held);
                exchanged_after_check = result.is_ok();
                result.map(|(_, next)| ConsumerState::from(next))
            }
            (ConsumerState::AwaitAuthorization(s), Step::Verifier(verifier)) => {
                let token = s.token().to_owned();
                let result = s.handle_verifier(&consumer, verifier, stamp(i));
                match &result {
                    Ok((outgoing, _)) => {
                        check_token_request(&outgoing.authorization, &token, verifier.trim());
                    }
                    Err(Error::MalformedCallback(_)) => {
                        assert!(verifier.trim().is_empty(), "a verifier was refused");
                    }
                    // The signer refuses tokens and verifiers that are not
                    // 1 to 256 visible ASCII characters.
                    Err(Error::Sign(_)) => assert!(
                        !visible_ascii(&token) || !visible_ascii(verifier.trim()),
                        "the signer refused a good token request"
                    ),
                    Err(e) => panic!("unexpected error {e:?}"),
                }
                exchanged_after_check = result.is_ok();
                result.map(|(_, next)| ConsumerState::from(next))
            }
            (ConsumerState::AwaitTokenCredentials(s), _) => {
                let Some(body) = body else {
                    state = Some(ConsumerState::AwaitTokenCredentials(s));
                    continue;
                };
                assert!(
                    exchanged_after_check,
                    "token request without a checked verifier"
                );
                s.handle_response(status, &body)
                    .inspect(|next| check_token_credentials(next, status, &body))
                    .map(ConsumerState::from)
            }
            (
                ConsumerState::Authorized(a),
                Step::Sign {
                    method,
                    path,
                    content_type,
                    body,
                },
            ) => {
                check_signing(
                    &consumer,
                    &a,
                    method,
                    path,
                    content_type.as_deref(),
                    body,
                    i,
                );
                Ok(ConsumerState::Authorized(a))
            }
            (other, _) => Ok(other),
        };
        match next {
            Ok(next) => {
                if name == "Authorized" {
                    assert_eq!(next.name(), "Authorized", "left the terminal state");
                }
                check_redacted(&format!("{next:?}"), &secrets);
                state = Some(next);
            }
            Err(e) => {
                check_redacted(&format!("{e:?} {e}"), &secrets);
                state = None;
            }
        }
    }
}

fn endpoints() -> Endpoints {
    Endpoints {
        request_token: "https://smart.example.org/oauth/request_token".into(),
        authorize: "https://smart.example.org/oauth/authorize?x=1".into(),
        access_token: "https://smart.example.org/oauth/access_token".into(),
    }
}

fn stamp(i: usize) -> Stamp {
    Stamp::new(1_300_000_000 + i as u64, format!("nonce{i}"))
}

/// The reply a step represents, if it is a reply.
/// A well-formed reply adds its token secret to `secrets` when the secret
/// appears nowhere else in the reply and needs no encoding (so that it can
/// only show up in an excerpt of the raw body as itself).
fn reply_of(step: &Step, secrets: &mut Vec<String>) -> (u16, Option<Vec<u8>>) {
    match step {
        Step::Reply { status, body } => (*status, Some(body.clone())),
        Step::Credentials {
            status,
            token,
            secret,
            confirmed,
            extra,
            encode_all,
        } => {
            let secret = format!("tsecret-{secret}");
            let elsewhere = token.contains(&secret)
                || confirmed.as_ref().is_some_and(|c| c.contains(&secret))
                || extra
                    .iter()
                    .any(|(n, v)| n.contains(&secret) || v.contains(&secret));
            if secret.len() >= 12 && !elsewhere && crate::is_rfc5849_encoded(&secret) {
                secrets.push(secret.clone());
            }
            let mut fields = vec![
                ("oauth_token".to_owned(), token.clone()),
                ("oauth_token_secret".to_owned(), secret),
            ];
            if let Some(c) = confirmed {
                fields.push(("oauth_callback_confirmed".into(), c.clone()));
            }
            fields.extend(extra.iter().cloned());
            let mut body = String::new();
            for (k, (n, v)) in fields.iter().enumerate() {
                if k > 0 {
                    body.push('&');
                }
                if *encode_all {
                    for b in n.bytes() {
                        body.push_str(&format!("%{b:02X}"));
                    }
                } else {
                    oauth1_sign::percent_encode_into(&mut body, n);
                }
                body.push('=');
                oauth1_sign::percent_encode_into(&mut body, v);
            }
            (status.unwrap_or(200), Some(body.into_bytes()))
        }
        _ => (0, None),
    }
}

fn fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    form_decode(std::str::from_utf8(body).ok()?.trim()).ok()
}

fn only(fields: &[(String, String)], name: &str) -> Option<String> {
    let mut values = fields.iter().filter(|(n, _)| n == name);
    match (values.next(), values.next()) {
        (Some((_, v)), None) => Some(v.clone()),
        _ => None,
    }
}

fn check_temporary(next: &AwaitAuthorization, status: u16, body: &[u8], allow: bool) {
    assert!((200..300).contains(&status), "accepted status {status}");
    let fields = fields(body).unwrap_or_else(|| panic!("accepted a malformed reply"));
    assert_eq!(only(&fields, "oauth_token").as_deref(), Some(next.token()));
    assert!(only(&fields, "oauth_token_secret").is_some_and(|s| !s.is_empty()));
    let confirmed = only(&fields, "oauth_callback_confirmed");
    assert_eq!(
        next.callback_confirmed(),
        confirmed.as_deref() == Some("true")
    );
    if !allow {
        assert!(next.callback_confirmed(), "unconfirmed callback accepted");
    }
    let mut expected = String::from("oauth_token=");
    oauth1_sign::percent_encode_into(&mut expected, next.token());
    assert!(next.authorization_url().ends_with(&expected));
    assert!(next.authorization_url().starts_with(&endpoints().authorize));
}

fn check_callback<T>(
    result: &Result<(oauth1_dance::OutgoingRequest, T), Error>,
    query: &str,
    held: &str,
) {
    let parsed = fields(query.strip_prefix('?').unwrap_or(query).as_bytes());
    let token = parsed.as_deref().and_then(|f| only(f, "oauth_token"));
    let verifier = parsed.as_deref().and_then(|f| only(f, "oauth_verifier"));
    match result {
        Ok((outgoing, _)) => {
            assert_eq!(
                token.as_deref(),
                Some(held),
                "callback with another token accepted"
            );
            let verifier = verifier.unwrap_or_else(|| panic!("accepted without a verifier"));
            check_token_request(&outgoing.authorization, held, &verifier);
            assert_eq!(outgoing.url, endpoints().access_token);
        }
        Err(Error::CallbackMismatch) => {
            assert_ne!(token.as_deref(), Some(held), "matching token refused");
        }
        Err(_) => {}
    }
}

fn check_token_request(authorization: &str, token: &str, verifier: &str) {
    let header = AuthorizationHeader::parse(authorization)
        .unwrap_or_else(|e| panic!("own header does not parse ({e})"));
    assert_eq!(header.get("oauth_token"), Some(token));
    assert_eq!(header.get("oauth_verifier"), Some(verifier));
    assert_eq!(header.get("oauth_consumer_key"), Some(CONSUMER_KEY));
}

fn check_token_credentials(next: &Authorized, status: u16, body: &[u8]) {
    assert!((200..300).contains(&status), "accepted status {status}");
    let fields = fields(body).unwrap_or_else(|| panic!("accepted a malformed reply"));
    assert_eq!(only(&fields, "oauth_token").as_deref(), Some(next.token()));
    assert_eq!(
        only(&fields, "oauth_token_secret").as_deref(),
        Some(next.secret().expose())
    );
}

fn check_signing(
    consumer: &Consumer,
    authorized: &Authorized,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
    i: usize,
) {
    let url = format!("https://smart.example.org/{path}");
    let Ok(header) = authorized.sign_request(consumer, method, &url, content_type, body, stamp(i))
    else {
        return;
    };
    let request = match IncomingRequest::parse(method, &url, Some(&header), content_type, body) {
        Ok(request) => request,
        Err(oauth1_sign::Error::TooLarge) => return,
        Err(e) => panic!(
            "a request the consumer signed does not parse ({e}): {method} {url} {content_type:?}"
        ),
    };
    let result = request.verify(
        SignatureMethod::HmacSha1,
        &Secret::new(CONSUMER_SECRET),
        Some(authorized.secret()),
    );
    assert!(
        result.is_ok(),
        "a request the consumer signed does not verify ({result:?}): {method} {url} {content_type:?}"
    );
}

fn round_trip(state: &ConsumerState) {
    let json = serde_json::to_string(state).unwrap_or_else(|e| panic!("serialise: {e}"));
    let back: ConsumerState =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("deserialise: {e}"));
    assert_eq!(serde_json::to_string(&back).ok().as_deref(), Some(&*json));
    assert_eq!(back.name(), state.name());
}

fn visible_ascii(value: &str) -> bool {
    !value.is_empty() && value.len() <= 256 && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Panics if `text` shows one of `secrets`.
pub fn check_redacted(text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached Debug/Display: {text}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_dance_passes_the_oracle() {
        let input = ConsumerInput {
            oob: false,
            allow_unconfirmed: false,
            record: Some("123".into()),
            steps: vec![
                Step::Credentials {
                    status: None,
                    token: "rt".into(),
                    secret: "abcdefgh".into(),
                    confirmed: Some("true".into()),
                    extra: vec![],
                    encode_all: false,
                },
                Step::GoodCallback {
                    verifier: "v1".into(),
                    other_token: None,
                },
                Step::Credentials {
                    status: Some(200),
                    token: "at".into(),
                    secret: "ijklmnop".into(),
                    confirmed: None,
                    extra: vec![("record_id".into(), "123".into())],
                    encode_all: false,
                },
                Step::Sign {
                    method: "GET".into(),
                    path: "records/123/demographics?x=1".into(),
                    content_type: None,
                    body: vec![],
                },
            ],
        };
        dance_consumer(&input);
    }

    #[test]
    #[should_panic(expected = "a secret reached")]
    fn redaction_check_can_fail() {
        // A panic is this oracle's only output: this proves the check can fail.
        check_redacted("x tsecret-abcdefgh y", &["tsecret-abcdefgh".into()]);
    }
}
