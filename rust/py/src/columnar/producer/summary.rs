//! What a conversion did (records written, rejected and why), shared by
//! the stream and its consumer, and how a rejected record is counted,
//! kept or raised.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::prelude::*;

use super::Producer;
use crate::columnar::options::ErrorMode;

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

impl Producer {
    /// Counts a rejected record; raises or keeps it as the mode says.
    pub(super) fn reject(
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
