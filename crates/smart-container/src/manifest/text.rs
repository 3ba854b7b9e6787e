//! What a manifest's text may hold (SECURITY.md 31): no control characters
//! or bidirectional controls in any string (an app name with a right-to-left
//! override reads as another on the authorize page), bounded lengths, and no
//! key given twice.

use std::collections::HashSet;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The longest value of a field, in characters; others get [`DEFAULT_MAX`].
const LIMITS: &[(&str, usize)] = &[
    ("name", 100),
    ("description", 1000),
    ("author", 200),
    ("version", 50),
    ("index", 2048),
    ("icon", 2048),
    ("oauth_callback", 2048),
];

/// The longest string anywhere else in a manifest, in characters.
const DEFAULT_MAX: usize = 512;

/// Whether a character may not appear in a manifest string: the C0 and C1
/// controls, the bidirectional marks, embeddings, overrides and isolates,
/// and the line and paragraph separators.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// Checks every string of `value` (keys included), naming each by its path.
pub(super) fn check_strings(value: &Value, path: &str, v: &mut Vec<String>) {
    match value {
        Value::String(s) => check_one(path, s, v),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_strings(item, &format!("{path}[{i}]"), v);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Some(c) = key.chars().find(|c| forbidden(*c)) {
                    v.push(format!(
                        "{}: a key holds the character U+{:04X}, which is not allowed",
                        here.escape_default(),
                        u32::from(c)
                    ));
                }
                check_strings(item, &here, v);
            }
        }
        _ => {}
    }
}

fn check_one(path: &str, s: &str, v: &mut Vec<String>) {
    let shown = path.escape_default();
    if let Some(c) = s.chars().find(|c| forbidden(*c)) {
        v.push(format!(
            "{shown}: holds the character U+{:04X} (a control or bidirectional character), which is not allowed",
            u32::from(c)
        ));
    }
    let max = LIMITS
        .iter()
        .find(|(k, _)| *k == path)
        .map_or(DEFAULT_MAX, |(_, n)| *n);
    let len = s.chars().count();
    if len > max {
        v.push(format!(
            "{shown}: {len} characters, more than the {max} allowed"
        ));
    }
}

/// The keys a JSON document gives more than once, by path (serde_json
/// itself keeps the last silently).
#[derive(Debug, Default)]
pub(super) struct DuplicateKeys(pub(super) Vec<String>);

impl<'de> Deserialize<'de> for DuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeysVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = DuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DuplicateKeys, A::Error> {
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let inner: DuplicateKeys = map.next_value()?;
            found.extend(inner.0.into_iter().map(|k| format!("{key}.{k}")));
            if !seen.insert(key.clone()) && !found.contains(&key) {
                found.push(key);
            }
        }
        Ok(DuplicateKeys(found))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DuplicateKeys, A::Error> {
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(inner) = seq.next_element::<DuplicateKeys>()? {
            found.extend(inner.0.into_iter().map(|k| format!("[{i}].{k}")));
            i += 1;
        }
        Ok(DuplicateKeys(found))
    }

    fn visit_bool<E>(self, _: bool) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
    fn visit_unit<E>(self) -> Result<DuplicateKeys, E> {
        Ok(DuplicateKeys::default())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn dups(text: &str) -> Vec<String> {
        serde_json::from_str::<DuplicateKeys>(text).unwrap().0
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        assert!(dups(r#"{"a": 1, "b": [1, {"c": 2}]}"#).is_empty());
        assert_eq!(dups(r#"{"id": "a", "id": "b"}"#), ["id"]);
        assert_eq!(dups(r#"{"r": {"x": 1, "x": 2}}"#), ["r.x"]);
        assert_eq!(dups(r#"[{"x": 1, "x": 2}]"#), ["[0].x"]);
    }

    #[test]
    fn controls_and_bidi_characters_are_named() {
        let mut v = Vec::new();
        let doc: Value =
            serde_json::from_str(r#"{"name": "Good\u202Eevil", "description": "a\u0000b"}"#)
                .unwrap();
        check_strings(&doc, "", &mut v);
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(
            v.iter()
                .any(|m| m.starts_with("name:") && m.contains("U+202E"))
        );
        assert!(
            v.iter()
                .any(|m| m.starts_with("description:") && m.contains("U+0000"))
        );
    }
}
