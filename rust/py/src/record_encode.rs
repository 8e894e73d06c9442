//! `Record.as_marc` for a record whose fields are Python objects:
//! pymarc's layout (see `pymrrc_core::encode`), each plain `Field` encoded
//! natively (`encode`), any other field asked for its bytes through its own
//! `as_marc`, as pymarc does.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PySlice, PyString};

use crate::encode::{encode_field_with, Encoding};
use crate::field::FieldBase;
use crate::pytypes::types;
use pymrrc_core::encode::{directory_tag, RecordBuilder};

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
        // The values are taken under a borrow released before encoding
        // (a value's `__bool__` may run Python code that looks at the field).
        let native = field.get_type().is(field_cls) && {
            let parts = field.cast::<FieldBase>()?.borrow().parts(py);
            encode_field_with(py, &parts, enc, builder.field_buffer())?
        };
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
