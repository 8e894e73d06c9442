//! The Python entry points of the Arrow export (`pymrrc.columnar`): the
//! stream `to_arrow` returns and the record iterator of `from_arrow`.
//! Batches are built by the `pymrrc-columnar` crate.

mod import;
mod options;
mod parallel;
mod producer;
mod source;
mod stream;

use pyo3::prelude::*;

/// Adds the classes to `pymrrc._core`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<stream::ArrowStream>()?;
    m.add_class::<stream::ArrowBatch>()?;
    m.add_class::<import::ArrowRecords>()?;
    Ok(())
}
