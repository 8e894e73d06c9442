//! `FieldBase` (data in [`crate::field_state`]): the native base class of
//! `pymrrc.field.Field`.
//!
//! It stores the attributes pymarc's `Field` keeps in its slots and runs the
//! hot read-only methods natively. Each native method first checks that the
//! field holds exactly the types the reader produces (`str` values,
//! `Subfield` tuples in a `list`); for anything else it calls the pure-Python
//! reference implementation on the subclass (`_py_value`, `_py_get`, ...),
//! so results always equal pymarc's.

use pyo3::exceptions::PyKeyError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::PyTraverseError;

use crate::field_lazy::Code;
pub use crate::field_state::FieldBase;
pub(crate) use crate::field_state::{built, FieldMaker};
use crate::field_state::{
    data_if_control, data_or_empty, edit_built, is_control, lazy_of, with_lazy,
};
use crate::plain_field::{is_plain_field, plain_indicators, plain_subfields};
use crate::pytypes::types;
use crate::text::{exact_pair, plain_text, truthy};
use pymrrc_core::text::py_strip;

/// `value()` of a data field whose subfields are plain, built in one pass
/// without intermediate allocations; `None` when any part is not plain.
fn plain_value(py: Python<'_>, subfields: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let Ok(list) = subfields.cast_exact::<PyList>() else {
        return Ok(None);
    };
    let cls = types(py)?.subfield.bind(py);
    let mut out = String::with_capacity(128);
    for (i, item) in list.iter().enumerate() {
        let Some((_, value)) = exact_pair(&item, cls) else {
            return Ok(None);
        };
        if i > 0 {
            out.push(' ');
        }
        out.push_str(py_strip(value.to_str()?));
    }
    Ok(Some(out))
}

/// Compares a subfield code with a requested code as `==` would.
fn same_code(code: &Bound<'_, PyString>, wanted: &Bound<'_, PyAny>) -> PyResult<bool> {
    if code.is(wanted) {
        return Ok(true);
    }
    match wanted.cast_exact::<PyString>() {
        Ok(w) => Ok(match w.to_str() {
            Ok(w) => code.to_str()? == w,
            Err(_) => false,
        }),
        Err(_) => code.as_any().eq(wanted),
    }
}

#[pymethods]
impl FieldBase {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for obj in [
            &self.tag,
            &self.data,
            &self.indicators,
            &self.subfields,
            &self.control_field,
        ] {
            visit.call(obj)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.lazy = None;
        Python::attach(|py| {
            for obj in [
                &mut self.tag,
                &mut self.data,
                &mut self.indicators,
                &mut self.subfields,
                &mut self.control_field,
            ] {
                *obj = py.None();
            }
        });
    }

    #[new]
    #[pyo3(signature = (*args, **kwargs))]
    fn py_new(
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Self {
        // pymarc's `Field.__init__` takes the arguments.
        let _ = (args, kwargs);
        Self::with_values(
            py.None(),
            py.None(),
            py.None(),
            PyList::empty(py).into_any().unbind(),
            crate::pytypes::py_bool(py, false),
        )
    }

    // (Setting an attribute builds a lazy field first: see `gc_untrack`.)
    #[setter(tag)]
    fn set_tag(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        edit_built(slf, |b| b.tag = value)
    }

    #[setter(data)]
    fn set_data(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        edit_built(slf, |b| b.data = value)
    }

    #[setter(control_field)]
    fn set_control_field(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        edit_built(slf, |b| b.control_field = value)
    }

    /// The list of `Subfield` tuples.
    #[getter(subfields)]
    fn get_subfields_list(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(built(slf)?.subfields.clone_ref(slf.py()))
    }

    #[setter(subfields)]
    fn set_subfields_list(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        edit_built(slf, |b| b.subfields = value)
    }

    /// The `Indicators` tuple (`None` for control fields).
    #[getter(_indicators)]
    fn get_indicators(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(built(slf)?.indicators.clone_ref(slf.py()))
    }

    #[setter(_indicators)]
    fn set_indicators(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        edit_built(slf, |b| b.indicators = value)
    }

    /// Whether the field still holds only its place in a record's bytes.
    #[getter]
    fn _is_lazy(&self) -> bool {
        self.lazy.is_some()
    }

    /// The field's text: control data, or stripped subfield values joined
    /// by spaces.
    fn value(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(data) = data_if_control(slf) {
            return data_or_empty(py, data);
        }
        if let Some(text) = with_lazy(slf, |_, lazy| lazy.value_text(py))? {
            return Ok(text.into_any().unbind());
        }
        if is_control(slf)? {
            let data = slf.borrow().data.clone_ref(py);
            return data_or_empty(py, data);
        }
        let subfields = built(slf)?.subfields.clone_ref(py);
        if let Some(text) = plain_value(py, subfields.bind(py))? {
            return Ok(PyString::new(py, &text).into_any().unbind());
        }
        Ok(slf.call_method0("_py_value")?.unbind())
    }

    /// The first value of subfield `code`, or `default`.
    #[pyo3(signature = (code, default = None))]
    fn get(
        slf: &Bound<'_, Self>,
        code: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let default = default.unwrap_or_else(|| py.None());
        if let Some(code) = Code::of(code) {
            if let Some(found) = with_lazy(slf, |_, lazy| Some(lazy.first(py, code)))? {
                return Ok(match found {
                    Some(v) => v.into_any().unbind(),
                    None => default,
                });
            }
        }
        if is_control(slf)? {
            return Ok(default);
        }
        let subfields = built(slf)?.subfields.clone_ref(py);
        if let Some(pairs) = plain_subfields(subfields.bind(py))? {
            for (c, v) in pairs {
                if same_code(&c, code)? {
                    return Ok(v.into_any().unbind());
                }
            }
            return Ok(default);
        }
        Ok(slf.call_method1("_py_get", (code, default))?.unbind())
    }

    fn __getitem__(slf: &Bound<'_, Self>, code: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(code) = Code::of(code) {
            if let Some(found) = with_lazy(slf, |_, lazy| Some(lazy.first(py, code)))? {
                return found
                    .map(|v| v.into_any().unbind())
                    .ok_or_else(|| PyKeyError::new_err(()));
            }
        }
        if is_control(slf)? {
            return Err(PyKeyError::new_err(()));
        }
        let subfields = built(slf)?.subfields.clone_ref(py);
        if let Some(pairs) = plain_subfields(subfields.bind(py))? {
            for (c, v) in pairs {
                if same_code(&c, code)? {
                    return Ok(v.into_any().unbind());
                }
            }
            return Err(PyKeyError::new_err(()));
        }
        Ok(slf.call_method1("_py_getitem", (code,))?.unbind())
    }

    fn __contains__(slf: &Bound<'_, Self>, code: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = slf.py();
        if let Some(code) = Code::of(code) {
            if let Some(found) = with_lazy(slf, |_, lazy| Some(lazy.first(py, code).is_some()))? {
                return Ok(found);
            }
        }
        if is_control(slf)? {
            return Ok(false);
        }
        let subfields = built(slf)?.subfields.clone_ref(py);
        if let Some(pairs) = plain_subfields(subfields.bind(py))? {
            for (c, _) in pairs {
                if same_code(&c, code)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        slf.call_method1("_py_contains", (code,))?.is_truthy()
    }

    /// Values of the subfields whose code is one of `codes`, in field order.
    #[pyo3(signature = (*codes))]
    fn get_subfields(slf: &Bound<'_, Self>, codes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(wanted) = Code::all(codes) {
            // Not under `with_lazy`'s borrow: making a list may start a
            // collection, whose finalizers may run any Python code.
            if let Some(lazy) = lazy_of(slf)? {
                return Ok(lazy.values_of(py, &wanted)?.into_any().unbind());
            }
        }
        if is_control(slf)? || codes.is_empty() {
            return Ok(PyList::empty(py).into_any().unbind());
        }
        let subfields = built(slf)?.subfields.clone_ref(py);
        if let Some(pairs) = plain_subfields(subfields.bind(py))? {
            let out = PyList::empty(py);
            let single = if codes.len() == 1 {
                Some(codes.get_item(0)?)
            } else {
                None
            };
            for (c, v) in pairs {
                let hit = match &single {
                    Some(code) => same_code(&c, code)?,
                    None => codes.contains(&c)?,
                };
                if hit {
                    out.append(v)?;
                }
            }
            return Ok(out.into_any().unbind());
        }
        Ok(slf.call_method1("_py_get_subfields", codes)?.unbind())
    }

    /// Like `value()`, formatted for display (subject subdivisions get
    /// " -- ", subfield 6 is left out).
    fn format_field(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let plain = is_plain_field(slf.as_any())?;
        if plain {
            if let Some(data) = data_if_control(slf) {
                // pymarc: `self.data or ""`.
                return data_or_empty(py, data);
            }
        }
        let lazy_text = with_lazy(slf, |b, lazy| {
            let tag = b.tag.bind(py).cast_exact::<PyString>().ok()?;
            let subject = tag.to_str().ok()?.starts_with('6');
            lazy.format_text(py, subject).or_else(|| {
                let text = lazy.format_field(subject)?;
                Some(PyString::new(py, &text))
            })
        })?;
        if let Some(text) = lazy_text {
            return Ok(text.into_any().unbind());
        }
        if is_control(slf)? {
            if plain {
                let data = slf.borrow().data.clone_ref(py);
                return data_or_empty(py, data);
            }
        } else {
            let tag = slf.borrow().tag.clone_ref(py);
            let subject = match tag.bind(py).cast_exact::<PyString>() {
                Ok(t) if plain => t.to_str().ok().map(|t| t.starts_with('6')),
                _ => None,
            };
            let subfields = built(slf)?.subfields.clone_ref(py);
            if let (Some(subject), Some(pairs)) = (subject, plain_subfields(subfields.bind(py))?) {
                let mut out = String::new();
                for (c, v) in pairs {
                    let code = c.to_str()?;
                    if code == "6" {
                        continue;
                    }
                    if subject && matches!(code, "v" | "x" | "y" | "z") {
                        out.push_str(" -- ");
                    } else {
                        out.push(' ');
                    }
                    out.push_str(v.to_str()?);
                }
                return Ok(PyString::new(py, py_strip(&out)).into_any().unbind());
            }
        }
        Ok(slf.call_method0("_py_format_field")?.unbind())
    }

    /// Whether the tag starts with 6 (a subject field).
    fn is_subject_field(slf: &Bound<'_, Self>) -> PyResult<bool> {
        let py = slf.py();
        let tag = slf.borrow().tag.clone_ref(py);
        let tag = tag.bind(py);
        match tag.cast_exact::<PyString>() {
            Ok(t) => Ok(t.to_cow()?.starts_with('6')),
            Err(_) => tag.call_method1("startswith", ("6",))?.is_truthy(),
        }
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(text) = plain_str(slf)? {
            return Ok(PyString::new(py, &text).into_any().unbind());
        }
        Ok(slf.call_method0("_py_str")?.unbind())
    }

    /// The field's bytes as they appear in a MARC record.
    #[pyo3(signature = (encoding))]
    fn as_marc(slf: &Bound<'_, Self>, encoding: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let mut out = Vec::new();
        let parts = built(slf)?.parts(py);
        if crate::encode::encode_plain_field(py, &parts, encoding, &mut out)? {
            return Ok(PyBytes::new(py, &out).into_any().unbind());
        }
        Ok(slf.call_method1("_py_as_marc", (encoding,))?.unbind())
    }
}

/// `str(field)` computed natively, or `None` when a value is not plain.
fn plain_str(slf: &Bound<'_, FieldBase>) -> PyResult<Option<String>> {
    let py = slf.py();
    if let Some(lazy) = lazy_of(slf)? {
        let tag = slf.borrow().tag.clone_ref(py);
        if let (Some(tag), false) = (plain_text(tag.bind(py)), is_control(slf)?) {
            let mut out = format!("={tag}  ");
            if lazy.str_body(&mut out).is_some() {
                return Ok(Some(out));
            }
        }
    }
    let (tag, data, indicators, subfields, control) = {
        let b = built(slf)?;
        (
            b.tag.clone_ref(py),
            b.data.clone_ref(py),
            b.indicators.clone_ref(py),
            b.subfields.clone_ref(py),
            b.control_field.clone_ref(py),
        )
    };
    let tag = tag.bind(py);
    let Some(tag) = plain_text(tag) else {
        return Ok(None);
    };
    let mut out = String::with_capacity(64);
    out.push('=');
    out.push_str(tag);
    out.push_str("  ");
    if truthy(control.bind(py))? {
        let data = data.bind(py);
        if let Some(d) = plain_text(data) {
            out.push_str(&d.replace(' ', "\\"));
        } else if truthy(data)? {
            return Ok(None);
        }
        return Ok(Some(out));
    }
    let Some((i1, i2)) = plain_indicators(indicators.bind(py))? else {
        return Ok(None);
    };
    for ind in [i1, i2] {
        let ind = ind.to_str()?;
        if ind == " " || ind == "\\" {
            out.push('\\');
        } else {
            out.push_str(ind);
        }
    }
    let Some(pairs) = plain_subfields(subfields.bind(py))? else {
        return Ok(None);
    };
    for (c, v) in pairs {
        out.push('$');
        out.push_str(c.to_str()?);
        out.push_str(v.to_str()?);
    }
    Ok(Some(out))
}
