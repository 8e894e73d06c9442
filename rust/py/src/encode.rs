//! `Field.as_marc`: serialising one field's Python values to ISO 2709
//! bytes, natively when they are exactly the types the reader produces.
//! The record around the fields is `record_encode`'s.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::plain_field::{plain_indicators, plain_subfields};
use crate::text::truthy;
use pymrrc_core::consts::{END_OF_FIELD, SUBFIELD_INDICATOR};

/// The two encodings pymarc's `Record.as_marc` chooses between.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Latin1,
}

impl Encoding {
    /// The encoding for a codec name, if it is one of the two natively known.
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "utf-8" => Some(Self::Utf8),
            "iso8859-1" => Some(Self::Latin1),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Latin1 => "iso8859-1",
        }
    }

    /// Appends `text` encoded; `false` if a character cannot be encoded.
    pub(crate) fn push(self, out: &mut Vec<u8>, text: &str) -> bool {
        match self {
            Self::Utf8 => {
                out.extend_from_slice(text.as_bytes());
                true
            }
            Self::Latin1 => {
                for c in text.chars() {
                    match u8::try_from(u32::from(c)) {
                        Ok(b) => out.push(b),
                        Err(_) => return false,
                    }
                }
                true
            }
        }
    }
}

/// Appends `s` encoded; `false` when it cannot be (a character outside the
/// encoding, or a lone surrogate), leaving the exact error to Python.
fn push_str(out: &mut Vec<u8>, encoding: Encoding, s: &Bound<'_, PyString>) -> PyResult<bool> {
    Ok(match s.to_str() {
        Ok(text) => encoding.push(out, text),
        Err(_) => false,
    })
}

/// Encodes a field holding plain values (exact `str`s, `Subfield` tuples in
/// a list, an `Indicators` tuple) into `out`. Returns `false`, leaving `out`
/// as it was, when the field holds anything else or the encoding is not one
/// handled natively; the caller then uses the Python implementation.
pub(crate) fn encode_plain_field(
    py: Python<'_>,
    field: &FieldParts,
    encoding: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let Some(enc) = crate::text::plain_text(encoding).and_then(Encoding::from_name) else {
        return Ok(false);
    };
    encode_field_with(py, field, enc, out)
}

/// The values of a `Field` that encoding reads, taken from it under one
/// borrow (`FieldBase::parts`).
pub(crate) struct FieldParts {
    pub data: Py<PyAny>,
    pub indicators: Py<PyAny>,
    pub subfields: Py<PyAny>,
    pub control_field: Py<PyAny>,
}

/// Encodes `field` into `out` in `enc`; `false`, leaving `out` as it was,
/// when a value is not plain.
pub(crate) fn encode_field_with(
    py: Python<'_>,
    field: &FieldParts,
    enc: Encoding,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let mark = out.len();
    let FieldParts {
        data,
        indicators,
        subfields,
        control_field: control,
    } = field;
    let ok = if truthy(control.bind(py))? {
        match data.bind(py).cast_exact::<PyString>() {
            Ok(d) => {
                push_str(out, enc, d)? && {
                    out.push(END_OF_FIELD);
                    true
                }
            }
            Err(_) => false,
        }
    } else {
        encode_data_field(enc, indicators.bind(py), subfields.bind(py), out)?
    };
    if !ok {
        out.truncate(mark);
    }
    Ok(ok)
}

fn encode_data_field(
    enc: Encoding,
    indicators: &Bound<'_, PyAny>,
    subfields: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let Some((i1, i2)) = plain_indicators(indicators)? else {
        return Ok(false);
    };
    if !(push_str(out, enc, &i1)? && push_str(out, enc, &i2)?) {
        return Ok(false);
    }
    let Some(pairs) = plain_subfields(subfields)? else {
        return Ok(false);
    };
    for (code, value) in pairs {
        out.push(SUBFIELD_INDICATOR);
        if !(push_str(out, enc, &code)? && push_str(out, enc, &value)?) {
            return Ok(false);
        }
    }
    out.push(END_OF_FIELD);
    Ok(true)
}
