//! App manifests: the schema of SMART.md, checked field by field so that an
//! operator sees every violation at once.

use serde_json::{Map, Value};

use crate::Error;

mod text;

/// A validated app manifest. The original JSON is kept as installed (minus
/// nothing: manifests hold no secret) and served back by `/apps/...`.
#[derive(Debug, Clone)]
pub struct AppManifest {
    /// The app id, also its OAuth consumer key.
    pub id: String,
    /// The app's display name.
    pub name: String,
    /// `ui`, `background` or `frame_ui`.
    pub mode: String,
    /// The app's start page, if any.
    pub index: Option<String>,
    /// The OAuth callback registered for the app, if any.
    pub oauth_callback: Option<String>,
    /// The manifest as JSON.
    pub json: Value,
    /// What was accepted but not understood (an unknown key): `load-app`
    /// prints each and the container logs it.
    pub warnings: Vec<String>,
}

const KNOWN_KEYS: &[&str] = &[
    "name",
    "description",
    "id",
    "mode",
    "author",
    "version",
    "smart_version",
    "scope",
    "standalone",
    "index",
    "icon",
    "oauth_callback",
    "requires",
    "optimalBrowserEnvironments",
    "supportedBrowserEnvironments",
];

/// The browser environments of the original's manifests.
const ENVIRONMENTS: &[&str] = &["desktop", "mobile", "tablet"];

/// URL schemes a custom-scheme callback may never use: they run script or
/// read local files in a browser.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "file",
    "vbscript",
    "blob",
    "about",
    "filesystem",
];

const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE"];

/// The largest manifest accepted, in bytes.
const MAX_MANIFEST_LEN: usize = 64 * 1024;

impl AppManifest {
    /// Parses and validates a manifest; the error lists every violation,
    /// each starting with the field it concerns.
    ///
    /// ```
    /// let m = smart_container::AppManifest::parse(r#"{"name": "A", "description": "d",
    ///   "id": "a@apps.example", "mode": "background"}"#).unwrap();
    /// assert_eq!(m.id, "a@apps.example");
    /// assert!(smart_container::AppManifest::parse(r#"{"name": 1}"#).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_MANIFEST_LEN {
            return Err(Error::InvalidManifest(vec![format!(
                "(document): {} bytes, more than the {MAX_MANIFEST_LEN} allowed",
                text.len()
            )]));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidManifest(vec![format!("(document): not JSON: {e}")]))?;
        // serde_json keeps the last of two equal keys: a second `id` would
        // silently install over another app. Find them first.
        let duplicates = serde_json::from_str::<text::DuplicateKeys>(text)
            .map(|d| d.0)
            .unwrap_or_default();
        if !duplicates.is_empty() {
            return Err(Error::InvalidManifest(
                duplicates
                    .into_iter()
                    .map(|k| format!("{k}: given more than once"))
                    .collect(),
            ));
        }
        let Value::Object(obj) = &value else {
            return Err(Error::InvalidManifest(vec![
                "(document): must be a JSON object".into(),
            ]));
        };
        let mut v = Vec::new();
        let mut warnings = Vec::new();
        for key in obj.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                warnings.push(format!("{key}: unknown key, ignored"));
            }
        }
        for key in ["optimalBrowserEnvironments", "supportedBrowserEnvironments"] {
            if let Some(envs) = obj.get(key) {
                check_environments(key, envs, &mut v);
            }
        }
        text::check_strings(&value, "", &mut v);
        let name = required_string(obj, "name", &mut v);
        required_string(obj, "description", &mut v);
        let id = required_string(obj, "id", &mut v);
        if let Some(id) = &id
            && !is_app_id(id)
        {
            v.push("id: must look like an e-mail address (letters, digits, `._+-`, one `@`), at most 128 characters".into());
        }
        let mode = required_string(obj, "mode", &mut v);
        if let Some(m) = &mode
            && !["ui", "background", "helper", "frame_ui"].contains(&m.as_str())
        {
            v.push(format!(
                "mode: must be `ui`, `background` (or its alias `helper`) or `frame_ui`, not `{m}`"
            ));
        }
        optional_string(obj, "author", &mut v);
        optional_string(obj, "version", &mut v);
        if let Some(sv) = optional_string(obj, "smart_version", &mut v)
            && !is_smart_version(&sv)
        {
            v.push(format!(
                "smart_version: `{sv}` must match ^\\d+(\\.\\d+){{0,2}}$"
            ));
        }
        if let Some(scope) = optional_string(obj, "scope", &mut v)
            && !["record", "container"].contains(&scope.as_str())
        {
            v.push(format!(
                "scope: must be `record` or `container`, not `{scope}`"
            ));
        }
        if let Some(s) = obj.get("standalone")
            && !s.is_boolean()
        {
            v.push("standalone: must be true or false".into());
        }
        let index = optional_url(obj, "index", &mut v);
        let icon = optional_url(obj, "icon", &mut v);
        let oauth_callback = optional_callback(obj, &mut v);
        if let Some(req) = obj.get("requires") {
            check_requires(req, &mut v);
        }
        match mode.as_deref() {
            Some("ui" | "frame_ui") => {
                if index.is_none() && !obj.contains_key("index") {
                    v.push("index: required for `ui` and `frame_ui` apps".into());
                }
                if icon.is_none() && !obj.contains_key("icon") {
                    v.push("icon: required for `ui` and `frame_ui` apps".into());
                }
            }
            Some("background" | "helper") => {
                if obj.contains_key("index") {
                    v.push("index: `background` apps have no index".into());
                }
                if obj.contains_key("oauth_callback") {
                    v.push("oauth_callback: `background` apps have no oauth_callback".into());
                }
            }
            _ => {}
        }
        match (v.is_empty(), id, name, mode) {
            (true, Some(id), Some(name), Some(mode)) => Ok(Self {
                id,
                name,
                mode,
                index,
                oauth_callback,
                json: value,
                warnings,
            }),
            _ => Err(Error::InvalidManifest(v)),
        }
    }
}

/// Whether a manifest's `mode` is a background app's (`background`, or the
/// original's alias `helper`): one that may ask for a token per record
/// without a user.
pub(crate) fn is_background_mode(mode: &str) -> bool {
    matches!(mode, "background" | "helper")
}

/// The `mode` of a stored manifest (empty when it has none).
pub(crate) fn mode_of(manifest_json: &str) -> String {
    serde_json::from_str::<Value>(manifest_json)
        .ok()
        .and_then(|m| m.get("mode").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

fn required_string(obj: &Map<String, Value>, key: &str, v: &mut Vec<String>) -> Option<String> {
    match obj.get(key) {
        None => {
            v.push(format!("{key}: required"));
            None
        }
        Some(_) => optional_string(obj, key, v),
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str, v: &mut Vec<String>) -> Option<String> {
    match obj.get(key) {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::String(_)) => {
            v.push(format!("{key}: must not be empty"));
            None
        }
        Some(_) => {
            v.push(format!("{key}: must be a string"));
            None
        }
    }
}

fn optional_url(obj: &Map<String, Value>, key: &str, v: &mut Vec<String>) -> Option<String> {
    let s = optional_string(obj, key, v)?;
    match url::Url::parse(&s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            if !u.username().is_empty() || u.password().is_some() {
                v.push(format!("{key}: must not carry a user name or password"));
                return None;
            }
            if u.fragment().is_some() {
                v.push(format!("{key}: `{s}` must not carry a #fragment"));
                return None;
            }
            Some(s)
        }
        _ => {
            v.push(format!("{key}: `{s}` must be an absolute http(s) URL"));
            None
        }
    }
}

/// The `oauth_callback`: an absolute http(s) URL as for the other URLs, or
/// a native app's custom-scheme URL (`smart-app:///done`), which the
/// provider then redirects to exactly as registered.
fn optional_callback(obj: &Map<String, Value>, v: &mut Vec<String>) -> Option<String> {
    let key = "oauth_callback";
    let s = optional_string(obj, key, v)?;
    match url::Url::parse(&s) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => optional_url(obj, key, v),
        Ok(u) if FORBIDDEN_SCHEMES.contains(&u.scheme()) => {
            v.push(format!(
                "{key}: the `{}` scheme is never a callback",
                u.scheme()
            ));
            None
        }
        Ok(u) => {
            if !u.username().is_empty() || u.password().is_some() {
                v.push(format!("{key}: must not carry a user name or password"));
                return None;
            }
            if u.fragment().is_some() {
                v.push(format!("{key}: `{s}` must not carry a #fragment"));
                return None;
            }
            Some(s)
        }
        Err(_) => {
            v.push(format!(
                "{key}: `{s}` must be an absolute http(s) URL or a native app's custom-scheme URL"
            ));
            None
        }
    }
}

fn check_environments(key: &str, envs: &Value, v: &mut Vec<String>) {
    let ok = match envs {
        Value::Array(items) => {
            items.len() <= ENVIRONMENTS.len()
                && items
                    .iter()
                    .all(|e| e.as_str().is_some_and(|e| ENVIRONMENTS.contains(&e)))
        }
        _ => false,
    };
    if !ok {
        v.push(format!(
            "{key}: must be a list of {}",
            ENVIRONMENTS.join(", ")
        ));
    }
}

/// The longest list of `codes` a `requires` entry takes.
const MAX_CODES: usize = 1000;

fn check_requires(req: &Value, v: &mut Vec<String>) {
    let Value::Object(types) = req else {
        v.push("requires: must be an object of type URI to {\"methods\": [...]}".into());
        return;
    };
    for (uri, spec) in types {
        if url::Url::parse(uri).is_err() {
            v.push(format!("requires.{uri}: key must be an absolute type URI"));
        }
        let (methods, codes) = match spec {
            Value::Object(o) if o.keys().all(|k| k == "methods" || k == "codes") => {
                (o.get("methods"), o.get("codes"))
            }
            _ => (None, None),
        };
        match methods {
            Some(Value::Array(ms))
                if ms.iter().all(|m| m.as_str().is_some_and(|m| METHODS.contains(&m))) => {}
            _ => v.push(format!(
                "requires.{uri}: must be {{\"methods\": [...]}} (and optionally \"codes\") with methods among GET, PUT, POST, DELETE"
            )),
        }
        match codes {
            None => {}
            Some(Value::Array(cs))
                if cs.len() <= MAX_CODES
                    && cs
                        .iter()
                        .all(|c| c.as_str().is_some_and(|c| !c.trim().is_empty())) => {}
            Some(_) => v.push(format!(
                "requires.{uri}.codes: must be a list of at most {MAX_CODES} non-empty code strings"
            )),
        }
    }
}

/// An e-mail-like app id, safe in a URL path segment.
pub(crate) fn is_app_id(id: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "._+-".contains(c);
    match id.split_once('@') {
        Some((local, domain)) => {
            id.len() <= 128
                && !local.is_empty()
                && !domain.is_empty()
                && local.chars().all(ok_char)
                && domain.chars().all(|c| ok_char(c) && c != '+')
        }
        None => false,
    }
}

fn is_smart_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
