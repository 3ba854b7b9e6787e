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
    let bytes = input.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| !is_unreserved(b)) {
        let j = i + offset;
        // A non-empty `run..j` holds only unreserved ASCII, so both ends are
        // char boundaries (a continuation byte is never unreserved).
        if run < j {
            out.push_str(&input[run..j]);
        }
        push_escape(out, bytes[j]);
        i = j + 1;
        run = i;
    }
    out.push_str(&input[run..]);
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
/// strings, one for the spans).
#[derive(Clone, Default, Debug)]
pub(crate) struct Pairs {
    buf: String,
    spans: Vec<[usize; 3]>,
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
        let [a, b, c] = self.spans[i];
        (&self.buf[a..b], &self.buf[b..c])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.spans.len()).map(|i| self.get(i))
    }

    /// Starts a pair; write the name into `buf_mut`, call `mid`, write the
    /// value, then call `end`.
    pub(crate) fn start(&mut self) -> usize {
        self.buf.len()
    }

    pub(crate) fn buf_mut(&mut self) -> &mut String {
        &mut self.buf
    }

    pub(crate) fn finish(&mut self, start: usize, mid: usize) {
        let end = self.buf.len();
        self.spans.push([start, mid, end]);
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
        percent_encode_into(&mut self.buf, name);
        let m = self.buf.len();
        percent_encode_into(&mut self.buf, value);
        self.finish(s, m);
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
            push_form_reencoded(&mut self.buf, name)?;
            let m = self.buf.len();
            push_form_reencoded(&mut self.buf, value)?;
            self.finish(s, m);
        }
        Ok(())
    }

    /// Sorts the pairs by name, then value, comparing bytes
    /// (RFC 5849 §3.4.1.3.2 on encoded pairs).
    pub(crate) fn sort(&mut self) {
        let buf = self.buf.as_bytes();
        self.spans.sort_unstable_by(|x, y| {
            let xn = &buf[x[0]..x[1]];
            let yn = &buf[y[0]..y[1]];
            xn.cmp(yn)
                .then_with(|| buf[x[1]..x[2]].cmp(&buf[y[1]..y[2]]))
        });
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
pub(crate) fn push_form_reencoded(out: &mut String, raw: &str) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| !is_unreserved(b)) {
        let j = i + offset;
        if run < j {
            out.push_str(&raw[run..j]);
        }
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
                    percent_encode_into(out, &decoded);
                    return Ok(());
                }
                if is_unreserved(v) {
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
        run = i;
    }
    out.push_str(&raw[run..]);
    Ok(())
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
    if !bytes.iter().any(|&b| b == b'%' || (plus && b == b'+')) {
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
