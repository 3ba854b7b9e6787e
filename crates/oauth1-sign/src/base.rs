//! The signature base string
//! ([RFC 5849 §3.4.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1)).

use alloc::string::String;

use crate::Error;
use crate::encode::{
    Pairs, hex_value, is_unreserved_arith, percent_encode_into, prefix_len, push_escape,
};

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
    let mut out = String::with_capacity(url.len());
    write_base_uri(&mut out, url)?;
    Ok(out)
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
    let encoded = encode_pairs(pairs, false);
    let mut out = String::with_capacity(encoded.byte_len() + 2 * encoded.len());
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
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
    let encoded = encode_pairs(pairs, true);
    let mut out = String::new();
    write_base_string(&mut out, method, base_uri, &encoded);
    out
}

/// Encodes and sorts pairs; `skip_excluded` drops `oauth_signature` and `realm`.
fn encode_pairs<I, N, V>(pairs: I, skip_excluded: bool) -> Pairs
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    let mut encoded = Pairs::default();
    for (name, value) in pairs {
        let name = name.as_ref();
        if skip_excluded && (name == "oauth_signature" || name == "realm") {
            continue;
        }
        encoded.push_encoded(name, value.as_ref());
    }
    encoded.sort();
    encoded
}

/// Writes the base string from already encoded and sorted pairs.
pub(crate) fn write_base_string(out: &mut String, method: &str, base_uri: &str, encoded: &Pairs) {
    out.reserve(
        method.len() + 3 * base_uri.len() / 2 + encoded.byte_len() * 5 / 4 + 6 * encoded.len() + 2,
    );
    write_base_string_from(out, method, base_uri, encoded.iter_flagged());
}

/// Writes the base string from encoded pairs in sorted order, each with
/// its "free of `%`" flag.
pub(crate) fn write_base_string_from<'a>(
    out: &mut String,
    method: &str,
    base_uri: &str,
    encoded: impl Iterator<Item = (&'a str, &'a str, bool)>,
) {
    // The encoding is ASCII (unreserved characters and upper-case `%XX`),
    // so upper-casing it upper-cases exactly the ASCII letters of the method.
    let start = out.len();
    percent_encode_into(out, method);
    out[start..].make_ascii_uppercase();
    out.push('&');
    percent_encode_into(out, base_uri);
    out.push('&');
    for (i, (name, value, plain)) in encoded.enumerate() {
        if i > 0 {
            out.push_str("%26");
        }
        if plain {
            out.push_str(name);
            out.push_str("%3D");
            out.push_str(value);
        } else {
            push_reencoded(out, name);
            out.push_str("%3D");
            push_reencoded(out, value);
        }
    }
}

/// Percent-encodes an already encoded string: only `%` needs escaping.
#[inline]
fn push_reencoded(out: &mut String, encoded: &str) {
    let bytes = encoded.as_bytes();
    let mut i = 0;
    loop {
        let n = prefix_len(&bytes[i..], |b| b != b'%');
        out.push_str(&encoded[i..i + n]);
        i += n;
        if i == bytes.len() {
            return;
        }
        out.push_str("%25");
        i += 1;
    }
}

/// The parts of an absolute URL the verifier needs besides the base URI.
pub(crate) struct UrlInfo<'a> {
    /// The query string, without `?` (empty when absent).
    pub(crate) query: &'a str,
    /// Whether the scheme is `https`.
    pub(crate) https: bool,
}

/// Writes the base string URI of `url` to `out` and returns its query.
pub(crate) fn write_base_uri<'a>(out: &mut String, url: &'a str) -> Result<UrlInfo<'a>, Error> {
    let b = url.as_bytes();
    let scheme_len = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))
        .unwrap_or(b.len());
    if scheme_len == 0 || !b[0].is_ascii_alphabetic() || !b[scheme_len..].starts_with(b"://") {
        return Err(Error::InvalidUrl);
    }
    let scheme = &url[..scheme_len];
    let authority_start = scheme_len + 3;
    let authority_end = authority_start
        + b[authority_start..]
            .iter()
            .position(|&c| c == b'/' || c == b'?' || c == b'#')
            .unwrap_or(b.len() - authority_start);
    let authority = &url[authority_start..authority_end];
    let (host, port) = split_host_port(authority)?;
    let path_end = authority_end + prefix_len(&b[authority_end..], |c| c != b'?' && c != b'#');
    let path = &url[authority_end..path_end];
    let query = if b.get(path_end) == Some(&b'?') {
        let rest = &b[path_end + 1..];
        &url[path_end + 1..path_end + 1 + prefix_len(rest, |c| c != b'#')]
    } else {
        ""
    };

    let start = out.len();
    out.push_str(scheme);
    out.push_str("://");
    out.push_str(host);
    out[start..].make_ascii_lowercase();
    let https = scheme.eq_ignore_ascii_case("https");
    if let Some(port) = port {
        let default = if https {
            443
        } else if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            0
        };
        if port != default {
            out.push(':');
            push_u16(out, port);
        }
    }
    if path.is_empty() {
        out.push('/');
    } else {
        push_path(out, path)?;
    }
    Ok(UrlInfo { query, https })
}

/// Splits an authority into host and optional numeric port; an empty port
/// (`host:`) counts as absent.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), Error> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or(Error::InvalidUrl)?;
        let (host, rest) = authority.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        {
            return Err(Error::InvalidUrl);
        }
        match rest.strip_prefix(':') {
            Some(port) => (host, port),
            None if rest.is_empty() => (host, ""),
            None => return Err(Error::InvalidUrl),
        }
    } else {
        // One scan finds the port's `:` and checks the host (which refuses
        // `@`, so user information is refused here too).
        let bytes = authority.as_bytes();
        let host_len = (bytes.iter())
            .position(|&b| !REG_NAME[usize::from(b)])
            .unwrap_or(bytes.len());
        let host = &authority[..host_len];
        let port = match bytes.get(host_len) {
            None => "",
            Some(b':') => &authority[host_len + 1..],
            Some(_) => return Err(Error::InvalidUrl),
        };
        if host.is_empty() {
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
    let port: u16 = port.parse().map_err(|_| Error::InvalidUrl)?;
    Ok((host, Some(port)))
}

/// [`is_reg_name`] as a table.
static REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_reg_name(b as u8);
        b += 1;
    }
    table
};

/// RFC 3986 `reg-name` characters (ASCII only; `%` escapes allowed).
const fn is_reg_name(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
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
                | b'%'
        )
}

/// Appends a path, escaping bytes a URI path cannot hold and checking `%XX`.
fn push_path(out: &mut String, path: &str) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let mut i = 0;
    loop {
        let n = prefix_len(&bytes[i..], is_path_arith);
        // A non-empty run is ASCII, so both ends are char boundaries.
        if n > 0 {
            out.push_str(&path[i..i + n]);
        }
        i += n;
        let Some(&b) = bytes.get(i) else {
            return Ok(());
        };
        if b == b'%' {
            let ok = bytes.get(i + 1).copied().and_then(hex_value).is_some()
                && bytes.get(i + 2).copied().and_then(hex_value).is_some();
            if !ok {
                return Err(Error::InvalidPercentEncoding);
            }
            out.push_str(&path[i..i + 3]);
            i += 3;
        } else {
            // Escape the byte, and the rest of its character byte by byte.
            push_escape(out, b);
            i += 1;
            while i < bytes.len() && !path.is_char_boundary(i) {
                push_escape(out, bytes[i]);
                i += 1;
            }
        }
    }
}

/// RFC 3986 path characters besides `%`:
/// `unreserved / sub-delims / ":" / "@" / "/"`, as comparisons.
#[inline(always)]
fn is_path_arith(b: u8) -> bool {
    is_unreserved_arith(b)
        | (b == b'!')
        | (b == b'$')
        | (b.wrapping_sub(b'&') < 7)
        | (b == b';')
        | (b == b'=')
        | (b == b':')
        | (b == b'@')
        | (b == b'/')
}

fn push_u16(out: &mut String, mut n: u16) {
    let mut digits = [0u8; 5];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}
