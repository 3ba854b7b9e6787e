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
    h.provider.deny(state.token()).unwrap();
    assert!(matches!(
        h.provider.deny(state.token()),
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
    let result = TemporaryCredentialsRequest::new(endpoints(), Callback::Oob)
        .param("oauth_callback", "https://evil.example")
        .sign(&h.consumer, Stamp::new(START, "n"));
    assert!(matches!(result, Err(Error::Misuse(_))));
}

#[cfg(feature = "os")]
#[test]
fn os_stamps_are_fresh() {
    let a = Stamp::now().unwrap();
    let b = Stamp::now().unwrap();
    assert!(a.timestamp > START);
    assert_eq!(a.nonce.len(), crate::NONCE_LEN);
    assert_ne!(a.nonce, b.nonce);
}
