//! The arguments of `to_arrow`: reader options (as `MARCReader` reads
//! them), the error mode and the layout.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::native_options::{text_handling, OptionValues};
use pymrrc_columnar::{TableShape, WideColumns};
use pymrrc_core::batch::Validation;
use pymrrc_core::text::Utf8Handling;

/// What happens to a record the reader rejects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorMode {
    /// Count it, say so in the summary and a warning.
    Skip,
    /// Raise pymarc's exception, with the record's offset.
    Raise,
    /// Count it and keep its bytes, offset and exception.
    Collect,
}

impl ErrorMode {
    pub(crate) fn parse(name: &str) -> PyResult<Self> {
        match name {
            "skip" => Ok(Self::Skip),
            "raise" => Ok(Self::Raise),
            "collect" => Ok(Self::Collect),
            other => Err(PyValueError::new_err(format!(
                "errors must be 'skip', 'raise' or 'collect', not {other:?}"
            ))),
        }
    }
}

/// The layout asked for; a wide layout without `columns` finds its columns
/// in the first batch of records (`None` here).
pub(crate) fn shape(layout: &str, columns: Option<Vec<String>>) -> PyResult<Option<TableShape>> {
    match (layout, columns) {
        ("nested", None) => Ok(Some(TableShape::Nested)),
        ("long", None) => Ok(Some(TableShape::Long)),
        ("nested" | "long", Some(_)) => Err(PyValueError::new_err(
            "columns= selects columns of the wide layout only",
        )),
        ("wide", None) => Ok(None),
        ("wide", Some(names)) => WideColumns::select(&names)
            .map(|c| Some(TableShape::Wide(c)))
            .map_err(|e| PyValueError::new_err(e.to_string())),
        (other, _) => Err(PyValueError::new_err(format!(
            "layout must be 'nested', 'long' or 'wide', not {other:?}"
        ))),
    }
}

/// Reader options as `MARCReader` takes them.
pub(crate) struct ReaderOptions {
    /// How the native decoder validates records (`None`: every record goes
    /// to the exact Python decoder).
    pub validation: Validation,
    /// The UTF-8 error handler of natively decoded text.
    pub handling: Utf8Handling,
    /// The keyword arguments `Record(chunk, ...)` gets for the others.
    pub fallback_kwargs: Py<PyDict>,
}

impl ReaderOptions {
    /// The same choice `MARCReader` makes
    /// ([`OptionValues::native_validation`]); an error from the truth of
    /// `to_unicode` or `force_utf8` is raised here.
    pub(crate) fn new(values: &OptionValues<'_, '_>) -> PyResult<Self> {
        let validation = values.native_validation()?;
        let kwargs = values.record_kwargs()?;
        Ok(Self {
            validation,
            handling: text_handling(&validation),
            fallback_kwargs: kwargs.unbind(),
        })
    }
}
