//! A validated record's bytes and layout ([`LazyRecord`]), as the reader,
//! `Record(data=...)`, `from_arrow` and unpickling make it, and its text
//! decoded as pymarc decodes it.

use std::cell::RefCell;
use std::ops::Range;
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

thread_local! {
    /// The buffer [`joined_text`] joins text in, kept between calls.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A `str` of text joined from a record's validated bytes: `join` writes
/// into an empty buffer (reused between calls, so no allocation) and
/// returns the range of it the text is. ASCII is copied straight into the
/// new string; other text is decoded strictly. `None` when `join` gives
/// up or the text is not UTF-8.
pub(crate) fn joined_text<'py>(
    py: Python<'py>,
    join: impl FnOnce(&mut Vec<u8>) -> Option<Range<usize>>,
) -> Option<Bound<'py, PyString>> {
    SCRATCH.with(|cell| {
        let mut buffer = cell.try_borrow_mut().ok()?;
        buffer.clear();
        let range = join(&mut buffer)?;
        let text = buffer.get(range)?;
        let made = if text.is_ascii() {
            ascii_text(py, text).ok()
        } else {
            PyString::from_bytes(py, text).ok()
        };
        if buffer.capacity() > 1 << 20 {
            *buffer = Vec::new();
        }
        made
    })
}

/// A new `str` holding `text`, which is ASCII.
fn ascii_text<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyString>> {
    ascii_joined(py, &[text], b"")
}

/// A new `str` of `pieces` joined by `separator`, all ASCII, written
/// straight into the string (no buffer in between).
pub(crate) fn ascii_joined<'py>(
    py: Python<'py>,
    pieces: &[&[u8]],
    separator: &[u8],
) -> PyResult<Bound<'py, PyString>> {
    debug_assert!(pieces.iter().all(|p| p.is_ascii()) && separator.is_ascii());
    let total = pieces.iter().map(|p| p.len()).sum::<usize>()
        + separator.len() * pieces.len().saturating_sub(1);
    let len = pyo3::ffi::Py_ssize_t::try_from(total)
        .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("text too long"))?;
    // Measured: copying into a string made for ASCII (maximum character
    // 127) saves CPython's decoder a pass over text already checked, and
    // the copy into a buffer first.
    #[allow(unsafe_code)]
    // SAFETY: `PyUnicode_New(len, 127)` returns a new compact ASCII string
    // of `len` one-byte characters (or NULL with an exception set), whose
    // data buffer `PyUnicode_DATA` points to and holds `len` bytes plus a
    // NUL it has written. Exactly `total == len` ASCII bytes are written
    // into it, each within bounds, before anything else sees the object.
    unsafe {
        let obj = Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyUnicode_New(len, 127))?;
        let mut at = pyo3::ffi::PyUnicode_DATA(obj.as_ptr()).cast::<u8>();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                std::ptr::copy_nonoverlapping(separator.as_ptr(), at, separator.len());
                at = at.add(separator.len());
            }
            std::ptr::copy_nonoverlapping(piece.as_ptr(), at, piece.len());
            at = at.add(piece.len());
        }
        Ok(obj.cast_into_unchecked())
    }
}
