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
    Authorized, AwaitAuthorization, AwaitTemporaryCredentials, AwaitTokenCredentials, CallbackKind,
    CallbackUrl, Consumer, Endpoints, Error, OutOfBand, OutgoingRequest, Stamp,
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
    /// A callback's raw `oauth_token` and `oauth_verifier`.
    Callback(String, String),
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

/// Where the dance is.
enum State<K: CallbackKind> {
    Temporary(AwaitTemporaryCredentials<K>),
    Authorization(AwaitAuthorization<K>),
    Token(AwaitTokenCredentials),
    Authorized(Authorized),
}

impl<K: CallbackKind> State<K> {
    fn name(&self) -> &'static str {
        match self {
            State::Temporary(_) => "AwaitTemporaryCredentials",
            State::Authorization(_) => "AwaitAuthorization",
            State::Token(_) => "AwaitTokenCredentials",
            State::Authorized(_) => "Authorized",
        }
    }

    fn debug(&self) -> String {
        match self {
            State::Temporary(s) => format!("{s:?}"),
            State::Authorization(s) => format!("{s:?}"),
            State::Token(s) => format!("{s:?}"),
            State::Authorized(s) => format!("{s:?}"),
        }
    }
}

/// The out-of-band verifier step, which only the `oob` kind has.
trait VerifierStep: CallbackKind + Sized {
    fn verifier(
        state: AwaitAuthorization<Self>,
        verifier: &str,
        stamp: Stamp,
    ) -> Option<Result<(OutgoingRequest, AwaitTokenCredentials), Error>>;
}

impl VerifierStep for OutOfBand {
    fn verifier(
        state: AwaitAuthorization<Self>,
        verifier: &str,
        stamp: Stamp,
    ) -> Option<Result<(OutgoingRequest, AwaitTokenCredentials), Error>> {
        Some(state.handle_verifier(verifier, stamp))
    }
}

impl VerifierStep for CallbackUrl {
    fn verifier(
        _: AwaitAuthorization<Self>,
        _: &str,
        _: Stamp,
    ) -> Option<Result<(OutgoingRequest, AwaitTokenCredentials), Error>> {
        None
    }
}

/// Runs the steps; see the module documentation for the properties checked.
pub fn dance_consumer(input: &ConsumerInput) {
    if input.oob {
        run(input, TemporaryCredentialsRequest::out_of_band(endpoints()));
    } else {
        run(
            input,
            TemporaryCredentialsRequest::with_callback(
                endpoints(),
                "https://app.example.org/after_auth",
            ),
        );
    }
}

fn run<K: VerifierStep>(input: &ConsumerInput, mut request: TemporaryCredentialsRequest<K>) {
    let consumer = Consumer::new(CONSUMER_KEY, Secret::new(CONSUMER_SECRET));
    if let Some(record) = &input.record {
        request = request.param("smart_record_id", record.clone());
    }
    if input.allow_unconfirmed {
        request = request.allow_unconfirmed_callback();
    }
    let Ok((outgoing, first)) = request.sign(&consumer, stamp(0)) else {
        return;
    };
    assert_eq!(outgoing.url, endpoints().request_token());
    assert!(!format!("{outgoing:?}").contains(CONSUMER_SECRET));

    let mut state = Some(State::Temporary(first));
    let mut exchanged_after_check = false;
    for (i, step) in input.steps.iter().enumerate() {
        let Some(current) = state.take() else {
            return;
        };
        let current = round_trip(current, &consumer);
        let name = current.name();
        let mut secrets = vec![CONSUMER_SECRET.to_owned()];
        let (status, body) = reply_of(step, &mut secrets);
        let next = match (current, step) {
            (State::Temporary(s), _) => {
                let Some(body) = body else {
                    state = Some(State::Temporary(s));
                    continue;
                };
                let allow = input.allow_unconfirmed;
                s.handle_response(status, &body)
                    .inspect(|next| check_temporary(next, status, &body, allow))
                    .map(State::Authorization)
            }
            (State::Authorization(s), Step::Callback(token, verifier)) => {
                let held = s.token().to_owned();
                let result = s.handle_callback(token, verifier, stamp(i));
                check_callback(&result, token, verifier, &held);
                exchanged_after_check = result.is_ok();
                result.map(|(_, next)| State::Token(next))
            }
            (
                State::Authorization(s),
                Step::GoodCallback {
                    verifier,
                    other_token,
                },
            ) => {
                let held = s.token().to_owned();
                let token = other_token.clone().unwrap_or_else(|| held.clone());
                let result = s.handle_callback(&token, verifier, stamp(i));
                check_callback(&result, &token, verifier, &held);
                exchanged_after_check = result.is_ok();
                result.map(|(_, next)| State::Token(next))
            }
            (State::Authorization(s), Step::Verifier(verifier)) => {
                let token = s.token().to_owned();
                let Some(result) = K::verifier(s.clone(), verifier, stamp(i)) else {
                    // A dance with a callback URL has no verifier step at all.
                    assert!(!K::OUT_OF_BAND);
                    state = Some(State::Authorization(s));
                    continue;
                };
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
                result.map(|(_, next)| State::Token(next))
            }
            (State::Token(s), _) => {
                let Some(body) = body else {
                    state = Some(State::Token(s));
                    continue;
                };
                assert!(
                    exchanged_after_check,
                    "token request without a checked verifier"
                );
                s.handle_response(status, &body)
                    .inspect(|next| check_token_credentials(next, status, &body))
                    .map(State::Authorized)
            }
            (
                State::Authorized(a),
                Step::Sign {
                    method,
                    path,
                    content_type,
                    body,
                },
            ) => {
                check_signing(&a, method, path, content_type.as_deref(), body, i);
                Ok(State::Authorized(a))
            }
            (other, _) => Ok(other),
        };
        match next {
            Ok(next) => {
                if name == "Authorized" {
                    assert_eq!(next.name(), "Authorized", "left the terminal state");
                }
                check_redacted(&next.debug(), &secrets);
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
    Endpoints::new(
        "https://smart.example.org/oauth/request_token",
        "https://smart.example.org/oauth/authorize?x=1",
        "https://smart.example.org/oauth/access_token",
    )
    .unwrap_or_else(|e| panic!("endpoints: {e}"))
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

fn check_temporary<K: CallbackKind>(
    next: &AwaitAuthorization<K>,
    status: u16,
    body: &[u8],
    allow: bool,
) {
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
    assert!(
        next.authorization_url()
            .starts_with(endpoints().authorize_token())
    );
}

fn check_callback<T>(
    result: &Result<(OutgoingRequest, T), Error>,
    token: &str,
    verifier: &str,
    held: &str,
) {
    match result {
        Ok((outgoing, _)) => {
            assert_eq!(token, held, "callback with another token accepted");
            assert!(!verifier.is_empty(), "accepted without a verifier");
            check_token_request(&outgoing.authorization, held, verifier);
            assert_eq!(outgoing.url, endpoints().exchange_token());
        }
        Err(Error::CallbackMismatch) => {
            assert_ne!(token, held, "matching token refused");
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
    authorized: &Authorized,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
    i: usize,
) {
    let url = format!("https://smart.example.org/{path}");
    let Ok(outgoing) = authorized.request(method, &url, content_type, body.to_vec(), stamp(i))
    else {
        return;
    };
    assert_eq!(outgoing.url, url);
    assert_eq!(outgoing.body, body);
    assert_eq!(outgoing.content_type.as_deref(), content_type);
    let header = outgoing.authorization;
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

/// Saves and resumes the states that can be saved, and checks that the
/// saved form survives serde and resumes to the same state.
fn round_trip<K: CallbackKind>(state: State<K>, consumer: &Consumer) -> State<K> {
    match state {
        State::Authorization(s) => {
            let json = serde_json::to_string(&s.save()).unwrap_or_else(|e| panic!("save: {e}"));
            let saved: oauth1_dance::Saved<AwaitAuthorization<K>> =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("load: {e}"));
            let back = saved
                .resume(consumer)
                .unwrap_or_else(|e| panic!("resume: {e}"));
            assert_eq!(back.token(), s.token());
            assert_eq!(back.authorization_url(), s.authorization_url());
            State::Authorization(back)
        }
        State::Authorized(a) => {
            let json = serde_json::to_string(&a.save()).unwrap_or_else(|e| panic!("save: {e}"));
            let saved: oauth1_dance::Saved<Authorized> =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("load: {e}"));
            let back = saved
                .resume(consumer)
                .unwrap_or_else(|e| panic!("resume: {e}"));
            assert_eq!(back.token(), a.token());
            assert_eq!(back.secret().expose(), a.secret().expose());
            State::Authorized(back)
        }
        other => other,
    }
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
