//! `ReaderBase`: the engine under `pymrrc.reader.MARCReader`.
//!
//! Three sources, one protocol. A path is read by `pymrrc_core::pipeline`
//! (a producer thread and a rayon pool, no GIL). `bytes`-like objects and
//! file objects are framed and validated a batch at a time with the GIL
//! released; a file object is asked for one large `read()` per batch. Every
//! source yields the same `Item`s, turned here into lazy `Record`s, `None`
//! with pymarc's `current_exception`/`current_chunk`, or a call of the exact
//! Python decoder.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyException, PyStopIteration, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};

use crate::errors::{emit_notes, exception_for, framing_exception};
use crate::materialize::LazyRecord;
use crate::pytypes::{new_instance, types};
use crate::record::RecordBase;
use crate::text::truthy;
use pymrrc_core::batch::{frame_batch, Item, Outcome, Validation};
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::framing::bytes_wanted;
use pymrrc_core::pipeline::{PathPipeline, Workers, BATCH_RECORDS, READ_SIZE};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::{Layout, Note};

enum Source {
    Closed,
    Path(PathPipeline),
    Memory { data: Py<PyAny>, pos: usize },
    File(FileSource),
}

/// A seekable stream the reader keeps where pymarc would leave it: at the
/// end of the record last returned. If the caller moves it between records,
/// reading resumes from the new position, as with pymarc.
struct Tracked {
    handle: Py<PyAny>,
    /// Where the stream should stand if nobody moved it.
    expected: u64,
    /// How the stream is moved to the end of each record.
    moves: Moves,
}

/// How a tracked stream is brought to the end of each record returned.
enum Moves {
    /// `seek()`: cheap, and the GIL stays held (`BytesIO`), or a system
    /// call (`FileIO`).
    Seek,
    /// A buffered file (`open(path, "rb")`): its `seek()` is a system
    /// call, which releases the GIL, unless the target lies in its buffer.
    /// The reader fills that buffer with `peek()` (one `read()` system call
    /// per buffer, about four records) and seeks within it, so threads hand
    /// the GIL to each other a quarter as often. Holds the stream range
    /// the buffer is known to cover.
    Window(Option<(u64, u64)>),
    /// Read one record at a time, so the stream already stands at its end:
    /// for streams whose backward `seek()` may be costly (a `GzipFile`
    /// rewinds and decompresses from the start).
    None,
}

/// How a file object is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// Large reads, many records per batch, decoded with the GIL released.
    Ahead,
    /// Exactly the bytes of the next record (five, then the rest), as
    /// pymarc reads them; decoded with the GIL held.
    Exact,
}

/// A Python file object, read in large batches.
struct FileSource {
    handle: Py<PyAny>,
    buf: Vec<u8>,
    /// Stream position of `buf[0]`.
    buf_offset: u64,
    eof: bool,
    /// Whether the stream is put back at the end of each record returned.
    seekable: bool,
    reads: Reads,
}

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
    validation: Validation,
    to_unicode: Option<Py<PyAny>>,
    force_utf8: Option<Py<PyAny>>,
    fallback_kwargs: Option<Py<PyDict>>,
    chunk: Chunk,
    exception: Option<Py<PyAny>>,
    offset: Option<u64>,
    fatal: bool,
    tracked: Option<Tracked>,
}

fn workers_from(workers: Option<isize>) -> PyResult<Workers> {
    match workers {
        None => Ok(Workers::Default),
        Some(1) => Ok(Workers::One),
        Some(n) if n > 1 => Ok(Workers::Pool(usize::try_from(n).unwrap_or(1))),
        Some(n) => Err(PyValueError::new_err(format!(
            "workers must be at least 1, got {n}"
        ))),
    }
}

impl ReaderBase {
    /// Refills `pending` with the next batch; sets `finished` at the end.
    fn fill(&mut self, py: Python<'_>) -> PyResult<()> {
        let validation = self.validation;
        match &mut self.source {
            Source::Closed => self.finished = true,
            Source::Path(pipeline) => match py.detach(|| pipeline.next_batch()) {
                Some(Ok(items)) => self.pending.extend(items),
                Some(Err(err)) => {
                    self.finished = true;
                    return Err(crate::errors::os_error(py, &err, None));
                }
                None => self.finished = true,
            },
            Source::Memory { data, pos } => {
                let bound = data.bind(py);
                let all: &[u8] = bound.cast::<PyBytes>()?.as_bytes();
                let rest = &all[(*pos).min(all.len())..];
                let offset = *pos as u64;
                let (items, used, done) = py.detach(|| {
                    let batch = frame_batch(rest, offset, true, BATCH_RECORDS);
                    (batch.decode(rest, &validation), batch.used, batch.done)
                });
                *pos += used;
                self.finished = done || items.is_empty();
                self.pending.extend(items);
            }
            Source::File(file) => loop {
                let offset = file.buf_offset;
                let (eof, buf) = (file.eof, &file.buf);
                let decode = || {
                    let batch = frame_batch(buf, offset, eof, BATCH_RECORDS);
                    (batch.decode(buf, &validation), batch.used, batch.done)
                };
                // One record at a time: releasing the GIL for each would
                // cost more than decoding it.
                let (items, used, done) = match file.reads {
                    Reads::Ahead => py.detach(decode),
                    Reads::Exact => decode(),
                };
                file.buf.drain(..used);
                file.buf_offset += used as u64;
                if done {
                    self.finished = true;
                }
                if !items.is_empty() || done {
                    self.pending.extend(items);
                    break;
                }
                file.read_more(py)?;
                if let Some(Tracked {
                    moves: Moves::Window(window),
                    ..
                }) = &mut self.tracked
                {
                    *window = None;
                }
            },
        }
        Ok(())
    }

    fn next_item(&mut self, py: Python<'_>) -> PyResult<Option<Item>> {
        while self.pending.is_empty() && !self.finished {
            self.fill(py)?;
        }
        Ok(self.pending.pop_front())
    }
}

impl FileSource {
    /// One `read()` call on the Python object, appended to the buffer.
    fn read_more(&mut self, py: Python<'_>) -> PyResult<()> {
        let handle = self.handle.bind(py);
        let want = match self.reads {
            Reads::Ahead => {
                if self.seekable {
                    let end = self.buf_offset + self.buf.len() as u64;
                    handle.call_method1(intern!(py, "seek"), (end,))?;
                }
                bytes_wanted(&self.buf).unwrap_or(READ_SIZE).max(READ_SIZE)
            }
            Reads::Exact => bytes_wanted(&self.buf).unwrap_or(READ_SIZE),
        };
        let got = handle.call_method1(intern!(py, "read"), (want,))?;
        let before = self.buf.len();
        if let Ok(b) = got.cast::<PyBytes>() {
            self.buf.extend_from_slice(b.as_bytes());
        } else if let Ok(b) = got.cast::<PyByteArray>() {
            self.buf.extend_from_slice(&b.to_vec());
        } else if got.is_none() {
            // pymarc treats a None from read() as the end of the data.
            self.eof = true;
            return Ok(());
        } else {
            return Err(PyTypeError::new_err(format!(
                "MARCReader needs a binary file object; read() returned {}",
                got.get_type().name()?
            )));
        }
        let added = self.buf.len() - before;
        // pymarc takes a short read for the end of the data (a truncated
        // record); reading ahead, only an empty read ends it.
        if added == 0 || (self.reads == Reads::Exact && added < want) {
            self.eof = true;
        }
        Ok(())
    }
}

impl Tracked {
    /// Moves the stream to `target`, the end of the record being returned.
    fn move_to(&mut self, py: Python<'_>, target: u64) -> PyResult<()> {
        let handle = self.handle.bind(py);
        match &mut self.moves {
            Moves::None => {}
            Moves::Seek => {
                handle.call_method1(intern!(py, "seek"), (target,))?;
            }
            Moves::Window(window) => {
                // `window`: the stream range its buffer holds, with the
                // stream inside it; `None` after anything else moved it.
                let mut held = window.filter(|_| target > self.expected);
                if let Some((start, end)) = held {
                    if target > end {
                        // Go to the end of what the buffer holds (no system
                        // call), then have the stream refill its buffer.
                        if start <= self.expected && self.expected < end {
                            handle.call_method1(intern!(py, "seek"), (end,))?;
                            self.expected = end;
                        }
                        let from = self.expected;
                        let len = handle.call_method1(intern!(py, "peek"), (1,))?.len()? as u64;
                        // A record longer than the buffer: an ordinary seek.
                        held = Some((from, from + len)).filter(|&(_, end)| target <= end);
                    }
                }
                handle.call_method1(intern!(py, "seek"), (target,))?;
                // After an ordinary seek the buffer is empty: the stream
                // stands at `target` and holds nothing beyond it.
                *window = Some(held.unwrap_or((target, target)));
            }
        }
        self.expected = target;
        Ok(())
    }
}

#[pymethods]
impl ReaderBase {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn py_new(
        _args: &Bound<'_, pyo3::types::PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Self {
        Self {
            source: Source::Closed,
            pending: VecDeque::new(),
            finished: false,
            validation: None,
            to_unicode: None,
            force_utf8: None,
            fallback_kwargs: None,
            chunk: Chunk::None,
            exception: None,
            offset: None,
            fatal: false,
            tracked: None,
        }
    }

    /// Starts reading. `kind` is "path", "memory" or "file"; `source` is the
    /// path, the `bytes` object, or the binary file object.
    #[pyo3(signature = (kind, source, workers, to_unicode, force_utf8, hide_utf8_warnings, utf8_handling, file_encoding, handle = None, positioning = "exact"))]
    #[allow(clippy::too_many_arguments)]
    fn _start(
        &mut self,
        py: Python<'_>,
        kind: &str,
        source: &Bound<'_, PyAny>,
        workers: Option<isize>,
        to_unicode: &Bound<'_, PyAny>,
        force_utf8: &Bound<'_, PyAny>,
        hide_utf8_warnings: &Bound<'_, PyAny>,
        utf8_handling: &Bound<'_, PyAny>,
        file_encoding: &Bound<'_, PyAny>,
        handle: Option<Py<PyAny>>,
        positioning: &str,
    ) -> PyResult<()> {
        let handling = utf8_handling
            .cast_exact::<PyString>()
            .ok()
            .and_then(|s| s.to_str().ok().and_then(Utf8Handling::from_name));
        // pymarc decodes non-UTF-8 text as MARC-8 only when file_encoding
        // is exactly 'iso8859-1' (its default); other values stay with the
        // Python decoder.
        let hide = truthy(hide_utf8_warnings).ok();
        let marc8 = hide.is_some() && crate::text::plain_text(file_encoding) == Some("iso8859-1");
        self.validation = match handling {
            Some(h) if truthy(to_unicode)? => Some(DecodeOptions {
                force_utf8: truthy(force_utf8)?,
                to_unicode: true,
                utf8_handling: h,
                marc8,
                hide_utf8_warnings: hide.unwrap_or(false),
            }),
            _ => None,
        };
        let workers = workers_from(workers)?;
        self.source = match kind {
            "path" => {
                let path: PathBuf = source.extract()?;
                let validation = self.validation;
                let opened = py.detach(|| PathPipeline::open(&path, validation, workers));
                Source::Path(opened.map_err(|err| crate::errors::os_error(py, &err, Some(source)))?)
            }
            "memory" => {
                // The BytesIO pymarc would read from: kept in step.
                self.tracked = handle.map(|h| Tracked {
                    handle: h,
                    expected: 0,
                    moves: Moves::Seek,
                });
                Source::Memory {
                    data: source.clone().unbind(),
                    pos: 0,
                }
            }
            _ => {
                let seekable = source
                    .call_method0("seekable")
                    .and_then(|s| s.is_truthy())
                    .unwrap_or(false);
                let buf_offset = if seekable {
                    source.call_method0(intern!(py, "tell"))?.extract::<u64>()?
                } else {
                    0
                };
                // `positioning` is how a seekable stream is kept at the end
                // of each record: "seek", "window" (a buffered file) or
                // "exact" (read record by record; the default, safe for any
                // stream). Streams that cannot seek are read ahead freely.
                let (moves, reads) = match positioning {
                    _ if !seekable => (Moves::None, Reads::Ahead),
                    "seek" => (Moves::Seek, Reads::Ahead),
                    "window" => (Moves::Window(None), Reads::Ahead),
                    _ => (Moves::None, Reads::Exact),
                };
                if seekable {
                    self.tracked = Some(Tracked {
                        handle: source.clone().unbind(),
                        expected: buf_offset,
                        moves,
                    });
                }
                Source::File(FileSource {
                    handle: source.clone().unbind(),
                    buf: Vec::new(),
                    buf_offset,
                    eof: false,
                    seekable,
                    reads,
                })
            }
        };
        let kwargs = PyDict::new(py);
        kwargs.set_item("to_unicode", to_unicode)?;
        kwargs.set_item("force_utf8", force_utf8)?;
        kwargs.set_item("hide_utf8_warnings", hide_utf8_warnings)?;
        kwargs.set_item("utf8_handling", utf8_handling)?;
        kwargs.set_item("file_encoding", file_encoding)?;
        self.fallback_kwargs = Some(kwargs.unbind());
        self.to_unicode = Some(to_unicode.clone().unbind());
        self.force_utf8 = Some(force_utf8.clone().unbind());
        Ok(())
    }

    /// Stops reading and releases what the reader opened itself.
    fn _close_source(&mut self, py: Python<'_>) {
        let source = std::mem::replace(&mut self.source, Source::Closed);
        // Joining the pipeline's threads may wait for a batch in progress.
        py.detach(move || drop(source));
        self.pending.clear();
        self.finished = true;
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

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.fatal {
            return Err(PyStopIteration::new_err(()));
        }
        self.chunk = Chunk::None;
        self.exception = None;
        if let Some(item) = self.next_in_step(py)? {
            self.offset = Some(item.offset);
            return self.hand_out(py, item);
        }
        self.follow_caller_seek(py)?;
        let next = self.next_item(py);
        if next.is_err() {
            self.restore_tracked_position(py);
        }
        let Some(item) = next? else {
            self.chunk = Chunk::Object(PyBytes::new(py, b"").into_any().unbind());
            return Err(PyStopIteration::new_err(()));
        };
        self.offset = Some(item.offset);
        self.probe_short_length(py, &item)?;
        if let Some(tracked) = &mut self.tracked {
            tracked.move_to(py, item.offset + item.chunk.len() as u64)?;
        }
        self.hand_out(py, item)
    }
}

impl ReaderBase {
    /// The common case of a tracked stream, in one call on it: the next
    /// record was read ahead, and the stream, if nobody moved it, can be
    /// brought to that record's end by a relative `seek()` that makes no
    /// system call. The position that `seek()` returns also tells whether
    /// the caller moved the stream: if so, the stream is put back where the
    /// caller left it and `None` is returned, as it is whenever this path
    /// does not apply; `__next__` then takes the general path.
    fn next_in_step(&mut self, py: Python<'_>) -> PyResult<Option<Item>> {
        let (Some(tracked), Some(item)) = (&mut self.tracked, self.pending.front()) else {
            return Ok(None);
        };
        if claims_short_length(&item.chunk) {
            return Ok(None);
        }
        let target = item.offset + item.chunk.len() as u64;
        let Some(step) = target.checked_sub(tracked.expected) else {
            return Ok(None);
        };
        let in_buffer = match tracked.moves {
            Moves::Seek => true,
            Moves::Window(Some((start, end))) => start <= tracked.expected && target <= end,
            Moves::Window(None) | Moves::None => false,
        };
        if !in_buffer {
            return Ok(None);
        }
        let handle = tracked.handle.bind(py);
        let landed = match handle
            .call_method1(intern!(py, "seek"), (step, 1))
            .and_then(|pos| pos.extract::<u64>())
        {
            Ok(landed) => landed,
            // A stream that fails here is left to the general path, which
            // asks it again and reports the error as pymarc would; an
            // interrupt (KeyboardInterrupt, SystemExit) is not an error of
            // the stream, and goes straight to the caller.
            Err(err) if err.is_instance_of::<PyException>(py) => return Ok(None),
            Err(err) => return Err(err),
        };
        if landed == target {
            tracked.expected = target;
            return Ok(self.pending.pop_front());
        }
        // Moved by the caller to `landed - step`: go back there.
        handle.call_method1(intern!(py, "seek"), (landed.saturating_sub(step),))?;
        Ok(None)
    }

    /// A length field below 4 makes pymarc call `read()` with a size below
    /// -1, which some streams refuse (`ValueError` from a real file) and
    /// others treat as "read everything" (`BytesIO`). Ask the stream the
    /// same question, so that the same error comes out of `next()`.
    fn probe_short_length(&mut self, py: Python<'_>, item: &Item) -> PyResult<()> {
        let Source::File(file) = &self.source else {
            return Ok(());
        };
        if !claims_short_length(&item.chunk) {
            return Ok(());
        }
        let Some(head) = item.chunk.get(..5) else {
            return Ok(());
        };
        match pymrrc_core::text::parse_py_int(head) {
            Some(claimed) if claimed < 4 => {
                self.chunk = Chunk::Object(PyBytes::new(py, head).into_any().unbind());
                let handle = file.handle.bind(py);
                if file.seekable {
                    handle.call_method1(intern!(py, "seek"), (item.offset + 5,))?;
                }
                handle.call_method1(intern!(py, "read"), (claimed - 5,))?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// After a failed `read()` (or `seek()`), puts a tracked stream back at
    /// the end of the last record returned, where pymarc's failed `read(5)`
    /// leaves it; otherwise the next call would take the read-ahead seek
    /// for a move by the caller and frame from the wrong place. A stream
    /// read record by record also forgets the part of the record it had,
    /// so that the next call reads the whole record again. A failure of
    /// this seek too is left for the next call to meet.
    fn restore_tracked_position(&mut self, py: Python<'_>) {
        let Some(tracked) = &self.tracked else {
            return;
        };
        let _ = tracked
            .handle
            .bind(py)
            .call_method1(intern!(py, "seek"), (tracked.expected,));
        if let Source::File(file) = &mut self.source {
            if file.reads == Reads::Exact {
                file.buf.clear();
                file.buf_offset = tracked.expected;
                file.eof = false;
            }
        }
    }

    /// If the caller moved the tracked stream since the last record, drops
    /// what was read ahead and continues from the new position.
    fn follow_caller_seek(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(tracked) = &self.tracked else {
            return Ok(());
        };
        let handle = tracked.handle.bind(py);
        // A buffered file's `tell()` always asks the OS (a system call that
        // releases the GIL); `seek(0, 1)` answers from its buffer.
        let asked = match tracked.moves {
            Moves::Window(_) => handle.call_method1(intern!(py, "seek"), (0, 1)),
            Moves::Seek | Moves::None => handle.call_method0(intern!(py, "tell")),
        };
        let now: u64 = match asked {
            Ok(pos) => pos.extract()?,
            Err(err) => {
                // A closed stream: give the error pymarc's read(5) gives.
                handle.call_method1(intern!(py, "read"), (5,))?;
                return Err(err);
            }
        };
        if now == tracked.expected {
            return Ok(());
        }
        self.pending.clear();
        self.finished = false;
        match &mut self.source {
            Source::Memory { pos, .. } => *pos = usize::try_from(now).unwrap_or(usize::MAX),
            Source::File(file) => {
                file.buf.clear();
                file.buf_offset = now;
                file.eof = false;
            }
            Source::Closed | Source::Path(_) => {}
        }
        if let Some(tracked) = &mut self.tracked {
            tracked.expected = now;
            if let Moves::Window(window) = &mut tracked.moves {
                *window = None;
            }
        }
        Ok(())
    }

    /// A lazy `Record` over `text` (the chunk itself, or a MARC-8 chunk's
    /// UTF-8 transcoding); `current_chunk` becomes the original chunk.
    fn lazy_record(
        &mut self,
        py: Python<'_>,
        chunk: Arc<[u8]>,
        notes: &[Note],
        text: Arc<[u8]>,
        layout: Layout,
        handling: Utf8Handling,
    ) -> PyResult<Py<PyAny>> {
        if !notes.is_empty() {
            emit_notes(py, notes, PyBytes::new(py, &chunk).as_any())?;
        }
        self.chunk = Chunk::Pending(chunk);
        let lazy = LazyRecord {
            bytes: text,
            layout,
            handling,
        };
        let t = types(py)?;
        let record = new_instance(py, t.record.bind(py))?;
        let to_unicode = self
            .to_unicode
            .as_ref()
            .map_or_else(|| py.None(), |o| o.clone_ref(py));
        let force = self
            .force_utf8
            .as_ref()
            .map_or_else(|| py.None(), |o| o.clone_ref(py));
        record
            .cast::<RecordBase>()?
            .borrow_mut()
            .fill_from_reader(lazy, to_unicode, force);
        Ok(record.unbind())
    }

    /// Turns one item into what `__next__` returns.
    fn hand_out(&mut self, py: Python<'_>, item: Item) -> PyResult<Py<PyAny>> {
        let Item {
            chunk,
            outcome,
            notes,
            ..
        } = item;
        match outcome {
            Outcome::Record(layout) => {
                let handling = self
                    .validation
                    .map_or(Utf8Handling::Strict, |v| v.utf8_handling);
                let text = Arc::clone(&chunk);
                self.lazy_record(py, chunk, &notes, text, layout, handling)
            }
            Outcome::Transcoded { text, layout } => {
                self.lazy_record(py, chunk, &notes, text, layout, Utf8Handling::Strict)
            }
            Outcome::Invalid(err) => {
                let chunk_obj = PyBytes::new(py, &chunk).into_any();
                emit_notes(py, &notes, &chunk_obj)?;
                self.chunk = Chunk::Object(chunk_obj.clone().unbind());
                self.exception = Some(exception_for(py, &err, &chunk_obj)?.unbind());
                Ok(py.None())
            }
            Outcome::Fatal(kind) => {
                self.chunk = Chunk::Object(PyBytes::new(py, &chunk).into_any().unbind());
                self.fatal = true;
                self.exception = Some(framing_exception(py, kind)?.unbind());
                Ok(py.None())
            }
            Outcome::Fallback => {
                let chunk_obj = PyBytes::new(py, &chunk).into_any();
                self.chunk = Chunk::Object(chunk_obj.clone().unbind());
                let kwargs = self.fallback_kwargs.as_ref().map(|k| k.bind(py).clone());
                match types(py)?
                    .record
                    .bind(py)
                    .call((&chunk_obj,), kwargs.as_ref())
                {
                    Ok(record) => Ok(record.unbind()),
                    // pymarc catches `Exception` and yields `None`; anything
                    // else (KeyboardInterrupt, SystemExit) propagates.
                    Err(err) if err.is_instance_of::<PyException>(py) => {
                        self.exception = Some(err.into_value(py).into_any());
                        Ok(py.None())
                    }
                    Err(err) => Err(err),
                }
            }
        }
    }
}

/// Whether a chunk's length field is a number below 4 (see
/// `ReaderBase::probe_short_length`).
fn claims_short_length(chunk: &[u8]) -> bool {
    chunk
        .get(..5)
        .and_then(pymrrc_core::text::parse_py_int)
        .is_some_and(|claimed| claimed < 4)
}
