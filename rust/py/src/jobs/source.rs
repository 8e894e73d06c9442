//! Where a whole-file job's records come from: a path, read and validated
//! by the core's parallel pipeline with the GIL released, or a Python
//! binary stream (standard input, a `gzip` file), read in large pieces
//! under the GIL and framed and validated on the rayon pool without it, or
//! a MARCXML document (`xml_source`), or the records of a loaded
//! MARC-in-JSON document (`json_source`).

use std::path::Path;
use std::time::Duration;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;

use pymrrc_core::batch::{frame_batch, FramedBatch, Item, Keep, Validation};
use pymrrc_core::framing::bytes_wanted;
use pymrrc_core::pipeline::{PathPipeline, Polled, Workers, BATCH_RECORDS, READ_SIZE};

pub(crate) use super::json_source::JsonRecords;
pub(crate) use super::xml_source::XmlStream;

/// How long a wait for a batch lasts before signals are looked at.
pub(crate) const WAIT: Duration = Duration::from_millis(20);

/// A source of validated records, batch by batch.
pub(crate) enum Source {
    Path(PathPipeline),
    Stream(Stream),
    Xml(Box<XmlStream>),
    Json(JsonRecords),
    Finished,
}

/// A Python binary stream and the bytes read from it not yet framed.
pub(crate) struct Stream {
    handle: Py<PyAny>,
    validation: Validation,
    buf: Vec<u8>,
    /// Where the unframed bytes start in `buf`.
    start: usize,
    /// Stream offset of `buf[start]`.
    offset: u64,
    eof: bool,
    /// The stream ended, or framing failed: no more batches.
    done: bool,
}

impl Source {
    /// Starts reading the file at `path`; `keep` says which records keep
    /// their bytes.
    pub(crate) fn path(
        path: &Path,
        validation: Validation,
        workers: Workers,
        keep: Keep,
    ) -> std::io::Result<Self> {
        let mut pipeline = PathPipeline::open(path, validation, workers)?;
        pipeline.set_keep(keep);
        Ok(Self::Path(pipeline))
    }

    /// Reads the binary stream `handle`.
    pub(crate) fn stream(handle: Py<PyAny>, validation: Validation) -> Self {
        Self::Stream(Stream {
            handle,
            validation,
            buf: Vec::new(),
            start: 0,
            offset: 0,
            eof: false,
            done: false,
        })
    }

    /// The next batch in file order, `None` at the end.
    pub(crate) fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<Vec<Item>>> {
        let batch = match self {
            Self::Finished => return Ok(None),
            Self::Path(pipeline) => loop {
                // Waits a little at a time, so that Ctrl-C is seen while a
                // slow file (a FIFO) keeps the batch from coming.
                match py.detach(|| pipeline.next_batch_within(WAIT)) {
                    Ok(Polled::Batch(Ok(items))) => break Some(items),
                    Ok(Polled::End) => break None,
                    Ok(Polled::Waiting) => py.check_signals()?,
                    Ok(Polled::Batch(Err(err))) | Err(err) => {
                        return Err(crate::errors::os_error(py, &err, None))
                    }
                }
            },
            Self::Stream(stream) => stream.next_batch(py)?,
            Self::Xml(xml) => xml.next_batch(py)?,
            Self::Json(json) => json.next_batch(py)?,
        };
        if batch.is_none() {
            self.finish(py);
        }
        Ok(batch)
    }

    /// Stops reading (the pipeline's threads are joined without the GIL).
    /// What a MARCXML source said about stopping early is kept.
    pub(crate) fn finish(&mut self, py: Python<'_>) {
        if self.stopped().is_some() {
            return;
        }
        let old = std::mem::replace(self, Self::Finished);
        py.detach(move || drop(old));
    }

    /// Why a MARCXML source stopped before the end of its document.
    pub(crate) fn stopped(&self) -> Option<&'static str> {
        match self {
            Self::Xml(xml) => xml.stopped,
            Self::Json(json) => json.stopped,
            _ => None,
        }
    }

    /// What was read from a stream but not framed (after a framing error).
    pub(crate) fn unframed(&self) -> &[u8] {
        match self {
            Self::Stream(s) => s.buf.get(s.start..).unwrap_or_default(),
            _ => &[],
        }
    }
}

impl Stream {
    fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<Vec<Item>>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let framed = frame_batch(
                self.buf.get(self.start..).unwrap_or_default(),
                self.offset,
                self.eof,
                BATCH_RECORDS,
            );
            if framed.chunks.is_empty() {
                if framed.done {
                    self.done = true;
                    return Ok(None);
                }
                self.read_more(py)?;
                continue;
            }
            let region = self.start..self.start + framed.used;
            self.start += framed.used;
            self.offset += framed.used as u64;
            let (buf, validation) = (&self.buf, &self.validation);
            let items = py.detach(|| decode_parallel(&framed, &buf[region], validation));
            // At the end, or after a framing error (nothing after it is
            // read as records).
            self.done = framed.done;
            return Ok(Some(items));
        }
    }

    /// Appends the stream's next piece to the buffer (dropping what was
    /// framed already); sets `eof` when the stream has no more.
    fn read_more(&mut self, py: Python<'_>) -> PyResult<()> {
        if self.eof {
            return Ok(());
        }
        self.buf.drain(..self.start);
        self.start = 0;
        let want = bytes_wanted(&self.buf).unwrap_or(READ_SIZE).max(READ_SIZE);
        let data = self
            .handle
            .bind(py)
            .call_method1(intern!(py, "read"), (want,))?;
        let data = data.cast::<PyBytes>()?.as_bytes();
        if data.is_empty() {
            self.eof = true;
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }
}

/// Validates a framed batch on the rayon pool, in order.
fn decode_parallel(framed: &FramedBatch, buf: &[u8], validation: &Validation) -> Vec<Item> {
    let parts = rayon::current_num_threads().max(1);
    let per = framed.chunks.len().div_ceil(parts).max(16);
    framed
        .chunks
        .par_chunks(per)
        .flat_map_iter(|chunks| {
            // Chunk starts are relative to `buf`, as in `framed`.
            let part = FramedBatch {
                chunks: chunks.to_vec(),
                used: 0,
                done: false,
                offset: framed.offset,
            };
            part.decode(buf, validation)
        })
        .collect()
}
