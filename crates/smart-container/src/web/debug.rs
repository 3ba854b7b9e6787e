//! `GET {api_base}/oauth/debug`, development mode only: the last requests
//! of a consumer that failed the signature check, each with the base string
//! the container computed and the signature it expected, as the original
//! container let its developers see them.
//!
//! The page is a signing oracle: the expected signature of a request lets
//! anyone send that request without the secret. That is why it exists only
//! with `--dev` (a 404 otherwise, like any unknown address), and why it
//! shows no secret: the provider explains HMAC signatures only, never
//! PLAINTEXT, whose signature is the secrets.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth1_dance::{ProviderRequest, SignatureMismatch};

use super::{AppError, AppState};

/// The failures kept per consumer (the newest).
pub(crate) const PER_CONSUMER: usize = 16;

/// The consumers kept (those that failed most recently).
pub(crate) const CONSUMERS: usize = 64;

/// One refused request.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// When it was refused, Unix seconds.
    pub(crate) at: i64,
    /// Its HTTP method.
    pub(crate) method: String,
    /// What the provider found.
    pub(crate) mismatch: SignatureMismatch,
}

/// The failures of the consumers that failed most recently, bounded both
/// ways; in memory only, gone at restart.
#[derive(Debug, Default)]
pub(crate) struct SignatureLog {
    /// Newest consumer first; each with its failures, newest first.
    consumers: Mutex<VecDeque<(String, VecDeque<Failure>)>>,
}

impl SignatureLog {
    /// Keeps `failure`, dropping the oldest of its consumer past
    /// [`PER_CONSUMER`] and the consumer that failed longest ago past
    /// [`CONSUMERS`].
    pub(crate) fn push(&self, failure: Failure) {
        let mut consumers = self.consumers.lock().unwrap_or_else(|e| e.into_inner());
        let key = failure.mismatch.consumer_key.clone();
        let mut failures = match consumers.iter().position(|(k, _)| *k == key) {
            Some(i) => consumers.remove(i).map(|(_, f)| f).unwrap_or_default(),
            None => VecDeque::new(),
        };
        failures.push_front(failure);
        failures.truncate(PER_CONSUMER);
        consumers.push_front((key, failures));
        consumers.truncate(CONSUMERS);
    }

    /// The failures of `consumer_key`, newest first.
    pub(crate) fn of(&self, consumer_key: &str) -> Vec<Failure> {
        let consumers = self.consumers.lock().unwrap_or_else(|e| e.into_inner());
        consumers
            .iter()
            .find(|(k, _)| k == consumer_key)
            .map(|(_, f)| f.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The consumers with failures, newest first.
    pub(crate) fn consumers(&self) -> Vec<String> {
        let consumers = self.consumers.lock().unwrap_or_else(|e| e.into_inner());
        consumers.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// The error for a request the provider refused. In development mode a
/// refused signature is explained, kept for `/oauth/debug`, and the 401
/// says where to look; otherwise the provider's error as it is.
pub(super) fn refused(
    state: &AppState,
    request: &ProviderRequest<'_>,
    error: oauth1_dance::Error,
) -> AppError {
    if !state.inner.dev || !matches!(error, oauth1_dance::Error::InvalidCredentials) {
        return AppError::OAuth(error);
    }
    let provider = state.provider();
    let Ok(Some(mismatch)) = provider.explain_signature(request) else {
        return AppError::OAuth(error);
    };
    let url = debug_url(state.api_base(), &mismatch.consumer_key);
    state.inner.signature_log.push(Failure {
        at: crate::store::now(),
        method: request.method.to_owned(),
        mismatch,
    });
    AppError::OAuthExplained(error, url)
}

/// The address of a consumer's failures.
pub(crate) fn debug_url(api_base: &str, consumer_key: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("consumer_key", consumer_key)
        .finish();
    format!("{api_base}/oauth/debug?{query}")
}

/// GET `/oauth/debug`: with `consumer_key`, that consumer's failures;
/// without, the consumers that have some. Plain text. A 404 outside
/// development mode.
pub(crate) async fn page(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    if !state.inner.dev {
        return Err(super::not_found().await);
    }
    let query = req.uri().query().unwrap_or("");
    let params = crate::filters::parse_named(&["consumer_key"], query)
        .map_err(|m| AppError::Api(StatusCode::BAD_REQUEST, m))?;
    let log = &state.inner.signature_log;
    let mut text = String::from(
        "Signature failures (development mode only: this page is a signing oracle, so it\n\
         exists only with --dev; it never shows a secret).\n\n",
    );
    match params.first() {
        None => {
            let consumers = log.consumers();
            if consumers.is_empty() {
                text.push_str("No request has failed the signature check since the start.\n");
            }
            for key in consumers {
                let _ = writeln!(text, "{}", debug_url(state.api_base(), &key));
            }
        }
        Some((_, key)) => {
            let failures = log.of(key);
            let _ = writeln!(
                text,
                "The last {} of at most {PER_CONSUMER} requests of consumer `{key}` that failed the signature check, newest first.",
                failures.len()
            );
            let _ = writeln!(
                text,
                "Compare a base string with yours: oauth1 explain ... --compare 'BASE STRING'"
            );
            for f in failures {
                write_failure(&mut text, &f);
            }
        }
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response())
}

fn write_failure(text: &mut String, f: &Failure) {
    let at = chrono::DateTime::from_timestamp(f.at, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| f.at.to_string());
    let m = &f.mismatch;
    let _ = write!(
        text,
        "\ntime:               {at}\n\
         method:             {}\n\
         signature method:   {}\n\
         base string:        {}\n\
         expected signature: {}\n\
         received signature: {}\n",
        f.method,
        m.signature_method.as_str(),
        m.base_string,
        m.expected,
        m.received,
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use oauth1_dance::SignatureMethod;

    use super::*;

    fn failure(key: &str, n: i64) -> Failure {
        Failure {
            at: n,
            method: "GET".into(),
            mismatch: SignatureMismatch {
                consumer_key: key.into(),
                signature_method: SignatureMethod::HmacSha1,
                base_string: format!("GET&x&n%3D{n}"),
                expected: "e".into(),
                received: "r".into(),
            },
        }
    }

    #[test]
    fn the_log_is_bounded_per_consumer_and_in_consumers() {
        let log = SignatureLog::default();
        for n in 0..40 {
            log.push(failure("a", n));
        }
        let kept = log.of("a");
        assert_eq!(kept.len(), PER_CONSUMER);
        assert_eq!(kept[0].at, 39);
        assert_eq!(kept[PER_CONSUMER - 1].at, 40 - PER_CONSUMER as i64);
        for c in 0..CONSUMERS + 5 {
            log.push(failure(&format!("c{c}"), 0));
        }
        assert_eq!(log.consumers().len(), CONSUMERS);
        assert!(
            log.of("a").is_empty(),
            "the consumer that failed longest ago goes"
        );
        log.push(failure("c5", 1));
        assert_eq!(log.consumers()[0], "c5");
        assert_eq!(log.of("c5").len(), 2);
        assert!(log.of("nobody").is_empty());
    }
}
