//! The records of a source that need Python: rejected ones, those for
//! pymarc's exact decoder (or on which pymarc logs), and an iterable of
//! `Record` objects walked into the batch.

use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use super::{Producer, SIGNAL_EVERY};
use crate::columnar::parallel::provenance;
use crate::columnar::source::Source;
use crate::errors::{emit_notes, exception_for, framing_exception};
use crate::pytypes::types;
use crate::record::walk_record;
use crate::record::RecordBase;
use pymrrc_columnar::Provenance;
use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::RecordSink;

impl Producer {
    /// A rejected record, one for the exact Python decoder, or one on
    /// which pymarc logs (as `MARCReader` does, before the record).
    pub(super) fn append_with_python(&mut self, py: Python<'_>, item: Item) -> PyResult<()> {
        let id = self.next_id;
        self.next_id += 1;
        let chunk = PyBytes::new(py, &item.chunk).into_any();
        let offset = Some(item.offset);
        emit_notes(py, &item.notes, &chunk)?;
        let prov = provenance(&item);
        let appended = match &item.outcome {
            Outcome::Record(layout) => self
                .builder
                .append_layout(id, prov, &item.chunk, layout, self.handling)
                .is_ok(),
            Outcome::Transcoded { text, layout } => self
                .builder
                .append_layout(id, prov, text, layout, Utf8Handling::Strict)
                .is_ok(),
            _ => false,
        };
        if appended {
            self.in_batch += 1;
            return Ok(());
        }
        match &item.outcome {
            Outcome::Invalid(err) => {
                let exc = exception_for(py, err, &chunk)?;
                return self.reject(id, offset, Some(chunk), exc);
            }
            Outcome::Fatal(kind) => {
                self.finished = true;
                self.pending.clear();
                let exc = framing_exception(py, *kind)?;
                return self.reject(id, offset, Some(chunk), exc);
            }
            _ => {}
        }
        let kwargs = self.fallback_kwargs.bind(py).clone();
        match types(py)?.record.bind(py).call((&chunk,), Some(&kwargs)) {
            Ok(record) => {
                self.append_python_record(py, id, provenance(&item), &record)?;
                self.in_batch += 1;
                Ok(())
            }
            // As MARCReader: `Exception`s reject the record; anything else
            // (KeyboardInterrupt, SystemExit) propagates.
            Err(err) if err.is_instance_of::<PyException>(py) => {
                let exc = err.into_value(py).into_bound(py).into_any();
                self.reject(id, offset, Some(chunk), exc)
            }
            Err(err) => Err(err),
        }
    }

    /// Walks a Python `Record` into the batch.
    pub(super) fn append_python_record(
        &mut self,
        py: Python<'_>,
        id: i64,
        prov: Provenance,
        record: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let record = record.cast::<RecordBase>().map_err(|_| {
            PyTypeError::new_err(format!(
                "to_arrow needs Record objects, not {}",
                record
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        self.builder.begin_record(id, prov);
        let walked = walk_record(record, &mut self.builder).and_then(|plain| {
            if !plain {
                // Not plain Field objects: start again through Python.
                self.builder.rollback();
                self.builder.begin_record(id, prov);
                walk_record_parts(py, record, &mut self.builder)?;
            }
            Ok(())
        });
        match walked {
            Ok(()) => {
                self.builder.end_record();
                Ok(())
            }
            Err(err) => {
                self.builder.rollback();
                Err(err)
            }
        }
    }

    /// Fills the batch from an iterable of Python records.
    pub(super) fn fill_from_records(&mut self, py: Python<'_>) -> PyResult<()> {
        let Source::Records { origin, iter } = &self.source else {
            return Ok(());
        };
        let (origin, iter) = (origin.clone_ref(py), iter.clone_ref(py));
        let iter = iter.bind(py);
        let mut seen = 0usize;
        while !self.batch_full() {
            let obj = match self.replay.pop_front() {
                Some(obj) => obj.into_bound(py),
                None if self.finished => break,
                None => match iter.try_iter()?.next() {
                    Some(obj) => obj?,
                    None => {
                        self.finished = true;
                        break;
                    }
                },
            };
            let id = self.next_id;
            self.next_id += 1;
            if obj.is_none() {
                self.reject_none(py, id, origin.bind(py))?;
            } else {
                self.append_python_record(py, id, Provenance::default(), &obj)?;
                self.in_batch += 1;
            }
            seen += 1;
            if seen % SIGNAL_EVERY == 0 {
                py.check_signals()?;
            }
        }
        Ok(())
    }

    /// A `None` from the iterable: a record a `MARCReader` rejected.
    pub(super) fn reject_none(
        &mut self,
        py: Python<'_>,
        id: i64,
        origin: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let attr = |name: &str| origin.getattr(name).ok().filter(|v| !v.is_none());
        let exc = match attr("current_exception") {
            Some(exc) => exc,
            None => PyTypeError::new_err("to_arrow needs Record objects, not None")
                .into_value(py)
                .into_bound(py)
                .into_any(),
        };
        let offset = attr("current_offset").and_then(|o| o.extract::<u64>().ok());
        let chunk = attr("current_chunk");
        self.reject(id, offset, chunk, exc)
    }
}

/// Walks a record into `sink` through `Record`'s own Python API (for
/// records whose fields are not plain `Field` objects).
pub(super) fn walk_record_parts<S: RecordSink>(
    py: Python<'_>,
    record: &Bound<'_, RecordBase>,
    sink: &mut S,
) -> PyResult<()> {
    let parts = py
        .import("pymrrc.columnar")?
        .call_method1("_record_parts", (record,))?;
    let (leader, fields): (String, Bound<'_, PyList>) = parts.extract()?;
    sink.leader(&leader);
    for field in fields.iter() {
        let field = field.cast_into::<PyTuple>()?;
        let tag: String = field.get_item(0)?.extract()?;
        let data: Option<String> = field.get_item(3)?.extract()?;
        if let Some(data) = data {
            sink.control_field(&tag, &data);
            continue;
        }
        let ind1: String = field.get_item(1)?.extract()?;
        let ind2: String = field.get_item(2)?.extract()?;
        sink.begin_data_field(&tag, &ind1, &ind2);
        let subfields: Vec<(String, String)> = field.get_item(4)?.extract()?;
        for (code, value) in &subfields {
            sink.subfield(code, value);
        }
        sink.end_data_field();
    }
    Ok(())
}
