//! Small pieces: excerpts, challenges, header reading, credential generation.

use super::*;
use crate::random::alphanumeric;

#[test]
fn excerpt_redacts_secrets_and_controls() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"oauth_token=a&oauth_token_secret=b",
            "oauth_token=a&oauth_token_secret=<redacted>",
        ),
        (b"x=1&OAUTH_VERIFIER=zz", "x=1&OAUTH_VERIFIER=<redacted>"),
        (b"line\nbreak", "line\u{fffd}break"),
        (b"\xff", "\u{fffd}"),
        (b"", ""),
    ];
    for (body, expected) in cases {
        assert_eq!(Excerpt::new(body).as_str(), *expected, "{body:?}");
    }
    let long = Excerpt::new(&[b'a'; 1000]);
    assert!(long.as_str().ends_with('…'));
    assert_eq!(
        long.as_str().chars().filter(|c| *c == 'a').count(),
        Excerpt::MAX_LEN
    );
}

#[test]
fn challenge_only_on_401_and_escaped() {
    assert_eq!(
        Error::InvalidCredentials.www_authenticate("SMART"),
        Some("OAuth realm=\"SMART\"".to_string())
    );
    assert_eq!(
        Error::NonceReused.www_authenticate("a\"b\\c\n"),
        Some("OAuth realm=\"a\\\"b\\\\c\"".to_string())
    );
    assert_eq!(Error::InvalidCallback.www_authenticate("SMART"), None);
    assert_eq!(Error::Forbidden.www_authenticate("SMART"), None);
}

#[test]
fn statuses_follow_rfc5849_section_3_2() {
    let cases: Vec<(Error, u16)> = vec![
        (Error::MissingParameter("oauth_callback".to_string()), 400),
        (Error::DuplicateParameter("x".to_string()), 400),
        (Error::UnexpectedParameter("oauth_token"), 400),
        (Error::PlaintextOverHttp, 400),
        (Error::TooLarge, 400),
        (Error::InvalidCredentials, 401),
        (Error::InvalidTimestamp, 401),
        (Error::NonceReused, 401),
        (Error::InvalidVerifier, 401),
        (Error::Forbidden, 403),
        (Error::Store(crate::StoreError::new("disk full")), 500),
    ];
    for (error, status) in cases {
        assert_eq!(error.http_status(), status, "{error:?}");
        assert!(!error.to_string().is_empty());
    }
    // Store details stay out of the client-facing text.
    assert_eq!(
        Error::Store(crate::StoreError::new("disk full")).to_string(),
        "internal error"
    );
}

#[test]
fn from_http_refuses_repeated_authorization_headers() {
    let request = http::Request::builder()
        .uri("/records/1/demographics")
        .header("Authorization", "OAuth a=\"1\"")
        .header("Authorization", "OAuth a=\"2\"")
        .body(Vec::<u8>::new())
        .unwrap();
    let error = ProviderRequest::from_http(&request, ORIGIN).unwrap_err();
    assert_eq!(error.http_status(), 400);
    let request = http::Request::builder().uri("/x?y=1").body(b"").unwrap();
    let incoming = ProviderRequest::from_http(&request, "https://o.example:8443/").unwrap();
    assert_eq!(incoming.url, "https://o.example:8443/x?y=1");
    assert_eq!(incoming.authorization, None);
}

#[test]
fn alphanumeric_is_uniform_over_the_alphabet_and_skips_high_bytes() {
    let mut counts = [0usize; 62];
    let mut rng = SeededRng(3);
    for _ in 0..1000 {
        for c in alphanumeric(&mut rng, 62).unwrap().bytes() {
            counts[crate::random::ALPHABET
                .iter()
                .position(|a| *a == c)
                .unwrap()] += 1;
        }
    }
    // 62 000 draws: every symbol should land near 1000.
    assert!(
        counts.iter().all(|&n| (800..1200).contains(&n)),
        "{counts:?}"
    );
    let mut script = [250u8, 0, 61].into_iter().chain(std::iter::repeat(1));
    let mut scripted = |dest: &mut [u8]| dest.iter_mut().for_each(|b| *b = script.next().unwrap());
    assert_eq!(alphanumeric(&mut scripted, 3).unwrap(), "A9B");
}

#[test]
fn pending_authorization_shows_the_request_and_refuses_twice() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let pending = h
        .provider
        .pending_authorization(h.now, state.token())
        .unwrap();
    assert_eq!(pending.consumer_key, APP_KEY);
    assert_eq!(pending.attributes["smart_record_id"], "123");
    let _ = h.approve(state.token());
    assert!(matches!(
        h.provider.pending_authorization(h.now, state.token()),
        Err(Error::AlreadyAuthorized)
    ));
    assert!(matches!(
        h.provider.authorize(
            h.now,
            state.token(),
            "mallory",
            Attributes::new(),
            &mut h.rng
        ),
        Err(Error::AlreadyAuthorized)
    ));
    assert!(matches!(
        h.provider.pending_authorization(h.now, "nope"),
        Err(Error::UnknownRequestToken)
    ));
    // The registered callback hears of the refusal.
    let location = h.provider.deny(h.now, state.token()).unwrap();
    assert_eq!(
        location.as_deref(),
        Some(
            format!(
                "{APP_CALLBACK}?oauth_token={}&oauth_problem=user_refused",
                state.token()
            )
            .as_str()
        )
    );
    assert!(matches!(
        h.provider.deny(h.now, state.token()),
        Err(Error::UnknownRequestToken)
    ));
}

#[test]
fn error_response_carries_status_reason_and_challenge() {
    let h = Harness::new();
    let response = h.provider.error_response(&Error::NonceReused);
    assert_eq!(response.status(), 401);
    assert_eq!(response.body(), "nonce already used");
    assert_eq!(
        response.headers()["www-authenticate"],
        "OAuth realm=\"SMART\""
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let response = h
        .provider
        .error_response(&Error::MissingParameter("smart_record_id".to_string()));
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), "missing smart_record_id");
    assert!(response.headers().get("www-authenticate").is_none());
}

#[test]
fn extra_oauth_parameters_are_refused_when_signing() {
    let h = Harness::new();
    let result = TemporaryCredentialsRequest::out_of_band(endpoints())
        .param("oauth_callback", "https://evil.example")
        .sign(&h.consumer, Stamp::new(START, "n"));
    let Err(error) = result else {
        panic!("signed an oauth_ extra parameter")
    };
    assert!(matches!(&error, Error::ReservedParameter(name) if name == "oauth_callback"));
    assert_eq!(error.fault(), crate::Fault::Caller);
    assert_eq!(error.http_status(), 500);
    assert!(error.to_string().contains("oauth_callback"), "{error}");
}

#[cfg(feature = "os")]
#[test]
fn os_stamps_are_fresh() {
    let a = Stamp::now().unwrap();
    let b = Stamp::now().unwrap();
    assert!(a.timestamp > START);
    assert_eq!(a.nonce.len(), crate::CREDENTIAL_LEN);
    assert_ne!(a.nonce, b.nonce);
}

#[test]
fn one_length_for_every_generated_credential() {
    let mut h = Harness::new();
    let stamp = h.stamp();
    assert_eq!(stamp.nonce.len(), crate::CREDENTIAL_LEN);
    assert_eq!(
        ProviderConfig::new("x").credential_length,
        crate::CREDENTIAL_LEN
    );
    let authorized = h.dance();
    assert_eq!(authorized.token().len(), crate::CREDENTIAL_LEN);
    assert_eq!(authorized.secret().expose().len(), crate::CREDENTIAL_LEN);
}

// --- Error messages say what to fix. ---

#[test]
fn an_unexpected_reply_shows_its_status_and_reason() {
    let mut h = Harness::new();
    let (_, state) = h.initiate();
    let error = state
        .handle_response(400, b"missing smart_record_id")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider answered 400: missing smart_record_id"
    );
    // The provider refused a request this app made: the app's status is 500, not 502.
    assert_eq!(error.http_status(), 500);
    assert_eq!(error.fault(), crate::Fault::Peer);
    // 401: the credentials are refused, run the dance again.
    let (_, state) = h.initiate();
    let error = state
        .handle_response(401, b"invalid consumer, token or signature")
        .unwrap_err();
    assert_eq!(error.http_status(), 401);
    assert!(
        error
            .to_string()
            .ends_with(": invalid consumer, token or signature")
    );
    // 5xx: the provider's fault.
    let (_, state) = h.initiate();
    let error = state.handle_response(503, b"").unwrap_err();
    assert_eq!(error.to_string(), "provider answered 503");
    assert_eq!(error.http_status(), 502);
    // A malformed 2xx reply shows what is wrong and the (redacted) reply.
    let (_, state) = h.initiate();
    let error = state
        .handle_response(200, b"oauth_token_secret=SUPERSECRET&x=1")
        .unwrap_err();
    let shown = error.to_string();
    assert!(shown.contains("missing oauth_token"), "{shown}");
    assert!(
        shown.contains("oauth_token_secret=<redacted>&x=1"),
        "{shown}"
    );
    assert!(!shown.contains("SUPERSECRET"), "{shown}");
    assert_eq!(error.http_status(), 502);
    // The reply text is bounded and control characters are replaced.
    let (_, state) = h.initiate();
    let long = format!("bad\u{1b}[31m{}", "y".repeat(5000));
    let error = state.handle_response(400, long.as_bytes()).unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.chars().count() < Excerpt::MAX_LEN + 40,
        "{}",
        shown.len()
    );
    assert!(!shown.contains('\u{1b}'));
    assert!(shown.ends_with('…'));
}

#[test]
fn a_bad_endpoint_names_its_field() {
    let good = "https://smart.example.org/oauth/x";
    let cases = [
        (
            ("x", good, good),
            "request_token",
            "not an absolute http(s) url",
        ),
        (
            (good, "x", good),
            "authorize_token",
            "not an absolute http(s) url",
        ),
        (
            (good, good, "/oauth/access_token"),
            "exchange_token",
            "not an absolute http(s) url",
        ),
        (
            (good, good, "ftp://h/x"),
            "exchange_token",
            "not an absolute http(s) url",
        ),
        ((good, "https:///x", good), "authorize_token", "no host"),
        (
            (good, "https://h/x y", good),
            "authorize_token",
            "spaces, controls or non-ascii characters",
        ),
        (
            ("https://h/x#frag", good, good),
            "request_token",
            "a fragment",
        ),
    ];
    for ((r, a, e), field, reason) in cases {
        let error = Endpoints::new(r, a, e).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("invalid endpoint {field}: {reason}")
        );
        assert_eq!(error.fault(), crate::Fault::Caller);
        assert_eq!(error.http_status(), 500);
    }
    assert!(Endpoints::new("HTTP://h:7000/a?b=1", "https://h/x", "http://h/y").is_ok());
    // From SMART `launch_urls`: every key is checked, a missing one is named.
    let launch_urls = [
        ("app_launch", "http://c.test/apps/{{ app_id }}/launch"),
        ("request_token", "http://c.test/oauth/request_token"),
        ("exchange_token", "http://c.test/oauth/access_token"),
    ];
    let error = Endpoints::from_launch_urls(launch_urls).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid endpoint authorize_token: missing"
    );
    let json = r#"{"app_launch": "x", "request_token": "http://c.test/oauth/request_token",
        "authorize_token": "http://c.test/oauth/authorize", "exchange_token": "relative"}"#;
    let error = serde_json::from_str::<Endpoints>(json).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("invalid endpoint exchange_token"),
        "{error}"
    );
    let json = json.replace("\"relative\"", "\"http://c.test/oauth/access_token\"");
    let endpoints: Endpoints = serde_json::from_str(&json).unwrap();
    assert_eq!(endpoints.authorize_token(), "http://c.test/oauth/authorize");
    assert_eq!(
        endpoints.exchange_token(),
        "http://c.test/oauth/access_token"
    );
}

#[test]
fn a_clock_before_1970_has_its_own_error() {
    let before = std::time::UNIX_EPOCH - std::time::Duration::from_secs(1);
    let error = crate::unix_time(before).unwrap_err();
    assert!(matches!(error, Error::ClockBeforeEpoch));
    assert_eq!(error.to_string(), "system clock is before 1970-01-01");
    assert_eq!(error.fault(), crate::Fault::Internal);
    assert_eq!(
        crate::unix_time(std::time::UNIX_EPOCH + std::time::Duration::from_secs(5)).unwrap(),
        5
    );
    let random = Error::RandomUnavailable;
    assert_eq!(random.to_string(), "random source unavailable");
}

#[test]
fn peer_faults_and_caller_mistakes_differ() {
    for peer in [
        Error::InvalidCredentials,
        Error::NonceReused,
        Error::InvalidTimestamp,
        Error::CallbackMismatch,
    ] {
        assert_eq!(peer.fault(), crate::Fault::Peer, "{peer:?}");
        assert!(matches!(peer.http_status(), 400 | 401), "{peer:?}");
    }
    for caller in [
        Error::InvalidMethod,
        Error::ConsumerMismatch,
        Error::Sign(oauth1_sign::Error::InvalidUrl),
    ] {
        assert_eq!(caller.fault(), crate::Fault::Caller, "{caller:?}");
        assert_eq!(caller.http_status(), 500, "{caller:?}");
    }
    // An internal failure never shows its cause to the peer.
    let response = Error::Store(crate::StoreError::new("disk full")).to_http_response("r");
    assert_eq!(response.status(), 500);
    assert_eq!(response.body(), "internal error");
}

#[test]
fn requests_refuse_a_bad_method_and_url() {
    let mut h = Harness::new();
    let authorized = h.dance();
    let stamp = h.stamp();
    let error = authorized
        .request("GE T", &format!("{ORIGIN}/x"), None, b"", stamp)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidMethod));
    let stamp = h.stamp();
    let error = authorized
        .request("GET", "/relative", None, b"", stamp)
        .unwrap_err();
    assert!(matches!(error, Error::Sign(_)), "{error:?}");
    assert!(error.to_string().starts_with("cannot sign: "));
}

/// `Debug` of an outgoing request shows where it goes, never the header.
#[test]
fn outgoing_request_debug_hides_the_authorization() {
    let mut h = Harness::new();
    let (request, _) = h.initiate();
    let shown = format!("{request:?}");
    assert!(
        shown.contains(&request.url) && shown.contains("<redacted>"),
        "{shown}"
    );
    assert!(!shown.contains(&request.authorization), "{shown}");
}

/// Extra parameters of the temporary-credentials request go in its form
/// body, encoded, joined by `&` in the order given.
#[test]
fn temporary_credentials_parameters_form_the_body() {
    let (request, _) = TemporaryCredentialsRequest::out_of_band(endpoints())
        .param("smart_record_id", "123")
        .param("note", "a b&c")
        .sign(&Harness::new().consumer, Stamp::new(1_700_000_000, "n1"))
        .unwrap();
    assert_eq!(request.body, b"smart_record_id=123&note=a%20b%26c");
}

/// The reply's parameters other than the credentials are kept as attributes.
#[test]
fn temporary_credentials_reply_attributes_are_kept() {
    let mut h = Harness::new();
    let (_, state) = h.initiate();
    let reply = b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&smart_extra=1";
    let state = state.handle_response(200, reply).unwrap();
    assert_eq!(
        state.attributes().get("smart_extra").map(String::as_str),
        Some("1")
    );
}

/// A store failure is the error's source, shown with its message and keeping
/// its own source when given one; the
/// excerpt of a reply displays and debugs as its text.
#[test]
fn store_errors_and_excerpts_show_their_text() {
    use std::error::Error as _;
    let store = crate::StoreError::new("disk full");
    assert_eq!(store.message(), "disk full");
    assert_eq!(store.to_string(), "store error: disk full");
    let error = Error::Store(store);
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("store error: disk full")
    );
    assert!(Error::NonceReused.source().is_none());
    assert!(error.source().and_then(|s| s.source()).is_none());
    let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
    let store = crate::StoreError::with_source("cannot record a nonce", io);
    assert_eq!(store.to_string(), "store error: cannot record a nonce");
    let cause = store.source().expect("the underlying error");
    assert_eq!(
        cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind),
        Some(std::io::ErrorKind::StorageFull)
    );
    let cloned = store.clone();
    assert!(cloned.source().is_some_and(|s| s.is::<std::io::Error>()));
    let excerpt = Excerpt::new(b"x=1");
    assert_eq!(
        (excerpt.to_string(), format!("{excerpt:?}")),
        ("x=1".to_string(), "\"x=1\"".to_string())
    );
}

/// A name that ends in a `%` without its two digits is read as it is: no
/// panic, and an escaped secret name before it is still redacted.
#[test]
fn excerpt_reads_names_with_a_trailing_percent() {
    assert_eq!(Excerpt::new(b"x%=1").as_str(), "x%=1");
    assert_eq!(Excerpt::new(b"y%7=1&a=%").as_str(), "y%7=1&a=%");
    assert_eq!(
        Excerpt::new(b"token_secre%74%=b").as_str(),
        "token_secre%74%=<redacted>"
    );
}

/// Endpoints from a SMART manifest's `launch_urls`: each of the three keys
/// lands in its own place, other keys are ignored, a missing one is named.
#[test]
fn endpoints_from_launch_urls() {
    let urls = [
        ("app_launch", "https://c.example/launch"),
        ("request_token", "https://c.example/oauth/request_token"),
        ("authorize_token", "https://c.example/oauth/authorize"),
        ("exchange_token", "https://c.example/oauth/access_token"),
    ];
    let endpoints = Endpoints::from_launch_urls(urls).unwrap();
    assert_eq!(endpoints.request_token(), urls[1].1);
    assert_eq!(endpoints.authorize_token(), urls[2].1);
    assert_eq!(endpoints.exchange_token(), urls[3].1);
    for missing in 1..4 {
        let partial = urls
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != missing)
            .map(|(_, kv)| *kv);
        let error = Endpoints::from_launch_urls(partial).unwrap_err();
        assert!(error.to_string().contains(urls[missing].0), "{error}");
    }
}

/// A credentials reply up to 64 KiB is read; one byte more is malformed.
#[test]
fn credentials_replies_up_to_64_kib() {
    let reply = |len: usize| {
        let head = "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&pad=";
        format!("{head}{}", "a".repeat(len - head.len()))
    };
    let mut h = Harness::new();
    let (_, state) = h.initiate();
    assert!(
        state
            .clone()
            .handle_response(200, reply(64 * 1024).as_bytes())
            .is_ok()
    );
    let over = state.handle_response(200, reply(64 * 1024 + 1).as_bytes());
    assert!(
        matches!(
            over,
            Err(Error::MalformedResponse {
                reason: "reply too large",
                ..
            })
        ),
        "{over:?}"
    );
}

/// The token reply's other parameters are the access token's attributes;
/// a saved state's `Debug` names its consumer and nothing secret.
#[test]
fn authorized_attributes_and_saved_debug() {
    let mut h = Harness::new();
    let authorized = h.dance();
    assert_eq!(
        authorized.attributes().get("record_id").map(String::as_str),
        Some("123")
    );
    let shown = format!("{:?}", authorized.save());
    assert!(
        shown.starts_with("Saved") && shown.contains(APP_KEY),
        "{shown}"
    );
    assert!(!shown.contains(authorized.secret().expose()), "{shown}");
}
