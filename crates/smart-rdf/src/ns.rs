//! Vocabularies used by SMART documents, as full IRI constants.
//!
//! Each sub-module holds the namespace IRI as `NS` and one constant per term
//! the crate reads or writes. Constants are `&'static str` so they can be used
//! in `match` arms, in SPARQL text and in the writer alike.

/// The `rdf:` vocabulary, <http://www.w3.org/1999/02/22-rdf-syntax-ns#>.
pub mod rdf {
    /// The namespace IRI.
    pub const NS: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    /// `rdf:type`.
    pub const TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    /// `rdf:value`.
    pub const VALUE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value";
    /// `rdf:Seq`.
    pub const SEQ: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Seq";
}

/// The `xsd:` datatypes, <http://www.w3.org/2001/XMLSchema#>.
pub mod xsd {
    /// The namespace IRI.
    pub const NS: &str = "http://www.w3.org/2001/XMLSchema#";
    /// `xsd:string`, the datatype of plain literals in RDF 1.1.
    pub const STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
    /// `xsd:integer`.
    pub const INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
    /// `xsd:date`.
    pub const DATE: &str = "http://www.w3.org/2001/XMLSchema#date";
    /// `xsd:dateTime`.
    pub const DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
}

/// The SMART vocabulary `sp:`, <http://smartplatforms.org/terms#>.
pub mod sp {
    /// The namespace IRI.
    pub const NS: &str = "http://smartplatforms.org/terms#";
    /// `sp:Demographics`.
    pub const DEMOGRAPHICS: &str = "http://smartplatforms.org/terms#Demographics";
    /// `sp:Medication`.
    pub const MEDICATION: &str = "http://smartplatforms.org/terms#Medication";
    /// `sp:Problem`.
    pub const PROBLEM: &str = "http://smartplatforms.org/terms#Problem";
    /// `sp:Allergy`.
    pub const ALLERGY: &str = "http://smartplatforms.org/terms#Allergy";
    /// `sp:Immunization`.
    pub const IMMUNIZATION: &str = "http://smartplatforms.org/terms#Immunization";
    /// `sp:LabResult`.
    pub const LAB_RESULT: &str = "http://smartplatforms.org/terms#LabResult";
    /// `sp:VitalSignSet`.
    pub const VITAL_SIGN_SET: &str = "http://smartplatforms.org/terms#VitalSignSet";
    /// `sp:Encounter`.
    pub const ENCOUNTER: &str = "http://smartplatforms.org/terms#Encounter";
    /// `sp:CodedValue`.
    pub const CODED_VALUE: &str = "http://smartplatforms.org/terms#CodedValue";
    /// `sp:Code`.
    pub const CODE: &str = "http://smartplatforms.org/terms#Code";
    /// `sp:ValueAndUnit`.
    pub const VALUE_AND_UNIT: &str = "http://smartplatforms.org/terms#ValueAndUnit";
    /// `sp:ValueRange`.
    pub const VALUE_RANGE: &str = "http://smartplatforms.org/terms#ValueRange";
    /// `sp:QuantitativeResult`.
    pub const QUANTITATIVE_RESULT: &str = "http://smartplatforms.org/terms#QuantitativeResult";
    /// `sp:NarrativeResult`.
    pub const NARRATIVE_RESULT: &str = "http://smartplatforms.org/terms#NarrativeResult";
    /// `sp:Attribution`.
    pub const ATTRIBUTION: &str = "http://smartplatforms.org/terms#Attribution";
    /// `sp:VitalSign`.
    pub const VITAL_SIGN: &str = "http://smartplatforms.org/terms#VitalSign";
    /// `sp:BloodPressure`.
    pub const BLOOD_PRESSURE: &str = "http://smartplatforms.org/terms#BloodPressure";
    /// `sp:Organization`.
    pub const ORGANIZATION: &str = "http://smartplatforms.org/terms#Organization";

    /// `sp:belongsTo`: from a statement to its record.
    pub const BELONGS_TO: &str = "http://smartplatforms.org/terms#belongsTo";
    /// `sp:medicalRecordNumber`.
    pub const MEDICAL_RECORD_NUMBER: &str = "http://smartplatforms.org/terms#medicalRecordNumber";
    /// `sp:system`: the code system of an `sp:Code`.
    pub const SYSTEM: &str = "http://smartplatforms.org/terms#system";
    /// `sp:code`: from an `sp:CodedValue` to its `sp:Code`.
    pub const CODE_PROP: &str = "http://smartplatforms.org/terms#code";
    /// `sp:value`.
    pub const VALUE: &str = "http://smartplatforms.org/terms#value";
    /// `sp:unit`.
    pub const UNIT: &str = "http://smartplatforms.org/terms#unit";
    /// `sp:drugName`.
    pub const DRUG_NAME: &str = "http://smartplatforms.org/terms#drugName";
    /// `sp:startDate`.
    pub const START_DATE: &str = "http://smartplatforms.org/terms#startDate";
    /// `sp:endDate`.
    pub const END_DATE: &str = "http://smartplatforms.org/terms#endDate";
    /// `sp:instructions`.
    pub const INSTRUCTIONS: &str = "http://smartplatforms.org/terms#instructions";
    /// `sp:quantity`.
    pub const QUANTITY: &str = "http://smartplatforms.org/terms#quantity";
    /// `sp:frequency`.
    pub const FREQUENCY: &str = "http://smartplatforms.org/terms#frequency";
    /// `sp:problemName`.
    pub const PROBLEM_NAME: &str = "http://smartplatforms.org/terms#problemName";
    /// `sp:notes`.
    pub const NOTES: &str = "http://smartplatforms.org/terms#notes";
    /// `sp:category`.
    pub const CATEGORY: &str = "http://smartplatforms.org/terms#category";
    /// `sp:allergicReaction`.
    pub const ALLERGIC_REACTION: &str = "http://smartplatforms.org/terms#allergicReaction";
    /// `sp:severity`.
    pub const SEVERITY: &str = "http://smartplatforms.org/terms#severity";
    /// `sp:drugAllergen`.
    pub const DRUG_ALLERGEN: &str = "http://smartplatforms.org/terms#drugAllergen";
    /// `sp:drugClassAllergen`.
    pub const DRUG_CLASS_ALLERGEN: &str = "http://smartplatforms.org/terms#drugClassAllergen";
    /// `sp:foodAllergen`.
    pub const FOOD_ALLERGEN: &str = "http://smartplatforms.org/terms#foodAllergen";
    /// `sp:otherAllergen`.
    pub const OTHER_ALLERGEN: &str = "http://smartplatforms.org/terms#otherAllergen";
    /// `sp:date`.
    pub const DATE: &str = "http://smartplatforms.org/terms#date";
    /// `sp:productName`.
    pub const PRODUCT_NAME: &str = "http://smartplatforms.org/terms#productName";
    /// `sp:administrationStatus`.
    pub const ADMINISTRATION_STATUS: &str = "http://smartplatforms.org/terms#administrationStatus";
    /// `sp:refusalReason`.
    pub const REFUSAL_REASON: &str = "http://smartplatforms.org/terms#refusalReason";
    /// `sp:labName`.
    pub const LAB_NAME: &str = "http://smartplatforms.org/terms#labName";
    /// `sp:specimenCollected`.
    pub const SPECIMEN_COLLECTED: &str = "http://smartplatforms.org/terms#specimenCollected";
    /// `sp:quantitativeResult`.
    pub const QUANTITATIVE_RESULT_PROP: &str = "http://smartplatforms.org/terms#quantitativeResult";
    /// `sp:valueAndUnit`.
    pub const VALUE_AND_UNIT_PROP: &str = "http://smartplatforms.org/terms#valueAndUnit";
    /// `sp:normalRange`.
    pub const NORMAL_RANGE: &str = "http://smartplatforms.org/terms#normalRange";
    /// `sp:minimum`.
    pub const MINIMUM: &str = "http://smartplatforms.org/terms#minimum";
    /// `sp:maximum`.
    pub const MAXIMUM: &str = "http://smartplatforms.org/terms#maximum";
    /// `sp:narrativeResult`.
    pub const NARRATIVE_RESULT_PROP: &str = "http://smartplatforms.org/terms#narrativeResult";
    /// `sp:abnormalInterpretation`.
    pub const ABNORMAL_INTERPRETATION: &str =
        "http://smartplatforms.org/terms#abnormalInterpretation";
    /// `sp:accessionNumber`.
    pub const ACCESSION_NUMBER: &str = "http://smartplatforms.org/terms#accessionNumber";
    /// `sp:labStatus`.
    pub const LAB_STATUS: &str = "http://smartplatforms.org/terms#labStatus";
    /// `sp:encounter`.
    pub const ENCOUNTER_PROP: &str = "http://smartplatforms.org/terms#encounter";
    /// `sp:encounterType`.
    pub const ENCOUNTER_TYPE: &str = "http://smartplatforms.org/terms#encounterType";
    /// `sp:facility`.
    pub const FACILITY: &str = "http://smartplatforms.org/terms#facility";
    /// `sp:vitalName`.
    pub const VITAL_NAME: &str = "http://smartplatforms.org/terms#vitalName";
    /// `sp:height`.
    pub const HEIGHT: &str = "http://smartplatforms.org/terms#height";
    /// `sp:weight`.
    pub const WEIGHT: &str = "http://smartplatforms.org/terms#weight";
    /// `sp:bodyMassIndex`.
    pub const BODY_MASS_INDEX: &str = "http://smartplatforms.org/terms#bodyMassIndex";
    /// `sp:respiratoryRate`.
    pub const RESPIRATORY_RATE: &str = "http://smartplatforms.org/terms#respiratoryRate";
    /// `sp:heartRate`.
    pub const HEART_RATE: &str = "http://smartplatforms.org/terms#heartRate";
    /// `sp:oxygenSaturation`.
    pub const OXYGEN_SATURATION: &str = "http://smartplatforms.org/terms#oxygenSaturation";
    /// `sp:temperature`.
    pub const TEMPERATURE: &str = "http://smartplatforms.org/terms#temperature";
    /// `sp:bloodPressure`.
    pub const BLOOD_PRESSURE_PROP: &str = "http://smartplatforms.org/terms#bloodPressure";
    /// `sp:systolic`.
    pub const SYSTOLIC: &str = "http://smartplatforms.org/terms#systolic";
    /// `sp:diastolic`.
    pub const DIASTOLIC: &str = "http://smartplatforms.org/terms#diastolic";
    /// `sp:bodyPosition`.
    pub const BODY_POSITION: &str = "http://smartplatforms.org/terms#bodyPosition";
    /// `sp:bodySite`.
    pub const BODY_SITE: &str = "http://smartplatforms.org/terms#bodySite";
    /// `sp:Fulfillment`.
    pub const FULFILLMENT: &str = "http://smartplatforms.org/terms#Fulfillment";
    /// `sp:ClinicalNote`.
    pub const CLINICAL_NOTE: &str = "http://smartplatforms.org/terms#ClinicalNote";
    /// `sp:Procedure`.
    pub const PROCEDURE: &str = "http://smartplatforms.org/terms#Procedure";
    /// `sp:SocialHistory`.
    pub const SOCIAL_HISTORY: &str = "http://smartplatforms.org/terms#SocialHistory";
    /// `sp:FamilyHistory`.
    pub const FAMILY_HISTORY: &str = "http://smartplatforms.org/terms#FamilyHistory";
    /// `sp:Document`.
    pub const DOCUMENT: &str = "http://smartplatforms.org/terms#Document";
    /// `sp:Photograph`.
    pub const PHOTOGRAPH: &str = "http://smartplatforms.org/terms#Photograph";
    /// `sp:LabPanel`.
    pub const LAB_PANEL: &str = "http://smartplatforms.org/terms#LabPanel";
    /// `sp:Pharmacy`.
    pub const PHARMACY: &str = "http://smartplatforms.org/terms#Pharmacy";
    /// `sp:DocumentWithFormat`: one format of a clinical note's content.
    pub const DOCUMENT_WITH_FORMAT: &str = "http://smartplatforms.org/terms#DocumentWithFormat";
    /// `sp:Resource`: where a document's content lives.
    pub const RESOURCE: &str = "http://smartplatforms.org/terms#Resource";
    /// `sp:Content`: a document's content, embedded.
    pub const CONTENT: &str = "http://smartplatforms.org/terms#Content";
    /// `sp:Hash`.
    pub const HASH: &str = "http://smartplatforms.org/terms#Hash";
    /// `sp:medication`: the medication a fulfillment dispenses.
    pub const MEDICATION_PROP: &str = "http://smartplatforms.org/terms#medication";
    /// `sp:quantityDispensed`.
    pub const QUANTITY_DISPENSED: &str = "http://smartplatforms.org/terms#quantityDispensed";
    /// `sp:dispenseDaysSupply`.
    pub const DISPENSE_DAYS_SUPPLY: &str = "http://smartplatforms.org/terms#dispenseDaysSupply";
    /// `sp:pharmacy`.
    pub const PHARMACY_PROP: &str = "http://smartplatforms.org/terms#pharmacy";
    /// `sp:procedureName`.
    pub const PROCEDURE_NAME: &str = "http://smartplatforms.org/terms#procedureName";
    /// `sp:procedureStatus`.
    pub const PROCEDURE_STATUS: &str = "http://smartplatforms.org/terms#procedureStatus";
    /// `sp:smokingStatus`.
    pub const SMOKING_STATUS: &str = "http://smartplatforms.org/terms#smokingStatus";
    /// `sp:relation`.
    pub const RELATION: &str = "http://smartplatforms.org/terms#relation";
    /// `sp:labResult`: a result of a lab panel.
    pub const LAB_RESULT_PROP: &str = "http://smartplatforms.org/terms#labResult";
    /// `sp:fileName`.
    pub const FILE_NAME: &str = "http://smartplatforms.org/terms#fileName";
    /// `sp:fileSize`.
    pub const FILE_SIZE: &str = "http://smartplatforms.org/terms#fileSize";
    /// `sp:resource`.
    pub const RESOURCE_PROP: &str = "http://smartplatforms.org/terms#resource";
    /// `sp:location`.
    pub const LOCATION: &str = "http://smartplatforms.org/terms#location";
    /// `sp:hash`.
    pub const HASH_PROP: &str = "http://smartplatforms.org/terms#hash";
    /// `sp:algorithm`.
    pub const ALGORITHM: &str = "http://smartplatforms.org/terms#algorithm";
    /// `sp:content`.
    pub const CONTENT_PROP: &str = "http://smartplatforms.org/terms#content";
    /// `sp:encoding`.
    pub const ENCODING: &str = "http://smartplatforms.org/terms#encoding";
    /// `sp:userId`.
    pub const USER_ID: &str = "http://smartplatforms.org/terms#userId";
}

/// The vCard vocabulary `v:`, <http://www.w3.org/2006/vcard/ns#>.
pub mod vcard {
    /// The namespace IRI.
    pub const NS: &str = "http://www.w3.org/2006/vcard/ns#";
    /// `v:n`: the structured name.
    pub const N: &str = "http://www.w3.org/2006/vcard/ns#n";
    /// `v:Name`.
    pub const NAME: &str = "http://www.w3.org/2006/vcard/ns#Name";
    /// `v:given-name`.
    pub const GIVEN_NAME: &str = "http://www.w3.org/2006/vcard/ns#given-name";
    /// `v:additional-name`.
    pub const ADDITIONAL_NAME: &str = "http://www.w3.org/2006/vcard/ns#additional-name";
    /// `v:family-name`.
    pub const FAMILY_NAME: &str = "http://www.w3.org/2006/vcard/ns#family-name";
    /// `v:adr`.
    pub const ADR: &str = "http://www.w3.org/2006/vcard/ns#adr";
    /// `v:Address`.
    pub const ADDRESS: &str = "http://www.w3.org/2006/vcard/ns#Address";
    /// `v:Home`.
    pub const HOME: &str = "http://www.w3.org/2006/vcard/ns#Home";
    /// `v:street-address`.
    pub const STREET_ADDRESS: &str = "http://www.w3.org/2006/vcard/ns#street-address";
    /// `v:locality`.
    pub const LOCALITY: &str = "http://www.w3.org/2006/vcard/ns#locality";
    /// `v:region`.
    pub const REGION: &str = "http://www.w3.org/2006/vcard/ns#region";
    /// `v:postal-code`.
    pub const POSTAL_CODE: &str = "http://www.w3.org/2006/vcard/ns#postal-code";
    /// `v:country`.
    pub const COUNTRY: &str = "http://www.w3.org/2006/vcard/ns#country";
    /// `v:tel`.
    pub const TEL_PROP: &str = "http://www.w3.org/2006/vcard/ns#tel";
    /// `v:Tel`.
    pub const TEL: &str = "http://www.w3.org/2006/vcard/ns#Tel";
    /// `v:email`.
    pub const EMAIL: &str = "http://www.w3.org/2006/vcard/ns#email";
    /// `v:bday`.
    pub const BDAY: &str = "http://www.w3.org/2006/vcard/ns#bday";
    /// `v:organization-name`.
    pub const ORGANIZATION_NAME: &str = "http://www.w3.org/2006/vcard/ns#organization-name";
}

/// The FOAF vocabulary `foaf:`, <http://xmlns.com/foaf/0.1/>.
pub mod foaf {
    /// The namespace IRI.
    pub const NS: &str = "http://xmlns.com/foaf/0.1/";
    /// `foaf:gender`.
    pub const GENDER: &str = "http://xmlns.com/foaf/0.1/gender";
    /// `foaf:Person`: a user of the container.
    pub const PERSON: &str = "http://xmlns.com/foaf/0.1/Person";
    /// `foaf:givenName`.
    pub const GIVEN_NAME: &str = "http://xmlns.com/foaf/0.1/givenName";
    /// `foaf:familyName`.
    pub const FAMILY_NAME: &str = "http://xmlns.com/foaf/0.1/familyName";
}

/// Dublin Core terms `dcterms:`, <http://purl.org/dc/terms/>.
pub mod dcterms {
    /// The namespace IRI.
    pub const NS: &str = "http://purl.org/dc/terms/";
    /// `dcterms:title`.
    pub const TITLE: &str = "http://purl.org/dc/terms/title";
    /// `dcterms:identifier`.
    pub const IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
    /// `dcterms:date`.
    pub const DATE: &str = "http://purl.org/dc/terms/date";
    /// `dcterms:format`: a media type.
    pub const FORMAT: &str = "http://purl.org/dc/terms/format";
    /// `dcterms:hasFormat`: a clinical note's content in one format.
    pub const HAS_FORMAT: &str = "http://purl.org/dc/terms/hasFormat";
}

/// The SMART API vocabulary `api:`, <http://smartplatforms.org/terms/api#>.
pub mod api {
    /// The namespace IRI.
    pub const NS: &str = "http://smartplatforms.org/terms/api#";
    /// `api:ResponseSummary`.
    pub const RESPONSE_SUMMARY: &str = "http://smartplatforms.org/terms/api#ResponseSummary";
    /// `api:totalResultCount`.
    pub const TOTAL_RESULT_COUNT: &str = "http://smartplatforms.org/terms/api#totalResultCount";
    /// `api:resultsReturned`.
    pub const RESULTS_RETURNED: &str = "http://smartplatforms.org/terms/api#resultsReturned";
    /// `api:resultOrder`.
    pub const RESULT_ORDER: &str = "http://smartplatforms.org/terms/api#resultOrder";
    /// `api:nextPageURL`.
    pub const NEXT_PAGE_URL: &str = "http://smartplatforms.org/terms/api#nextPageURL";
}

/// Code systems used in `sp:Code` nodes.
pub mod codes {
    /// RxNorm, for drugs.
    pub const RXNORM: &str = "http://purl.bioontology.org/ontology/RXNORM/";
    /// SNOMED CT, for problems, reactions and many coded values.
    pub const SNOMED: &str = "http://purl.bioontology.org/ontology/SNOMEDCT/";
    /// LOINC, for lab tests and vital signs.
    pub const LOINC: &str = "http://purl.bioontology.org/ontology/LNC/";
    /// Media types as IRIs (`dcterms:format`), e.g. `<http://purl.org/NET/mediatypes/text/plain>`.
    pub const MEDIA_TYPES: &str = "http://purl.org/NET/mediatypes/";
    /// SMART's procedure statuses.
    pub const PROCEDURE_STATUS: &str = "http://smartplatforms.org/terms/codes/ProcedureStatus#";
}
