//! `ReaderBase`: the engine under `pymrrc.reader.MARCReader`.
//!
//! Three sources, one protocol. A path is read by `pymrrc_core::pipeline`
//! (a producer thread and a pool of validating threads, no GIL).
//! `bytes`-like objects and file objects are framed and validated a batch
//! at a time with the GIL released; how a file object is asked for bytes
//! depends on the stream ([`source::Reads`]), and a seekable one is kept
//! where pymarc would leave it ([`position`]). Every source yields the same
//! `Item`s, turned into what `next()` returns by [`hand_out`]. The options
//! pymarc reads at every record are read at every record here too
//! ([`options`]).

mod fill;
mod hand_out;
mod options;
mod position;
mod source;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

pub(crate) use fill::{workers_from, SIGNAL_INTERVAL};
use hand_out::{claims_short_length, NativeCheck};
use options::{Opt, ReaderOptions};
use position::{Moves, Tracked};
use pymrrc_core::batch::Item;
use pymrrc_core::pipeline::PathPipeline;
use source::{FileSource, Reads, Source};

/// What `current_chunk` holds: nothing yet, a Python object, or record
/// bytes not yet copied into a `bytes` object.
enum Chunk {
    None,
    Object(Py<PyAny>),
    Pending(Arc<[u8]>),
}

/// Native reader state: the source, the options and pymarc's current
/// chunk/exception pair.
#[pyclass(subclass, module = "pymrrc._core")]
pub struct ReaderBase {
    source: Source,
    pending: VecDeque<Item>,
    finished: bool,
    options: ReaderOptions,
    chunk: Chunk,
    exception: Option<Py<PyAny>>,
    offset: Option<u64>,
    fatal: bool,
    tracked: Option<Tracked>,
    native_check: NativeCheck,
}

impl ReaderBase {
    /// The common case of a tracked stream, in one call on it: the next
    /// record was read ahead and the stream steps to its end (see
    /// [`Tracked::step_to`]). `None` where that does not apply.
    fn next_in_step(&mut self, py: Python<'_>) -> PyResult<Option<Item>> {
        let (Some(tracked), Some(item)) = (&mut self.tracked, self.pending.front()) else {
            return Ok(None);
        };
        if claims_short_length(&item.chunk) {
            return Ok(None);
        }
        let target = item.offset + item.chunk.len() as u64;
        if tracked.step_to(py, target)? {
            return Ok(self.pending.pop_front());
        }
        Ok(None)
    }

    /// If the caller moved the tracked stream since the last record, drops
    /// what was read ahead and continues from the new position.
    fn follow_caller_seek(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(tracked) = &mut self.tracked else {
            return Ok(());
        };
        let now = tracked.ask(py)?;
        if !tracked.found_at(now) {
            return Ok(());
        }
        self.pending.clear();
        self.finished = false;
        match &mut self.source {
            Source::Memory { pos, .. } => *pos = usize::try_from(now).unwrap_or(usize::MAX),
            Source::File(file) => file.restart_at(now),
            Source::Closed | Source::Path(_) => {}
        }
        Ok(())
    }

    /// One `next()`, after the signal check.
    fn next_record(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.fatal {
            return Err(PyStopIteration::new_err(()));
        }
        self.chunk = Chunk::None;
        self.exception = None;
        if self.options.refresh(py)? {
            if let Source::Path(pipeline) = &self.source {
                pipeline.set_validation(self.options.validation());
            }
        }
        if let Some(item) = self.next_in_step(py)? {
            self.offset = Some(item.offset);
            return self.hand_out(py, item);
        }
        self.follow_caller_seek(py)?;
        let next = self.next_item(py);
        let Some(item) = next? else {
            if let Source::File(file) = &mut self.source {
                file.turn.end_hand_out();
            }
            if let Some(tracked) = &mut self.tracked {
                if !matches!(tracked.moves, Moves::None) {
                    tracked.stand_at(py, tracked.between)?;
                }
            }
            self.chunk = Chunk::Object(PyBytes::new(py, b"").into_any().unbind());
            return Err(PyStopIteration::new_err(()));
        };
        self.offset = Some(item.offset);
        self.probe_short_length(py, &item)?;
        if let Some(tracked) = &mut self.tracked {
            tracked.finish_record(py, item.offset + item.chunk.len() as u64)?;
        }
        self.hand_out(py, item)
    }

    /// A new source: what was read ahead from the old one is dropped.
    fn replace_source(&mut self, py: Python<'_>, source: Source) {
        let old = std::mem::replace(&mut self.source, source);
        self.pending.clear();
        self.finished = false;
        if let Source::Path(pipeline) = old {
            // Joining the pipeline's threads may wait for a batch in progress.
            py.detach(move || drop(pipeline));
        }
    }
}

#[pymethods]
impl ReaderBase {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn py_new(
        py: Python<'_>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Self {
        Self {
            source: Source::Closed,
            pending: VecDeque::new(),
            finished: false,
            options: ReaderOptions::new(py),
            chunk: Chunk::None,
            exception: None,
            offset: None,
            fatal: false,
            tracked: None,
            native_check: NativeCheck::new(),
        }
    }

    /// Starts reading, or reads from a new source from now on. `kind` is
    /// "path", "memory" or "file"; `source` is the path, the `bytes`
    /// object, or the binary file object; `handle` is the `BytesIO` kept in
    /// step with a "memory" source; `reading` says how a file object is
    /// read: "seek", "buffer", "records" (seekable), "read1", "raw" or
    /// "exact" (not seekable), and `buffer_size` is a buffered file's own
    /// buffer size (see `pymrrc.reader._reading`). A path is read from
    /// `start` (where a record starts) up to the first record that starts
    /// at or after `stop`: one partition of the file.
    #[pyo3(signature = (kind, source, workers = None, handle = None, reading = "exact", buffer_size = None, start = 0, stop = None))]
    #[allow(clippy::too_many_arguments)]
    fn _start(
        &mut self,
        py: Python<'_>,
        kind: &str,
        source: &Bound<'_, PyAny>,
        workers: Option<&Bound<'_, PyAny>>,
        handle: Option<Py<PyAny>>,
        reading: &str,
        buffer_size: Option<usize>,
        start: u64,
        stop: Option<u64>,
    ) -> PyResult<()> {
        self.options.refresh(py)?;
        let workers = workers_from(workers)?;
        let (new_source, tracked) = match kind {
            "path" => {
                let path: PathBuf = source.extract()?;
                let validation = self.options.validation();
                let opened =
                    py.detach(|| PathPipeline::open_range(&path, validation, workers, start, stop));
                let pipeline =
                    opened.map_err(|err| crate::errors::os_error(py, &err, Some(source)))?;
                (Source::Path(pipeline), None)
            }
            "memory" => {
                // The BytesIO pymarc would read from: kept in step.
                let tracked = handle.map(|h| Tracked::new(h, 0, Moves::Seek));
                let data = source.clone().unbind();
                (Source::Memory { data, pos: 0 }, tracked)
            }
            "file" => {
                let (reads, moves) = Reads::from_name(reading)
                    .ok_or_else(|| PyValueError::new_err(format!("unknown reading {reading:?}")))?;
                let start = match moves {
                    Some(_) => source.call_method0(intern!(py, "tell"))?.extract::<u64>()?,
                    None => 0,
                };
                let tracked = moves.map(|m| Tracked::new(source.clone().unbind(), start, m));
                let file = FileSource {
                    handle: source.clone().unbind(),
                    buf: Vec::new(),
                    buf_offset: start,
                    eof: false,
                    reads,
                    buffer_size,
                    turn: pymrrc_core::turns::Turn::new(),
                };
                (Source::File(file), tracked)
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown source kind {other:?}"
                )))
            }
        };
        self.replace_source(py, new_source);
        self.tracked = tracked;
        Ok(())
    }

    /// Stops reading and releases what the reader opened itself.
    fn _close_source(&mut self, py: Python<'_>) {
        self.replace_source(py, Source::Closed);
        self.finished = true;
    }

    /// Reads a path on the calling thread instead of a thread of its own
    /// (`pymrrc.dask`'s tasks: one core each); only with `workers=1` and
    /// before the first record, else it does nothing.
    fn _read_on_calling_thread(&mut self) {
        if let Source::Path(pipeline) = &mut self.source {
            pipeline.set_inline();
        }
    }

    /// pymarc's `to_unicode`: read at every record.
    #[getter]
    fn get_to_unicode(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.get(py, Opt::ToUnicode)
    }

    #[setter]
    fn set_to_unicode(&mut self, value: Py<PyAny>) {
        self.options.set(Opt::ToUnicode, value);
    }

    /// pymarc's `force_utf8`: read at every record.
    #[getter]
    fn get_force_utf8(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.get(py, Opt::ForceUtf8)
    }

    #[setter]
    fn set_force_utf8(&mut self, value: Py<PyAny>) {
        self.options.set(Opt::ForceUtf8, value);
    }

    /// pymarc's `hide_utf8_warnings`: read at every record.
    #[getter]
    fn get_hide_utf8_warnings(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.get(py, Opt::HideUtf8Warnings)
    }

    #[setter]
    fn set_hide_utf8_warnings(&mut self, value: Py<PyAny>) {
        self.options.set(Opt::HideUtf8Warnings, value);
    }

    /// pymarc's `utf8_handling`: read at every record.
    #[getter]
    fn get_utf8_handling(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.get(py, Opt::Utf8Handling)
    }

    #[setter]
    fn set_utf8_handling(&mut self, value: Py<PyAny>) {
        self.options.set(Opt::Utf8Handling, value);
    }

    /// pymarc's `file_encoding`: read at every record.
    #[getter]
    fn get_file_encoding(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.get(py, Opt::FileEncoding)
    }

    #[setter]
    fn set_file_encoding(&mut self, value: Py<PyAny>) {
        self.options.set(Opt::FileEncoding, value);
    }

    /// The bytes of the record (or failed chunk) last read.
    #[getter]
    fn current_chunk(&mut self, py: Python<'_>) -> Py<PyAny> {
        match &self.chunk {
            Chunk::None => py.None(),
            Chunk::Object(o) => o.clone_ref(py),
            Chunk::Pending(bytes) => {
                let obj = PyBytes::new(py, bytes).into_any().unbind();
                self.chunk = Chunk::Object(obj.clone_ref(py));
                obj
            }
        }
    }

    /// The exception raised by the record last read, or `None`.
    #[getter]
    fn current_exception(&self, py: Python<'_>) -> Py<PyAny> {
        self.exception
            .as_ref()
            .map_or_else(|| py.None(), |e| e.clone_ref(py))
    }

    /// Byte offset where the record last read starts: the stream position
    /// for paths, `bytes` and seekable file objects; for a non-seekable
    /// stream, counted from where it stood when the reader was made.
    #[getter]
    fn current_offset(&self) -> Option<u64> {
        self.offset
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        // Run Python's signal handlers (Ctrl-C) first: in a loop driven
        // from C, such as `list(reader)`, no bytecode runs between records.
        py.check_signals()?;
        slf.try_borrow_mut()?.next_record(py)
    }
}
