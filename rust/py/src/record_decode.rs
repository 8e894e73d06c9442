//! Decoding transmission-format bytes into a `Record` natively
//! (`Record(data=...)`, `decode_marc()`): which options the native decoder
//! takes, and validation of the bytes. Only a valid record is decoded
//! here; anything else (other encodings and options, an invalid record)
//! is left to `pymrrc/_fallback.py`, which follows pymarc's steps, so that
//! a record failing part way holds what pymarc's holds.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::emit_notes;
use crate::materialize::LazyRecord;
use crate::text::truthy;
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::text::Utf8Handling;

/// The validated record for `marc` under pymarc's decoding options, with
/// the log lines pymarc writes for it written; `None` when the exact
/// Python decoder must decode it. `hide_utf8_warnings` and `encoding` are
/// pymarc's; MARC-8 records are decoded natively only when `encoding` is
/// 'iso8859-1' and pymarc would neither write to stderr nor raise while
/// decoding them.
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
    let Some(handling) = crate::text::plain_text(utf8_handling).and_then(Utf8Handling::from_name)
    else {
        return Ok(None);
    };
    let data = bytes.as_bytes();
    let force = truthy(force_utf8)?;
    if !truthy(to_unicode)? {
        return Ok(None);
    }
    let utf8 = force || data.get(9) == Some(&b'a');
    let hide = match hide_utf8_warnings {
        Some(h) => truthy(h).ok(),
        None => Some(false),
    };
    let marc8 = !utf8
        && hide.is_some()
        && encoding.map_or(Some("iso8859-1"), crate::text::plain_text) == Some("iso8859-1");
    if !utf8 && !marc8 {
        return Ok(None);
    }
    let options = DecodeOptions {
        force_utf8: force,
        to_unicode: true,
        utf8_handling: handling,
        marc8,
        hide_utf8_warnings: hide.unwrap_or(false),
    };
    decode_checked(py, data, &options, marc)
}

/// Validates `data` natively (and transcodes a MARC-8 record to UTF-8).
/// `Ok(None)` means the exact Python fallback must decode it: the record
/// needs it, is invalid, or is MARC-8 text on which pymarc would write to
/// stderr or raise. pymarc fails part way through an invalid record,
/// leaving its leader set and the fields before the failing one added (and
/// logged about); the fallback does the same steps, so the record holds
/// what pymarc's holds and the log lines and exception are pymarc's.
fn decode_checked(
    py: Python<'_>,
    data: &[u8],
    options: &DecodeOptions,
    chunk: &Bound<'_, PyAny>,
) -> PyResult<Option<LazyRecord>> {
    let mut notes = Vec::new();
    let Ok(layout) = pymrrc_core::decode_layout(data, options, &mut notes) else {
        return Ok(None);
    };
    if layout.needs_fallback {
        return Ok(None);
    }
    let lazy = if options.marc8 {
        let Ok(transcoded) =
            pymrrc_core::marc8::transcode_record(data, &layout, options.hide_utf8_warnings)
        else {
            return Ok(None);
        };
        LazyRecord {
            bytes: Arc::from(transcoded.bytes),
            layout: transcoded.layout,
            handling: Utf8Handling::Strict,
        }
    } else {
        LazyRecord {
            bytes: Arc::from(data),
            layout,
            handling: options.utf8_handling,
        }
    };
    emit_notes(py, &notes, chunk)?;
    Ok(Some(lazy))
}
