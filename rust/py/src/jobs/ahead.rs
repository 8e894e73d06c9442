//! A batch being converted on the rayon pool while Python handles the one
//! before it: the job's next `next()` finds it done, or waits for it with
//! the GIL released. Writing a batch (a system call on Python's side) and
//! converting the next one then overlap.

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError};

use super::source::WAIT;

use pymrrc_core::batch::Item;
use pymrrc_core::convert::{convert_batch, convert_item, Format, Piece};
use pymrrc_core::stats::Stats;
use pymrrc_core::text::Utf8Handling;
use pyo3::prelude::*;

/// A converted batch.
pub(crate) struct Converted {
    pub items: Vec<Item>,
    /// The number of `items[0]` less one (records seen before it).
    pub first: u64,
    pub pieces: Vec<Piece>,
    pub stats: Option<Stats>,
}

/// A batch handed to the pool.
pub(crate) struct Ahead {
    done: Receiver<Converted>,
}

impl Ahead {
    /// Starts converting `items` (and counting them for `stats`).
    pub(crate) fn start(
        items: Vec<Item>,
        first: u64,
        format: Format,
        handling: Utf8Handling,
        stats: bool,
    ) -> Self {
        let (tx, done) = bounded(1);
        if matches!(format, Format::Nothing | Format::Raw) && !stats {
            // Counting, or handing on the records' own bytes, needs no
            // pool: a hand-over per batch to it would cost more than the
            // work, the more so on a busy machine.
            let pieces = items
                .iter()
                .enumerate()
                .map(|(i, item)| convert_item(format, item, handling, first + 1 + i as u64))
                .collect();
            let _ = tx.send(Converted {
                items,
                first,
                pieces,
                stats: None,
            });
            return Self { done };
        }
        rayon::spawn(move || {
            let pieces = convert_batch(format, &items, handling, first + 1);
            let stats = stats.then(|| Stats::of_batch(&items));
            let _ = tx.send(Converted {
                items,
                first,
                pieces,
                stats,
            });
        });
        Self { done }
    }

    /// The converted batch (waiting for it with the GIL released, and
    /// looking at signals every [`WAIT`]).
    pub(crate) fn wait(self, py: Python<'_>) -> PyResult<Converted> {
        loop {
            match py.detach(|| self.done.recv_timeout(WAIT)) {
                Ok(converted) => return Ok(converted),
                Err(RecvTimeoutError::Timeout) => py.check_signals()?,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "a batch conversion was lost",
                    ))
                }
            }
        }
    }
}
