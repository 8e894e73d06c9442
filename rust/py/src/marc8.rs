//! `marc8_translate`: the core MARC-8 decoder for `pymrrc.marc8`.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use pymrrc_core::marc8::{decode, Charsets};

/// Inputs at least this long are decoded with the GIL released.
const DETACH_AT: usize = 16 * 1024;

/// What [`marc8_translate`] returns: the text, G0 and G1 afterwards, and
/// the lines pymarc writes to `sys.stderr` (without newlines).
type Translated = (String, u8, u8, Vec<String>);

/// Decodes MARC-8 `data` starting with the sets `g0`/`g1`, as pymarc's
/// `MARC8ToUnicode.translate` would. Returns `None` where pymarc raises:
/// the caller then runs its Python decoder, which raises exactly as pymarc
/// does (and writes what pymarc writes first).
#[pyfunction]
#[pyo3(signature = (data, g0, g1, quiet, /))]
pub(crate) fn marc8_translate(
    py: Python<'_>,
    data: &Bound<'_, PyBytes>,
    g0: u8,
    g1: u8,
    quiet: bool,
) -> Option<Translated> {
    let bytes = data.as_bytes();
    let run = || {
        let mut state = Charsets { g0, g1 };
        let mut text = Vec::with_capacity(bytes.len() + bytes.len() / 4);
        let mut notes = Vec::new();
        decode(bytes, &mut state, quiet, &mut text, &mut notes).ok()?;
        let lines = notes.iter().map(ToString::to_string).collect();
        // The decoder writes UTF-8; this check cannot fail.
        let text = String::from_utf8(text).ok()?;
        Some((text, state.g0, state.g1, lines))
    };
    if bytes.len() >= DETACH_AT {
        py.detach(run)
    } else {
        run()
    }
}
