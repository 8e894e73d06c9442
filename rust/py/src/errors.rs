//! The one place core errors and notes become Python exceptions and log
//! lines. Exception objects are made by `pymrrc._support.make_exception`,
//! which picks pymarc's class for the kind (or, for `ValueError` and
//! `UnicodeDecodeError`, repeats the failing Python operation on the same
//! bytes so that the message is Python's own).

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::pytypes::types;
use pymrrc_core::{Error, ErrorKind, Note};

/// The `ErrorKind` name that `_support.make_exception` understands.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::IntFromBytes => "int_from_bytes",
        ErrorKind::IntFromText => "int_from_text",
        ErrorKind::NotAscii => "not_ascii",
        ErrorKind::NotUtf8 => "not_utf8",
        other => other.class_name(),
    }
}

/// The Python exception instance for a core error in `chunk`.
pub(crate) fn exception_for<'py>(
    py: Python<'py>,
    err: &Error,
    chunk: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    types(py)?.support.bind(py).call_method1(
        "make_exception",
        (kind_name(err.kind), chunk, err.span.start, err.span.end),
    )
}

/// The exception for a framing error, which concerns no span.
pub(crate) fn framing_exception(py: Python<'_>, kind: ErrorKind) -> PyResult<Bound<'_, PyAny>> {
    let empty = PyBytes::new(py, b"");
    types(py)?
        .support
        .bind(py)
        .call_method1("make_exception", (kind_name(kind), empty, 0, 0))
}

/// Logs what pymarc logs for these notes, in order.
pub(crate) fn emit_notes(py: Python<'_>, notes: &[Note], chunk: &Bound<'_, PyAny>) -> PyResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let support = types(py)?.support.bind(py);
    for note in notes {
        let (what, span) = match note {
            Note::MissingIndicators { field } => ("missing", field),
            Note::OneIndicator { field } => ("one", field),
            Note::ExtraIndicators { field } => ("extra", field),
        };
        support.call_method1("log_indicators", (what, chunk, span.start, span.end))?;
    }
    Ok(())
}

/// An I/O error as Python's `open()`/`read()` would raise it: the `OSError`
/// subclass for its errno, with `os.strerror`'s text and the file name.
pub(crate) fn os_error(
    py: Python<'_>,
    err: &std::io::Error,
    path: Option<&Bound<'_, PyAny>>,
) -> PyErr {
    let Some(code) = err.raw_os_error() else {
        return PyOSError::new_err(err.to_string());
    };
    // `os.strerror`, or (late in interpreter shutdown, when nothing can be
    // imported) the same C library text from Rust, without its suffix.
    let text = py
        .import("os")
        .and_then(|os| os.call_method1("strerror", (code,)))
        .and_then(|s| s.extract::<String>())
        .unwrap_or_else(|_| {
            let full = err.to_string();
            let suffix = format!(" (os error {code})");
            full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
        });
    match path {
        Some(p) => PyOSError::new_err((code, text, p.clone().unbind())),
        None => PyOSError::new_err((code, text)),
    }
}
