//! pymarc's decoding options (`to_unicode`, `force_utf8`,
//! `hide_utf8_warnings`, `utf8_handling`, `file_encoding`) as the native
//! decoder reads them: the one place that says which option values the
//! native decoder implements. `MARCReader`, `Record(data=...)` and
//! `to_arrow` all ask here; whatever it declines goes to the exact Python
//! decoder.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::text::{plain_text, truthy};
use pymrrc_core::batch::Validation;
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::text::Utf8Handling;

/// pymarc's five decoding options, as the caller set them.
pub(crate) struct OptionValues<'a, 'py> {
    pub to_unicode: &'a Bound<'py, PyAny>,
    pub force_utf8: &'a Bound<'py, PyAny>,
    pub hide_utf8_warnings: &'a Bound<'py, PyAny>,
    pub utf8_handling: &'a Bound<'py, PyAny>,
    pub file_encoding: &'a Bound<'py, PyAny>,
}

impl<'py> OptionValues<'_, 'py> {
    /// How the native decoder validates records under these values;
    /// `Ok(None)` leaves every record to the Python decoder: an error
    /// handler Rust does not implement (or one that is not an exact `str`),
    /// or `to_unicode` false. MARC-8 records are decoded natively only with
    /// pymarc's default `file_encoding`, 'iso8859-1', and a
    /// `hide_utf8_warnings` whose truth can be told. An error from the
    /// truth of `to_unicode` or `force_utf8` is returned: the caller
    /// decides whether it is raised or left to the Python decoder to raise
    /// where pymarc does.
    pub(crate) fn native_validation(&self) -> PyResult<Validation> {
        let Some(handling) = plain_text(self.utf8_handling).and_then(Utf8Handling::from_name)
        else {
            return Ok(None);
        };
        if !truthy(self.to_unicode)? {
            return Ok(None);
        }
        let force_utf8 = truthy(self.force_utf8)?;
        let hide = truthy(self.hide_utf8_warnings).ok();
        let marc8 = hide.is_some() && plain_text(self.file_encoding) == Some("iso8859-1");
        Ok(Some(DecodeOptions {
            force_utf8,
            to_unicode: true,
            utf8_handling: handling,
            marc8,
            hide_utf8_warnings: hide.unwrap_or(false),
        }))
    }

    /// The keyword arguments pymarc's reader passes to
    /// `Record(chunk, ...)`: what a record left to the Python decoder is
    /// built with.
    pub(crate) fn record_kwargs(&self) -> PyResult<Bound<'py, PyDict>> {
        let py = self.to_unicode.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item(intern!(py, "to_unicode"), self.to_unicode)?;
        kwargs.set_item(intern!(py, "force_utf8"), self.force_utf8)?;
        kwargs.set_item(intern!(py, "hide_utf8_warnings"), self.hide_utf8_warnings)?;
        kwargs.set_item(intern!(py, "utf8_handling"), self.utf8_handling)?;
        kwargs.set_item(intern!(py, "file_encoding"), self.file_encoding)?;
        Ok(kwargs)
    }
}

/// The error handler of natively decoded text under `validation`
/// ('strict' when every record goes to the Python decoder).
pub(crate) fn text_handling(validation: &Validation) -> Utf8Handling {
    validation.map_or(Utf8Handling::Strict, |v| v.utf8_handling)
}
