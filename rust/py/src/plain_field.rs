//! The one home of the "plain field" rule: native code reads a `Field`'s
//! values in place of pymarc's Python steps only when they are exactly the
//! types the reader produces (a `list` of `Subfield` tuples of two exact,
//! valid `str`, an `Indicators` tuple of two), so that no Python code could
//! have answered differently. Anything else goes to the Python
//! implementation.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::pytypes::types;
use crate::text::exact_pair;

/// `(code, value)` pairs of plain subfields.
pub(crate) type PlainPairs<'py> = Vec<(Bound<'py, PyString>, Bound<'py, PyString>)>;

/// Whether `obj` is exactly `Field` (not a subclass).
pub(crate) fn is_plain_field(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = obj.py();
    Ok(obj.get_type().is(types(py)?.field.bind(py)))
}

/// The `(code, value)` pairs of subfields that are exactly a list of
/// `Subfield` tuples of `str`, or `None` when any part is another type.
pub(crate) fn plain_subfields<'py>(
    subfields: &Bound<'py, PyAny>,
) -> PyResult<Option<PlainPairs<'py>>> {
    let py = subfields.py();
    let Ok(list) = subfields.cast_exact::<pyo3::types::PyList>() else {
        return Ok(None);
    };
    let cls = types(py)?.subfield.bind(py);
    let mut out = Vec::with_capacity(list.len());
    for item in list.iter() {
        match exact_pair(&item, cls) {
            Some(pair) => out.push(pair),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// The two indicators of an exact `Indicators` tuple of `str`, or `None`.
pub(crate) fn plain_indicators<'py>(
    indicators: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PyString>, Bound<'py, PyString>)>> {
    let py = indicators.py();
    Ok(exact_pair(indicators, types(py)?.indicators.bind(py)))
}
