//! Where `to_arrow` reads records: a path (the core's parallel pipeline),
//! `bytes`, a binary file object, or an iterable of `Record` objects.

use std::collections::VecDeque;

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

use crate::reader::SIGNAL_INTERVAL;
use pymrrc_core::batch::{frame_batch, Item, Validation};
use pymrrc_core::framing::bytes_wanted;
use pymrrc_core::pipeline::{PathPipeline, Polled, BATCH_RECORDS, READ_SIZE};

/// A source of records.
pub(crate) enum Source {
    /// A file read and validated off the GIL.
    Path(PathPipeline),
    /// A `bytes` object and how far it was read.
    Memory { data: Py<PyBytes>, pos: usize },
    /// A binary file object, read a large `read()` at a time.
    File {
        handle: Py<PyAny>,
        buf: Vec<u8>,
        offset: u64,
        eof: bool,
    },
    /// Python objects: `Record`s (or `None` from a `MARCReader`).
    Records {
        /// The iterable itself, asked for `current_exception` on `None`.
        origin: Py<PyAny>,
        iter: Py<PyAny>,
    },
    /// Nothing more to read.
    Done,
}

impl Source {
    /// Reads and validates the next batch of records into `out`; returns
    /// whether the source is exhausted. Not for [`Source::Records`].
    pub(crate) fn fill(
        &mut self,
        py: Python<'_>,
        validation: &Validation,
        out: &mut VecDeque<Item>,
    ) -> PyResult<bool> {
        match self {
            // Waited for a little at a time, so that Ctrl-C is seen.
            Self::Path(pipeline) => loop {
                match py.detach(|| pipeline.next_batch_within(SIGNAL_INTERVAL)) {
                    Ok(Polled::Batch(Ok(items))) => {
                        out.extend(items);
                        return Ok(false);
                    }
                    Ok(Polled::Batch(Err(err))) | Err(err) => {
                        return Err(crate::errors::os_error(py, &err, None));
                    }
                    Ok(Polled::End) => return Ok(true),
                    Ok(Polled::Waiting) => py.check_signals()?,
                }
            },
            Self::Memory { data, pos } => {
                let all = data.bind(py).as_bytes();
                let rest = &all[(*pos).min(all.len())..];
                let offset = *pos as u64;
                let (items, used, done) = py.detach(|| {
                    let batch = frame_batch(rest, offset, true, BATCH_RECORDS);
                    (batch.decode(rest, validation), batch.used, batch.done)
                });
                *pos += used;
                let finished = done || items.is_empty();
                out.extend(items);
                Ok(finished)
            }
            Self::File {
                handle,
                buf,
                offset,
                eof,
            } => loop {
                let start = *offset;
                let at_eof = *eof;
                let bytes = &buf[..];
                let (items, used, done) = py.detach(|| {
                    let batch = frame_batch(bytes, start, at_eof, BATCH_RECORDS);
                    (batch.decode(bytes, validation), batch.used, batch.done)
                });
                buf.drain(..used);
                *offset += used as u64;
                if !items.is_empty() || done {
                    out.extend(items);
                    return Ok(done);
                }
                read_more(py, handle.bind(py), buf, eof)?;
            },
            Self::Records { .. } | Self::Done => Ok(true),
        }
    }
}

/// One `read()` of at least [`READ_SIZE`] bytes (or the rest of a long
/// record) appended to `buf`; an empty read or `None` ends the data.
fn read_more(
    py: Python<'_>,
    handle: &Bound<'_, PyAny>,
    buf: &mut Vec<u8>,
    eof: &mut bool,
) -> PyResult<()> {
    let want = bytes_wanted(buf).unwrap_or(READ_SIZE).max(READ_SIZE);
    let got = handle.call_method1(intern!(py, "read"), (want,))?;
    let before = buf.len();
    if let Ok(b) = got.cast::<PyBytes>() {
        buf.extend_from_slice(b.as_bytes());
    } else if let Ok(b) = got.cast::<PyByteArray>() {
        buf.extend_from_slice(&b.to_vec());
    } else if got.is_none() {
        *eof = true;
        return Ok(());
    } else {
        return Err(PyTypeError::new_err(format!(
            "to_arrow needs a binary file object; read() returned {}",
            got.get_type().name()?
        )));
    }
    if buf.len() == before {
        *eof = true;
    }
    Ok(())
}
