//! pymarc's `XmlHandler`, replayed on plain Rust values.
//!
//! The handler looks at element local names only (and, when strict, skips
//! every element outside the MARC 21 slim namespace). Character data is
//! gathered from the last start or end of an element it looks at, so the
//! text of an element is whatever followed the last such event. A record
//! is handed out when its `record` element closes. The events that would
//! make pymarc raise (a missing `tag` or `code` attribute, a leader whose
//! length is not 24) stop the fast path instead.

/// The MARC 21 slim namespace URI.
pub const MARC_XML_NS: &str = "http://www.loc.gov/MARC21/slim";

/// Which element created a field, with what it said about indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldOrigin {
    /// `<controlfield tag=...>`: pymarc calls `Field(tag)`.
    Control,
    /// `<datafield tag=... ind1=... ind2=...>`: pymarc calls
    /// `Field(tag, Indicators(ind1, ind2))`, a missing indicator being `" "`.
    Data {
        /// The `ind1` attribute, if present.
        ind1: Option<String>,
        /// The `ind2` attribute, if present.
        ind2: Option<String>,
    },
}

/// One field as pymarc's handler builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlField {
    /// The `tag` attribute as written (ASCII; pymarc's `Field` normalises it).
    pub tag: String,
    /// The element that created the field.
    pub origin: FieldOrigin,
    /// `add_subfield(code, text)` calls, in order (pymarc ignores them on
    /// control fields).
    pub subfields: Vec<(String, String)>,
    /// `field.data = text`, set when a `controlfield` element closed it.
    pub data: Option<String>,
}

/// One record as pymarc's handler builds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlRecord {
    /// The last leader text seen (24 characters), if any.
    pub leader: Option<String>,
    /// Fields in the order `add_field` was called.
    pub fields: Vec<XmlField>,
}

/// The attributes the handler reads: those named `tag`, `ind1`, `ind2` and
/// `code` with no namespace (pymarc looks them up as `(None, name)`).
#[derive(Default)]
pub(crate) struct Attrs<'a> {
    pub tag: Option<&'a str>,
    pub ind1: Option<&'a str>,
    pub ind2: Option<&'a str>,
    pub code: Option<&'a str>,
}

impl<'a> Attrs<'a> {
    /// Notes an attribute without a namespace.
    pub fn offer(&mut self, local: &str, value: &'a str) {
        match local {
            "tag" => self.tag = Some(value),
            "ind1" => self.ind1 = Some(value),
            "ind2" => self.ind2 = Some(value),
            "code" => self.code = Some(value),
            _ => {}
        }
    }
}

/// Longest all-digit tag pymarc's `int()` is trusted with here.
const MAX_DIGIT_TAG: usize = 64;

/// The handler's state, as in pymarc's `XmlHandler`.
pub(crate) struct Handler {
    strict: bool,
    normalizing: bool,
    record: Option<XmlRecord>,
    field: Option<XmlField>,
    code: Option<String>,
    text: String,
    /// Records handed to `process_record`, not yet collected.
    pub done: Vec<XmlRecord>,
}

fn checked_tag(tag: Option<&str>) -> Result<String, &'static str> {
    let tag = tag.ok_or("missing tag attribute")?;
    if !tag.is_ascii() {
        return Err("non-ASCII tag");
    }
    if tag.len() > MAX_DIGIT_TAG && tag.bytes().all(|b| b.is_ascii_digit()) {
        return Err("very long numeric tag");
    }
    Ok(tag.to_owned())
}

impl Handler {
    /// A handler with pymarc's `strict` flag; `normalizing` tells whether a
    /// Unicode normalisation form will be applied to text afterwards.
    pub fn new(strict: bool, normalizing: bool) -> Self {
        Self {
            strict,
            normalizing,
            record: None,
            field: None,
            code: None,
            text: String::new(),
            done: Vec::new(),
        }
    }

    fn ignores(&self, ns: Option<&str>) -> bool {
        self.strict && ns != Some(MARC_XML_NS)
    }

    /// `startElementNS`.
    pub fn start(
        &mut self,
        ns: Option<&str>,
        local: &str,
        attrs: &Attrs<'_>,
    ) -> Result<(), &'static str> {
        if self.ignores(ns) {
            return Ok(());
        }
        self.text.clear();
        match local {
            "record" => self.record = Some(XmlRecord::default()),
            "controlfield" => {
                self.field = Some(XmlField {
                    tag: checked_tag(attrs.tag)?,
                    origin: FieldOrigin::Control,
                    subfields: Vec::new(),
                    data: None,
                });
            }
            "datafield" => {
                let tag = checked_tag(attrs.tag)?;
                self.field = Some(XmlField {
                    tag,
                    origin: FieldOrigin::Data {
                        ind1: attrs.ind1.map(str::to_owned),
                        ind2: attrs.ind2.map(str::to_owned),
                    },
                    subfields: Vec::new(),
                    data: None,
                });
            }
            "subfield" => {
                let code = attrs.code.ok_or("missing code attribute")?;
                self.code = Some(code.to_owned());
            }
            _ => {}
        }
        Ok(())
    }

    /// `endElementNS`.
    pub fn end(&mut self, ns: Option<&str>, local: &str) -> Result<(), &'static str> {
        if self.ignores(ns) {
            return Ok(());
        }
        match local {
            "record" => {
                if let Some(record) = self.record.take() {
                    self.done.push(record);
                }
            }
            "leader" => {
                if let Some(record) = self.record.as_mut() {
                    if self.normalizing && !self.text.is_ascii() {
                        return Err("non-ASCII leader under normalisation");
                    }
                    if self.text.chars().count() != 24 {
                        return Err("leader length is not 24");
                    }
                    record.leader = Some(self.text.clone());
                }
            }
            "controlfield" => {
                if let (Some(record), Some(_)) = (self.record.as_mut(), self.field.as_ref()) {
                    if let Some(mut field) = self.field.take() {
                        field.data = Some(self.text.clone());
                        record.fields.push(field);
                    }
                }
            }
            "datafield" => {
                if let (Some(record), Some(_)) = (self.record.as_mut(), self.field.as_ref()) {
                    if let Some(field) = self.field.take() {
                        record.fields.push(field);
                    }
                }
            }
            "subfield" => {
                if let Some(field) = self.field.as_mut() {
                    if self.code.as_deref().is_some_and(|c| !c.is_empty()) {
                        if let Some(code) = self.code.take() {
                            field.subfields.push((code, self.text.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
        self.text.clear();
        Ok(())
    }

    /// Whether nothing is left over that would carry into another document
    /// read with the same handler (an open record, field or subfield code).
    pub fn is_clean(&self) -> bool {
        self.record.is_none() && self.field.is_none() && self.code.is_none()
    }

    /// Takes the field and subfield code left open at the end of a
    /// document (pymarc's handler keeps them for the next document).
    pub fn take_leftover(&mut self) -> (Option<XmlField>, Option<String>) {
        (self.field.take(), self.code.take())
    }

    /// `characters`.
    pub fn characters(&mut self, text: &str) {
        self.text.push_str(text);
    }
}
