//! The synthetic patients: about 50 made-up records with every record kind,
//! spread over 2008-2025, generated deterministically from a seed (a
//! SplitMix64 stream, so the output never changes with a dependency update).

mod files;

use crate::Error;
use crate::model::{Coded, Demographics, Item, Quantity, systems};
use crate::store::{ItemRow, RecordRow, Store};

/// The seed the container uses on first start.
pub const DEFAULT_SEED: u64 = 0x5AA7_2012;

/// How many patients the container generates on first start.
pub const DEFAULT_PATIENTS: usize = 50;

/// One generated patient.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Patient {
    /// The record id.
    pub(crate) id: String,
    /// Demographics.
    pub(crate) demographics: Demographics,
    /// Items: (collection, item id, date, code, item).
    pub(crate) items: Items,
}

/// Generates `count` patients from `seed`.
pub(crate) fn generate(seed: u64, count: usize) -> Vec<Patient> {
    let mut rng = Rng(seed);
    (0..count).map(|i| patient(&mut rng, i)).collect()
}

/// Stores the generated patients when the database has no record yet, once
/// per database even when replicas start together (see
/// [`Store::seed_records`]); returns how many were stored.
pub(crate) fn seed_store(store: &Store, seed: u64, count: usize) -> Result<usize, Error> {
    if store.record_count()? > 0 {
        return Ok(0);
    }
    let patients = generate(seed, count);
    let mut records = Vec::with_capacity(patients.len());
    for p in &patients {
        let body = serde_json::to_string(&p.demographics).map_err(|source| Error::ToJson {
            what: "a patient's demographics",
            source,
        })?;
        let items = p
            .items
            .iter()
            .map(|(kind, id, date, code, item)| {
                Ok(ItemRow {
                    kind: kind.clone(),
                    item_id: id.clone(),
                    date: date.clone(),
                    code: code.clone(),
                    body: serde_json::to_string(item).map_err(|source| Error::ToJson {
                        what: "a record item",
                        source,
                    })?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let row = RecordRow {
            id: p.id.clone(),
            family_name: p.demographics.family.clone(),
            given_name: p.demographics.given.clone(),
            birthday: p.demographics.birthday.clone(),
            body,
        };
        records.push((row, p.demographics.gender.clone(), items));
    }
    Ok(if store.seed_records(&records)? {
        records.len()
    } else {
        0
    })
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.range(0, items.len() as u64 - 1);
        &items[usize::try_from(i).unwrap_or(0)]
    }

    fn hex_id(&mut self) -> String {
        format!("{:012x}", self.next() >> 16)
    }

    /// A date as days since 2008-01-01 in `from..=to` (days), formatted.
    fn date(&mut self, from: u64, to: u64) -> (u64, String) {
        let day = self.range(from, to);
        (day, day_to_date(day))
    }
}

/// Days since 2008-01-01 to `YYYY-MM-DD` (the civil-from-days algorithm).
fn day_to_date(day: u64) -> String {
    let days = i64::try_from(day).unwrap_or(0) + 13_879; // 2008-01-01 is day 13879 of 1970.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The last day items may carry: 2025-12-31.
const LAST_DAY: u64 = 6574;

type Items = Vec<(String, String, Option<String>, Option<String>, Item)>;

fn add(
    items: &mut Items,
    kind: &str,
    id: String,
    date: Option<String>,
    code: Option<&str>,
    item: Item,
) {
    items.push((kind.to_owned(), id, date, code.map(str::to_owned), item));
}

/// The encounter type of a vital sign set, read from the bits of its id:
/// drawing it from the stream would have changed every value generated
/// after it.
fn encounter_of(id: &str) -> (&'static str, &'static str) {
    let bits = id
        .get(..8)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    let index = usize::try_from(bits % ENCOUNTERS.len() as u64).unwrap_or(0);
    ENCOUNTERS[index]
}

fn coded(title: &str, system: &str, code: &str) -> Coded {
    Coded {
        title: title.into(),
        system: system.into(),
        code: code.into(),
    }
}

fn q(value: impl ToString, unit: &str) -> Quantity {
    Quantity {
        value: value.to_string(),
        unit: unit.into(),
    }
}

const GIVEN_F: &[&str] = &[
    "Ada", "Brenna", "Carlota", "Delphine", "Elsbeth", "Fenna", "Giselle", "Hilde", "Isaura",
    "Jolene", "Kaia", "Liesl", "Marisol", "Noemi", "Odile", "Petra",
];
const GIVEN_M: &[&str] = &[
    "Alaric", "Bastian", "Cormac", "Dorian", "Emeric", "Florian", "Gideon", "Hollis", "Ignatz",
    "Jasper", "Kasimir", "Leander", "Matthias", "Nestor", "Osric", "Piers",
];
const FAMILY: &[&str] = &[
    "Quillfeather",
    "Ravensholt",
    "Stonebridge",
    "Thistlewood",
    "Umberfield",
    "Vantwerp",
    "Wexcombe",
    "Yarrowdale",
    "Zellinger",
    "Ashcombe",
    "Brackenridge",
    "Coldharbour",
    "Dunmore",
    "Elmstead",
    "Fallowmere",
    "Greythorn",
];
const STREETS: &[&str] = &[
    "Juniper Lane",
    "Old Mill Road",
    "Lantern Way",
    "Harbor View",
    "Cedar Court",
    "Quarry Street",
    "Meadowlark Drive",
    "Tinker Row",
];
const TOWNS: &[(&str, &str, &str)] = &[
    ("Fairhaven Falls", "MA", "019"),
    ("Northbrook Vale", "NH", "032"),
    ("Pine Hollow", "VT", "051"),
    ("Saltmarsh", "ME", "041"),
    ("Westerby", "CT", "062"),
];

const MEDS: &[(&str, &str, &str)] = &[
    (
        "Amlodipine 5 MG Oral Tablet",
        "197361",
        "Take 1 tablet by mouth once daily",
    ),
    (
        "Lisinopril 10 MG Oral Tablet",
        "314076",
        "Take 1 tablet by mouth once daily",
    ),
    (
        "Metformin hydrochloride 500 MG Oral Tablet",
        "861007",
        "Take 1 tablet by mouth twice daily with meals",
    ),
    (
        "Atorvastatin 20 MG Oral Tablet",
        "617310",
        "Take 1 tablet by mouth at bedtime",
    ),
    (
        "Levothyroxine Sodium 0.05 MG Oral Tablet",
        "966222",
        "Take 1 tablet by mouth every morning",
    ),
    (
        "Hydrochlorothiazide 25 MG Oral Tablet",
        "310798",
        "Take 1 tablet by mouth once daily",
    ),
    (
        "Amoxicillin 500 MG Oral Capsule",
        "308191",
        "Take 1 capsule by mouth three times daily for 10 days",
    ),
    (
        "Sertraline 50 MG Oral Tablet",
        "312940",
        "Take 1 tablet by mouth once daily",
    ),
    (
        "Omeprazole 20 MG Delayed Release Oral Capsule",
        "402014",
        "Take 1 capsule by mouth before breakfast",
    ),
    (
        "Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
        "745679",
        "Inhale 2 puffs every 4 hours as needed",
    ),
];
const PROBLEMS: &[(&str, &str)] = &[
    ("Essential hypertension", "59621000"),
    ("Diabetes mellitus type 2", "44054006"),
    ("Asthma", "195967001"),
    ("Hyperlipidemia", "55822004"),
    ("Hypothyroidism", "40930008"),
    ("Gastroesophageal reflux disease", "235595009"),
    ("Osteoarthritis", "396275006"),
    ("Depressive disorder", "35489007"),
    ("Migraine", "37796009"),
    ("Allergic rhinitis", "61582004"),
];
const LABS: &[(&str, &str, &str, f64, f64)] = &[
    ("Hemoglobin A1c", "4548-4", "%", 4.0, 5.6),
    ("Glucose", "2345-7", "mg/dL", 70.0, 99.0),
    ("Cholesterol, total", "2093-3", "mg/dL", 125.0, 200.0),
    ("LDL cholesterol", "13457-7", "mg/dL", 50.0, 130.0),
    ("HDL cholesterol", "2085-9", "mg/dL", 40.0, 80.0),
    ("Creatinine", "2160-0", "mg/dL", 0.6, 1.2),
    ("Hemoglobin", "718-7", "g/dL", 12.0, 17.0),
    ("Thyrotropin", "3016-3", "m[IU]/L", 0.4, 4.0),
    ("Potassium", "2823-3", "mmol/L", 3.5, 5.1),
    ("Sodium", "2951-2", "mmol/L", 135.0, 145.0),
];
/// A lab value from a draw in `0..1000`: within the reference range
/// `low..high` or up to 30 % of its width outside it, never below half of
/// `low`, so no concentration is zero or negative.
pub(crate) fn lab_value(low: f64, high: f64, draw: u64) -> f64 {
    let width = high - low;
    let from = low - (width * 0.3).min(low * 0.5);
    let to = high + width * 0.3;
    from + (to - from) * (draw.min(1000) as f64 / 1000.0)
}

const ALLERGENS: &[(&str, &str)] = &[
    ("Penicillin", "7980"),
    ("Sulfamethoxazole", "10180"),
    ("Aspirin", "1191"),
    ("Codeine", "2670"),
];
const REACTIONS: &[(&str, &str)] = &[
    ("Hives", "247472004"),
    ("Rash", "271807003"),
    ("Anaphylaxis", "39579001"),
    ("Nausea", "422587007"),
];
const SEVERITIES: &[(&str, &str)] = &[
    ("Mild", "255604002"),
    ("Moderate", "6736007"),
    ("Severe", "24484000"),
];
const VACCINES: &[(&str, &str)] = &[
    ("Influenza, seasonal, injectable", "141"),
    ("Td (adult)", "113"),
    ("Tdap", "115"),
    ("Hepatitis B, adult", "43"),
    ("Pneumococcal polysaccharide PPV23", "33"),
    ("Zoster", "121"),
];
const ENCOUNTERS: &[(&str, &str)] = &[
    ("Ambulatory encounter", "ambulatory"),
    ("Inpatient encounter", "inpatient"),
    ("Emergency encounter", "emergency"),
];
const PROCEDURES: &[(&str, &str)] = &[
    ("Appendectomy", "80146002"),
    ("Colonoscopy", "73761001"),
    ("Cholecystectomy", "38102005"),
    ("Cataract extraction", "54885007"),
];
const SMOKING: &[(&str, &str)] = &[
    ("Never smoker", "266919005"),
    ("Former smoker", "8517006"),
    ("Current every day smoker", "449868002"),
];
const RELATIONS: &[(&str, &str)] = &[
    ("Father", "66839005"),
    ("Mother", "72705000"),
    ("Sibling", "375005"),
];
const NOTES: &[&str] = &[
    "Routine follow-up",
    "Annual physical",
    "Medication review",
    "Telephone consult",
];

fn patient(rng: &mut Rng, index: usize) -> Patient {
    let female = rng.range(0, 1) == 0;
    let given = if female {
        rng.pick(GIVEN_F)
    } else {
        rng.pick(GIVEN_M)
    }
    .to_string();
    let additional = if female {
        rng.pick(GIVEN_F)
    } else {
        rng.pick(GIVEN_M)
    }
    .to_string();
    let family = rng.pick(FAMILY).to_string();
    let (town, region, zip) = *rng.pick(TOWNS);
    let birth_year = rng.range(1935, 2005);
    let mrn = (100_000 + rng.range(0, 899_999)).to_string();
    let demographics = Demographics {
        additional,
        family: family.clone(),
        gender: if female { "female" } else { "male" }.into(),
        birthday: format!(
            "{birth_year}-{:02}-{:02}",
            rng.range(1, 12),
            rng.range(1, 28)
        ),
        street: format!("{} {}", rng.range(1, 999), rng.pick(STREETS)),
        locality: town.into(),
        region: region.into(),
        postal_code: format!("{zip}{:02}", rng.range(0, 99)),
        country: "USA".into(),
        phone: format!("555-01{:02}", rng.range(0, 99)),
        email: format!(
            "{}.{}@example.invalid",
            given.to_lowercase(),
            family.to_lowercase()
        ),
        mrn,
        given,
    };
    let id = (2_000_000 + index * 10_007).to_string();
    let mut items = Vec::new();
    for _ in 0..rng.range(4, 12) {
        let (name, code, instructions) = *rng.pick(MEDS);
        let (day, start) = rng.date(0, LAST_DAY - 30);
        let end =
            (rng.range(0, 2) == 0).then(|| day_to_date((day + rng.range(10, 700)).min(LAST_DAY)));
        let per_day = rng.range(1, 3);
        let med_id = rng.hex_id();
        let item = Item::Medication {
            drug: coded(name, systems::RXNORM, code),
            start: start.clone(),
            end,
            instructions: instructions.into(),
            quantity: q(1, "{tablet}"),
            frequency: q(per_day, "/d"),
        };
        add(
            &mut items,
            "medications",
            med_id.clone(),
            Some(start),
            Some(code),
            item,
        );
        for k in 0..rng.range(1, 2) {
            let date = day_to_date((day + k * 30).min(LAST_DAY));
            let item = Item::Fulfillment {
                date: date.clone(),
                medication_id: med_id.clone(),
                quantity: q(30 * per_day, "{tablet}"),
                days_supply: 30,
                pharmacy: "Synthetic Corner Pharmacy".into(),
            };
            add(
                &mut items,
                "fulfillments",
                rng.hex_id(),
                Some(date),
                Some(code),
                item,
            );
        }
    }
    for _ in 0..rng.range(2, 6) {
        let (name, code) = *rng.pick(PROBLEMS);
        let (day, start) = rng.date(0, LAST_DAY);
        let end =
            (rng.range(0, 3) == 0).then(|| day_to_date((day + rng.range(30, 900)).min(LAST_DAY)));
        add(
            &mut items,
            "problems",
            rng.hex_id(),
            Some(start.clone()),
            Some(code),
            Item::Problem {
                name: coded(name, systems::SNOMED, code),
                start,
                end,
            },
        );
    }
    for _ in 0..rng.range(1, 3) {
        let (name, code) = *rng.pick(ALLERGENS);
        let (r, rc) = *rng.pick(REACTIONS);
        let (s, sc) = *rng.pick(SEVERITIES);
        let item = Item::Allergy {
            substance: coded(name, systems::RXNORM, code),
            reaction: coded(r, systems::SNOMED, rc),
            severity: coded(s, systems::SNOMED, sc),
        };
        add(
            &mut items,
            "allergies",
            rng.hex_id(),
            None,
            Some(code),
            item,
        );
    }
    for _ in 0..rng.range(2, 6) {
        let (name, code) = *rng.pick(VACCINES);
        let (_, date) = rng.date(0, LAST_DAY);
        let item = Item::Immunization {
            product: coded(name, systems::CVX, code),
            date: date.clone(),
            status: coded("Dose given", systems::IMMUNIZATION_STATUS, "doseGiven"),
        };
        add(
            &mut items,
            "immunizations",
            rng.hex_id(),
            Some(date),
            Some(code),
            item,
        );
    }
    for _ in 0..rng.range(6, 20) {
        let (name, code, unit, low, high) = *rng.pick(LABS);
        let (_, date) = rng.date(0, LAST_DAY);
        let value = lab_value(low, high, rng.range(0, 1000));
        let item = Item::LabResult {
            name: coded(name, systems::LOINC, code),
            date: date.clone(),
            value: format!("{value:.1}"),
            unit: unit.into(),
            low: format!("{low}"),
            high: format!("{high}"),
        };
        add(
            &mut items,
            "lab_results",
            rng.hex_id(),
            Some(date),
            Some(code),
            item,
        );
    }
    for _ in 0..rng.range(3, 10) {
        let (_, date) = rng.date(0, LAST_DAY);
        // The id is drawn after the values, as before the encounter type
        // was added, so that every generated value stays the same.
        let height_cm = rng.range(150, 195).to_string();
        let weight_kg = rng.range(48, 120).to_string();
        let systolic = rng.range(100, 165).to_string();
        let diastolic = rng.range(60, 100).to_string();
        let heart_rate = rng.range(52, 100).to_string();
        let temperature_c = format!("36.{}", rng.range(1, 9));
        let id = rng.hex_id();
        let (encounter_name, encounter_code) = encounter_of(&id);
        let item = Item::VitalSignSet {
            date: date.clone(),
            height_cm,
            weight_kg,
            systolic,
            diastolic,
            heart_rate,
            temperature_c,
            encounter: Some(coded(
                encounter_name,
                systems::ENCOUNTER_TYPE,
                encounter_code,
            )),
        };
        add(
            &mut items,
            "vital_sign_sets",
            id,
            Some(date),
            Some(encounter_code),
            item,
        );
    }
    for _ in 0..rng.range(3, 10) {
        let (name, code) = *rng.pick(ENCOUNTERS);
        let (day, start) = rng.date(0, LAST_DAY - 10);
        let end = day_to_date(
            day + if code == "inpatient" {
                rng.range(1, 7)
            } else {
                0
            },
        );
        let item = Item::Encounter {
            start: start.clone(),
            end,
            kind: coded(name, systems::ENCOUNTER_TYPE, code),
        };
        add(
            &mut items,
            "encounters",
            rng.hex_id(),
            Some(start),
            Some(code),
            item,
        );
    }
    for _ in 0..rng.range(1, 4) {
        let (_, date) = rng.date(0, LAST_DAY);
        let title = rng.pick(NOTES).to_string();
        let text =
            format!("{title}: patient seen, history reviewed, plan discussed. (Synthetic note.)");
        add(
            &mut items,
            "clinical_notes",
            rng.hex_id(),
            Some(date.clone()),
            None,
            Item::ClinicalNote {
                date,
                title,
                text: Some(text),
                formats: Vec::new(),
            },
        );
    }
    for _ in 0..rng.range(0, 3) {
        let (name, code) = *rng.pick(PROCEDURES);
        let (_, date) = rng.date(0, LAST_DAY);
        let item = Item::Procedure {
            date: date.clone(),
            name: coded(name, systems::SNOMED, code),
            status: "completed".into(),
        };
        add(
            &mut items,
            "procedures",
            rng.hex_id(),
            Some(date),
            Some(code),
            item,
        );
    }
    for _ in 0..rng.range(1, 3) {
        let (name, code) = *rng.pick(PROBLEMS);
        let (rel, rc) = *rng.pick(RELATIONS);
        let item = Item::FamilyHistory {
            problem: coded(name, systems::SNOMED, code),
            relation: coded(rel, systems::SNOMED, rc),
        };
        add(
            &mut items,
            "family_history",
            rng.hex_id(),
            None,
            Some(code),
            item,
        );
    }
    let (s, sc) = *rng.pick(SMOKING);
    add(
        &mut items,
        "social_history",
        rng.hex_id(),
        None,
        Some(sc),
        Item::SocialHistory {
            smoking: coded(s, systems::SNOMED, sc),
        },
    );
    files::add_files(&mut items, &id, &demographics, rng.0);
    Patient {
        id,
        demographics,
        items,
    }
}
