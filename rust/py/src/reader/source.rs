//! Where a reader's bytes come from: a path (read by the core's
//! pipeline), a `bytes` object, or a Python file object, and how a file
//! object is asked for them.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

use super::position::{Moves, Tracked};
use pymrrc_core::framing::bytes_wanted;
use pymrrc_core::turns::Turn;
use pymrrc_core::pipeline::{PathPipeline, READ_SIZE};

/// Reads at least this large are copied into the buffer with the GIL
/// released (other threads run while 512 KiB or 1 MiB is copied).
const COPY_WITHOUT_GIL: usize = 64 * 1024;

pub(super) enum Source {
    Closed,
    Path(PathPipeline),
    Memory { data: Py<PyAny>, pos: usize },
    File(FileSource),
}

/// How a file object is asked for bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Reads {
    /// `read(1 MiB)`, from where the last batch ended: a seekable stream
    /// (`BytesIO`, `FileIO`), kept in step by seeking.
    Ahead,
    /// `peek()` at the end of the last batch: a buffered file whose buffer
    /// was made large (`pymrrc.reader` does that), so that each refill is
    /// one system call and the records it holds can be stepped through
    /// inside it without any.
    Buffer,
    /// What the stream has now, without waiting for more: `read1()` of a
    /// buffered stream, or `read()` of a raw one (one system call, which
    /// returns what has arrived). For pipes, sockets and terminals: each
    /// record is handed out as soon as its last byte arrives.
    Available { read1: bool },
    /// Exactly the bytes of the next record (five, then the rest), as
    /// pymarc reads them; decoded with the GIL held.
    Exact,
}

impl Reads {
    /// How a file object is read, for a name given by `pymrrc.reader`, and
    /// how its position is kept if it is seekable ("seek", "buffer",
    /// "records"; "read1", "raw" and "exact" are for streams that cannot
    /// seek).
    pub(super) fn from_name(name: &str) -> Option<(Self, Option<Moves>)> {
        Some(match name {
            "seek" => (Self::Ahead, Some(Moves::Seek)),
            "buffer" => (Self::Buffer, Some(Moves::Window(None))),
            "records" => (Self::Exact, Some(Moves::None)),
            "read1" => (Self::Available { read1: true }, None),
            "raw" => (Self::Available { read1: false }, None),
            "exact" => (Self::Exact, None),
            _ => return None,
        })
    }

    /// Whether batches are validated with the GIL released: not one
    /// record at a time, where releasing it would cost more than the work.
    pub(super) fn in_batches(self) -> bool {
        self != Self::Exact
    }

    /// Whether the reader takes turns handing out with readers in other
    /// threads ([`Turn`]): for a stream read ahead in blocks, not for one
    /// read as its records arrive, where waiting would delay a record.
    pub(super) fn takes_turns(self) -> bool {
        matches!(self, Self::Ahead | Self::Buffer)
    }
}

/// A Python file object and the bytes read from it not yet framed.
pub(super) struct FileSource {
    pub(super) handle: Py<PyAny>,
    pub(super) buf: Vec<u8>,
    /// Stream position of `buf[0]` (for a stream that cannot seek, counted
    /// from where it stood when the reader was made).
    pub(super) buf_offset: u64,
    pub(super) eof: bool,
    pub(super) reads: Reads,
    /// A buffered file's own buffer size, as the caller gave it to us.
    pub(super) buffer_size: Option<usize>,
    /// This reader's part in taking turns with readers in other threads.
    pub(super) turn: Turn,
}

impl FileSource {
    /// Where the bytes read so far end.
    pub(super) fn end(&self) -> u64 {
        self.buf_offset + self.buf.len() as u64
    }

    /// One request to the Python object; `tracked` is the stream's
    /// position keeping, for a seekable stream. What it gives is appended
    /// to the buffer, except a large `bytes` object read in batches: that
    /// is handed back, for the caller to append with the GIL released in
    /// the same stretch as it frames and validates (each release lets the
    /// other threads take the GIL, and getting it back waits for them).
    pub(super) fn read_more<'py>(
        &mut self,
        py: Python<'py>,
        mut tracked: Option<&mut Tracked>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let handle = self.handle.bind(py);
        let wanted = bytes_wanted(&self.buf);
        let end = self.end();
        if matches!(self.reads, Reads::Ahead | Reads::Buffer) {
            if let Some(t) = tracked.as_deref_mut() {
                t.stand_at(py, end)?;
            }
        }
        let (method, want) = match self.reads {
            Reads::Ahead => (intern!(py, "read"), wanted.unwrap_or(0).max(READ_SIZE)),
            Reads::Buffer => (intern!(py, "peek"), 1),
            Reads::Available { read1: true } => {
                (intern!(py, "read1"), wanted.unwrap_or(0).max(READ_SIZE))
            }
            Reads::Available { read1: false } => {
                (intern!(py, "read"), wanted.unwrap_or(0).max(READ_SIZE))
            }
            Reads::Exact => (intern!(py, "read"), wanted.unwrap_or(READ_SIZE)),
        };
        let got = handle.call_method1(method, (want,))?;
        let mut handed_back = None;
        let added = if let Ok(b) = got.cast::<PyBytes>() {
            let bytes = b.as_bytes();
            if bytes.len() >= COPY_WITHOUT_GIL && self.reads.in_batches() {
                handed_back = Some(b.clone());
            } else {
                self.buf.extend_from_slice(bytes);
            }
            bytes.len()
        } else if let Ok(b) = got.cast::<PyByteArray>() {
            let copied = b.to_vec();
            self.buf.extend_from_slice(&copied);
            copied.len()
        } else if got.is_none() {
            // pymarc treats a None from read() as the end of the data.
            self.eof = true;
            return Ok(None);
        } else {
            return Err(PyTypeError::new_err(format!(
                "MARCReader needs a binary file object; read() returned {}",
                got.get_type().name()?
            )));
        };
        if let Some(t) = tracked {
            match self.reads {
                // `peek()` leaves the stream where it stands; its buffer
                // now holds what was added.
                Reads::Buffer => {
                    if let Moves::Window(window) = &mut t.moves {
                        *window = Some((end, end + added as u64));
                    }
                }
                _ => t.at += added as u64,
            }
        }
        // pymarc takes a short read for the end of the data (a truncated
        // record); reading ahead, only an empty read ends it.
        if added == 0 || (self.reads == Reads::Exact && added < want) {
            self.eof = true;
        }
        Ok(handed_back)
    }

    /// Forgets what was read and not framed; reading goes on at `offset`.
    pub(super) fn restart_at(&mut self, offset: u64) {
        self.buf.clear();
        self.buf_offset = offset;
        self.eof = false;
    }
}
