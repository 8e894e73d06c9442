//! Turning a source's records into record batches: validated records go
//! straight from their bytes into the builder with the GIL released; the
//! records the native decoder leaves alone are decoded by pymarc's exact
//! Python path (as `MARCReader` decodes them) and walked in; rejected
//! records are counted, collected or raised, never dropped silently.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use super::options::{ErrorMode, ReaderOptions};
use super::parallel::{provenance, schedule, Built, Group, Work, IN_FLIGHT};
use super::source::Source;
use crate::errors::{emit_notes, exception_for, framing_exception};
use crate::pytypes::types;
use crate::record::walk_record;
use crate::record::RecordBase;
use pymrrc_columnar::{BatchBuilder, ColumnScan, Provenance, TableShape, WideColumns};
use pymrrc_core::batch::{Item, Outcome, Validation};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::{visit_fields, RecordSink};

/// A batch is finished before its text passes this many bytes (Arrow's
/// 32-bit offsets allow 2 GiB).
const MAX_BATCH_TEXT: usize = 1 << 30;
/// Python-object records between two checks for Ctrl-C.
const SIGNAL_EVERY: usize = 512;

/// A record the reader rejected (kept with `errors="collect"`).
pub(crate) struct Rejected {
    pub record_id: i64,
    pub offset: Option<u64>,
    pub chunk: Option<Py<PyAny>>,
    pub exception: Py<PyAny>,
}

/// What a conversion did: shared by the stream and its consumer.
#[derive(Default)]
pub(crate) struct Summary {
    pub written: u64,
    pub rejected: u64,
    pub reasons: BTreeMap<String, u64>,
    pub collected: Vec<Rejected>,
    /// The exception that ended the stream (`errors="raise"`, Ctrl-C, an
    /// I/O error), for callers that read the stream through Arrow's C
    /// interface and so only see its message.
    pub error: Option<PyErr>,
}

pub(crate) type SharedSummary = Arc<Mutex<Summary>>;

pub(crate) fn lock(summary: &SharedSummary) -> MutexGuard<'_, Summary> {
    summary
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Builds batches from one source.
pub(crate) struct Producer {
    source: Source,
    shape: TableShape,
    source_name: Option<String>,
    builder: BatchBuilder,
    /// Batches being built on the pool, in order.
    work: VecDeque<Work>,
    /// The id of the next record grouped for the pool.
    grouped: i64,
    pending: VecDeque<Item>,
    /// Python records read ahead (to find a wide table's columns).
    replay: VecDeque<Py<PyAny>>,
    next_id: i64,
    batch_size: usize,
    in_batch: usize,
    validation: Validation,
    handling: Utf8Handling,
    fallback_kwargs: Py<PyDict>,
    mode: ErrorMode,
    summary: SharedSummary,
    finished: bool,
    ended: bool,
}

/// Where the native loop stopped.
enum Step {
    /// The batch is full.
    Full,
    /// No items are left: read more.
    Empty,
    /// This item needs Python (a rejection or the exact decoder).
    Python(Item),
}

impl Producer {
    /// A producer; a wide layout without a selection (`shape` `None`)
    /// reads its first batch now and takes its columns from it. Record ids
    /// start at `first_id` (a partition's records before it in its file).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        py: Python<'_>,
        source: Source,
        shape: Option<TableShape>,
        source_name: Option<String>,
        batch_size: usize,
        mode: ErrorMode,
        options: ReaderOptions,
        first_id: i64,
    ) -> PyResult<Self> {
        let mut producer = Self {
            source,
            shape: TableShape::Long,
            source_name: None,
            builder: BatchBuilder::new(TableShape::Long, None),
            work: VecDeque::new(),
            grouped: first_id,
            pending: VecDeque::new(),
            replay: VecDeque::new(),
            next_id: first_id,
            batch_size: batch_size.max(1),
            in_batch: 0,
            validation: options.validation,
            handling: options.handling,
            fallback_kwargs: options.fallback_kwargs,
            mode,
            summary: SharedSummary::default(),
            finished: false,
            ended: false,
        };
        let shape = match shape {
            Some(shape) => shape,
            None => TableShape::Wide(producer.discover_columns(py)?),
        };
        producer.builder = BatchBuilder::new(shape.clone(), source_name.clone());
        producer.shape = shape;
        producer.source_name = source_name;
        Ok(producer)
    }

    pub(crate) fn summary(&self) -> SharedSummary {
        Arc::clone(&self.summary)
    }

    pub(crate) fn schema(&self) -> arrow_schema::SchemaRef {
        self.builder.schema()
    }

    /// Reads the first batch of records ahead and collects the columns
    /// they need.
    fn discover_columns(&mut self, py: Python<'_>) -> PyResult<WideColumns> {
        let mut scan = ColumnScan::default();
        if let Source::Records { iter, .. } = &self.source {
            let iter = iter.bind(py).clone();
            while self.replay.len() < self.batch_size {
                let Some(next) = iter.try_iter()?.next() else {
                    break;
                };
                let obj = next?;
                if let Ok(record) = obj.cast::<RecordBase>() {
                    // A walk stopped part-way only adds columns.
                    if !walk_record(record, &mut scan)? {
                        walk_record_parts(py, record, &mut scan)?;
                    }
                }
                self.replay.push_back(obj.unbind());
            }
            return Ok(WideColumns::discovered(&scan));
        }
        while self.pending.len() < self.batch_size && !self.finished {
            self.finished = self.source.fill(py, &self.validation, &mut self.pending)?;
            py.check_signals()?;
        }
        let handling = self.handling;
        let pending = &self.pending;
        py.detach(|| {
            for item in pending {
                let (text, layout, handling) = match &item.outcome {
                    Outcome::Record(layout) => (&item.chunk, layout, handling),
                    Outcome::Transcoded { text, layout } => (text, layout, Utf8Handling::Strict),
                    _ => continue,
                };
                let _ = visit_fields(text, layout, handling, &mut scan);
            }
        });
        Ok(WideColumns::discovered(&scan))
    }

    fn batch_full(&self) -> bool {
        self.in_batch >= self.batch_size || self.builder.text_bytes() >= MAX_BATCH_TEXT
    }

    /// The next batch, `None` at the end.
    pub(crate) fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        if self.ended {
            return Ok(None);
        }
        if matches!(self.source, Source::Records { .. }) {
            self.fill_from_records(py)?;
        } else if let Some(batch) = self.next_from_bytes(py)? {
            return Ok(Some(batch));
        }
        if self.in_batch == 0 {
            self.ended = true;
            self.source = Source::Done;
            let rejected = lock(&self.summary).rejected;
            if rejected > 0 && self.mode == ErrorMode::Skip {
                let reasons = PyDict::new(py);
                for (k, v) in &lock(&self.summary).reasons {
                    reasons.set_item(k, v)?;
                }
                py.import("pymrrc.columnar")?
                    .call_method1("_warn_rejected", (rejected, reasons))?;
            }
            return Ok(None);
        }
        let builder = &mut self.builder;
        let batch = py
            .detach(|| builder.finish())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        lock(&self.summary).written += self.in_batch as u64;
        self.in_batch = 0;
        Ok(Some(batch))
    }

    /// The next batch of a byte source, built on the pool (or here, for a
    /// group with records that need Python); `None` at the end.
    fn next_from_bytes(&mut self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        loop {
            self.dispatch(py)?;
            let group = match self.work.pop_front() {
                None => return Ok(None),
                Some(Work::Sequential(group)) => group,
                Some(Work::Job(rx)) => match py.detach(move || rx.recv()) {
                    Ok(Built::Batch(batch, records)) => {
                        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
                        lock(&self.summary).written += records as u64;
                        return Ok(Some(batch));
                    }
                    Ok(Built::Sequential(group)) => group,
                    Ok(Built::Panicked) | Err(_) => {
                        self.ended = true;
                        return Err(PyRuntimeError::new_err(
                            "pymrrc: building a record batch failed (a bug; please report it)",
                        ));
                    }
                },
            };
            if let Some(batch) = self.build_group(py, group)? {
                return Ok(Some(batch));
            }
        }
    }

    /// Groups the next records into batches for the pool, keeping
    /// [`IN_FLIGHT`] of them under way.
    fn dispatch(&mut self, py: Python<'_>) -> PyResult<()> {
        while self.work.len() < IN_FLIGHT {
            while self.pending.len() < self.batch_size && !self.finished {
                self.finished = self.source.fill(py, &self.validation, &mut self.pending)?;
                py.check_signals()?;
            }
            let n = self.pending.len().min(self.batch_size);
            if n == 0 {
                return Ok(());
            }
            let group = Group {
                items: self.pending.drain(..n).collect(),
                start_id: self.grouped,
            };
            self.grouped += n as i64;
            let work = schedule(
                &self.shape,
                self.source_name.as_deref(),
                group,
                self.handling,
            );
            self.work.push_back(work);
        }
        Ok(())
    }

    /// Builds a group here, with Python for the records that need it;
    /// `None` when none of its records made it into the batch.
    fn build_group(&mut self, py: Python<'_>, group: Group) -> PyResult<Option<RecordBatch>> {
        let mut items: VecDeque<Item> = group.items.into();
        self.next_id = group.start_id;
        loop {
            let step = py.detach(|| self.append_items(&mut items));
            match step {
                Step::Python(item) => self.append_with_python(py, item)?,
                Step::Full | Step::Empty => break,
            }
        }
        if self.in_batch == 0 {
            return Ok(None);
        }
        let builder = &mut self.builder;
        let batch = py
            .detach(|| builder.finish())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        lock(&self.summary).written += self.in_batch as u64;
        self.in_batch = 0;
        Ok(Some(batch))
    }

    /// Appends items that need no Python.
    fn append_items(&mut self, items: &mut VecDeque<Item>) -> Step {
        loop {
            if self.batch_full() {
                return Step::Full;
            }
            let Some(item) = items.pop_front() else {
                return Step::Empty;
            };
            if !item.notes.is_empty() {
                // pymarc's log lines for this record come first.
                return Step::Python(item);
            }
            let prov = provenance(&item);
            let appended = match &item.outcome {
                Outcome::Record(layout) => self
                    .builder
                    .append_layout(self.next_id, prov, &item.chunk, layout, self.handling)
                    .is_ok(),
                Outcome::Transcoded { text, layout } => self
                    .builder
                    .append_layout(self.next_id, prov, text, layout, Utf8Handling::Strict)
                    .is_ok(),
                _ => false,
            };
            if !appended {
                return Step::Python(item);
            }
            self.next_id += 1;
            self.in_batch += 1;
        }
    }

    /// A rejected record, one for the exact Python decoder, or one on
    /// which pymarc logs (as `MARCReader` does, before the record).
    fn append_with_python(&mut self, py: Python<'_>, item: Item) -> PyResult<()> {
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
    fn append_python_record(
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
    fn fill_from_records(&mut self, py: Python<'_>) -> PyResult<()> {
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
    fn reject_none(&mut self, py: Python<'_>, id: i64, origin: &Bound<'_, PyAny>) -> PyResult<()> {
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

    /// Counts a rejected record; raises or keeps it as the mode says.
    fn reject(
        &mut self,
        id: i64,
        offset: Option<u64>,
        chunk: Option<Bound<'_, PyAny>>,
        exc: Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let reason = exc.get_type().name()?.to_string();
        // Extra context in new attributes only; str(exc) stays pymarc's.
        let _ = exc.setattr("record_id", id);
        let _ = exc.setattr("offset", offset);
        let mut summary = lock(&self.summary);
        summary.rejected += 1;
        *summary.reasons.entry(reason).or_default() += 1;
        match self.mode {
            ErrorMode::Skip => Ok(()),
            ErrorMode::Collect => {
                summary.collected.push(Rejected {
                    record_id: id,
                    offset,
                    chunk: chunk.map(Bound::unbind),
                    exception: exc.unbind(),
                });
                Ok(())
            }
            ErrorMode::Raise => {
                drop(summary);
                let at = offset.map_or_else(String::new, |o| format!(" at byte offset {o}"));
                let note = format!("pymrrc: record {id}{at}");
                if exc.hasattr("add_note")? {
                    exc.call_method1("add_note", (note,))?;
                }
                self.ended = true;
                Err(PyErr::from_value(exc))
            }
        }
    }
}

/// Walks a record into `sink` through `Record`'s own Python API (for
/// records whose fields are not plain `Field` objects).
fn walk_record_parts<S: RecordSink>(
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
