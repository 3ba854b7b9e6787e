//! Serde for the [`Secret`] fields of [`super::Saved`] states: the secret is
//! written in clear, because the point of saving a state is to resume it.

use std::string::String;

use oauth1_sign::Secret;
use serde::{Deserialize, Deserializer, Serializer};

pub(super) fn serialize<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}
