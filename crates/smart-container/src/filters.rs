//! The query parameters of the API: one table says which parameters each
//! call accepts (`model::COLLECTIONS` points at it), and one parser reads a
//! query string against such a table. A parameter the call does not list, a
//! repeated one or a malformed value is refused, never ignored.

use crate::store::{DateBound, ListQuery};

/// The largest `limit` a collection call accepts.
pub(crate) const MAX_LIMIT: u32 = 1000;

/// The most codes one code filter takes.
const MAX_CODES: usize = 100;

/// The longest code a code filter takes.
const MAX_CODE_LEN: usize = 64;

/// What a parameter does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// `limit`: at most this many items, 1 to [`MAX_LIMIT`].
    Limit,
    /// `offset`: skip this many items.
    Offset,
    /// A lower bound on the item's date, inclusive or not.
    DateFrom {
        /// Whether an item dated on the bound is kept.
        inclusive: bool,
    },
    /// An upper bound on the item's date, inclusive or not.
    DateTo {
        /// Whether an item dated on the bound is kept.
        inclusive: bool,
    },
    /// Only items whose code is one of several, joined with `|`.
    Codes,
}

/// One query parameter a call accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Filter {
    /// The query parameter name.
    pub(crate) name: &'static str,
    /// What it does.
    pub(crate) effect: Effect,
}

const fn f(name: &'static str, effect: Effect) -> Filter {
    Filter { name, effect }
}

const LIMIT: Filter = f("limit", Effect::Limit);
const OFFSET: Filter = f("offset", Effect::Offset);
const DATE_FROM: Filter = f("date_from", Effect::DateFrom { inclusive: true });
const DATE_FROM_INCLUDING: Filter = f("date_from_including", Effect::DateFrom { inclusive: true });
const DATE_FROM_EXCLUDING: Filter = f("date_from_excluding", Effect::DateFrom { inclusive: false });
const DATE_TO: Filter = f("date_to", Effect::DateTo { inclusive: true });
const DATE_TO_INCLUDING: Filter = f("date_to_including", Effect::DateTo { inclusive: true });
const DATE_TO_EXCLUDING: Filter = f("date_to_excluding", Effect::DateTo { inclusive: false });

/// A call that takes no parameter at all (demographics, single items).
pub(crate) const NONE: &[Filter] = &[];

/// A collection without dates: paging only.
pub(crate) const PAGED: &[Filter] = &[LIMIT, OFFSET];

/// A dated collection: paging and the six date filters.
pub(crate) const DATED: &[Filter] = &[
    LIMIT,
    OFFSET,
    DATE_FROM,
    DATE_FROM_INCLUDING,
    DATE_FROM_EXCLUDING,
    DATE_TO,
    DATE_TO_INCLUDING,
    DATE_TO_EXCLUDING,
];

/// A dated collection with a code filter named `code`.
macro_rules! dated_with_code {
    ($code:literal) => {
        &[
            LIMIT,
            OFFSET,
            DATE_FROM,
            DATE_FROM_INCLUDING,
            DATE_FROM_EXCLUDING,
            DATE_TO,
            DATE_TO_INCLUDING,
            DATE_TO_EXCLUDING,
            f($code, Effect::Codes),
        ]
    };
}

/// Medications: dated, `rxnorm`.
pub(crate) const MEDICATIONS: &[Filter] = dated_with_code!("rxnorm");
/// Problems and procedures: dated, `snomed`.
pub(crate) const SNOMED_DATED: &[Filter] = dated_with_code!("snomed");
/// Lab results: dated, `loinc`.
pub(crate) const LAB_RESULTS: &[Filter] = dated_with_code!("loinc");
/// Vital sign sets: dated, `encounter_type`.
pub(crate) const VITAL_SIGN_SETS: &[Filter] = dated_with_code!("encounter_type");

/// The one parameter of `documents/{id}` (read with [`parse_named`]):
/// `format`, `metadata` (the default), `raw` or `combined`.
pub(crate) const DOCUMENT: &[&str] = &["format"];

/// Reads `query` against the parameters a call accepts. The error is the
/// message of a 400: it names the parameter and the accepted ones.
pub(crate) fn parse(filters: &[Filter], query: &str) -> Result<ListQuery, String> {
    let mut q = ListQuery::default();
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some(filter) = filters.iter().find(|f| f.name == k) else {
            return Err(format!(
                "unknown parameter `{}`; {}",
                shorten(&k),
                accepted(filters)
            ));
        };
        if seen.contains(&filter.name) {
            return Err(format!("`{}` given twice", filter.name));
        }
        seen.push(filter.name);
        let name = filter.name;
        match filter.effect {
            Effect::Limit => {
                q.limit = Some(
                    v.parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| format!("`limit` must be a number from 1 to {MAX_LIMIT}"))?,
                );
            }
            Effect::Offset => {
                q.offset = v
                    .parse()
                    .map_err(|_| "`offset` must be a number from 0 to 4294967295".to_owned())?;
            }
            Effect::DateFrom { inclusive } => set_bound(&mut q.lower, name, &v, inclusive)?,
            Effect::DateTo { inclusive } => set_bound(&mut q.upper, name, &v, inclusive)?,
            Effect::Codes => {
                let codes: Vec<String> = v.split('|').map(str::trim).map(str::to_owned).collect();
                if codes.len() > MAX_CODES
                    || codes.iter().any(|c| c.is_empty() || c.len() > MAX_CODE_LEN)
                {
                    return Err(format!(
                        "`{name}` takes 1 to {MAX_CODES} codes of 1 to {MAX_CODE_LEN} bytes, joined with `|`"
                    ));
                }
                q.codes = codes;
            }
        }
    }
    Ok(q)
}

/// The longest value a search parameter takes.
const MAX_TEXT_LEN: usize = 200;

/// Reads a query string of named text parameters (a search) against the
/// names a call accepts: each at most once, 1 to 200 bytes without control
/// characters. The error is the message of a 400, as for [`parse`].
pub(crate) fn parse_named(
    names: &[&'static str],
    query: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some(name) = names.iter().copied().find(|n| *n == k) else {
            return Err(format!(
                "unknown parameter `{}`; {}",
                shorten(&k),
                accepted_names(names)
            ));
        };
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("`{name}` given twice"));
        }
        if v.is_empty() || v.len() > MAX_TEXT_LEN || v.chars().any(char::is_control) {
            return Err(format!(
                "`{name}` takes 1 to {MAX_TEXT_LEN} bytes without control characters"
            ));
        }
        out.push((name, v.into_owned()));
    }
    Ok(out)
}

/// The sentence listing what a call accepts.
fn accepted(filters: &[Filter]) -> String {
    let names: Vec<&str> = filters.iter().map(|f| f.name).collect();
    accepted_names(&names)
}

fn accepted_names(names: &[&str]) -> String {
    if names.is_empty() {
        "this call accepts no parameters".to_owned()
    } else {
        format!("this call accepts: {}", names.join(", "))
    }
}

/// Sets one end of the date range from filter `name`; a second filter for
/// the same end is refused.
fn set_bound(
    slot: &mut Option<DateBound>,
    name: &'static str,
    value: &str,
    inclusive: bool,
) -> Result<(), String> {
    let date = parse_date(name, value)?;
    if let Some(other) = slot {
        return Err(two_bounds(other.name, name));
    }
    *slot = Some(DateBound {
        name,
        date,
        inclusive,
    });
    Ok(())
}

fn two_bounds(first: &str, second: &str) -> String {
    format!("`{first}` and `{second}` both bound the same end of the dates; give one")
}

/// A `YYYY-MM-DD` date (the dates of record items are days).
pub(crate) fn parse_date(name: &str, v: &str) -> Result<String, String> {
    let ok = v.len() == 10 && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
    if ok {
        Ok(v.to_owned())
    } else {
        Err(format!("`{name}` must be a date, YYYY-MM-DD"))
    }
}

/// A parameter name as an error message shows it: at most 64 characters,
/// control characters replaced.
fn shorten(name: &str) -> String {
    name.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn each_date_filter_sets_its_bound() {
        for (param, lower, inclusive) in [
            ("date_from", true, true),
            ("date_from_including", true, true),
            ("date_from_excluding", true, false),
            ("date_to", false, true),
            ("date_to_including", false, true),
            ("date_to_excluding", false, false),
        ] {
            let q = parse(DATED, &format!("{param}=2012-03-04")).unwrap();
            let bound = if lower { q.lower } else { q.upper }.unwrap();
            assert_eq!(bound.date, "2012-03-04", "{param}");
            assert_eq!(bound.inclusive, inclusive, "{param}");
            assert_eq!(bound.name, param);
        }
    }

    #[test]
    fn unknown_repeated_and_malformed_parameters_are_refused() {
        for (table, query, needle) in [
            (
                PAGED,
                "date_from=2012-01-01",
                "unknown parameter `date_from`",
            ),
            (
                DATED,
                "rxnorm=1",
                "this call accepts: limit, offset, date_from",
            ),
            (NONE, "x=1", "accepts no parameters"),
            (MEDICATIONS, "snomed=1", "unknown parameter `snomed`"),
            (DATED, "limit=1&limit=2", "given twice"),
            (DATED, "limit=0", "limit"),
            (DATED, "limit=1001", "limit"),
            (DATED, "offset=-1", "offset"),
            (DATED, "date_to=2012-02-30", "`date_to` must be a date"),
            (
                DATED,
                "date_from=2012-01-01T00:00:00",
                "`date_from` must be",
            ),
            (
                DATED,
                "date_from=2012-01-01&date_from_excluding=2012-01-01",
                "give one",
            ),
            (MEDICATIONS, "rxnorm=1||2", "`rxnorm` takes"),
            (MEDICATIONS, "rxnorm=", "`rxnorm` takes"),
        ] {
            let err = parse(table, query).unwrap_err();
            assert!(err.contains(needle), "{query}: {err}");
        }
    }

    #[test]
    fn codes_split_on_the_bar() {
        let q = parse(VITAL_SIGN_SETS, "encounter_type=inpatient%7Cemergency").unwrap();
        assert_eq!(q.codes, ["inpatient", "emergency"]);
    }
}
