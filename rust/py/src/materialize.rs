//! Turning a validated record's bytes into pymarc-shaped Python objects:
//! `Field` instances (made through the native base, with no Python
//! `__init__`), `Subfield` and `Indicators` tuples, interned tags and codes.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::field::{FieldBase, FieldMaker};
use crate::field_lazy::LazyField;
use crate::lazy_record::ascii_joined;
pub(crate) use crate::lazy_record::{decoded_text, LazyRecord};
use crate::pytypes::{py_bool, tag_str, types};
use pymrrc_core::decode::DataFieldParts;
use pymrrc_core::text::Utf8Handling;

/// Builds `record.fields`: a list of `Field` objects in directory order.
/// A data field keeps its place in the bytes (`field_lazy`): its
/// `Subfield` and `Indicators` objects are built when first asked for.
/// `handed` holds the objects already handed out by index (from
/// [`crate::storage::HandedOut`]); the list holds those same objects.
pub(crate) fn build_fields<'py>(
    py: Python<'py>,
    lazy: &Arc<LazyRecord>,
    handed: &[Option<Py<PyAny>>],
) -> PyResult<Bound<'py, PyList>> {
    let maker = FieldMaker::new(types(py)?.field.bind(py))?;
    let mut fields = Vec::with_capacity(lazy.layout.fields.len());
    for index in 0..lazy.layout.fields.len() {
        match handed.get(index) {
            Some(Some(obj)) => fields.push(obj.bind(py).clone()),
            _ => fields.push(build_field(py, &maker, lazy, index)?),
        }
    }
    PyList::new(py, fields)
}

/// The `Field` object for the field at `index` of `lazy` (`maker` makes
/// `Field` objects): a control field with its data decoded, or a lazy
/// data field.
pub(crate) fn build_field<'py>(
    py: Python<'py>,
    maker: &FieldMaker<'py>,
    lazy: &Arc<LazyRecord>,
    index: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let span = &lazy.layout.fields[index];
    let tag = tag_str(py, span.tag).into_any().unbind();
    let values = if span.is_control() {
        // Control fields are always decoded strictly (validated); their
        // empty `subfields` list is made on first use.
        let data = decoded_text(py, &lazy.bytes[span.start..span.end], Utf8Handling::Strict);
        let mut values = FieldBase::lazy_data_field(py, tag, LazyField::control());
        values.data = data.into_any().unbind();
        values.control_field = py_bool(py, true);
        values
    } else {
        FieldBase::lazy_data_field(py, tag, LazyField::new(Arc::clone(lazy), index))
    };
    let obj = maker.make(values)?;
    // It holds no container until built (`gc_untrack`).
    crate::gc_untrack::untrack(&obj);
    Ok(obj)
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

/// The bytes of the first subfield `code` of field `field`.
fn first_value(lazy: &LazyRecord, field: usize, code: u8) -> Option<&[u8]> {
    let span = lazy.layout.fields.get(field)?;
    let data = &lazy.bytes[span.start..span.end];
    DataFieldParts::new(data)
        .find(|&(start, _)| data[start] == code)
        .map(|(start, end)| &data[start + 1..end])
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
    // The common case: ASCII text decoded strictly, joined in one string.
    if lazy.handling == Utf8Handling::Strict {
        let (a, b) = (first_value(lazy, i, b'a'), first_value(lazy, i, b'b'));
        match (a, b) {
            (None, _) => return Ok(None),
            (Some(a), b) if a.is_ascii() => {
                let pieces: &[&[u8]] = match b {
                    Some(b) if !a.is_empty() && !b.is_empty() && b.is_ascii() => &[a, b],
                    Some(b) if !a.is_empty() && !b.is_empty() => &[],
                    _ => &[a],
                };
                if !pieces.is_empty() {
                    return ascii_joined(py, pieces, b" ").map(Some);
                }
            }
            _ => {}
        }
    }
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
