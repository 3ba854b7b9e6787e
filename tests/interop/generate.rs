//! Random HTTP requests from a small seeded PRNG, for the signature suite.
//!
//! The requests are what a peer meets on the wire: random Unicode parameter
//! names and values (reserved characters, astral-plane symbols, combining
//! marks, controls), duplicate names and values, empty values and names
//! without `=`, `+` for spaces, raw sub-delimiters, explicit default and
//! non-default ports, upper-case schemes and hosts, percent-encoded Unicode
//! paths, form bodies and other bodies, and the three transports.

use std::fmt::Write as _;

/// SplitMix64: tiny, seedable and good enough to spread test inputs.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator that gives the same sequence for the same seed.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi - lo) + 1;
        lo + u32::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make a uniform float in [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = self.next_u64() % items.len() as u64;
        &items[usize::try_from(index).unwrap_or(0)]
    }
}

/// Characters worth meeting: reserved ones, Unicode of all widths, controls.
const SPECIAL: &[&str] = &[
    "é", "ß", "ø", "Ω", "ж", "中", "文", "日", "本", "한", "ا", "🦀", "👍🏽", "\u{301}", "\u{200d}",
    "\u{feff}", "\u{a0}", "\t", "\n", "\r", "\u{2028}", "%", "&", "=", "+", "~", "*", "'", "!",
    "(", ")", ";", ",", "/", "?", "#", "%41", "%zz", "\u{0}",
];
/// Code point ranges to draw from (no surrogates).
const RANGES: &[(u32, u32)] = &[
    (0xA0, 0x2FF),
    (0x370, 0x4FF),
    (0x600, 0x6FF),
    (0x3040, 0x30FF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xE000, 0xF8FF),
    (0x1F300, 0x1FAFF),
    (0x10000, 0x10FFFF),
];
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Random text of `lo..=hi` characters.
pub(crate) fn text(rng: &mut Rng, lo: u32, hi: u32) -> String {
    let mut out = String::new();
    for _ in 0..rng.range(lo, hi) {
        if rng.chance(0.45) {
            out.push(char::from(
                u8::try_from(rng.range(0x20, 0x7E)).unwrap_or(b'x'),
            ));
        } else if rng.chance(0.45) {
            let special: &&str = rng.pick(SPECIAL);
            out.push_str(special);
        } else {
            let (lo, hi) = *rng.pick(RANGES);
            out.push(char::from_u32(rng.range(lo, hi)).unwrap_or('\u{fffd}'));
        }
    }
    out
}

/// Random ASCII letters and digits, `lo..=hi` of them.
pub(crate) fn alnum(rng: &mut Rng, lo: u32, hi: u32) -> String {
    (0..rng.range(lo, hi))
        .map(|_| char::from(*rng.pick(ALNUM)))
        .collect()
}

/// Percent-encodes UTF-8, leaving ALPHA, DIGIT and the bytes of `safe` as they are.
pub(crate) fn encode(value: &str, safe: &str, plus_for_space: bool) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || safe.as_bytes().contains(&byte) {
            out.push(char::from(byte));
        } else if plus_for_space && byte == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Random non-protocol parameters with duplicate names and values.
pub(crate) fn params(rng: &mut Rng, max: u32) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for _ in 0..rng.range(0, max) {
        let name = if !pairs.is_empty() && rng.chance(0.2) {
            rng.pick(&pairs).0.clone()
        } else {
            let name = text(rng, 1, 8);
            if name.starts_with("oauth_") || name == "realm" {
                format!("x{name}")
            } else {
                name
            }
        };
        let value = if !pairs.is_empty() && rng.chance(0.1) {
            rng.pick(&pairs).1.clone()
        } else if rng.chance(0.1) {
            String::new()
        } else {
            text(rng, 0, 16)
        };
        pairs.push((name, value));
    }
    pairs
}

/// Form-encodes pairs the ways real clients do.
pub(crate) fn form(rng: &mut Rng, pairs: &[(String, String)]) -> String {
    let plus = rng.chance(0.3);
    let safe = if rng.chance(0.3) {
        "-._~!$'()*,:@/?"
    } else {
        "-._~"
    };
    let parts: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            if value.is_empty() && rng.chance(0.3) {
                encode(name, safe, plus)
            } else {
                format!("{}={}", encode(name, safe, plus), encode(value, safe, plus))
            }
        })
        .collect();
    parts.join("&")
}

/// A random absolute URL without query: scheme, host, port and path.
pub(crate) fn url(rng: &mut Rng, https: bool) -> String {
    let scheme = match (https, rng.chance(0.1)) {
        (true, false) => "https",
        (true, true) => "HTTPS",
        (false, false) => "http",
        (false, true) => "HTTP",
    };
    let host = match rng.range(0, 7) {
        0 => "example.com".to_owned(),
        1 => "photos.example.net".to_owned(),
        2 => "127.0.0.1".to_owned(),
        3 => "[::1]".to_owned(),
        4 => format!("api.{}.test", alnum(rng, 3, 10).to_lowercase()),
        5 => "EXAMPLE.org".to_owned(),
        6 => "Sub.Example.COM".to_owned(),
        _ => "localhost".to_owned(),
    };
    let (default, other) = if https { (443, 80) } else { (80, 443) };
    let port = match rng.range(0, 19) {
        0..=7 => String::new(),
        8..=10 => format!(":{default}"),
        11 | 12 => format!(":{other}"),
        _ => format!(":{}", rng.range(1, 65535)),
    };
    let mut path = String::new();
    for _ in 0..rng.range(0, 4) {
        let segment = text(rng, 0, 6).replace('/', "");
        path.push('/');
        path.push_str(&encode(&segment, "-._~!$&'()*+,;=:@", false));
    }
    if path.is_empty() || rng.chance(0.15) {
        path.push('/');
    }
    format!("{scheme}://{host}{port}{path}")
}
