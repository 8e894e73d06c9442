//! `Record.as_dict()` built natively: the MARC-in-JSON dictionary pymarc
//! builds, `{"leader": ..., "fields": [{tag: data}, {tag: {"ind1": ...,
//! "ind2": ..., "subfields": [{code: value}, ...]}}, ...]}`.
//!
//! An untouched record is read straight from its bytes (strings are made as
//! the field objects would hold them; no `Field` object is built). Otherwise
//! the values are taken from the `Field` objects themselves, so the
//! dictionary holds the very objects pymarc's would. Fields of other classes
//! or shapes answer `None`, and the caller runs the Python implementation.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple};

use crate::field::{built, FieldBase};
use crate::materialize::{decoded_text, LazyRecord};
use crate::pytypes::{ascii_char, tag_str, types};
use crate::storage::{Fields, Storage};
use crate::walk::leader_string;
use pymrrc_core::decode::DataFieldParts;
use pymrrc_core::text::Utf8Handling;

/// The dictionary for a record's `storage` and how many fields it holds,
/// or `None` when the Python implementation must build it. The caller has
/// checked the record's class and built fields read from MARCXML.
pub(crate) fn storage_dict<'py>(
    py: Python<'py>,
    storage: &Storage,
) -> PyResult<Option<(Bound<'py, PyDict>, usize)>> {
    let Some(leader) = leader_string(py, &storage.leader)? else {
        return Ok(None);
    };
    let fields = match &storage.fields {
        Fields::Marc(lazy) => Some(lazy_fields(py, lazy)?),
        Fields::Objects(fields) => object_fields(fields.bind(py))?,
        Fields::Unset | Fields::Xml(_) | Fields::Handed(_) => None,
    };
    let Some(fields) = fields else {
        return Ok(None);
    };
    let count = fields.len();
    let out = PyDict::new(py);
    out.set_item(intern!(py, "leader"), leader)?;
    out.set_item(intern!(py, "fields"), fields)?;
    Ok(Some((out, count)))
}

/// `{tag: {"ind1": ind1, "ind2": ind2, "subfields": subfields}}`.
fn data_field_dict<'py>(
    tag: &Bound<'py, PyAny>,
    ind1: &Bound<'py, PyAny>,
    ind2: &Bound<'py, PyAny>,
    subfields: Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyDict>> {
    let py = tag.py();
    let body = PyDict::new(py);
    body.set_item(intern!(py, "ind1"), ind1)?;
    body.set_item(intern!(py, "ind2"), ind2)?;
    body.set_item(intern!(py, "subfields"), subfields)?;
    let outer = PyDict::new(py);
    outer.set_item(tag, body)?;
    Ok(outer)
}

/// A one-item dictionary.
fn pair_dict<'py>(
    key: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(key.py());
    dict.set_item(key, value)?;
    Ok(dict)
}

/// The field dictionaries of an untouched record, from its bytes.
fn lazy_fields<'py>(py: Python<'py>, lazy: &LazyRecord) -> PyResult<Bound<'py, PyList>> {
    let bytes = &lazy.bytes[..];
    let mut out = Vec::with_capacity(lazy.layout.fields.len());
    for span in &lazy.layout.fields {
        let data = bytes.get(span.start..span.end).unwrap_or_default();
        let tag = tag_str(py, span.tag).into_any();
        if span.is_control() {
            let text = decoded_text(py, data, Utf8Handling::Strict).into_any();
            out.push(pair_dict(&tag, &text)?);
            continue;
        }
        let parts = DataFieldParts::new(data);
        let ind1 = ascii_char(py, parts.indicators[0]).into_any();
        let ind2 = ascii_char(py, parts.indicators[1]).into_any();
        let subfields = PyList::empty(py);
        for (start, end) in parts {
            let Some((&code, value)) = data.get(start..end).and_then(<[u8]>::split_first) else {
                continue;
            };
            let code = ascii_char(py, code).into_any();
            let value = decoded_text(py, value, lazy.handling).into_any();
            subfields.append(pair_dict(&code, &value)?)?;
        }
        out.push(data_field_dict(&tag, &ind1, &ind2, subfields)?);
    }
    PyList::new(py, out)
}

/// The field dictionaries of a list of plain `Field` objects; `None` when
/// `fields` is anything else. Values may be of any type (pymarc puts them
/// in the dictionary as they are); tags and codes must be exact `str`.
fn object_fields<'py>(fields: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyList>>> {
    let py = fields.py();
    let Ok(list) = fields.cast_exact::<PyList>() else {
        return Ok(None);
    };
    let t = types(py)?;
    let field_cls = t.field.bind(py);
    let indicators_cls = t.indicators.bind(py);
    let subfield_cls = t.subfield.bind(py);
    let mut out = Vec::with_capacity(list.len());
    for item in list.iter() {
        if !item.get_type().is(field_cls) {
            return Ok(None);
        }
        let (tag, data, indicators, subfields, control) = {
            let f = built(item.cast::<FieldBase>()?)?;
            (
                f.tag.bind(py).clone(),
                f.data.bind(py).clone(),
                f.indicators.bind(py).clone(),
                f.subfields.bind(py).clone(),
                f.control_field.bind(py).clone(),
            )
        };
        let Ok(control) = control.cast_exact::<PyBool>() else {
            return Ok(None);
        };
        if tag.cast_exact::<PyString>().is_err() {
            return Ok(None);
        }
        if control.is_true() {
            out.push(pair_dict(&tag, &data)?);
            continue;
        }
        let Some((ind1, ind2)) = two_items(&indicators, indicators_cls) else {
            return Ok(None);
        };
        let Ok(subfields) = subfields.cast_exact::<PyList>() else {
            return Ok(None);
        };
        let mut dicts = Vec::with_capacity(subfields.len());
        for sub in subfields.iter() {
            let Some((code, value)) = two_items(&sub, subfield_cls) else {
                return Ok(None);
            };
            if code.cast_exact::<PyString>().is_err() {
                return Ok(None);
            }
            dicts.push(pair_dict(&code, &value)?);
        }
        let dicts = PyList::new(py, dicts)?;
        out.push(data_field_dict(&tag, &ind1, &ind2, dicts)?);
    }
    Ok(Some(PyList::new(py, out)?))
}

/// The two items of an exact instance of a two-item NamedTuple class.
fn two_items<'py>(
    obj: &Bound<'py, PyAny>,
    cls: &Bound<'py, pyo3::types::PyType>,
) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if !obj.is_exact_instance(cls) {
        return None;
    }
    let tuple = obj.cast::<PyTuple>().ok()?;
    if tuple.len() != 2 {
        return None;
    }
    Some((tuple.get_item(0).ok()?, tuple.get_item(1).ok()?))
}
