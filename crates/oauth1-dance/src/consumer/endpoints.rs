//! The provider's three endpoints, checked when built.

use std::string::String;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The provider's three endpoints
/// ([RFC 5849 §2](https://www.rfc-editor.org/rfc/rfc5849#section-2)), each an
/// absolute `http` or `https` URL, checked when built.
///
/// The names are the keys of a SMART container manifest's `launch_urls`;
/// RFC 5849 calls them the temporary credential request URI
/// (`request_token`), the resource owner authorization URI
/// (`authorize_token`) and the token request URI (`exchange_token`).
///
/// ```
/// use oauth1_dance::Endpoints;
/// let endpoints = Endpoints::new(
///     "https://smart.example.org/oauth/request_token",
///     "https://smart.example.org/oauth/authorize",
///     "https://smart.example.org/oauth/access_token",
/// )?;
/// // From a SMART container manifest's `launch_urls` (other keys are ignored):
/// let launch_urls = [
///     ("app_launch", "https://smart.example.org/apps/{{app_id}}/launch"),
///     ("request_token", "https://smart.example.org/oauth/request_token"),
///     ("authorize_token", "https://smart.example.org/oauth/authorize"),
///     ("exchange_token", "https://smart.example.org/oauth/access_token"),
/// ];
/// assert_eq!(Endpoints::from_launch_urls(launch_urls)?, endpoints);
/// // A bad URL is refused at once, with the field that holds it.
/// let error = Endpoints::new("https://smart.example.org/oauth/request_token", "x", "https://smart.example.org/oauth/access_token")
///     .unwrap_err();
/// assert_eq!(error.to_string(), "invalid endpoint authorize_token: not an absolute http(s) url");
/// # Ok::<(), oauth1_dance::Error>(())
/// ```
///
/// With `serde`, `Endpoints` also deserialises straight from the
/// `launch_urls` object (checked the same way; other keys ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEndpoints")]
pub struct Endpoints {
    request_token: String,
    authorize_token: String,
    exchange_token: String,
}

#[derive(Deserialize)]
struct RawEndpoints {
    request_token: Option<String>,
    authorize_token: Option<String>,
    exchange_token: Option<String>,
}

impl TryFrom<RawEndpoints> for Endpoints {
    type Error = Error;

    fn try_from(raw: RawEndpoints) -> Result<Self, Error> {
        let missing = |field| Error::InvalidEndpoint {
            field,
            reason: "missing",
        };
        Endpoints::new(
            raw.request_token.ok_or_else(|| missing("request_token"))?,
            raw.authorize_token
                .ok_or_else(|| missing("authorize_token"))?,
            raw.exchange_token
                .ok_or_else(|| missing("exchange_token"))?,
        )
    }
}

impl Endpoints {
    /// The three endpoints, each checked to be an absolute `http(s)` URL with
    /// a host that the signer can sign.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEndpoint`] naming the first bad field.
    pub fn new(
        request_token: impl Into<String>,
        authorize_token: impl Into<String>,
        exchange_token: impl Into<String>,
    ) -> Result<Self, Error> {
        let endpoints = Endpoints {
            request_token: request_token.into(),
            authorize_token: authorize_token.into(),
            exchange_token: exchange_token.into(),
        };
        check("request_token", &endpoints.request_token)?;
        check("authorize_token", &endpoints.authorize_token)?;
        check("exchange_token", &endpoints.exchange_token)?;
        Ok(endpoints)
    }

    /// The endpoints from the `(key, value)` pairs of a SMART container
    /// manifest's `launch_urls`: `request_token`, `authorize_token` and
    /// `exchange_token`; other keys (`app_launch`) are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEndpoint`] naming a missing or bad key.
    pub fn from_launch_urls<K: AsRef<str>, V: AsRef<str>>(
        launch_urls: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error> {
        let mut raw = RawEndpoints {
            request_token: None,
            authorize_token: None,
            exchange_token: None,
        };
        for (key, value) in launch_urls {
            let slot = match key.as_ref() {
                "request_token" => &mut raw.request_token,
                "authorize_token" => &mut raw.authorize_token,
                "exchange_token" => &mut raw.exchange_token,
                _ => continue,
            };
            *slot = Some(value.as_ref().into());
        }
        Endpoints::try_from(raw)
    }

    /// The temporary credential request URI (SMART `launch_urls.request_token`).
    #[must_use]
    pub fn request_token(&self) -> &str {
        &self.request_token
    }

    /// The resource owner authorization URI (SMART `launch_urls.authorize_token`).
    #[must_use]
    pub fn authorize_token(&self) -> &str {
        &self.authorize_token
    }

    /// The token request URI (SMART `launch_urls.exchange_token`).
    #[must_use]
    pub fn exchange_token(&self) -> &str {
        &self.exchange_token
    }
}

/// An absolute `http(s)` URL with a host, no fragment, visible ASCII only,
/// that the signer accepts as a base string URI.
fn check(field: &'static str, url: &str) -> Result<(), Error> {
    let bad = |reason| Err(Error::InvalidEndpoint { field, reason });
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return bad("not an absolute http(s) url");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return bad("no host");
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return bad("spaces, controls or non-ascii characters");
    }
    if url.contains('#') {
        return bad("a fragment");
    }
    if oauth1_sign::base_string_uri(url).is_err() {
        return bad("not a url the signer accepts");
    }
    Ok(())
}
