//! MARC-8 output for `pymrrc.marc8`: `Record.as_marc8()`,
//! `MARCWriter(..., encoding="marc8")` and `encode_marc8(text)`.
//!
//! A plain record (untouched, or holding exactly the types the reader
//! makes) is walked natively; any other is taken apart by the Python side
//! into plain parts first (see `pymrrc.marc8.record_to_marc8`).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use crate::record::walk_record;
use crate::record::RecordBase;
use crate::record_class::plain_record_type;
use pymrrc_core::marc8::{encode, Marc8RecordWriter};
use pymrrc_core::visit::RecordSink;

/// Bytes and the number of characters written as `&#xXXXX;`.
type Encoded = (Py<PyBytes>, usize);

/// `text` in MARC-8 (starting and ending in the default sets), and how many
/// characters had no MARC-8 form.
#[pyfunction]
#[pyo3(signature = (text, /))]
pub(crate) fn marc8_encode(py: Python<'_>, text: &str) -> Encoded {
    let mut out = Vec::with_capacity(text.len() + 8);
    let n = encode(text, &mut out);
    (PyBytes::new(py, &out).unbind(), n)
}

/// The MARC-8 record for a plain `Record`, or `None` when the record holds
/// something the native walk does not read (the caller then passes its
/// parts to [`marc8_record_from_parts`]).
#[pyfunction]
#[pyo3(signature = (record, /))]
pub(crate) fn record_as_marc8(
    py: Python<'_>,
    record: &Bound<'_, PyAny>,
) -> PyResult<Option<Encoded>> {
    let Ok(base) = record.cast::<RecordBase>() else {
        return Ok(None);
    };
    if !plain_record_type(base, &[])? {
        return Ok(None);
    }
    let mut writer = Marc8RecordWriter::new();
    if !walk_record(base, &mut writer)? {
        return Ok(None);
    }
    let (bytes, n) = writer.finish();
    Ok(Some((PyBytes::new(py, &bytes).unbind(), n)))
}

/// A MARC-8 record from plain parts: the leader text and, per field,
/// `(tag, data)` for a control field, `(tag, bytes)` for a field's own
/// bytes (a `RawField`), or `(tag, ind1, ind2, [(code, value), ...])`.
#[pyfunction]
#[pyo3(signature = (leader, fields, /))]
pub(crate) fn marc8_record_from_parts(
    py: Python<'_>,
    leader: &str,
    fields: &Bound<'_, PyList>,
) -> PyResult<Encoded> {
    let mut writer = Marc8RecordWriter::new();
    writer.leader(leader);
    for field in fields.iter() {
        let parts = field.cast::<PyTuple>()?;
        let tag: String = parts.get_item(0)?.extract()?;
        if parts.len() == 2 {
            let data = parts.get_item(1)?;
            if let Ok(raw) = data.cast::<PyBytes>() {
                writer.raw_field(&tag, raw.as_bytes());
            } else {
                writer.control_field(&tag, data.cast::<PyString>()?.to_str()?);
            }
            continue;
        }
        let ind1: String = parts.get_item(1)?.extract()?;
        let ind2: String = parts.get_item(2)?.extract()?;
        writer.begin_data_field(&tag, &ind1, &ind2);
        for sub in parts.get_item(3)?.try_iter()? {
            let (code, value): (String, String) = sub?.extract()?;
            writer.subfield(&code, &value);
        }
        writer.end_data_field();
    }
    let (bytes, n) = writer.finish();
    Ok((PyBytes::new(py, &bytes).unbind(), n))
}
