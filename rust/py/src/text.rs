//! Small conversions between Python objects and Rust text, with the exact-type
//! checks that decide whether a native fast path may be taken.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString, PyTuple, PyType};

/// `bool(obj)`, with the common `True`/`False`/`None` cases answered without
/// a call.
pub(crate) fn truthy(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Ok(b.is_true());
    }
    if obj.is_none() {
        return Ok(false);
    }
    obj.is_truthy()
}

/// The text of an exact `str` that is valid Unicode (no lone surrogates),
/// else `None`: such values take the Python path, which handles them as
/// pymarc does.
pub(crate) fn plain_text<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    obj.cast_exact::<PyString>().ok()?.to_str().ok()
}

/// The `(code, value)` of a subfield that is exactly the given NamedTuple
/// class and holds two exact, valid `str`s.
pub(crate) fn exact_pair<'py>(
    obj: &Bound<'py, PyAny>,
    cls: &Bound<'py, PyType>,
) -> Option<(Bound<'py, PyString>, Bound<'py, PyString>)> {
    if !obj.is_exact_instance(cls) {
        return None;
    }
    let tuple = obj.cast::<PyTuple>().ok()?;
    if tuple.len() != 2 {
        return None;
    }
    let a = tuple.get_item(0).ok()?.cast_into_exact::<PyString>().ok()?;
    let b = tuple.get_item(1).ok()?.cast_into_exact::<PyString>().ok()?;
    a.to_str().ok()?;
    b.to_str().ok()?;
    Some((a, b))
}
