//! Percent-encoding and form decoding
//! ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)).

use alloc::string::String;
use alloc::vec::Vec;

use crate::Error;

/// Percent-encodes `input` as
/// [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6) asks:
/// the UTF-8 bytes of `input`, all but `ALPHA DIGIT - . _ ~` written as `%XX`
/// with upper-case hexadecimal digits.
///
/// ```
/// assert_eq!(oauth1_sign::percent_encode("a b+é~"), "a%20b%2B%C3%A9~");
/// ```
#[must_use]
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    percent_encode_into(&mut out, input);
    out
}

/// Appends the [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)
/// encoding of `input` to `out` (see [`percent_encode`]).
pub fn percent_encode_into(out: &mut String, input: &str) {
    encode_into(out, input);
}

/// Decodes a percent-encoded string strictly, for the values of the
/// `Authorization` header
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// a `%` must be followed by two hexadecimal digits, the result must be
/// UTF-8, and `+` stays `+`.
///
/// ```
/// assert_eq!(oauth1_sign::percent_decode("a%20b+").unwrap(), "a b+");
/// assert!(oauth1_sign::percent_decode("%zz").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidPercentEncoding`] or [`Error::InvalidUtf8`].
pub fn percent_decode(input: &str) -> Result<String, Error> {
    let mut out = String::with_capacity(input.len());
    decode_into(&mut out, input, false)?;
    Ok(out)
}

/// Decodes an `application/x-www-form-urlencoded` body or a query string
/// into its ordered name/value pairs, as
/// [RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)
/// collects them: `+` is a space, a name without `=` has an empty value,
/// empty segments (`&&`) are skipped, and duplicates are kept.
///
/// ```
/// let pairs = oauth1_sign::form_decode("c2&a3=2+q&a3=a").unwrap();
/// assert_eq!(pairs, [("c2".into(), "".into()), ("a3".into(), "2 q".into()), ("a3".into(), "a".into())]);
/// ```
///
/// # Errors
/// [`Error::InvalidPercentEncoding`] or [`Error::InvalidUtf8`].
pub fn form_decode(input: &str) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Pairs::default();
    pairs.push_form(input, usize::MAX)?;
    Ok(pairs
        .iter()
        .map(|(n, v)| (String::from(n), String::from(v)))
        .collect())
}

/// Ordered name/value pairs stored in one buffer (one allocation for all
/// strings, one for the spans). For encoded pairs each span also records
/// whether the pair is free of `%`, so the base string can copy it as is.
#[derive(Clone, Default, Debug)]
pub(crate) struct Pairs {
    buf: String,
    /// `[start, mid, end, plain]`: name `start..mid`, value `mid..end`.
    spans: Vec<[usize; 4]>,
}

impl Pairs {
    pub(crate) fn with_capacity(bytes: usize, pairs: usize) -> Self {
        Pairs {
            buf: String::with_capacity(bytes),
            spans: Vec::with_capacity(pairs),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn slice(&self, start: usize, end: usize) -> &str {
        &self.buf[start..end]
    }

    pub(crate) fn byte_len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn get(&self, i: usize) -> (&str, &str) {
        let [a, b, c, _] = self.spans[i];
        (&self.buf[a..b], &self.buf[b..c])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.spans.len()).map(|i| self.get(i))
    }

    /// The pairs with their "free of `%`" flag.
    pub(crate) fn iter_flagged(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.spans
            .iter()
            .map(|&[a, b, c, plain]| (&self.buf[a..b], &self.buf[b..c], plain == 1))
    }

    /// Starts a pair: write the name into [`Pairs::buf_mut`], take
    /// [`Pairs::start`] again as the middle, write the value, then [`Pairs::finish`].
    pub(crate) fn start(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn buf_mut(&mut self) -> &mut String {
        &mut self.buf
    }

    pub(crate) fn finish(&mut self, start: usize, mid: usize) {
        self.finish_flagged(start, mid, false);
    }

    fn finish_flagged(&mut self, start: usize, mid: usize, plain: bool) {
        let end = self.buf.len();
        self.spans.push([start, mid, end, usize::from(plain)]);
    }

    /// Appends a decoded pair as is.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        let s = self.start();
        self.buf.push_str(name);
        let m = self.buf.len();
        self.buf.push_str(value);
        self.finish(s, m);
    }

    /// Appends a pair percent-encoded (RFC 5849 §3.6).
    pub(crate) fn push_encoded(&mut self, name: &str, value: &str) {
        let s = self.start();
        let plain_name = encode_into(&mut self.buf, name);
        let m = self.buf.len();
        let plain_value = encode_into(&mut self.buf, value);
        self.finish_flagged(s, m, plain_name && plain_value);
    }

    /// Appends a pair whose name is known to be unreserved (a protocol
    /// parameter name), the value percent-encoded; returns the value's range.
    pub(crate) fn push_encoded_value(&mut self, name: &'static str, value: &str) -> (usize, usize) {
        let s = self.start();
        self.buf.push_str(name);
        let m = self.buf.len();
        let plain = encode_into(&mut self.buf, value);
        self.finish_flagged(s, m, plain);
        (m, self.buf.len())
    }

    /// Decodes a form body or query string and appends its pairs, failing
    /// with [`Error::TooLarge`] past `max` pairs in total.
    pub(crate) fn push_form(&mut self, input: &str, max: usize) -> Result<(), Error> {
        for segment in input.split('&') {
            if segment.is_empty() {
                continue;
            }
            if self.spans.len() >= max {
                return Err(Error::TooLarge);
            }
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            let s = self.start();
            decode_into(&mut self.buf, name, true)?;
            let m = self.buf.len();
            decode_into(&mut self.buf, value, true)?;
            self.finish(s, m);
        }
        Ok(())
    }

    /// Appends the pairs of a form body or query string, each name and value
    /// percent-encoded as RFC 5849 §3.6 asks (the decoded form never built).
    pub(crate) fn push_form_encoded(&mut self, input: &str) -> Result<(), Error> {
        for segment in input.split('&') {
            if segment.is_empty() {
                continue;
            }
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            let s = self.start();
            let plain_name = push_form_reencoded(&mut self.buf, name)?;
            let m = self.buf.len();
            let plain_value = push_form_reencoded(&mut self.buf, value)?;
            self.finish_flagged(s, m, plain_name && plain_value);
        }
        Ok(())
    }

    /// Sorts the pairs by name, then value, comparing bytes
    /// (RFC 5849 §3.4.1.3.2 on encoded pairs).
    pub(crate) fn sort(&mut self) {
        let buf = self.buf.as_bytes();
        self.spans.sort_unstable_by(|x, y| {
            buf[x[0]..x[1]]
                .cmp(&buf[y[0]..y[1]])
                .then_with(|| buf[x[1]..x[2]].cmp(&buf[y[1]..y[2]]))
        });
    }
}

/// Length of the longest prefix of `bytes` whose bytes all satisfy `f`,
/// testing 16 bytes per step (the compiler vectorises the inner loop).
#[inline(always)]
pub(crate) fn prefix_len(bytes: &[u8], f: impl Fn(u8) -> bool + Copy) -> usize {
    prefix_len_with(bytes, f, f)
}

/// [`prefix_len`] with a cheaper scalar form `g` of `f` for the bytes
/// outside whole chunks (a table lookup instead of several comparisons).
#[inline(always)]
pub(crate) fn prefix_len_with(
    bytes: &[u8],
    f: impl Fn(u8) -> bool + Copy,
    g: impl Fn(u8) -> bool + Copy,
) -> usize {
    let mut i = 0;
    while let Some(chunk) = bytes[i..].first_chunk::<16>() {
        let mut all = true;
        for &b in chunk {
            all &= f(b);
        }
        if !all {
            break;
        }
        i += 16;
    }
    let rest = &bytes[i..];
    i + rest.iter().position(|&b| !g(b)).unwrap_or(rest.len())
}

/// The unreserved prefix length of `bytes`.
#[inline(always)]
pub(crate) fn unreserved_len(bytes: &[u8]) -> usize {
    prefix_len_with(bytes, is_unreserved_arith, is_unreserved)
}

/// [`is_unreserved`] as comparisons, for [`prefix_len`].
#[inline(always)]
pub(crate) fn is_unreserved_arith(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10)
        | ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
}

/// [`percent_encode_into`], returning whether nothing needed escaping.
pub(crate) fn encode_into(out: &mut String, input: &str) -> bool {
    let bytes = input.as_bytes();
    let mut i = unreserved_len(bytes);
    if i == bytes.len() {
        out.push_str(input);
        return true;
    }
    out.push_str(&input[..i]);
    loop {
        push_escape(out, bytes[i]);
        i += 1;
        let n = unreserved_len(&bytes[i..]);
        // A non-empty run is unreserved ASCII, so both ends are char
        // boundaries (a continuation byte is never unreserved).
        if n > 0 {
            out.push_str(&input[i..i + n]);
        }
        i += n;
        if i == bytes.len() {
            return false;
        }
    }
}

/// Whether `b` is left as is by RFC 5849 §3.6.
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// `ALPHA DIGIT - . _ ~`, as a table.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// `%00%01...%FF`: the escape of byte `b` is `ESCAPES[3 * b..3 * b + 3]`.
const ESCAPES: &str = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    const BYTES: [u8; 768] = {
        let mut t = [0u8; 768];
        let mut b = 0;
        while b < 256 {
            t[3 * b] = b'%';
            t[3 * b + 1] = HEX[b >> 4];
            t[3 * b + 2] = HEX[b & 15];
            b += 1;
        }
        t
    };
    match core::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("the escape table is ASCII"),
    }
};

#[inline]
pub(crate) fn push_escape(out: &mut String, b: u8) {
    let i = 3 * usize::from(b);
    out.push_str(&ESCAPES[i..i + 3]);
}

/// Appends the RFC 5849 §3.6 encoding of the form-decoded `raw` (`+` is a
/// space), without building the decoded string: the same result as
/// decoding then [`percent_encode_into`], and the same errors.
pub(crate) fn push_form_reencoded(out: &mut String, raw: &str) -> Result<bool, Error> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut plain = true;
    loop {
        let n = unreserved_len(&bytes[i..]);
        if n > 0 {
            out.push_str(&raw[i..i + n]);
        }
        let j = i + n;
        if j == bytes.len() {
            return Ok(plain);
        }
        plain = false;
        match bytes[j] {
            b'+' => {
                out.push_str("%20");
                i = j + 1;
            }
            b'%' => {
                let hi = bytes.get(j + 1).copied().and_then(hex_value);
                let lo = bytes.get(j + 2).copied().and_then(hex_value);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(Error::InvalidPercentEncoding);
                };
                let v = hi << 4 | lo;
                if v >= 0x80 {
                    // Escaped non-ASCII must be checked as UTF-8: decode the rest.
                    let mut decoded = String::new();
                    decode_into(&mut decoded, &raw[j..], true)?;
                    encode_into(out, &decoded);
                    return Ok(false);
                }
                if is_unreserved(v) {
                    // Decodes to an unreserved character: written plain.
                    out.push(char::from(v));
                } else {
                    push_escape(out, v);
                }
                i = j + 3;
            }
            b => {
                push_escape(out, b);
                i = j + 1;
            }
        }
    }
}

pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `input` onto the end of `out`; `plus` turns `+` into a space.
pub(crate) fn decode_into(out: &mut String, input: &str, plus: bool) -> Result<(), Error> {
    let bytes = input.as_bytes();
    if prefix_len(bytes, |b| b != b'%' && (!plus || b != b'+')) == bytes.len() {
        out.push_str(input);
        return Ok(());
    }
    let mut raw = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => raw.push(hi << 4 | lo),
                    _ => return Err(Error::InvalidPercentEncoding),
                }
                i += 3;
            }
            b'+' if plus => {
                raw.push(b' ');
                i += 1;
            }
            b => {
                raw.push(b);
                i += 1;
            }
        }
    }
    let text = core::str::from_utf8(&raw).map_err(|_| Error::InvalidUtf8)?;
    out.push_str(text);
    Ok(())
}
