//! Keeping a seekable stream where pymarc would leave it: at the end of
//! the record last returned. The reader reads ahead, so after each record
//! it moves the stream there, and it follows a caller who moved the
//! stream between records.

use pyo3::exceptions::PyException;
use pyo3::intern;
use pyo3::prelude::*;

/// How a tracked stream is moved.
pub(super) enum Moves {
    /// `seek()`: cheap, and the GIL stays held (`BytesIO`), or a system
    /// call (`FileIO`, `BufferedRandom`).
    Seek,
    /// A buffered file whose own buffer holds what the reader reads (see
    /// `Reads::Buffer`): moves inside that buffer make no system call.
    /// Holds the stream range the buffer is known to cover.
    Window(Option<(u64, u64)>),
    /// Read one record at a time, so the stream already stands at its end
    /// (for streams whose backward `seek()` may be costly: a `GzipFile`
    /// rewinds and decompresses from the start).
    None,
}

/// A seekable stream kept in step with the records handed out.
pub(super) struct Tracked {
    pub(super) handle: Py<PyAny>,
    /// Where the stream stands, if nobody else moved it.
    pub(super) at: u64,
    /// Where it stands between records: the end of the record last
    /// returned (or where reading started).
    pub(super) between: u64,
    /// Where pymarc's reads would have begun reading sequentially: where
    /// reading started, or where the caller last moved the stream.
    pub(super) origin: u64,
    pub(super) moves: Moves,
}

impl Tracked {
    pub(super) fn new(handle: Py<PyAny>, at: u64, moves: Moves) -> Self {
        Self {
            handle,
            at,
            between: at,
            origin: at,
            moves,
        }
    }

    /// Moves the stream to `target` if it is not there already.
    pub(super) fn stand_at(&mut self, py: Python<'_>, target: u64) -> PyResult<()> {
        if self.at != target {
            self.handle
                .bind(py)
                .call_method1(intern!(py, "seek"), (target,))?;
            // The buffer survives a move inside it from a place inside it
            // (a buffered file answers those without a system call).
            let from = self.at;
            if let Moves::Window(window) = &mut self.moves {
                *window = window.filter(|&(start, end)| {
                    start <= from && from < end && start <= target && target <= end
                });
            }
            self.at = target;
        }
        Ok(())
    }

    /// Brings the stream to `target`, the end of the record being
    /// returned, and makes that the position between records.
    pub(super) fn finish_record(&mut self, py: Python<'_>, target: u64) -> PyResult<()> {
        match self.moves {
            // The reads left it there.
            Moves::None => self.at = target,
            Moves::Seek | Moves::Window(_) => self.stand_at(py, target)?,
        }
        self.between = target;
        Ok(())
    }

    /// The common case, in one call on the stream: the next record was
    /// read ahead, and the stream, if nobody moved it, reaches `target` by
    /// a relative `seek()` that makes no system call. The position that
    /// `seek()` returns also tells whether the caller moved the stream: if
    /// so, the stream is put back where the caller left it. Returns whether
    /// the stream now stands at `target`; if not, the caller takes the
    /// general path.
    pub(super) fn step_to(&mut self, py: Python<'_>, target: u64) -> PyResult<bool> {
        let Some(step) = target.checked_sub(self.at) else {
            return Ok(false);
        };
        let in_buffer = match self.moves {
            Moves::Seek => true,
            Moves::Window(Some((start, end))) => start <= self.at && self.at < end && target <= end,
            Moves::Window(None) | Moves::None => false,
        };
        if !in_buffer {
            return Ok(false);
        }
        let handle = self.handle.bind(py);
        let landed = match handle
            .call_method1(intern!(py, "seek"), (step, 1))
            .and_then(|pos| pos.extract::<u64>())
        {
            Ok(landed) => landed,
            // A stream that fails here is left to the general path, which
            // asks it again and reports the error as pymarc would; an
            // interrupt (KeyboardInterrupt, SystemExit) is not an error of
            // the stream, and goes straight to the caller.
            Err(err) if err.is_instance_of::<PyException>(py) => return Ok(false),
            Err(err) => return Err(err),
        };
        if landed == target {
            self.at = target;
            self.between = target;
            return Ok(true);
        }
        // Moved by the caller to `landed - step`: go back there.
        handle.call_method1(intern!(py, "seek"), (landed.saturating_sub(step),))?;
        Ok(false)
    }

    /// Where the stream stands now, asked of the stream. A closed stream
    /// gives the error pymarc's `read(5)` gives.
    pub(super) fn ask(&self, py: Python<'_>) -> PyResult<u64> {
        let handle = self.handle.bind(py);
        // A buffered file's `tell()` always asks the OS (a system call that
        // releases the GIL); `seek(0, 1)` answers from its buffer.
        let asked = match self.moves {
            Moves::Window(_) => handle.call_method1(intern!(py, "seek"), (0, 1)),
            Moves::Seek | Moves::None => handle.call_method0(intern!(py, "tell")),
        };
        match asked {
            Ok(pos) => pos.extract(),
            Err(err) => {
                handle.call_method1(intern!(py, "read"), (5,))?;
                Err(err)
            }
        }
    }

    /// The stream was found at `now` between records; if that is not where
    /// the reader left it, the caller moved it, and reading goes on from
    /// there. Returns whether it was moved.
    pub(super) fn found_at(&mut self, now: u64) -> bool {
        let moved = now != self.between;
        if moved || now != self.at {
            if let Moves::Window(window) = &mut self.moves {
                *window = None;
            }
        }
        self.at = now;
        self.between = now;
        if moved {
            self.origin = now;
        }
        moved
    }
}
