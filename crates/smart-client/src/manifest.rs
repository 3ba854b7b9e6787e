//! The container manifest (`GET {api_base}/manifest`) and launch URLs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

/// A container's manifest: who it is and where its OAuth endpoints live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerManifest {
    /// The SMART version the container implements, e.g. `"0.6.1"`.
    pub smart_version: String,
    /// The container's REST API base.
    pub api_base: String,
    /// The container's name.
    #[serde(default)]
    pub name: String,
    /// A description.
    #[serde(default)]
    pub description: String,
    /// A contact e-mail address.
    #[serde(default)]
    pub admin: String,
    /// The launch and OAuth endpoints.
    pub launch_urls: LaunchUrls,
    /// The data types the container serves, by type URI.
    #[serde(default)]
    pub capabilities: BTreeMap<String, serde_json::Value>,
}

/// The endpoints of the manifest's `launch_urls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchUrls {
    /// The app launch page, a template with `{{app_id}}`.
    pub app_launch: String,
    /// Where to get a request token.
    pub request_token: String,
    /// Where to send the browser to authorise a request token.
    pub authorize_token: String,
    /// Where to exchange a verified request token for an access token.
    pub exchange_token: String,
}

impl ContainerManifest {
    /// Parses a manifest from its JSON body, checking that every endpoint is
    /// an absolute `http` or `https` URL.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let manifest: ContainerManifest =
            serde_json::from_slice(body).map_err(|e| Error::Manifest(e.to_string()))?;
        for (name, value) in [
            ("request_token", &manifest.launch_urls.request_token),
            ("authorize_token", &manifest.launch_urls.authorize_token),
            ("exchange_token", &manifest.launch_urls.exchange_token),
        ] {
            parse_http_url(value).map_err(|e| Error::Manifest(format!("{name}: {e}")))?;
        }
        Ok(manifest)
    }

    /// The launch URL of an app: `app_launch` with `{{app_id}}` (spaces
    /// allowed inside the braces) replaced by the percent-encoded app id.
    ///
    /// ```
    /// # use smart_client::manifest::ContainerManifest;
    /// let json = br#"{"smart_version": "1.0", "api_base": "http://c.test",
    ///   "launch_urls": {"app_launch": "http://c.test/apps/{{ app_id }}/launch",
    ///     "request_token": "http://c.test/oauth/request_token",
    ///     "authorize_token": "http://c.test/oauth/authorize",
    ///     "exchange_token": "http://c.test/oauth/access_token"}}"#;
    /// let manifest = ContainerManifest::from_json(json)?;
    /// assert_eq!(
    ///     manifest.launch_url("rest-minimal@apps.smartplatforms.org")?.as_str(),
    ///     "http://c.test/apps/rest-minimal@apps.smartplatforms.org/launch"
    /// );
    /// # Ok::<(), smart_client::Error>(())
    /// ```
    pub fn launch_url(&self, app_id: &str) -> Result<Url> {
        let filled = fill_app_id(&self.launch_urls.app_launch, app_id)
            .ok_or_else(|| Error::Manifest("app_launch has no {{app_id}} placeholder".into()))?;
        parse_http_url(&filled).map_err(|e| Error::Manifest(format!("app_launch: {e}")))
    }

    /// Whether the container declares SMART 1.0 or later, which obliges it to
    /// confirm the callback (`oauth_callback_confirmed=true`).
    pub fn requires_callback_confirmation(&self) -> bool {
        let major = self
            .smart_version
            .split('.')
            .next()
            .and_then(|m| m.trim().parse::<u32>().ok());
        // An unreadable version is treated as modern: the stricter rule applies.
        major.is_none_or(|m| m >= 1)
    }

    /// The request-token endpoint.
    pub fn request_token_url(&self) -> Result<Url> {
        parse_http_url(&self.launch_urls.request_token)
    }

    /// The authorisation page.
    pub fn authorize_url(&self) -> Result<Url> {
        parse_http_url(&self.launch_urls.authorize_token)
    }

    /// The token-exchange endpoint.
    pub fn exchange_token_url(&self) -> Result<Url> {
        parse_http_url(&self.launch_urls.exchange_token)
    }
}

/// Replaces every `{{ app_id }}` placeholder (any spaces inside the braces)
/// with the percent-encoded app id; `None` when there is none.
fn fill_app_id(template: &str, app_id: &str) -> Option<String> {
    let encoded = encode_path_segment(app_id);
    let mut out = String::with_capacity(template.len() + encoded.len());
    let mut rest = template;
    let mut found = false;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if after[..end].trim() == "app_id" {
            out.push_str(&rest[..start]);
            out.push_str(&encoded);
            found = true;
        } else {
            out.push_str(&rest[..start + 2 + end + 2]);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// Percent-encodes a path segment, keeping the characters RFC 3986 allows
/// in a segment unencoded (the `@` of app ids among them).
pub(crate) fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Parses an absolute `http` or `https` URL.
pub(crate) fn parse_http_url(value: &str) -> Result<Url> {
    let url = Url::parse(value).map_err(|e| Error::InvalidUrl(format!("{value}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::InvalidUrl(format!("{value}: not an http(s) url")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
