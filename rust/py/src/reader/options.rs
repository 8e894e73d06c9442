//! The options pymarc's `MARCReader` reads at every record
//! (`to_unicode`, `force_utf8`, `hide_utf8_warnings`, `utf8_handling`,
//! `file_encoding`), kept as the Python objects the caller set, and what
//! they mean to the native decoder. Setting one marks them changed; the
//! reader derives the rest again before its next record.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::native_options::OptionValues;
use pymrrc_core::batch::Validation;

/// One of the options, by name.
#[derive(Clone, Copy)]
pub(super) enum Opt {
    ToUnicode,
    ForceUtf8,
    HideUtf8Warnings,
    Utf8Handling,
    FileEncoding,
}

/// The reader's options as the caller set them, and the native decoder's
/// reading of them.
pub(super) struct ReaderOptions {
    to_unicode: Py<PyAny>,
    force_utf8: Py<PyAny>,
    hide_utf8_warnings: Py<PyAny>,
    utf8_handling: Py<PyAny>,
    file_encoding: Py<PyAny>,
    /// Set by [`ReaderOptions::set`]; cleared by [`ReaderOptions::refresh`].
    changed: bool,
    /// How the native decoder validates records under these options.
    validation: Validation,
    /// The keyword arguments pymarc passes to `Record()`, for records left
    /// to the Python decoder.
    kwargs: Option<Py<PyDict>>,
}

impl ReaderOptions {
    /// pymarc's defaults.
    pub(super) fn new(py: Python<'_>) -> Self {
        Self {
            to_unicode: flag(py, true),
            force_utf8: flag(py, false),
            hide_utf8_warnings: flag(py, false),
            utf8_handling: intern!(py, "strict").clone().into_any().unbind(),
            file_encoding: intern!(py, "iso8859-1").clone().into_any().unbind(),
            changed: true,
            validation: None,
            kwargs: None,
        }
    }

    pub(super) fn get(&self, py: Python<'_>, which: Opt) -> Py<PyAny> {
        self.slot(which).clone_ref(py)
    }

    pub(super) fn set(&mut self, which: Opt, value: Py<PyAny>) {
        *self.slot_mut(which) = value;
        self.changed = true;
    }

    fn slot(&self, which: Opt) -> &Py<PyAny> {
        match which {
            Opt::ToUnicode => &self.to_unicode,
            Opt::ForceUtf8 => &self.force_utf8,
            Opt::HideUtf8Warnings => &self.hide_utf8_warnings,
            Opt::Utf8Handling => &self.utf8_handling,
            Opt::FileEncoding => &self.file_encoding,
        }
    }

    fn slot_mut(&mut self, which: Opt) -> &mut Py<PyAny> {
        match which {
            Opt::ToUnicode => &mut self.to_unicode,
            Opt::ForceUtf8 => &mut self.force_utf8,
            Opt::HideUtf8Warnings => &mut self.hide_utf8_warnings,
            Opt::Utf8Handling => &mut self.utf8_handling,
            Opt::FileEncoding => &mut self.file_encoding,
        }
    }

    /// Derives the validation and keyword arguments again if an option was
    /// set since the last call; returns whether it did.
    pub(super) fn refresh(&mut self, py: Python<'_>) -> PyResult<bool> {
        if !self.changed {
            return Ok(false);
        }
        self.validation = self.native_reading(py);
        let kwargs = self.values(py).record_kwargs()?;
        self.kwargs = Some(kwargs.unbind());
        self.changed = false;
        Ok(true)
    }

    /// What the native decoder does under these options
    /// ([`OptionValues::native_validation`]); `None` also when the truth of an option
    /// cannot be told (pymarc's own decoder then raises where pymarc does).
    fn native_reading(&self, py: Python<'_>) -> Validation {
        self.values(py).native_validation().ok().flatten()
    }

    fn values<'a, 'py>(&'a self, py: Python<'py>) -> OptionValues<'a, 'py> {
        OptionValues {
            to_unicode: self.to_unicode.bind(py),
            force_utf8: self.force_utf8.bind(py),
            hide_utf8_warnings: self.hide_utf8_warnings.bind(py),
            utf8_handling: self.utf8_handling.bind(py),
            file_encoding: self.file_encoding.bind(py),
        }
    }

    /// The validation as of the last [`ReaderOptions::refresh`].
    pub(super) fn validation(&self) -> Validation {
        self.validation
    }

    /// `Record()`'s keyword arguments as of the last refresh.
    pub(super) fn kwargs<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyDict>> {
        self.kwargs.as_ref().map(|k| k.bind(py).clone())
    }
}

fn flag(py: Python<'_>, value: bool) -> Py<PyAny> {
    PyBool::new(py, value).to_owned().into_any().unbind()
}
