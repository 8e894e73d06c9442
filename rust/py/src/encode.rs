//! `as_marc`: serialising Python `Record` and `Field` objects to ISO 2709.
//!
//! The layout is pymarc's (see `pymrrc_core::encode`). Fields holding exactly
//! the types the reader produces are encoded natively; any other field is
//! asked for its bytes through its own `as_marc`, as pymarc does.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySlice, PyString};

use crate::field::FieldBase;
use crate::pytypes::types;
use crate::text::{exact_pair, truthy};
use pymrrc_core::consts::{END_OF_FIELD, SUBFIELD_INDICATOR};
use pymrrc_core::encode::{directory_tag, RecordBuilder};

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

    fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Latin1 => "iso8859-1",
        }
    }

    /// Appends `text` encoded; `false` if a character cannot be encoded.
    fn push(self, out: &mut Vec<u8>, text: &str) -> bool {
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
    field: &Bound<'_, FieldBase>,
    encoding: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let Some(enc) = crate::text::plain_text(encoding).and_then(Encoding::from_name) else {
        return Ok(false);
    };
    encode_field_with(field, enc, out)
}

fn encode_field_with(
    field: &Bound<'_, FieldBase>,
    enc: Encoding,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let py = field.py();
    let mark = out.len();
    let (data, indicators, subfields, control) = {
        let b = field.borrow();
        (
            b.data.clone_ref(py),
            b.indicators.clone_ref(py),
            b.subfields.clone_ref(py),
            b.control_field.clone_ref(py),
        )
    };
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
        encode_data_field(py, enc, indicators.bind(py), subfields.bind(py), out)?
    };
    if !ok {
        out.truncate(mark);
    }
    Ok(ok)
}

fn encode_data_field(
    py: Python<'_>,
    enc: Encoding,
    indicators: &Bound<'_, PyAny>,
    subfields: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<bool> {
    let t = types(py)?;
    let Some((i1, i2)) = exact_pair(indicators, t.indicators.bind(py)) else {
        return Ok(false);
    };
    if !(push_str(out, enc, &i1)? && push_str(out, enc, &i2)?) {
        return Ok(false);
    }
    let Ok(list) = subfields.cast_exact::<PyList>() else {
        return Ok(false);
    };
    let cls = t.subfield.bind(py);
    for item in list.iter() {
        let Some((code, value)) = exact_pair(&item, cls) else {
            return Ok(false);
        };
        out.push(SUBFIELD_INDICATOR);
        if !(push_str(out, enc, &code)? && push_str(out, enc, &value)?) {
            return Ok(false);
        }
    }
    out.push(END_OF_FIELD);
    Ok(true)
}

/// Serialises a materialised record (`record.fields` and `record.leader` as
/// Python objects) the way pymarc's `Record.as_marc` does, after the caller
/// has applied the leader's coding-scheme update.
pub(crate) fn encode_record_objects(
    record: &Bound<'_, PyAny>,
    leader: &Bound<'_, PyAny>,
    force_utf8: bool,
) -> PyResult<Py<PyAny>> {
    let py = record.py();
    let t = types(py)?;
    let support = t.support.bind(py);
    let nine = leader.get_item(9)?;
    let is_a = crate::text::plain_text(&nine) == Some("a") || nine.eq("a")?;
    let enc = if is_a || force_utf8 {
        Encoding::Utf8
    } else {
        Encoding::Latin1
    };
    let enc_name = PyString::new(py, enc.name());

    let fields = record.getattr("fields")?;
    let field_cls = t.field.bind(py);
    let raw_cls = t.raw_field.bind(py);
    let mut builder = RecordBuilder::new();
    for field in fields.try_iter()? {
        let field = field?;
        let start = builder.position();
        let native = field.get_type().is(field_cls)
            && encode_field_with(field.cast::<FieldBase>()?, enc, builder.field_buffer())?;
        if !native {
            let bytes = if field.is_instance(raw_cls)? {
                field.call_method0("as_marc")?
            } else {
                let kwargs = PyDict::new(py);
                kwargs.set_item("encoding", &enc_name)?;
                field.call_method("as_marc", (), Some(&kwargs))?
            };
            builder
                .field_buffer()
                .extend_from_slice(bytes.cast::<PyBytes>()?.as_bytes());
        }
        let tag = field.getattr("tag")?;
        let dir_tag = crate::text::plain_text(&tag).and_then(directory_tag);
        match dir_tag {
            Some(dt) if enc == Encoding::Utf8 || dt.is_ascii() => builder.end_field(&dt, start),
            _ => {
                let dt = support.call_method1("directory_tag", (&tag, &enc_name))?;
                builder.end_field(dt.cast::<PyBytes>()?.as_bytes(), start);
            }
        }
    }
    let mid = leader.get_item(PySlice::new(py, 5, 12, 1))?;
    let tail = leader.get_item(PySlice::new(py, 17, isize::MAX, 1))?;
    let encode_text = |s: &Bound<'_, PyAny>| -> PyResult<Vec<u8>> {
        if let Some(text) = crate::text::plain_text(s) {
            let mut v = Vec::new();
            if enc.push(&mut v, text) {
                return Ok(v);
            }
        }
        // pymarc formats the slices into an f-string then encodes: let
        // Python produce the same text (or the same exception).
        let encoded = support.call_method1("encode_text", (s, &enc_name))?;
        Ok(encoded.cast::<PyBytes>()?.as_bytes().to_vec())
    };
    let mid = encode_text(&mid)?;
    let tail = encode_text(&tail)?;
    Ok(PyBytes::new(py, &builder.finish(&mid, &tail))
        .into_any()
        .unbind())
}
