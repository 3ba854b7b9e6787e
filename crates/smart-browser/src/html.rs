//! A minimal HTML reader for the headless flow: forms, their fields, links
//! and elements by id. It reads what our container and app render, not the
//! whole web.

/// One `<form>`: where it goes and the fields it would submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The `action` attribute (empty means the page's own URL).
    pub action: String,
    /// The method, upper-case (`GET` unless the form says otherwise).
    pub method: String,
    /// The fields: `<input>`, `<select>` (first or selected option),
    /// `<textarea>` and named `<button>`s, in document order, with their `type`.
    pub fields: Vec<Field>,
}

/// A form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The `name` attribute.
    pub name: String,
    /// The `value` attribute, entities decoded.
    pub value: String,
    /// The lower-case `type` (`text`, `hidden`, `submit`, `radio`, `button`, ...).
    pub kind: String,
    /// The values of a `<select>`'s options, in order (empty for other fields).
    pub options: Vec<String>,
}

impl Form {
    /// The value of the first field with this name.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// Whether the form has a field with this name.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
    }

    /// The pairs a browser would submit when clicking the submit control
    /// named `submit` with value `submit_value` (if given), with `overrides`
    /// replacing the values of the fields they name. Unchecked radios and
    /// checkboxes, and other submit buttons, are left out; radios named in
    /// `overrides` send the override once.
    pub fn submission(
        &self,
        overrides: &[(&str, &str)],
        submit: Option<(&str, &str)>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for field in &self.fields {
            let overridden = overrides.iter().find(|(n, _)| *n == field.name);
            match field.kind.as_str() {
                "submit" | "button" | "image" | "reset" => continue,
                "radio" | "checkbox" if overridden.is_none() => continue,
                _ => {}
            }
            if out.iter().any(|(n, _)| *n == field.name) && overridden.is_some() {
                continue;
            }
            let value = overridden.map_or(field.value.as_str(), |(_, v)| v);
            out.push((field.name.clone(), value.to_owned()));
        }
        for (name, value) in overrides {
            if !out.iter().any(|(n, _)| n == name) {
                out.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        if let Some((name, value)) = submit {
            out.push((name.to_owned(), value.to_owned()));
        }
        out
    }
}

/// Every form of a page.
pub fn forms(page: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut current: Option<Form> = None;
    for tag in tags(page) {
        match tag.name.as_str() {
            "form" if !tag.closing => {
                if let Some(done) = current.take() {
                    forms.push(done);
                }
                current = Some(Form {
                    action: tag.attr("action").unwrap_or_default(),
                    method: tag
                        .attr("method")
                        .unwrap_or_else(|| "get".into())
                        .to_ascii_uppercase(),
                    fields: Vec::new(),
                });
            }
            "form" => {
                if let Some(done) = current.take() {
                    forms.push(done);
                }
            }
            "input" | "button" | "select" | "textarea" if !tag.closing => {
                let Some(form) = current.as_mut() else {
                    continue;
                };
                let Some(name) = tag.attr("name") else {
                    continue;
                };
                let default_kind = match tag.name.as_str() {
                    "button" => "submit",
                    "input" => "text",
                    other => other,
                };
                let kind = tag
                    .attr("type")
                    .unwrap_or_else(|| default_kind.into())
                    .to_ascii_lowercase();
                let value = tag.attr("value").unwrap_or_default();
                form.fields.push(Field {
                    name,
                    value,
                    kind,
                    options: Vec::new(),
                });
            }
            "option" if !tag.closing => {
                // An option fills the value of the select it belongs to when
                // it is the first one or is marked `selected`.
                let Some(form) = current.as_mut() else {
                    continue;
                };
                let Some(select) = form.fields.last_mut().filter(|f| f.kind == "select") else {
                    continue;
                };
                let value = tag.attr("value").unwrap_or_default();
                if select.options.is_empty() || tag.has("selected") {
                    select.value.clone_from(&value);
                }
                select.options.push(value);
            }
            _ => {}
        }
    }
    if let Some(done) = current {
        forms.push(done);
    }
    forms
}

/// The value of the first field with this name in any form of a page
/// (a hidden CSRF token, a login form's `return_url`).
pub fn field_value(page: &str, name: &str) -> Option<String> {
    forms(page)
        .into_iter()
        .find_map(|form| form.value(name).map(str::to_owned))
}

/// Every `<a href>` of a page, entities decoded.
pub fn links(page: &str) -> Vec<String> {
    tags(page)
        .filter(|t| t.name == "a" && !t.closing)
        .filter_map(|t| t.attr("href"))
        .collect()
}

/// Every `<a href>` of a page with the link's text (tags stripped, entities
/// decoded, whitespace collapsed).
pub fn links_with_text(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize)> = None;
    for tag in tags(page) {
        if tag.name != "a" {
            continue;
        }
        if tag.closing {
            if let Some((href, from)) = open.take() {
                out.push((href, collapse(&strip_tags(&page[from..tag.start]))));
            }
        } else if let Some(href) = tag.attr("href") {
            open = Some((href, tag.end));
        }
    }
    out
}

/// The text inside the first element with this `id`, tags stripped,
/// entities decoded and whitespace collapsed.
pub fn text_by_id(page: &str, id: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut start = None;
    for tag in tags(page) {
        match start {
            None if !tag.closing && tag.attr("id").as_deref() == Some(id) => {
                start = Some((tag.name.clone(), tag.end));
                depth = 1;
            }
            Some((ref name, from)) if tag.name == *name => {
                if tag.closing {
                    depth -= 1;
                    if depth == 0 {
                        let inner = &page[from..tag.start];
                        return Some(collapse(&strip_tags(inner)));
                    }
                } else {
                    depth += 1;
                }
            }
            _ => {}
        }
    }
    None
}

/// Decodes the character references our pages use.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One tag of the page.
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, Option<String>)>,
    start: usize,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone().unwrap_or_default())
    }

    fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| n == name)
    }
}

/// The tags of a page in order, skipping comments, doctype and the insides
/// of `<script>` and `<style>`.
fn tags(page: &str) -> impl Iterator<Item = Tag> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let open = at + page.get(at..)?.find('<')?;
            let rest = &page[open..];
            if rest.starts_with("<!--") {
                at = open + rest.find("-->").map_or(rest.len(), |e| e + 3);
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                at = open + rest.find('>').map_or(rest.len(), |e| e + 1);
                continue;
            }
            let (tag, len) = parse_tag(rest, open)?;
            at = open + len;
            if tag.is_none() {
                continue;
            }
            let tag = tag?;
            if !tag.closing && (tag.name == "script" || tag.name == "style") {
                let close = format!("</{}", tag.name);
                at += page[at..].to_ascii_lowercase().find(&close).unwrap_or(0);
            }
            return Some(tag);
        }
    })
}

/// Parses the tag at the start of `text`; returns it (or `None` for a stray
/// `<`) and the number of bytes consumed.
fn parse_tag(text: &str, start: usize) -> Option<(Option<Tag>, usize)> {
    let bytes = text.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == name_start {
        return Some((None, 1));
    }
    let name = text[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(_) => {}
        }
        let attr_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let attr = text[attr_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            attrs.push((attr, None));
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = i + 1 + text[i + 1..].find(char::from(quote))?;
                let value = &text[i + 1..end];
                i = end + 1;
                value
            }
            _ => {
                let value_start = i;
                while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                &text[value_start..i]
            }
        };
        attrs.push((attr, Some(decode_entities(value))));
    }
    Some((
        Some(Tag {
            name,
            closing,
            attrs,
            start,
            end: start + i,
        }),
        i,
    ))
}

fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in text.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><style>a<b{}</style>
      <script>if (a < b) { document.write("<form action='x'>") }</script></head><body>
      <!-- <form action="commented"> -->
      <form method="post" action="/login?next=%2Fa&amp;b=1">
        <input type="hidden" name="return_url" value="/apps/a@b/launch?x=1&amp;y=&quot;2&quot;">
        <input name=username>
        <input type="password" name="password" value="">
        <button type="submit" name="decision" value="approve">Yes</button>
        <button name="decision" value="deny">No</button>
        <input type="radio" name="record_id" value="1">
        <input type="radio" name="record_id" value="2" checked>
        <select name="pick"><option value="a">A</option><option value="b" selected>B</option></select>
      </form>
      <a href="/x?a=1&amp;b=2">x</a>
      <h1 id="patient-name">  Ann  <b>O&#39;Neil</b> </h1>
    </body></html>"#;

    #[test]
    fn reads_forms_fields_links_and_ids() {
        let forms = forms(PAGE);
        assert_eq!(forms.len(), 1);
        let form = &forms[0];
        assert_eq!(form.method, "POST");
        assert_eq!(form.action, "/login?next=%2Fa&b=1");
        assert_eq!(
            form.value("return_url"),
            Some("/apps/a@b/launch?x=1&y=\"2\"")
        );
        assert_eq!(form.value("pick"), Some("b"));
        assert!(form.has("username"));
        let submitted = form.submission(
            &[
                ("username", "demo"),
                ("password", "demo"),
                ("record_id", "2"),
            ],
            Some(("decision", "approve")),
        );
        let names: Vec<&str> = submitted.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "return_url",
                "username",
                "password",
                "record_id",
                "pick",
                "decision"
            ]
        );
        assert_eq!(links(PAGE), ["/x?a=1&b=2"]);
        assert_eq!(
            links_with_text(PAGE),
            [("/x?a=1&b=2".to_owned(), "x".to_owned())]
        );
        assert_eq!(
            text_by_id(PAGE, "patient-name").as_deref(),
            Some("Ann O'Neil")
        );
        assert_eq!(text_by_id(PAGE, "missing"), None);
    }

    #[test]
    fn never_panics_on_broken_markup() {
        for page in [
            "<",
            "<form",
            "<form action='x",
            "<a href=>",
            "</>",
            "<1>",
            "&#xZZ;&",
            "<input name=\"a\" value='b",
        ] {
            let _ = forms(page);
            let _ = links(page);
            let _ = text_by_id(page, "x");
        }
        assert_eq!(decode_entities("a&amp;b&#x41;&#66;&bogus;"), "a&bAB&bogus;");
    }
}
