//! `pymrrc._core`: the private extension module behind the `pymrrc` package.
//!
//! Registration only; each concern lives in its own module:
//! [`pytypes`] (the Python classes Rust instantiates), [`storage`] (what a
//! record holds: bytes, MARCXML data or Python objects), [`materialize`]
//! and [`xml_fields`] (stored data to Python objects), [`record`] and
//! [`field`] (the native bases of `Record` and `Field`), [`record_class`]
//! (which subclasses native code may stand in for), [`plain_field`] (which
//! field values it may read), [`native_options`] (which reader options the
//! native decoder takes), [`record_decode`] (`Record(data=...)`),
//! [`record_pickle`] (pickling untouched records), [`encode`] and
//! [`record_encode`] (`as_marc`), [`reader`] (`MARCReader`'s engine),
//! [`marc8`] and [`marc8_write`] (MARC-8 text for `pymrrc.marc8`), [`sink`]
//! (`MARCWriter`'s file output) and [`errors`] (core errors to Python
//! exceptions); [`walk`] and [`as_dict`] feed the MARCXML and MARC-in-JSON
//! output, [`marcxml`] turns MARCXML read by the core into Python records,
//! [`columnar`] is the Arrow and Parquet export (`pymrrc.columnar`), and
//! [`partition`] plans and resolves record-aligned partitions
//! (`pymrrc.partition`).

/// Rust allocations (record bytes, layouts) are made on parse threads and
/// freed on the Python thread; mimalloc frees across threads without the
/// arena lock contention glibc malloc shows there.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod as_dict;
mod columnar;
mod encode;
mod errors;
mod field;
mod field_lazy;
mod field_state;
mod gc_untrack;
mod jobs;
mod json_reader;
mod json_stream;
mod lazy_record;
mod marc8;
mod marc8_write;
mod marcxml;
mod materialize;
mod native_options;
mod partition;
mod plain_field;
mod pytypes;
mod reader;
mod record;
mod record_class;
mod record_decode;
mod record_encode;
mod record_lookup;
mod record_pickle;
mod record_state;
mod sink;
mod storage;
mod testing;
mod text;
mod walk;
mod xml_fields;
mod xml_lazy;

use pyo3::prelude::*;

/// `gil_used = true`: the module says it needs the GIL, so a free-threaded
/// interpreter turns the GIL back on when it imports it. PyO3 0.30 would
/// otherwise declare it safe without one, which nothing here has been
/// tested for (docs/decisions/0024-gil-used-until-tested.md).
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<record::RecordBase>()?;
    m.add_class::<field::FieldBase>()?;
    m.add_class::<reader::ReaderBase>()?;
    m.add_class::<sink::FileSink>()?;
    m.add_function(wrap_pyfunction!(marc8::marc8_translate, m)?)?;
    m.add_function(wrap_pyfunction!(marc8_write::marc8_encode, m)?)?;
    m.add_function(wrap_pyfunction!(marc8_write::record_as_marc8, m)?)?;
    m.add_function(wrap_pyfunction!(marc8_write::marc8_record_from_parts, m)?)?;
    m.add_class::<marcxml::XmlParser>()?;
    m.add_class::<json_reader::JsonDocument>()?;
    m.add_class::<json_reader::JsonCursor>()?;
    m.add_class::<json_stream::JsonStream>()?;
    columnar::register(m)?;
    jobs::register(m)?;
    partition::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_WORKERS", pymrrc_core::pipeline::MAX_WORKERS)?;
    m.add_function(wrap_pyfunction!(testing::_panic_for_tests, m)?)?;
    Ok(())
}
