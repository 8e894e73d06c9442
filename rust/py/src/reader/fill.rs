//! Filling the reader's queue of items from its source: a path's
//! pipeline (waiting for it a few milliseconds at a time, so that signals
//! are seen), a `bytes` object, or a file object, and what a failed read
//! of a file object leaves behind.

use std::collections::VecDeque;
use std::time::Duration;

use pyo3::exceptions::{PyException, PyOverflowError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes};

use super::position::Moves;
use super::source::{Reads, Source};
use super::{Chunk, ReaderBase};
use pymrrc_core::batch::{frame_batch, Item};
use pymrrc_core::carry::{decode_after_carry, Decoded};
use pymrrc_core::framing::bytes_wanted;
use pymrrc_core::pipeline::{Polled, Workers, BATCH_RECORDS, MAX_WORKERS};

/// How long a reader waiting for the path pipeline goes without looking
/// at signals: a loop driven from C (`list(reader)`) runs no Python code
/// between records, so Ctrl-C is seen only where the reader looks.
pub(crate) const SIGNAL_INTERVAL: Duration = Duration::from_millis(2);

/// The pipeline's `Workers` for a `workers=` argument: `None`, or an `int`
/// from 1 to [`MAX_WORKERS`].
pub(crate) fn workers_from(workers: Option<&Bound<'_, PyAny>>) -> PyResult<Workers> {
    let Some(workers) = workers.filter(|w| !w.is_none()) else {
        return Ok(Workers::Default);
    };
    let out_of_range = |shown: String| {
        PyValueError::new_err(format!(
            "workers must be from 1 to {MAX_WORKERS} (pymrrc.reader.MAX_WORKERS), got {shown}"
        ))
    };
    if workers.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "workers must be an int or None, not bool",
        ));
    }
    match workers.extract::<i64>() {
        Ok(1) => Ok(Workers::One),
        Ok(n) => match usize::try_from(n) {
            Ok(n) if (2..=MAX_WORKERS).contains(&n) => Ok(Workers::Pool(n)),
            _ => Err(out_of_range(n.to_string())),
        },
        Err(err) if err.is_instance_of::<PyOverflowError>(workers.py()) => {
            Err(out_of_range("a larger number".into()))
        }
        Err(_) => Err(PyTypeError::new_err(format!(
            "workers must be an int or None, not {}",
            workers.get_type().name()?
        ))),
    }
}

impl ReaderBase {
    /// Refills `pending` with the next batch; sets `finished` at the end.
    fn fill(&mut self, py: Python<'_>) -> PyResult<()> {
        let validation = self.options.validation();
        match &mut self.source {
            Source::Closed => self.finished = true,
            Source::Path(pipeline) => loop {
                match py.detach(|| pipeline.next_batch_within(SIGNAL_INTERVAL)) {
                    Ok(Polled::Batch(Ok(items))) => {
                        queue_into(&mut self.pending, items);
                        break;
                    }
                    Ok(Polled::Batch(Err(err))) | Err(err) => {
                        self.finished = true;
                        return Err(crate::errors::os_error(py, &err, None));
                    }
                    Ok(Polled::End) => {
                        self.finished = true;
                        break;
                    }
                    Ok(Polled::Waiting) => py.check_signals()?,
                }
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
                self.queue(items);
            }
            Source::File(_) => self.fill_from_file(py)?,
        }
        Ok(())
    }

    /// Frames and validates what the file object gave, asking it for more
    /// until at least one record (or the end) is at hand.
    fn fill_from_file(&mut self, py: Python<'_>) -> PyResult<()> {
        let validation = self.options.validation();
        // A large read not yet appended to the buffer (see `read_more`).
        let mut arrived: Option<Bound<'_, PyBytes>> = None;
        loop {
            let Source::File(file) = &mut self.source else {
                return Ok(());
            };
            if arrived.is_none() && !file.eof && claims_more_than(&file.buf) {
                // Not one whole record at hand: ask for bytes at once,
                // without giving up the GIL for nothing (each release lets
                // another thread take the GIL, and taking it back waits
                // for that thread).
                arrived = match file.read_more(py, self.tracked.as_mut()) {
                    Ok(arrived) => arrived,
                    Err(err) => {
                        self.after_failed_read(py, err)?;
                        None
                    }
                };
                continue;
            }
            let offset = file.buf_offset;
            // A `bytes` object cannot change, and `arrived` keeps it alive.
            let more: &[u8] = arrived.as_ref().map_or(&[], |b| b.as_bytes());
            let (eof, buf, turn) = (file.eof, &mut file.buf, &mut file.turn);
            let takes_turns = file.reads.takes_turns();
            // Everything framable in what was read is validated in one
            // stretch without the GIL: each stretch is a point where the
            // other threads take it, and getting it back waits for them.
            // Readers in other threads take turns handing out (`turns`).
            let mut decode = move || {
                if takes_turns {
                    turn.end_hand_out();
                }
                let decoded = decode_after_carry(buf, more, offset, eof, usize::MAX, &validation);
                if takes_turns && !decoded.items.is_empty() {
                    turn.begin_hand_out();
                }
                decoded
            };
            let Decoded { items, used, done } = if file.reads.in_batches() {
                py.detach(decode)
            } else {
                decode()
            };
            file.buf_offset += used as u64;
            if done {
                self.finished = true;
            }
            if !items.is_empty() || done {
                self.queue(items);
                return Ok(());
            }
            arrived = match file.read_more(py, self.tracked.as_mut()) {
                Ok(arrived) => arrived,
                Err(err) => {
                    self.after_failed_read(py, err)?;
                    None
                }
            };
        }
    }

    /// Leaves the reader as pymarc's is when the stream's `read()` raises
    /// `err` while the next record is read. Returns `Ok` when reading may
    /// go on at once (see below), else the error for `next()` to raise.
    fn after_failed_read(&mut self, py: Python<'_>, err: PyErr) -> PyResult<()> {
        let Source::File(file) = &mut self.source else {
            return Err(err);
        };
        match (file.reads, self.tracked.as_mut()) {
            (Reads::Ahead | Reads::Buffer, Some(tracked)) => {
                // Reading ahead, the failed read may have asked for bytes
                // beyond the record at hand, which pymarc would not read
                // yet. Put the stream where pymarc's reads would have left
                // it, and read from now on exactly as pymarc does: the same
                // reads fail where pymarc's fail, and leave what pymarc's
                // leave. An interrupt is not a failure of the stream: the
                // stream is put back between records and it goes to the
                // caller.
                let between = tracked.between;
                if err.is_instance_of::<PyException>(py) {
                    let resumed = py.import(intern!(py, "pymrrc.reader")).and_then(|module| {
                        module.call_method1(
                            intern!(py, "_resume_as_pymarc"),
                            (&tracked.handle, between, tracked.origin, file.buffer_size),
                        )
                    });
                    if resumed.is_ok() {
                        tracked.at = between;
                        tracked.moves = Moves::None;
                        // Read record by record from now on: no more turns.
                        file.turn.end_hand_out();
                        file.reads = Reads::Exact;
                        file.restart_at(between);
                        return Ok(());
                    }
                }
                let _ = tracked.stand_at(py, between);
                file.restart_at(between);
                Err(err)
            }
            (reads, tracked) => {
                // pymarc's `read(5)` gave the first five bytes, or failed.
                if file.buf.len() >= 5 {
                    let first5 = PyBytes::new(py, &file.buf[..5]).into_any().unbind();
                    self.chunk = Chunk::Object(first5);
                }
                match (reads, tracked) {
                    // Read ahead from a stream that cannot seek: the bytes
                    // received stay, and reading goes on after them.
                    (Reads::Available { .. }, _) => {}
                    // Read as pymarc reads: a seekable stream stands where
                    // the failed read left it, and the next call follows it
                    // from there, as pymarc's next `read(5)` reads from
                    // there; from a stream that cannot seek, what pymarc
                    // read is gone.
                    (_, Some(tracked)) => file.restart_at(tracked.between),
                    (_, None) => file.restart_at(file.end()),
                }
                Err(err)
            }
        }
    }

    fn queue(&mut self, items: Vec<Item>) {
        queue_into(&mut self.pending, items);
    }

    pub(super) fn next_item(&mut self, py: Python<'_>) -> PyResult<Option<Item>> {
        while self.pending.is_empty() && !self.finished {
            self.fill(py)?;
        }
        Ok(self.pending.pop_front())
    }
}

/// Whether `buf` starts with a record length it does not hold yet: no
/// record can be framed from it before more bytes arrive (see
/// `pymrrc_core::framing::next_frame`).
fn claims_more_than(buf: &[u8]) -> bool {
    bytes_wanted(buf).is_some_and(|wanted| wanted > 0)
}

/// Appends a batch to a reader's queue; into an empty queue (the usual
/// case) the batch's own vector is taken over instead of copied, which
/// matters because this runs with the GIL held.
fn queue_into(pending: &mut VecDeque<Item>, items: Vec<Item>) {
    if pending.is_empty() {
        *pending = VecDeque::from(items);
    } else {
        pending.extend(items);
    }
}
