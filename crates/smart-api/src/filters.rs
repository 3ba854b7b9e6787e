//! The query parameters of the calls: what each one does. A call's row in
//! [`crate::CALLS`] points at one of the lists below; the container reads a
//! query string against it (anything else is a 400) and the client offers
//! exactly these.

/// What a parameter does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `limit`: at most this many items.
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
    /// A search term (a name prefix, a gender, a day, ...).
    Text,
}

/// One query parameter a call accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// The query parameter name.
    pub name: &'static str,
    /// What it does.
    pub effect: Effect,
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
pub const NONE: &[Filter] = &[];

/// A collection without dates: paging only.
pub const PAGED: &[Filter] = &[LIMIT, OFFSET];

/// A dated collection: paging and the six date filters.
pub const DATED: &[Filter] = &[
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
pub const MEDICATIONS: &[Filter] = dated_with_code!("rxnorm");
/// Problems and procedures: dated, `snomed`.
pub const SNOMED_DATED: &[Filter] = dated_with_code!("snomed");
/// Lab results: dated, `loinc`.
pub const LAB_RESULTS: &[Filter] = dated_with_code!("loinc");
/// Vital sign sets: dated, `encounter_type`.
pub const VITAL_SIGN_SETS: &[Filter] = dated_with_code!("encounter_type");

/// `documents/{id}`: `format`, `metadata` (the default), `raw` or `combined`.
pub const DOCUMENT: &[Filter] = &[f("format", Effect::Text)];

/// `/records/search`: the demographics' fields.
pub const RECORD_SEARCH: &[Filter] = &[
    f("family_name", Effect::Text),
    f("given_name", Effect::Text),
    f("gender", Effect::Text),
    f("medical_record_number", Effect::Text),
    f("zipcode", Effect::Text),
    f("birthday", Effect::Text),
];

/// `/users/search`: the names.
pub const USER_SEARCH: &[Filter] = &[
    f("given_name", Effect::Text),
    f("family_name", Effect::Text),
];

/// The parameter names of a list, in order.
pub fn names(filters: &[Filter]) -> Vec<&'static str> {
    filters.iter().map(|f| f.name).collect()
}
