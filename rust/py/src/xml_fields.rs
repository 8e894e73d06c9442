//! The `Field` objects of a record read from MARCXML, built on first use
//! exactly as pymarc's `XmlHandler` builds them (like records read from
//! MARC, see `materialize`).

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyString};

use crate::field::FieldBase;
use crate::field_lazy::LazyField;
use crate::pytypes::{ascii_char, indicators, new_instance, new_pair, tag_str, types};
use crate::xml_lazy::one_ascii;
pub(crate) use crate::xml_lazy::XmlLazy;
use pymrrc_core::marcxml::{FieldOrigin, XmlField};

/// Whether field `f` (tagged `tag`, not a control tag) can stay lazy
/// (`field_lazy`): made by a `datafield` element, no `data` set, each
/// indicator and subfield code one ASCII character, and its text the same
/// after normalisation (none asked for, or all ASCII).
fn is_lazy_candidate(f: &XmlField, normalize: bool) -> bool {
    let FieldOrigin::Data { ind1, ind2 } = &f.origin else {
        return false;
    };
    f.data.is_none()
        && [ind1, ind2]
            .iter()
            .all(|i| i.as_deref().map_or(true, |i| one_ascii(i).is_some()))
        && f.subfields
            .iter()
            .all(|(c, v)| one_ascii(c).is_some() && (!normalize || v.is_ascii()))
}

/// Element text as pymarc stores it: normalised when a form was asked for
/// (ASCII text is the same in every form, so it is left alone).
pub(crate) fn text<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    s: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let obj = PyString::new(py, s).into_any();
    match normalize {
        Some(f) if !s.is_ascii() => f.bind(py).call1((obj,)),
        _ => Ok(obj),
    }
}

/// A `Subfield` (or `Indicators`) tuple of two `str`, left out of the
/// cyclic garbage collector's lists.
///
/// Measured: with every subfield tracked, full collections took over half
/// the time of building the fields of 10,000 records. A tuple holding two
/// strings can never be part of a reference cycle (its class has no
/// `__dict__`), so the collector has nothing to find in it; CPython itself
/// untracks such plain tuples during collections.
fn untracked_pair<'py>(
    py: Python<'py>,
    cls: &Bound<'py, pyo3::types::PyType>,
    first: Bound<'py, PyAny>,
    second: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let pair = new_pair(py, cls, first, second)?;
    if pair.is_instance_of::<pyo3::types::PyTuple>() {
        crate::gc_untrack::untrack(&pair);
    }
    Ok(pair)
}

/// An attribute value used as a subfield code (one ASCII letter is interned).
fn code<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    match s.as_bytes() {
        [b] if b.is_ascii() => ascii_char(py, *b).into_any(),
        _ => PyString::new(py, s).into_any(),
    }
}

/// One field, as pymarc's handler leaves it: `Field(tag)` or
/// `Field(tag, Indicators(ind1, ind2))`, then `add_subfield` calls (ignored
/// on control fields), then `data` when a `controlfield` element closed it.
pub(crate) fn field<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    f: &XmlField,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let Ok(tag_bytes) = <[u8; 3]>::try_from(f.tag.as_bytes()) else {
        return field_by_python(py, normalize, f);
    };
    let control = tag_bytes.iter().all(u8::is_ascii_digit) && tag_bytes < *b"010";
    let data = match &f.data {
        Some(d) => text(py, normalize, d)?.unbind(),
        None => py.None(),
    };
    let tag = tag_str(py, tag_bytes).into_any().unbind();
    // A control field holding text or `None` holds no container until its
    // (empty) subfields are built (`gc_untrack`).
    let untracked =
        control && (data.is_none(py) || data.bind(py).is_exact_instance_of::<PyString>());
    let values = if control {
        let mut values = FieldBase::lazy_data_field(py, tag, LazyField::control());
        values.data = data;
        values.control_field = PyBool::new(py, true).to_owned().into_any().unbind();
        values
    } else {
        let (ind1, ind2) = match &f.origin {
            FieldOrigin::Control => (None, None),
            FieldOrigin::Data { ind1, ind2 } => (ind1.as_deref(), ind2.as_deref()),
        };
        let ind1 = ind1.unwrap_or(" ");
        let ind2 = ind2.unwrap_or(" ");
        let inds = match (ind1.as_bytes(), ind2.as_bytes()) {
            ([a], [b]) if a.is_ascii() && b.is_ascii() => indicators(py, *a, *b)?,
            _ => untracked_pair(
                py,
                t.indicators.bind(py),
                PyString::new(py, ind1).into_any(),
                PyString::new(py, ind2).into_any(),
            )?,
        };
        let subfield_cls = t.subfield.bind(py);
        let mut subfields = Vec::with_capacity(f.subfields.len());
        for (c, value) in &f.subfields {
            subfields.push(untracked_pair(
                py,
                subfield_cls,
                code(py, c),
                text(py, normalize, value)?,
            )?);
        }
        FieldBase::with_values(
            tag,
            data,
            inds.unbind(),
            PyList::new(py, subfields)?.into_any().unbind(),
            PyBool::new(py, false).to_owned().into_any().unbind(),
        )
    };
    let obj = new_instance(py, t.field.bind(py))?;
    *obj.cast::<FieldBase>()?.borrow_mut() = values;
    if untracked {
        crate::gc_untrack::untrack(&obj);
    }
    Ok(obj)
}

/// A field whose tag `Field()` rewrites (not three characters long): made
/// by the very Python calls pymarc's handler makes.
fn field_by_python<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    f: &XmlField,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let field_cls = t.field.bind(py);
    let field = match &f.origin {
        FieldOrigin::Control => field_cls.call1((f.tag.as_str(),))?,
        FieldOrigin::Data { ind1, ind2 } => {
            let inds = t.indicators.bind(py).call1((
                ind1.as_deref().unwrap_or(" "),
                ind2.as_deref().unwrap_or(" "),
            ))?;
            field_cls.call1((f.tag.as_str(), inds))?
        }
    };
    for (c, value) in &f.subfields {
        field.call_method1("add_subfield", (code(py, c), text(py, normalize, value)?))?;
    }
    if let Some(d) = &f.data {
        field.setattr("data", text(py, normalize, d)?)?;
    }
    Ok(field)
}

/// Builds `record.fields` for a record read from MARCXML. A data field
/// that pymarc's handler builds plainly keeps its place in the parsed
/// record (`field_lazy`): its `Subfield` and `Indicators` objects are
/// built when first asked for.
pub(crate) fn build_xml_fields<'py>(
    py: Python<'py>,
    lazy: &Arc<XmlLazy>,
) -> PyResult<Bound<'py, PyList>> {
    let normalize = lazy.normalize.as_ref();
    let field_cls = types(py)?.field.bind(py);
    let mut fields = Vec::with_capacity(lazy.record.fields.len());
    for (index, f) in lazy.record.fields.iter().enumerate() {
        let data_tag = <[u8; 3]>::try_from(f.tag.as_bytes())
            .ok()
            .filter(|t| t.is_ascii() && !(t.iter().all(u8::is_ascii_digit) && *t < *b"010"));
        match data_tag {
            Some(tag) if is_lazy_candidate(f, normalize.is_some()) => {
                let tag = tag_str(py, tag).into_any().unbind();
                let values =
                    FieldBase::lazy_data_field(py, tag, LazyField::xml(Arc::clone(lazy), index));
                let obj = new_instance(py, field_cls)?;
                *obj.cast::<FieldBase>()?.borrow_mut() = values;
                // It holds no container until built (`gc_untrack`).
                crate::gc_untrack::untrack(&obj);
                fields.push(obj);
            }
            _ => fields.push(field(py, normalize, f)?),
        }
    }
    PyList::new(py, fields)
}
