//! Turning a source's records into record batches: validated records go
//! straight from their bytes into the builder with the GIL released; the
//! records the native decoder leaves alone are decoded by pymarc's exact
//! Python path (as `MARCReader` decodes them) and walked in; rejected
//! records are counted, collected or raised, never dropped silently.

mod python;
mod summary;

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::options::{ErrorMode, ReaderOptions};
use super::parallel::{provenance, schedule, Built, Group, Work, IN_FLIGHT, MAX_BATCH_TEXT};
use super::source::Source;
use crate::reader::SIGNAL_INTERVAL;
use crate::record::walk_record;
use crate::record::RecordBase;
use pymrrc_columnar::{BatchBuilder, BufferPool, ColumnScan, TableShape, WideColumns};
use pymrrc_core::batch::{Item, Outcome, Validation};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::visit_fields;

/// Python-object records between two checks for Ctrl-C.
const SIGNAL_EVERY: usize = 512;

use python::walk_record_parts;

/// What a pool job built (`None`: the job is gone, a bug), waited for a
/// little at a time so that Ctrl-C is seen; on an interrupt, the error and
/// the receiver, the job still under way.
fn wait_for(
    py: Python<'_>,
    mut rx: Receiver<Built>,
) -> Result<Option<Built>, (PyErr, Receiver<Built>)> {
    loop {
        let (got, back) = py.detach(move || (rx.recv_timeout(SIGNAL_INTERVAL), rx));
        rx = back;
        match got {
            Ok(built) => return Ok(Some(built)),
            Err(RecvTimeoutError::Disconnected) => return Ok(None),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(err) = py.check_signals() {
                    return Err((err, rx));
                }
            }
        }
    }
}

pub(crate) use summary::{lock, SharedSummary};

/// Builds batches from one source.
pub(crate) struct Producer {
    source: Source,
    shape: TableShape,
    source_name: Option<String>,
    /// The builder of groups built here (with Python).
    builder: BatchBuilder,
    /// Builders back from the pool, for the next groups.
    spare_builders: Vec<BatchBuilder>,
    /// Where every builder's batches give their memory back.
    buffers: Arc<BufferPool>,
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
    /// Read and build every batch on the calling thread (see
    /// [`Producer::read_on_calling_thread`]).
    on_calling_thread: bool,
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
            spare_builders: Vec::new(),
            buffers: Arc::new(BufferPool::default()),
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
            on_calling_thread: false,
        };
        let shape = match shape {
            Some(shape) => shape,
            None => TableShape::Wide(producer.discover_columns(py)?),
        };
        producer.builder = BatchBuilder::new(shape.clone(), source_name.clone())
            .with_pool(Arc::clone(&producer.buffers));
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

    /// Reads a path (opened with `workers=1`) and builds every batch on
    /// the calling thread, with no thread of the reader's or the pool's:
    /// one core's work (`pymrrc.dask`'s tasks). Before the first batch.
    pub(crate) fn read_on_calling_thread(&mut self) {
        self.on_calling_thread = true;
        if let Source::Path(pipeline) = &mut self.source {
            pipeline.set_inline();
        }
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
        self.finish_batch(py).map(Some)
    }

    /// The builder's rows as a batch (built with the GIL released); they
    /// count as written.
    fn finish_batch(&mut self, py: Python<'_>) -> PyResult<RecordBatch> {
        let builder = &mut self.builder;
        let batch = py
            .detach(|| builder.finish())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        lock(&self.summary).written += self.in_batch as u64;
        self.in_batch = 0;
        Ok(batch)
    }

    /// The next batch of a byte source, built on the pool (or here, for a
    /// group with records that need Python); `None` at the end.
    fn next_from_bytes(&mut self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        loop {
            self.dispatch(py)?;
            let group = match self.work.pop_front() {
                None => return Ok(None),
                Some(Work::Sequential(group)) => group,
                Some(Work::Job(rx)) => match wait_for(py, rx) {
                    Err((interrupted, rx)) => {
                        // Not a failure of the stream: the batch is
                        // still under way for the next call.
                        self.work.push_front(Work::Job(rx));
                        return Err(interrupted);
                    }
                    Ok(Some(Built::Batch {
                        batch,
                        records,
                        rest,
                        builder,
                    })) => {
                        self.spare_builders.push(builder);
                        if let Some(rest) = rest {
                            self.work.push_front(Work::Sequential(rest));
                        }
                        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
                        lock(&self.summary).written += records as u64;
                        return Ok(Some(batch));
                    }
                    Ok(Some(Built::Sequential(group, builder))) => {
                        self.spare_builders.push(builder);
                        group
                    }
                    Ok(Some(Built::Panicked) | None) => {
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
            let builder = self.spare_builders.pop().unwrap_or_else(|| {
                BatchBuilder::new(self.shape.clone(), self.source_name.clone())
                    .with_pool(Arc::clone(&self.buffers))
            });
            if self.on_calling_thread {
                self.spare_builders.push(builder);
                self.work.push_back(Work::Sequential(group));
                continue;
            }
            let (work, unused) = schedule(builder, group, self.handling);
            self.spare_builders.extend(unused);
            self.work.push_back(work);
        }
        Ok(())
    }

    /// Builds a group here, with Python for the records that need it;
    /// `None` when none of its records made it into the batch. Records
    /// that do not fit in the batch (see [`MAX_BATCH_TEXT`]) are built
    /// next.
    fn build_group(&mut self, py: Python<'_>, group: Group) -> PyResult<Option<RecordBatch>> {
        let mut items: VecDeque<Item> = group.items.into();
        self.next_id = group.start_id;
        loop {
            let step = py.detach(|| self.append_items(&mut items));
            match step {
                Step::Python(item) => self.append_with_python(py, item)?,
                Step::Full => {
                    if !items.is_empty() {
                        let rest = Group {
                            items: items.drain(..).collect(),
                            start_id: self.next_id,
                        };
                        self.work.push_front(Work::Sequential(rest));
                    }
                    break;
                }
                Step::Empty => break,
            }
        }
        if self.in_batch == 0 {
            return Ok(None);
        }
        self.finish_batch(py).map(Some)
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
}
