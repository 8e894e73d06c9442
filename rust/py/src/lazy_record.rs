//! A validated record's bytes and layout ([`LazyRecord`]), as the reader,
//! `Record(data=...)`, `from_arrow` and unpickling make it, and its text
//! decoded as pymarc decodes it.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::native_options::text_handling;
use pymrrc_core::batch::{Outcome, Validation};
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
