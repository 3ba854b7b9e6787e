//! Fault injection on every transition, each with its expected error and status.

use super::*;

/// A predicate on the expected error.
type Expect = fn(&Error) -> bool;

/// Asserts that the provider refused `reply` with `status` and an error matching `expected`.
#[track_caller]
fn refused(reply: &Reply, status: u16, expected: Expect, case: &str) {
    assert_eq!(reply.status, status, "{case}: {:?}", reply.error);
    let error = reply.error.as_ref().expect("an error");
    assert!(expected(error), "{case}: unexpected {error:?}");
    assert_eq!(
        reply.challenge.is_some(),
        status == 401,
        "{case}: challenge"
    );
}

fn tamper_signature(request: &OutgoingRequest) -> OutgoingRequest {
    let signature = header_param(&request.authorization, "oauth_signature");
    let flipped = match signature.strip_prefix('A') {
        Some(rest) => format!("B{rest}"),
        None => format!("A{}", &signature[1..]),
    };
    OutgoingRequest {
        authorization: replace_param(&request.authorization, "oauth_signature", &flipped),
        ..request.clone()
    }
}

// --- Transition 1: the temporary-credentials request, provider side. ---

#[test]
fn initiate_faults() {
    let mut h = Harness::new();
    let (request, _) = h.initiate();
    refused(
        &h.send(&tamper_signature(&request)),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "tampered signature",
    );
    let tampered_body = OutgoingRequest {
        body: b"smart_record_id=124".to_vec(),
        ..request.clone()
    };
    refused(
        &h.send(&tampered_body),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "tampered body",
    );
    let no_record = OutgoingRequest {
        body: Vec::new(),
        content_type: None,
        ..request.clone()
    };
    refused(
        &h.send(&no_record),
        400,
        |e| matches!(e, Error::MissingParameter(p) if p == "smart_record_id"),
        "missing smart_record_id",
    );
    let twice = OutgoingRequest {
        body: b"smart_record_id=123&smart_record_id=124".to_vec(),
        ..request.clone()
    };
    refused(
        &h.send(&twice),
        400,
        |e| matches!(e, Error::DuplicateParameter(_)),
        "smart_record_id twice",
    );
    let duplicated = OutgoingRequest {
        body: format!(
            "smart_record_id=123&oauth_nonce={}",
            header_param(&request.authorization, "oauth_nonce")
        )
        .into_bytes(),
        ..request.clone()
    };
    refused(
        &h.send(&duplicated),
        400,
        |e| matches!(e, Error::Request(_)),
        "oauth_nonce in header and body",
    );
    let garbage = OutgoingRequest {
        authorization: "OAuth oauth_consumer_key=\"unterminated".to_string(),
        ..request.clone()
    };
    refused(
        &h.send(&garbage),
        400,
        |e| matches!(e, Error::Request(_)),
        "garbage header",
    );
    // The untouched request still goes through: failures above recorded no nonce.
    assert_eq!(h.send(&request).status, 200);
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::NonceReused),
        "replayed nonce",
    );
}

#[test]
fn initiate_timestamps_outside_the_window() {
    for (offset, case) in [(-301_i64, "stale"), (301, "future")] {
        let mut h = Harness::new();
        let (request, _) = h.initiate();
        h.now = h.now.checked_add_signed(-offset).unwrap();
        refused(
            &h.send(&request),
            401,
            |e| matches!(e, Error::InvalidTimestamp),
            case,
        );
    }
    for offset in [-300_i64, 300] {
        let mut h = Harness::new();
        let (request, _) = h.initiate();
        h.now = h.now.checked_add_signed(-offset).unwrap();
        assert_eq!(h.send(&request).status, 200, "edge of the window {offset}");
    }
}

// --- Transition 2: the temporary-credentials reply, consumer side. ---

#[test]
fn temporary_reply_faults() {
    let mut h = Harness::new();
    let cases: &[(u16, &[u8], &str)] = &[
        (500, b"<html>internal error</html>", "UnexpectedStatus"),
        (401, b"invalid consumer", "UnexpectedStatus"),
        (200, b"", "MalformedResponse"),
        (200, b"\xff\xfe garbage", "MalformedResponse"),
        (200, b"oauth_token=t", "MalformedResponse"),
        (
            200,
            b"oauth_token_secret=s&oauth_callback_confirmed=true",
            "MalformedResponse",
        ),
        (
            200,
            b"oauth_token=t&oauth_token_secret=&oauth_callback_confirmed=true",
            "MalformedResponse",
        ),
        (
            200,
            b"oauth_token=t&oauth_token=u&oauth_token_secret=s&oauth_callback_confirmed=true",
            "MalformedResponse",
        ),
        (
            200,
            b"oauth_token=t&oauth_token_secret=s%zz&oauth_callback_confirmed=true",
            "MalformedResponse",
        ),
        (
            200,
            b"oauth_token=t&oauth_token_secret=s",
            "CallbackNotConfirmed",
        ),
        (
            200,
            b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
            "CallbackNotConfirmed",
        ),
    ];
    for (status, body, expected) in cases {
        let (_, state) = h.initiate();
        let error = state.handle_response(*status, body).unwrap_err();
        let name = match &error {
            Error::UnexpectedStatus { status: s, .. } => {
                assert_eq!(s, status);
                "UnexpectedStatus"
            }
            Error::MalformedResponse { .. } => "MalformedResponse",
            Error::CallbackNotConfirmed { .. } => "CallbackNotConfirmed",
            other => panic!("{body:?}: unexpected {other:?}"),
        };
        assert_eq!(&name, expected, "{:?}", String::from_utf8_lossy(body));
        // The provider refusing our credentials is 401 (run the dance again);
        // anything else the provider did wrong is 502.
        let expected_status = if *status == 401 { 401 } else { 502 };
        assert_eq!(error.http_status(), expected_status, "{error}");
        assert_eq!(error.fault(), crate::Fault::Peer);
    }
    // Absence is accepted only when allowed, and then reported.
    let stamp = h.stamp();
    let (_, state) = TemporaryCredentialsRequest::out_of_band(endpoints())
        .allow_unconfirmed_callback()
        .sign(&h.consumer, stamp)
        .unwrap();
    let state = state
        .handle_response(200, b"oauth_token=t&oauth_token_secret=s")
        .unwrap();
    assert!(!state.callback_confirmed());
}

#[test]
fn error_bodies_keep_a_bounded_redacted_excerpt() {
    let mut h = Harness::new();
    let (_, state) = h.initiate();
    let long = "x".repeat(10_000);
    let Error::UnexpectedStatus { status, body } =
        state.handle_response(503, long.as_bytes()).unwrap_err()
    else {
        panic!("expected UnexpectedStatus");
    };
    assert_eq!(status, 503);
    assert!(body.as_str().len() <= Excerpt::MAX_LEN + 4);
    let (_, state) = h.initiate();
    let Error::CallbackNotConfirmed { body, .. } = state
        .handle_response(200, b"oauth_token=t&oauth_token_secret=SUPERSECRET")
        .unwrap_err()
    else {
        panic!("expected CallbackNotConfirmed");
    };
    assert!(!body.as_str().contains("SUPERSECRET"), "{body}");
    assert!(body.as_str().contains("oauth_token=t"));
}

// --- Transition 3: the callback, consumer side. ---

#[test]
fn callback_faults() {
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let (token, verifier) = callback_params(&query);
    let cases: &[(&str, &str, Expect)] = &[
        ("forged", &verifier, |e| {
            matches!(e, Error::CallbackMismatch)
        }),
        ("", &verifier, |e| matches!(e, Error::MalformedCallback(_))),
        (&token, "", |e| matches!(e, Error::MalformedCallback(_))),
        (&token[..token.len() - 1], &verifier, |e| {
            matches!(e, Error::CallbackMismatch)
        }),
    ];
    for (bad_token, bad_verifier, expected) in cases {
        let stamp = h.stamp();
        let error = state
            .clone()
            .handle_callback(bad_token, bad_verifier, stamp)
            .unwrap_err();
        assert!(expected(&error), "{bad_token} {bad_verifier}: {error:?}");
        assert_eq!(error.http_status(), 400, "{bad_token} {bad_verifier}");
        assert_eq!(error.fault(), crate::Fault::Peer);
    }
    // The real callback still works.
    let stamp = h.stamp();
    assert!(state.handle_callback(&token, &verifier, stamp).is_ok());
}

// --- Transition 4: the token request, provider side. ---

/// Runs until the token request is signed, with `verifier` in place of the real one.
fn token_request(h: &mut Harness, verifier: Option<&str>) -> OutgoingRequest {
    let (state, query) = h.until_callback();
    let query = match verifier {
        Some(v) => format!("oauth_token={}&oauth_verifier={v}", state.token()),
        None => query,
    };
    let stamp = h.stamp();
    state.callback_query(&query, stamp).unwrap().0
}

/// Signs the same token request again with a fresh nonce.
fn resign(h: &mut Harness, state: &AwaitAuthorization<OutOfBand>, query: &str) -> OutgoingRequest {
    let stamp = h.stamp();
    state.clone().callback_query(query, stamp).unwrap().0
}

#[test]
fn token_request_faults() {
    let mut h = Harness::new();
    let request = token_request(&mut h, None);
    refused(
        &h.send(&tamper_signature(&request)),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "tampered signature",
    );
    let mut h = Harness::new();
    let request = token_request(&mut h, Some("wrong-verifier"));
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidVerifier),
        "wrong verifier",
    );
    let mut h = Harness::new();
    let request = token_request(&mut h, None);
    h.now += 601;
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidTimestamp),
        "stale timestamp",
    );
    let stripped = OutgoingRequest {
        authorization: request
            .authorization
            .replace("oauth_verifier", "oauth_verifierx"),
        ..request.clone()
    };
    refused(
        &h.send(&stripped),
        400,
        |e| matches!(e, Error::Request(_)),
        "unknown oauth parameter",
    );
}

#[test]
fn verifier_reused_and_request_token_expired() {
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let first = resign(&mut h, &state, &query);
    assert_eq!(h.send(&first).status, 200);
    let again = resign(&mut h, &state, &query);
    refused(
        &h.send(&again),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "verifier reused",
    );

    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    h.now += 601;
    let late = resign(&mut h, &state, &query);
    refused(
        &h.send(&late),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "expired request token",
    );
}

#[test]
fn token_request_before_approval_is_a_wrong_verifier() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let query = format!("oauth_token={}&oauth_verifier=guess", state.token());
    let request = resign(&mut h, &state, &query);
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidVerifier),
        "not yet approved",
    );
}

// --- Transition 5: the token reply, consumer side. ---

#[test]
fn token_reply_faults() {
    let mut h = Harness::new();
    let cases: &[(u16, &[u8])] = &[
        (401, b"invalid verifier"),
        (302, b""),
        (200, b"nonsense"),
        (200, b"oauth_token=&oauth_token_secret=s"),
        (
            200,
            b"oauth_token=a&oauth_token_secret=s&oauth_token_secret=t",
        ),
        (
            200,
            b"oauth_token=a&oauth_token_secret=s&record_id=1&record_id=2",
        ),
    ];
    for (status, body) in cases {
        let (state, query) = h.until_callback();
        let stamp = h.stamp();
        let (_, state) = state.callback_query(&query, stamp).unwrap();
        let error = state.handle_response(*status, body).unwrap_err();
        assert!(
            matches!(
                error,
                Error::UnexpectedStatus { .. } | Error::MalformedResponse { .. }
            ),
            "{body:?}: {error:?}"
        );
        let expected_status = match *status {
            401 => 401,
            _ => 502,
        };
        assert_eq!(error.http_status(), expected_status, "{error}");
    }
}

// --- Transition 6: protected calls, provider side. ---

#[test]
fn protected_call_faults() {
    let mut h = Harness::new();
    let authorized = h.dance();
    let request = h.get(&authorized, "/records/123/demographics");
    refused(
        &h.send(&tamper_signature(&request)),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "tampered signature",
    );
    let other_path = OutgoingRequest {
        url: format!("{ORIGIN}/records/124/demographics"),
        ..request.clone()
    };
    refused(
        &h.send(&other_path),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "tampered url",
    );
    assert_eq!(h.send(&request).status, 200);
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::NonceReused),
        "replay",
    );

    let request = h.get(&authorized, "/records/123/demographics");
    h.now += 301;
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidTimestamp),
        "stale",
    );

    // Access tokens expire after the configured hour.
    h.now = START + 3601;
    let request = h.get(&authorized, "/records/123/demographics");
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "expired access token",
    );
}

#[test]
fn a_request_token_is_not_an_access_token() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let body = String::from_utf8(reply.body).unwrap();
    let secret = body
        .split("oauth_token_secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let pretend = Authorized::from_parts(
        h.consumer.clone(),
        state.token(),
        Secret::new(secret),
        Attributes::new(),
    );
    let request = h.get(&pretend, "/records/123/demographics");
    refused(
        &h.send(&request),
        401,
        |e| matches!(e, Error::InvalidCredentials),
        "request token on a resource",
    );
}
