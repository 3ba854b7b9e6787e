//! `smart-browser`: the test machinery the workspace shares, kept out of
//! the product crates (`publish = false`).
//!
//! - [`Browser`] is a tiny headless browser: a cookie store, redirects
//!   followed by hand so that every hop ([`Hop`]) can be inspected, HTML
//!   forms read by [`html`] and submitted;
//! - [`flow`] signs in at a container, reads its record picker and approves
//!   on its authorisation page, through the container's real HTML;
//! - [`app`] drives the reference app's pages (launch to name page and
//!   summary), as `smart-demo --smoke` and the integration tests do;
//! - [`dance`] runs the out-of-band three-legged dance for a consumer, the
//!   user's part played through the container's pages (`smart-load` and the
//!   security tests);
//! - [`query_param`] reads one parameter of a callback's query as a web
//!   framework would.
//!
//! Every function returns an [`Error`] that says what was expected where; URLs
//! in messages lose their query ([`strip_query`]), which may carry tokens.

pub mod app;
pub mod browser;
pub mod dance;
pub mod flow;
pub mod html;

use std::fmt;

pub use browser::{Browser, Hop, MAX_REDIRECTS, Page, strip_query};

/// A failure of the headless browser or of a flow, with what was expected
/// where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// One parameter of a query (a leading `?` is allowed), decoded strictly as
/// RFC 5849 §3.6 forms are; empty when absent or undecodable, which is what
/// a web framework hands a callback handler for a missing field.
pub fn query_param(query: &str, name: &str) -> String {
    oauth1_sign::form_decode(query.trim_start_matches('?'))
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The query of a URL given as text (after `?`, before `#`), or `""`.
pub fn query_of(url: &str) -> &str {
    url.split_once('?')
        .map_or("", |(_, q)| q.split('#').next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_decode_like_a_framework() {
        let url = "http://h/authorized?oauth_token=a%2Bb&oauth_verifier=v#frag";
        assert_eq!(query_param(query_of(url), "oauth_token"), "a+b");
        assert_eq!(query_param(query_of(url), "oauth_verifier"), "v");
        assert_eq!(query_param("?x=1", "x"), "1");
        assert_eq!(query_param("x=1", "y"), "");
        assert_eq!(query_of("http://h/"), "");
    }
}
