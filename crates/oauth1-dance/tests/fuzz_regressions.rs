//! Inputs found by the fuzz targets in `fuzz/` (see `fuzz/README.md`), kept
//! as tests of the property the target's oracle checks. Each test names the
//! target and what it found.

use oauth1_dance::{Consumer, Endpoints, Excerpt, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret;

/// `dance_consumer`: a reply whose parameter names are percent-encoded
/// (`%6F%61...` for `oauth_token_secret`, legal form encoding) kept the
/// token secret in clear in the error's excerpt of the body, so in its
/// `Debug` and `Display` and in any log of the error (SECURITY.md 21).
/// Redaction must look at the decoded name.
#[test]
fn dance_consumer_encoded_secret_names_are_redacted_in_errors() {
    let secret = "tsecret-_utt-4f2a9c";
    let encoded_name: String = "oauth_token_secret"
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    for name in [
        encoded_name.as_str(),
        "oauth_token_s%65cret",
        "oauth_token_secret",
    ] {
        let body = format!("oauth_token=tii&{name}={secret}");
        let excerpt = Excerpt::new(body.as_bytes());
        assert!(
            !excerpt.as_str().contains(secret),
            "the excerpt shows the secret: {excerpt}"
        );
        for status in [500, 200] {
            let consumer = Consumer::new("key", Secret::new("consumer-secret"));
            let endpoints = Endpoints::new(
                "https://p.example/rt",
                "https://p.example/a",
                "https://p.example/at",
            )
            .unwrap_or_else(|e| panic!("endpoints: {e}"));
            let (_, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
                .sign(&consumer, Stamp::new(1, "n"))
                .map_err(|e| e.to_string())
                .unwrap_or_else(|e| panic!("signing failed: {e}"));
            // 500: unexpected status; 200 without the callback confirmation.
            if let Err(e) = state.handle_response(status, body.as_bytes()) {
                let shown = format!("{e:?} {e}");
                assert!(
                    !shown.contains(secret),
                    "the error shows the secret: {shown}"
                );
            }
        }
    }
}
