//! Whether a record's class lets native code stand for pymarc's Python
//! steps: exactly `Record`, or a subclass that overrides none of the
//! attributes those steps go through.

use pyo3::prelude::*;

use crate::pytypes::types;

/// Attributes a `Record` subclass must not override for the native walk
/// (serialisers, iteration) to see what Python would.
const WALKED_ATTRIBUTES: [&str; 6] = [
    "__iter__",
    "__next__",
    "__getattribute__",
    "__setattr__",
    "leader",
    "fields",
];

/// Whether `record`'s class is `Record`, or a subclass that overrides none
/// of the attributes the walk relies on, nor any of `also`.
pub(crate) fn plain_record_type(record: &Bound<'_, PyAny>, also: &[&str]) -> PyResult<bool> {
    let py = record.py();
    let record_cls = types(py)?.record.bind(py);
    let ty = record.get_type();
    if ty.is(record_cls) {
        return Ok(true);
    }
    if !ty.is_subclass(record_cls)? {
        return Ok(false);
    }
    for name in WALKED_ATTRIBUTES.iter().chain(also) {
        if !ty.getattr(*name)?.is(&record_cls.getattr(*name)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `record` is exactly `Record` (a pointer comparison: this is on
/// the hot paths).
pub(crate) fn is_exact_record(record: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = record.py();
    Ok(std::ptr::eq(
        record.get_type_ptr(),
        types(py)?.record.as_ptr().cast(),
    ))
}

/// Whether `for field in record` may run natively: the record is exactly
/// `Record`, or its class overrides nothing pymarc's `__iter__`/`__next__`
/// go through (attribute access and assignment, `fields`).
pub(crate) fn plain_iteration(record: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(is_exact_record(record)? || plain_record_type(record, &[])?)
}

/// Whether `as_marc` may read the record's storage directly: it is exactly
/// `Record`, or its class overrides none of the attributes pymarc's
/// `as_marc` reads or assigns.
pub(crate) fn plain_for_as_marc(record: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(is_exact_record(record)? || plain_record_type(record, &["to_unicode", "force_utf8"])?)
}
