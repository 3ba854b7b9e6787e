//! The signature base string
//! ([RFC 5849 §3.4.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1)):
//! one path, [`base_string`], used by `sign`, by the verifier and by the
//! public [`signature_base_string`].

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use percent_encoding::percent_encode_byte;

use crate::Error;
use crate::chars::{is_ip_literal, is_path, is_pct_encoded, is_reg_name, is_scheme};
use crate::encode::{encode, percent_encode_into};

/// The base string URI of `url`
/// ([RFC 5849 §3.4.1.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2)):
/// scheme and host in lower case, the port dropped when it is the default
/// of its own scheme (80 for `http`, 443 for `https`), an empty path made
/// `/`, query and fragment dropped. Path bytes that may not appear in a URI
/// path are percent-encoded; existing `%XX` escapes are kept as sent.
///
/// ```
/// let uri = oauth1_sign::base_string_uri("http://EXAMPLE.COM:80/r%20v/X?id=123").unwrap();
/// assert_eq!(uri, "http://example.com/r%20v/X");
/// ```
///
/// # Errors
/// [`Error::InvalidUrl`] for a URL that is not `scheme://host[:port][/path]...`,
/// has user information, a non-ASCII host or a non-numeric port;
/// [`Error::InvalidPercentEncoding`] for a `%` without two hex digits in the path.
pub fn base_string_uri(url: &str) -> Result<String, Error> {
    parse_url(url).map(|parsed| parsed.base_uri)
}

/// The normalised parameter string
/// ([RFC 5849 §3.4.1.3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2))
/// of decoded `pairs`: each name and value percent-encoded, sorted by
/// encoded name then encoded value (duplicates kept), joined as
/// `name=value` with `&`. All pairs are used as given: drop
/// `oauth_signature` and `realm` first, or use [`signature_base_string`].
///
/// ```
/// let s = oauth1_sign::normalize_parameters([("a", "x!y"), ("a", "x y")]);
/// assert_eq!(s, "a=x%20y&a=x%21y");
/// ```
pub fn normalize_parameters<I, N, V>(pairs: I) -> String
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    let pairs: Vec<(N, V)> = pairs.into_iter().collect();
    normalize(pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())))
}

/// The signature base string
/// ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)):
/// the upper-cased `method`, the encoded `base_uri` (from
/// [`base_string_uri`]) and the encoded normalised parameters, joined by
/// `&`. `pairs` are decoded; `oauth_signature` and `realm` among them are
/// left out.
///
/// ```
/// let base = oauth1_sign::signature_base_string(
///     "get", "http://example.com/", [("n", "v"), ("oauth_signature", "x")]);
/// assert_eq!(base, "GET&http%3A%2F%2Fexample.com%2F&n%3Dv");
/// ```
pub fn signature_base_string<I, N, V>(method: &str, base_uri: &str, pairs: I) -> String
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    let pairs: Vec<(N, V)> = pairs.into_iter().collect();
    let signed = (pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())))
        .filter(|(name, _)| *name != "oauth_signature" && *name != "realm");
    base_string(method, base_uri, signed)
}

/// The base string ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1))
/// of decoded `pairs`, all of which are signed: the one path behind
/// [`signature_base_string`], `sign` and the verifier.
pub(crate) fn base_string<'a>(
    method: &str,
    base_uri: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let encoded = encode_and_sort(pairs);
    let mut out = String::with_capacity(capacity_hint(method, base_uri, &encoded));
    // 1. The method, upper-cased. Its encoding is ASCII, so upper-casing
    //    the encoding upper-cases exactly the method's ASCII letters.
    percent_encode_into(&mut out, method);
    out.make_ascii_uppercase();
    // 2. The base string URI, encoded.
    out.push('&');
    percent_encode_into(&mut out, base_uri);
    out.push('&');
    // 3. The normalised parameters (`name=value` joined by `&`), encoded.
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push_str("%26");
        }
        push_encoded_again(&mut out, name);
        out.push_str("%3D");
        push_encoded_again(&mut out, value);
    }
    out
}

/// Room for the base string of `encoded` pairs, so that building it
/// rarely grows the `String` (about 5% of `sign`'s instructions, by
/// `examples/instructions.rs`). A hint only: any value builds the same
/// string, so `.cargo/mutants.toml` excludes its mutants as equivalent.
fn capacity_hint(method: &str, base_uri: &str, encoded: &[(Cow<'_, str>, Cow<'_, str>)]) -> usize {
    let pairs: usize = encoded.iter().map(|(n, v)| n.len() + v.len() + 6).sum();
    // The method and URI are encoded once, the pairs' escapes once more.
    3 * (method.len() + base_uri.len()) + pairs + pairs / 4
}

/// [`normalize_parameters`] over borrowed pairs
/// ([RFC 5849 §3.4.1.3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2)).
fn normalize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let encoded = encode_and_sort(pairs);
    // 3. and 4. Join each name and value with `=`, the pairs with `&`.
    let joined: Vec<String> = (encoded.iter())
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    joined.join("&")
}

/// Steps 1 and 2 of [RFC 5849 §3.4.1.3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2):
/// every name and value encoded (§3.6), then sorted by name, then value,
/// comparing bytes.
fn encode_and_sort<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    let mut encoded: Vec<_> = (pairs.into_iter())
        .map(|(name, value)| (encode(name), encode(value)))
        .collect();
    encoded.sort_unstable();
    encoded
}

/// Appends the §3.6 encoding of `encoded`, which is itself §3.6 output
/// ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)
/// encodes the normalised parameters once more): all its characters are
/// unreserved but the `%` of its escapes, so only `%` changes, to `%25`.
/// `src/tests.rs` checks that this equals encoding the text again.
pub(crate) fn push_encoded_again(out: &mut String, encoded: &str) {
    let mut rest = encoded;
    while let Some(i) = rest.bytes().position(|b| b == b'%') {
        out.push_str(&rest[..i]);
        out.push_str("%25");
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// An absolute URL split for signing
/// ([RFC 5849 §3.4.1.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2)).
pub(crate) struct Url<'a> {
    /// The base string URI.
    pub(crate) base_uri: String,
    /// The query, without `?` and fragment (empty when absent).
    pub(crate) query: &'a str,
    /// Whether the scheme is `https` (PLAINTEXT needs it, §3.4.4).
    pub(crate) https: bool,
}

/// Splits `scheme://authority/path?query#fragment`
/// ([RFC 3986 §3](https://www.rfc-editor.org/rfc/rfc3986#section-3)) and
/// builds its base string URI
/// ([RFC 5849 §3.4.1.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2)).
pub(crate) fn parse_url(url: &str) -> Result<Url<'_>, Error> {
    let (scheme, rest) = url.split_once("://").ok_or(Error::InvalidUrl)?;
    let valid_scheme = scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme.bytes().all(is_scheme);
    if !valid_scheme {
        return Err(Error::InvalidUrl);
    }
    let (authority, rest) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let (path, rest) = rest.split_at(rest.find(['?', '#']).unwrap_or(rest.len()));
    let query = rest
        .strip_prefix('?')
        .map_or("", |q| q.split('#').next().unwrap_or_default());
    let (host, port) = split_host_port(authority)?;

    let https = scheme.eq_ignore_ascii_case("https");
    let default_port = if https {
        Some(443)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else {
        None
    };
    let mut base_uri = String::with_capacity(url.len());
    base_uri.push_str(scheme);
    base_uri.push_str("://");
    base_uri.push_str(host);
    base_uri.make_ascii_lowercase();
    if let Some(port) = port.filter(|&p| Some(p) != default_port) {
        // Writing to a `String` cannot fail.
        let _ = write!(base_uri, ":{port}");
    }
    if path.is_empty() {
        base_uri.push('/');
    } else {
        push_path(&mut base_uri, path)?;
    }
    Ok(Url {
        base_uri,
        query,
        https,
    })
}

/// Splits an authority into host and optional numeric port
/// ([RFC 3986 §3.2.2](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2),
/// [§3.2.3](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.3)); an empty
/// port (`host:`) counts as absent. User information is refused.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), Error> {
    let (host, port) = if let Some(literal) = authority.strip_prefix('[') {
        let (inner, rest) = literal.split_once(']').ok_or(Error::InvalidUrl)?;
        if inner.is_empty() || !inner.bytes().all(is_ip_literal) {
            return Err(Error::InvalidUrl);
        }
        let port = match rest {
            "" => "",
            _ => rest.strip_prefix(':').ok_or(Error::InvalidUrl)?,
        };
        (&authority[..inner.len() + 2], port)
    } else {
        let (host, port) = authority.split_once(':').unwrap_or((authority, ""));
        if host.is_empty() || !host.bytes().all(is_reg_name) {
            return Err(Error::InvalidUrl);
        }
        (host, port)
    };
    if port.is_empty() {
        return Ok((host, None));
    }
    if port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidUrl);
    }
    let port = port.parse().map_err(|_| Error::InvalidUrl)?;
    Ok((host, Some(port)))
}

/// Appends a path ([RFC 3986 §3.3](https://www.rfc-editor.org/rfc/rfc3986#section-3.3)):
/// path characters and `%XX` escapes as sent, any other byte escaped.
fn push_path(out: &mut String, path: &str) -> Result<(), Error> {
    let bytes = path.as_bytes();
    for (i, c) in path.char_indices() {
        match c {
            '%' if !is_pct_encoded(bytes, i) => return Err(Error::InvalidPercentEncoding),
            '%' => out.push('%'),
            _ if c.is_ascii() && is_path(c as u8) => out.push(c),
            _ => {
                let mut utf8 = [0; 4];
                out.extend(c.encode_utf8(&mut utf8).bytes().map(percent_encode_byte));
            }
        }
    }
    Ok(())
}
