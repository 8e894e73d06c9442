//! Walking a `Record` for the native text serialisers (MARCXML and
//! MARC-in-JSON output): straight from its bytes while it is untouched,
//! otherwise over its `Field` objects.
//!
//! The walk sees what pymarc's `str(record.leader)` and
//! `for field in record: ...` would see. It only proceeds when that is
//! certain without running Python code: the caller has checked that the
//! record's class does not override iteration or storage
//! (`record_class`), and every field is exactly `Field` with
//! exact `str` values (valid Unicode), `Indicators` and `Subfield` tuples in
//! a `list`. Anything else answers "not plain", and the caller runs the
//! Python implementation, which behaves exactly as pymarc does (MARC-8 for
//! `bytes` values, ElementTree's and `json`'s own errors, ...).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyString};

use crate::field::{built, FieldBase};
use crate::plain_field::{is_plain_field, plain_indicators, plain_subfields};
use crate::pytypes::types;
use crate::storage::{Fields, Leader, Storage};
use crate::text::plain_text;
use pymrrc_core::visit::{leader_text, visit_fields, RecordSink};

/// `str(record.leader)` when the leader is its raw bytes, an exact `Leader`
/// or an exact `str`; `None` otherwise (or when `str()` fails, which the
/// Python path then reports).
pub(crate) fn leader_string<'py>(
    py: Python<'py>,
    leader: &Leader,
) -> PyResult<Option<Bound<'py, PyString>>> {
    let object = match leader {
        Leader::Text(raw) => return Ok(Some(PyString::new(py, &leader_text(raw)))),
        Leader::Unset => return Ok(None),
        Leader::Object(object) => object.bind(py),
    };
    if let Ok(s) = object.cast_exact::<PyString>() {
        return Ok(Some(s.clone()));
    }
    if !object.is_exact_instance(types(py)?.leader.bind(py)) {
        return Ok(None);
    }
    Ok(object.str().ok())
}

/// Walks a record's `storage` into `sink`, returning how many fields it
/// walked. `Ok(None)` means something is not plain: the sink holds partial
/// output, and the caller must use the Python path. Fields read from
/// MARCXML must have been built first.
pub(crate) fn walk_storage<S: RecordSink>(
    py: Python<'_>,
    storage: &Storage,
    sink: &mut S,
) -> PyResult<Option<usize>> {
    if let Leader::Text(raw) = &storage.leader {
        sink.leader(&leader_text(raw));
    } else {
        let Some(leader) = leader_string(py, &storage.leader)? else {
            return Ok(None);
        };
        let Ok(text) = leader.to_str() else {
            return Ok(None);
        };
        sink.leader(text);
    }
    Ok(match &storage.fields {
        Fields::Marc(lazy) => visit_fields(&lazy.bytes, &lazy.layout, lazy.handling, sink).ok(),
        Fields::Objects(fields) => walk_fields(fields.bind(py), sink)?,
        Fields::Unset | Fields::Xml(_) | Fields::Handed(_) => None,
    })
}

/// Walks a `fields` value holding plain `Field` objects; `None` when it is
/// not a list of them.
fn walk_fields<S: RecordSink>(fields: &Bound<'_, PyAny>, sink: &mut S) -> PyResult<Option<usize>> {
    let py = fields.py();
    let Ok(list) = fields.cast_exact::<PyList>() else {
        return Ok(None);
    };
    // No Python code runs below, so the list cannot change under the loop.
    for item in list.iter() {
        if !is_plain_field(&item)? {
            return Ok(None);
        }
        let field = built(item.cast::<FieldBase>()?)?;
        let Ok(control) = field.control_field.bind(py).cast_exact::<PyBool>() else {
            return Ok(None);
        };
        let tag = field.tag.bind(py);
        let Some(tag) = plain_text(tag) else {
            return Ok(None);
        };
        if control.is_true() {
            let data = field.data.bind(py);
            let Some(data) = plain_text(data) else {
                return Ok(None);
            };
            sink.control_field(tag, data);
            continue;
        }
        let Some((ind1, ind2)) = plain_indicators(field.indicators.bind(py))? else {
            return Ok(None);
        };
        let Some(pairs) = plain_subfields(field.subfields.bind(py))? else {
            return Ok(None);
        };
        sink.begin_data_field(tag, ind1.to_str()?, ind2.to_str()?);
        for (code, value) in pairs {
            sink.subfield(code.to_str()?, value.to_str()?);
        }
        sink.end_data_field();
    }
    Ok(Some(list.len()))
}
