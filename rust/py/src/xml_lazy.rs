//! A record read from MARCXML as the core parsed it ([`XmlLazy`]), kept by
//! a `Record` (`storage::Fields::Xml`) and by its lazy data fields
//! (`field_lazy`) until their Python objects are built (`xml_fields`).

use pyo3::prelude::*;

use pymrrc_core::marcxml::{FieldOrigin, XmlField, XmlRecord};

/// A record read from MARCXML whose Python objects are not built yet,
/// with the normalisation to apply to its text when they are.
pub(crate) struct XmlLazy {
    pub record: XmlRecord,
    pub normalize: Option<Py<PyAny>>,
}

impl XmlLazy {
    pub(crate) fn new(record: XmlRecord, normalize: Option<Py<PyAny>>) -> Self {
        Self { record, normalize }
    }

    /// Field `index`, as parsed.
    pub(crate) fn field(&self, index: usize) -> Option<&XmlField> {
        self.record.fields.get(index)
    }
}

/// One attribute value as a single ASCII byte, if it is one.
pub(crate) fn one_ascii(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        _ => None,
    }
}

/// The indicators of a data field whose each indicator is one ASCII
/// character (a missing one is a blank, as pymarc's handler makes it).
pub(crate) fn indicator_bytes(f: &XmlField) -> [u8; 2] {
    let (ind1, ind2) = match &f.origin {
        FieldOrigin::Control => (None, None),
        FieldOrigin::Data { ind1, ind2 } => (ind1.as_deref(), ind2.as_deref()),
    };
    [
        one_ascii(ind1.unwrap_or(" ")).unwrap_or(b' '),
        one_ascii(ind2.unwrap_or(" ")).unwrap_or(b' '),
    ]
}
