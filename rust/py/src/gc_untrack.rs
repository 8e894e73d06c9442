//! Objects left out of the cyclic garbage collector's lists while they
//! cannot be part of a reference cycle, and put back when they can.
//!
//! Measured (`benchmarks/suite.py --only fields`, docs/decisions/0027): the
//! full collections that hundreds of thousands of tracked `Field` objects
//! bring about took over half the time of `parse_xml_to_array` and going
//! over every record's fields. A lazy field (`field_lazy`) refers to
//! nothing but strings, `None`, a `bool` and Rust data, so the collector
//! has nothing to find in it; CPython untracks its own plain tuples and
//! dicts for the same reason. Anything that may give such a field a
//! container (building its objects, which every setter does first) tracks
//! it again (`field::built`).

use pyo3::prelude::*;

/// Takes `obj` out of the collector's lists (nothing happens if it is not
/// in them).
pub(crate) fn untrack(obj: &Bound<'_, PyAny>) {
    #[allow(unsafe_code)]
    // SAFETY: `obj` is a live object (the GIL is held); untracking is
    // allowed whether or not it is tracked, and only removes it from the
    // collector's lists.
    unsafe {
        pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast());
    }
}

/// Puts `obj` back in the collector's lists if it is of a collected type
/// and was taken out.
pub(crate) fn track(obj: &Bound<'_, PyAny>) {
    #[allow(unsafe_code)]
    // SAFETY: `obj` is a live object (the GIL is held, and this module
    // declares `gil_used`, so no other thread runs Python code meanwhile);
    // `PyObject_GC_Track` is called only on an object of a collected type
    // that is not tracked, which is what it requires.
    unsafe {
        let ptr = obj.as_ptr();
        if pyo3::ffi::PyType_IS_GC(pyo3::ffi::Py_TYPE(ptr)) != 0
            && pyo3::ffi::PyObject_GC_IsTracked(ptr) == 0
        {
            pyo3::ffi::PyObject_GC_Track(ptr.cast());
        }
    }
}
