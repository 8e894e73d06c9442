//! Decoding transmission-format bytes into a `Record` natively
//! (`Record(data=...)`, `decode_marc()`), with the reader's own set-up:
//! the options as [`crate::native_options`] reads them and one record
//! validated by [`pymrrc_core::batch::decode_item`]. Only a valid record is
//! decoded here; anything else (other encodings and options, an invalid
//! record) is left to `pymrrc/_fallback.py`, which follows pymarc's steps,
//! so that a record failing part way holds what pymarc's holds.

use std::cell::Cell;
use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes};

use crate::errors::emit_notes;
use crate::materialize::LazyRecord;
use crate::native_options::OptionValues;
use pymrrc_core::batch::decode_item;

/// The validated record for `marc` under pymarc's decoding options, with
/// the log lines pymarc writes for it written; `None` when the exact
/// Python decoder must decode it: the options need it, the record is
/// invalid (pymarc fails part way through, and the fallback takes the same
/// steps, so the record holds what pymarc's holds and the log lines and
/// exception are pymarc's), or it is MARC-8 text on which pymarc would
/// write to stderr or raise. `hide_utf8_warnings` and `encoding` default to
/// pymarc's `False` and 'iso8859-1'.
pub(crate) fn decode_valid(
    marc: &Bound<'_, PyAny>,
    to_unicode: &Bound<'_, PyAny>,
    force_utf8: &Bound<'_, PyAny>,
    utf8_handling: &Bound<'_, PyAny>,
    hide_utf8_warnings: Option<&Bound<'_, PyAny>>,
    encoding: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<LazyRecord>> {
    let py = marc.py();
    let Ok(bytes) = marc.cast_exact::<PyBytes>() else {
        return Ok(None);
    };
    if DECLINED.with(|d| d.get()) == marc.as_ptr() as usize {
        return Ok(None);
    }
    let no = PyBool::new(py, false).to_owned().into_any();
    let latin1 = intern!(py, "iso8859-1").clone().into_any();
    let validation = OptionValues {
        to_unicode,
        force_utf8,
        hide_utf8_warnings: hide_utf8_warnings.unwrap_or(&no),
        utf8_handling,
        file_encoding: encoding.unwrap_or(&latin1),
    }
    .native_validation()?;
    if validation.is_none() {
        return Ok(None);
    }
    let item = decode_item(Arc::from(bytes.as_bytes()), 0, &validation);
    let Ok(lazy) = LazyRecord::from_outcome(&item.chunk, item.outcome, &validation) else {
        return Ok(None);
    };
    emit_notes(py, &item.notes, marc)?;
    Ok(Some(lazy))
}

thread_local! {
    /// The address of the chunk that a reader on this thread is handing to
    /// `Record(chunk, **options)` after the native decoder declined it under
    /// those same options (0: none): `Record.__init__` then goes straight to
    /// the exact Python decoder instead of validating the chunk again. The
    /// reader holds the chunk for the whole call, so the address cannot be
    /// reused meanwhile; a mismatch only costs a second validation.
    static DECLINED: Cell<usize> = const { Cell::new(0) };
}

/// Runs `build` (which calls `Record(chunk, **options)`) with `chunk` known
/// to need the Python decoder under the options `build` passes.
pub(crate) fn with_declined<T>(chunk: &Bound<'_, PyAny>, build: impl FnOnce() -> T) -> T {
    let before = DECLINED.with(|d| d.replace(chunk.as_ptr() as usize));
    let result = build();
    DECLINED.with(|d| d.set(before));
    result
}
