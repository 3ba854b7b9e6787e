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
    spans: Vec<Span>,
}

/// One pair: name `start..mid`, value `mid..end`; `plain` when free of `%`;
/// `key` the first 8 bytes of the name, big-endian, to sort with few `memcmp`.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    mid: usize,
    end: usize,
    plain: bool,
    key: u64,
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

    #[inline]
    pub(crate) fn slice(&self, start: usize, end: usize) -> &str {
        &self.buf[start..end]
    }

    pub(crate) fn byte_len(&self) -> usize {
        self.buf.len()
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> (&str, &str) {
        let sp = self.spans[i];
        (&self.buf[sp.start..sp.mid], &self.buf[sp.mid..sp.end])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.spans.len()).map(|i| self.get(i))
    }

    /// The pairs with their "free of `%`" flag.
    pub(crate) fn iter_flagged(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.spans.iter().map(|sp| {
            (
                &self.buf[sp.start..sp.mid],
                &self.buf[sp.mid..sp.end],
                sp.plain,
            )
        })
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
        let name = &self.buf.as_bytes()[start..mid];
        // Most names are 8 bytes or longer: one load, no copy of a slice.
        let key = match name.first_chunk::<8>() {
            Some(first) => u64::from_be_bytes(*first),
            None => name
                .iter()
                .enumerate()
                .fold(0, |k, (i, &b)| k | u64::from(b) << (56 - 8 * i)),
        };
        self.spans.push(Span {
            start,
            mid,
            end,
            plain,
            key,
        });
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

    /// Appends a protocol parameter whose value is `n` in decimal (digits
    /// need no encoding); returns the value's range. The digits are pushed
    /// as characters, so no UTF-8 check of a byte buffer is needed.
    pub(crate) fn push_decimal_value(&mut self, name: &'static str, mut n: u64) -> (usize, usize) {
        let s = self.start();
        self.buf.push_str(name);
        let m = self.buf.len();
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
            self.buf.push(char::from(d));
        }
        self.finish_flagged(s, m, true);
        (m, self.buf.len())
    }

    /// Decodes a form body or query string and appends its pairs, failing
    /// with [`Error::TooLarge`] past `max` pairs in total.
    pub(crate) fn push_form(&mut self, input: &str, max: usize) -> Result<(), Error> {
        let bytes = input.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'&' {
                // An empty segment (`&&`, a leading `&`) holds no pair.
                i += 1;
                continue;
            }
            if self.spans.len() >= max {
                return Err(Error::TooLarge);
            }
            let s = self.start();
            let name_end = push_form_decoded(&mut self.buf, input, i, true)?;
            let m = self.buf.len();
            i = match bytes.get(name_end) {
                Some(b'=') => push_form_decoded(&mut self.buf, input, name_end + 1, false)?,
                _ => name_end,
            } + 1;
            self.finish(s, m);
        }
        Ok(())
    }

    /// Appends the pairs of a form body or query string, each name and value
    /// percent-encoded as RFC 5849 §3.6 asks (the decoded form never built).
    /// One pass over `input`: the segments are not split off beforehand.
    pub(crate) fn push_form_encoded(&mut self, input: &str) -> Result<(), Error> {
        let mut i = 0;
        while i < input.len() {
            let s = self.start();
            let (name_end, plain_name) = push_form_reencoded(&mut self.buf, input, i, true)?;
            let has_value = input.as_bytes().get(name_end) == Some(&b'=');
            if !has_value && name_end == i {
                // An empty segment (`&&`, a trailing `&`) holds no pair.
                i = name_end + 1;
                continue;
            }
            let m = self.buf.len();
            let (end, plain_value) = if has_value {
                push_form_reencoded(&mut self.buf, input, name_end + 1, false)?
            } else {
                (name_end, true)
            };
            self.finish_flagged(s, m, plain_name && plain_value);
            i = end + 1;
        }
        Ok(())
    }

    /// Whether every name and value but those of pair `skip` is unreserved,
    /// that is, its own encoding.
    pub(crate) fn all_unreserved(&self, skip: Option<usize>) -> bool {
        let buf = self.buf.as_bytes();
        // A pair's name and value are adjacent: one scan checks both.
        (self.spans.iter().enumerate()).all(|(i, sp)| {
            Some(i) == skip || unreserved_len(&buf[sp.start..sp.end]) == sp.end - sp.start
        })
    }

    /// The indices of the pairs but `skip`, in the order of [`Pairs::sort`].
    pub(crate) fn sorted_indices(&self, skip: Option<usize>) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.spans.len());
        order.extend((0..self.spans.len()).filter(|&i| Some(i) != skip));
        let buf = self.buf.as_bytes();
        let spans = &self.spans;
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&spans[a], &spans[b]);
            x.key.cmp(&y.key).then_with(|| {
                buf[x.start..x.mid]
                    .cmp(&buf[y.start..y.mid])
                    .then_with(|| buf[x.mid..x.end].cmp(&buf[y.mid..y.end]))
            })
        });
        order
    }

    /// Sorts the pairs by name, then value, comparing bytes
    /// (RFC 5849 §3.4.1.3.2 on encoded pairs).
    pub(crate) fn sort(&mut self) {
        let buf = self.buf.as_bytes();
        // Names padded with zeros compare like the names themselves: an
        // encoded name holds no zero byte, so a shorter prefix sorts first.
        self.spans.sort_unstable_by(|x, y| {
            x.key.cmp(&y.key).then_with(|| {
                buf[x.start..x.mid]
                    .cmp(&buf[y.start..y.mid])
                    .then_with(|| buf[x.mid..x.end].cmp(&buf[y.mid..y.end]))
            })
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
        if !all16(chunk, f) {
            return i + chunk.iter().position(|&b| !g(b)).unwrap_or(16);
        }
        i += 16;
    }
    // The tail (under 16 bytes) byte by byte: cheaper than padding it
    // into a chunk, which costs a variable-length copy.
    let rest = &bytes[i..];
    i + rest.iter().position(|&b| !g(b)).unwrap_or(rest.len())
}

/// Whether all 16 bytes satisfy `f` (no early exit, so it vectorises).
#[inline(always)]
fn all16(chunk: &[u8; 16], f: impl Fn(u8) -> bool) -> bool {
    let mut all = true;
    for &b in chunk {
        all &= f(b);
    }
    all
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
    let i = unreserved_len(bytes);
    if i == bytes.len() {
        out.push_str(input);
        return true;
    }
    out.push_str(&input[..i]);
    // Past the first escape, one scalar pass: runs are copied whole, each
    // other byte escaped. A run ends before a non-unreserved byte, which is
    // ASCII or the first byte of a character, so slicing stays on boundaries.
    out.reserve(3 * (bytes.len() - i));
    let mut run = i;
    for (j, &b) in bytes.iter().enumerate().skip(i) {
        if !is_unreserved(b) {
            if run < j {
                out.push_str(&input[run..j]);
            }
            push_escape(out, b);
            run = j + 1;
        }
    }
    if run < bytes.len() {
        out.push_str(&input[run..]);
    }
    false
}

/// Appends the form-decoded name (`name`) or value that starts at
/// `input[start..]` (`+` is a space): it ends at `&`, at `=` for a name, or
/// at the end; returns where. One scan when there is nothing to decode.
fn push_form_decoded(
    out: &mut String,
    input: &str,
    start: usize,
    name: bool,
) -> Result<usize, Error> {
    let bytes = input.as_bytes();
    let run = prefix_len(&bytes[start..], |b| {
        (b != b'&') & (b != b'%') & (b != b'+') & (!name | (b != b'='))
    });
    let mut end = start + run;
    if !matches!(bytes.get(end), Some(b'%' | b'+')) {
        // Nothing to decode: the run is the result.
        out.push_str(&input[start..end]);
        return Ok(end);
    }
    end += prefix_len(&bytes[end..], |b| (b != b'&') & (!name | (b != b'=')));
    decode_into(out, &input[start..end], true)?;
    Ok(end)
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

/// Appends the RFC 5849 §3.6 encoding of the form-decoded name (`name`) or
/// value that starts at `input[start..]` (`+` is a space), without building
/// the decoded string: the same result as decoding then
/// [`percent_encode_into`], and the same errors. Stops at `&`, at `=` for a
/// name, or at the end; returns where, and whether nothing was escaped.
fn push_form_reencoded(
    out: &mut String,
    input: &str,
    start: usize,
    name: bool,
) -> Result<(usize, bool), Error> {
    let bytes = input.as_bytes();
    let mut i = start;
    let mut plain = true;
    loop {
        let n = unreserved_len(&bytes[i..]);
        // A non-empty run is ASCII, so both ends are char boundaries.
        if n > 0 {
            out.push_str(&input[i..i + n]);
        }
        i += n;
        match bytes.get(i) {
            None | Some(b'&') => return Ok((i, plain)),
            Some(b'=') if name => return Ok((i, plain)),
            Some(b'+') => {
                out.push_str("%20");
                i += 1;
            }
            Some(b'%') => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(Error::InvalidPercentEncoding);
                };
                let v = hi << 4 | lo;
                if v >= 0x80 {
                    // Escaped non-ASCII must be checked as UTF-8: decode the
                    // rest of this name or value, then encode it.
                    let end = i + prefix_len(&bytes[i..], |b| b != b'&' && (!name || b != b'='));
                    let mut decoded = String::new();
                    decode_into(&mut decoded, &input[i..end], true)?;
                    encode_into(out, &decoded);
                    return Ok((end, false));
                }
                if is_unreserved(v) {
                    // Decodes to an unreserved character: written plain.
                    out.push(char::from(v));
                } else {
                    push_escape(out, v);
                }
                i += 3;
            }
            Some(&b) => {
                push_escape(out, b);
                i += 1;
            }
        }
        plain = false;
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
    // Runs without `%` or `+` are copied whole; an escape of an ASCII byte
    // is pushed as that character; consecutive escapes of non-ASCII bytes
    // are gathered and checked as UTF-8 together. Raw characters of `input`
    // are whole, so checking each gathered run alone checks the result.
    let escape = |i: usize| -> Result<u8, Error> {
        let hi = bytes.get(i + 1).copied().and_then(hex_value);
        let lo = bytes.get(i + 2).copied().and_then(hex_value);
        match (hi, lo) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(Error::InvalidPercentEncoding),
        }
    };
    let mut i = 0;
    let mut run = 0;
    let mut high: Vec<u8> = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push_str(&input[run..i]);
                let v = escape(i)?;
                i += 3;
                if v < 0x80 {
                    out.push(char::from(v));
                } else {
                    high.clear();
                    high.push(v);
                    while bytes.get(i) == Some(&b'%') {
                        let v = escape(i)?;
                        if v < 0x80 {
                            break;
                        }
                        high.push(v);
                        i += 3;
                    }
                    out.push_str(core::str::from_utf8(&high).map_err(|_| Error::InvalidUtf8)?);
                }
                run = i;
            }
            b'+' if plus => {
                out.push_str(&input[run..i]);
                out.push(' ');
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&input[run..]);
    Ok(())
}
