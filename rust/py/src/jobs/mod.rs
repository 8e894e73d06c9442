//! Whole-file jobs for the `pymrrc` command (`pymrrc.cli`): reading,
//! validating and converting records batch by batch with the GIL
//! released, without a Python object per record.
//!
//! * [`source`] reads a path (the core's parallel pipeline) or a Python
//!   binary stream, [`xml_source`] a MARCXML document and [`json_source`]
//!   a MARC-in-JSON one (parsed by [`json_document`] with the visitors of
//!   [`json_read`]);
//! * [`job`] is `FileJob`, which converts each batch with the core's
//!   `convert` (and counts with `stats`, picks `grep` values) and hands
//!   Python what it must handle itself;
//! * [`ahead`] converts the next batch on the pool while Python handles
//!   the current one, and [`parts`] lays a batch out for Python.

mod ahead;
mod job;
mod json_document;
mod json_read;
mod json_source;
mod parts;
mod source;
mod xml_source;

use pyo3::prelude::*;

pub(crate) use json_document::{read_document_until, record_from_str, Laid};

/// Adds the jobs' classes to the extension module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<job::FileJob>()?;
    m.add_class::<parts::JobBatch>()?;
    Ok(())
}
