//! Turning a validated record's bytes into pymarc-shaped Python objects:
//! `Field` instances (made through the native base, with no Python
//! `__init__`), `Subfield` and `Indicators` tuples, interned tags and codes.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::field::FieldBase;
use crate::native_options::text_handling;
use crate::pytypes::{ascii_char, indicators, new_instance, new_pair, tag_str, types};
use pymrrc_core::batch::{Outcome, Validation};
use pymrrc_core::decode::DataFieldParts;
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::Layout;

/// A record that passed validation and has not been looked into yet: its
/// bytes and where its fields lie. Only UTF-8 records with ASCII subfield
/// codes are kept this way.
pub(crate) struct LazyRecord {
    pub bytes: Arc<[u8]>,
    pub layout: Layout,
    pub handling: Utf8Handling,
}

impl LazyRecord {
    /// The lazy record a validated item stands for: a UTF-8 `chunk` with
    /// its layout, decoded with `validation`'s error handler, or the UTF-8
    /// text a MARC-8 chunk was transcoded to. Any other outcome is handed
    /// back.
    pub(crate) fn from_outcome(
        chunk: &Arc<[u8]>,
        outcome: Outcome,
        validation: &Validation,
    ) -> Result<Self, Outcome> {
        match outcome {
            Outcome::Record(layout) => Ok(Self {
                bytes: Arc::clone(chunk),
                layout,
                handling: text_handling(validation),
            }),
            Outcome::Transcoded { text, layout } => Ok(Self {
                bytes: text,
                layout,
                handling: Utf8Handling::Strict,
            }),
            other => Err(other),
        }
    }
}

/// Text from validated bytes, decoded by CPython's own UTF-8 decoder with
/// the reader's error handler (so 'replace' and 'ignore' give Python's
/// results by construction, and valid text is scanned once, not twice).
pub(crate) fn decoded_text<'py>(
    py: Python<'py>,
    bytes: &[u8],
    handling: Utf8Handling,
) -> Bound<'py, PyString> {
    let errors: &std::ffi::CStr = match handling {
        Utf8Handling::Strict => c"strict",
        Utf8Handling::Replace => c"replace",
        Utf8Handling::Ignore => c"ignore",
    };
    let len = pyo3::ffi::Py_ssize_t::try_from(bytes.len()).unwrap_or(pyo3::ffi::Py_ssize_t::MAX);
    #[allow(unsafe_code)]
    // SAFETY: the pointer and length describe `bytes`, which outlives the
    // call; `errors` is a NUL-terminated handler name. The call returns a
    // new reference, or NULL with an exception set.
    let decoded = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyUnicode_DecodeUTF8(bytes.as_ptr().cast(), len, errors.as_ptr()),
        )
    };
    match decoded.and_then(|s| s.cast_into::<PyString>().map_err(PyErr::from)) {
        Ok(s) => s,
        // Unreachable for validated input; stay total anyway.
        Err(_) => PyString::new(py, &String::from_utf8_lossy(bytes)),
    }
}

/// Builds `record.fields`: a list of `Field` objects in directory order.
pub(crate) fn build_fields<'py>(
    py: Python<'py>,
    lazy: &LazyRecord,
) -> PyResult<Bound<'py, PyList>> {
    let t = types(py)?;
    let field_cls = t.field.bind(py);
    let subfield_cls = t.subfield.bind(py);
    let bytes = &lazy.bytes[..];
    let mut fields = Vec::with_capacity(lazy.layout.fields.len());
    let true_ = pyo3::types::PyBool::new(py, true)
        .to_owned()
        .into_any()
        .unbind();
    let false_ = pyo3::types::PyBool::new(py, false)
        .to_owned()
        .into_any()
        .unbind();
    for span in &lazy.layout.fields {
        let data_bytes = &bytes[span.start..span.end];
        let tag = tag_str(py, span.tag).into_any().unbind();
        let values = if span.is_control() {
            // Control fields are always decoded strictly (validated).
            let data = decoded_text(py, data_bytes, Utf8Handling::Strict);
            FieldBase::with_values(
                tag,
                data.into_any().unbind(),
                py.None(),
                PyList::empty(py).into_any().unbind(),
                true_.clone_ref(py),
            )
        } else {
            let parts = DataFieldParts::new(data_bytes);
            let [first, second] = parts.indicators;
            let subfields = PyList::empty(py);
            for (start, end) in parts {
                let code = ascii_char(py, data_bytes[start]).into_any();
                let value = decoded_text(py, &data_bytes[start + 1..end], lazy.handling).into_any();
                subfields.append(new_pair(py, subfield_cls, code, value)?)?;
            }
            FieldBase::with_values(
                tag,
                py.None(),
                indicators(py, first, second)?.unbind(),
                subfields.into_any().unbind(),
                false_.clone_ref(py),
            )
        };
        let obj = new_instance(py, field_cls)?;
        *obj.cast::<FieldBase>()?.borrow_mut() = values;
        fields.push(obj);
    }
    PyList::new(py, fields)
}

/// The first value of the first subfield `code` in the first field tagged
/// `tag`, read straight from the bytes, as `record.get(tag).get(code)` would
/// return it. `Ok(None)` when the field or the subfield is missing.
pub(crate) fn first_subfield<'py>(
    py: Python<'py>,
    lazy: &LazyRecord,
    field: usize,
    code: u8,
) -> Option<Bound<'py, PyString>> {
    let span = lazy.layout.fields.get(field)?;
    let data = &lazy.bytes[span.start..span.end];
    for (start, end) in DataFieldParts::new(data) {
        if data[start] == code {
            return Some(decoded_text(py, &data[start + 1..end], lazy.handling));
        }
    }
    None
}

/// The index of the first field tagged `tag`.
pub(crate) fn find_field(lazy: &LazyRecord, tag: &[u8]) -> Option<usize> {
    lazy.layout.fields.iter().position(|f| f.tag[..] == *tag)
}

/// pymarc's `title` (`tag` 245) or `issn_title` (222) read from the bytes:
/// subfield a of the first field `tag`, followed by a space and subfield b
/// when both are non-empty; `None` when the field or its subfield a is
/// missing.
pub(crate) fn key_title<'py>(
    py: Python<'py>,
    lazy: &LazyRecord,
    tag: &[u8],
) -> PyResult<Option<Bound<'py, PyString>>> {
    let Some(i) = find_field(lazy, tag) else {
        return Ok(None);
    };
    let Some(a) = first_subfield(py, lazy, i, b'a') else {
        return Ok(None);
    };
    if a.to_cow()?.is_empty() {
        return Ok(Some(a));
    }
    match first_subfield(py, lazy, i, b'b') {
        Some(b) if !b.to_cow()?.is_empty() => Ok(Some(PyString::new(
            py,
            &format!("{} {}", a.to_cow()?, b.to_cow()?),
        ))),
        _ => Ok(Some(a)),
    }
}
