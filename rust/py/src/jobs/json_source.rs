//! MARC-in-JSON as a source of whole-file jobs. The document is parsed by
//! serde_json on a thread of its own (the GIL released, Ctrl-C looked at
//! while it waits) straight into records laid out like decoded ISO 2709
//! ones, as pymarc's `JSONReader` builds them (`json_read`), and each is
//! converted with no Python object at all.
//!
//! serde_json is stricter than Python's `json.load(strict=False)` (control
//! characters in strings, `NaN`, lone surrogates): a document it refuses is
//! left whole to the caller's Python path (`stopped` with nothing read), as
//! is the rest of the document from the first record `JSONReader` builds
//! in its own way.

use std::thread;

use crossbeam_channel::{bounded, RecvTimeoutError};
use pyo3::prelude::*;

use super::json_document::{read_document, Laid};
use super::source::WAIT;
use super::xml_source::{laid_out_items, OWN_WAY};
use pymrrc_core::batch::Item;
use pymrrc_core::pipeline::BATCH_RECORDS;

/// The records of a MARC-in-JSON `document` as pymarc's `JSONReader`
/// builds them (`None`: a record it builds in its own way), parsed by
/// serde_json on a thread of its own while this one waits with the GIL
/// released, looking at signals; `None` when serde_json refuses the
/// document or it is neither an array nor an object.
pub(crate) fn parse_document(
    py: Python<'_>,
    document: Vec<u8>,
) -> PyResult<Option<Vec<Option<Laid>>>> {
    let (tx, rx) = bounded(1);
    thread::Builder::new()
        .name("pymrrc-json".into())
        .spawn(move || {
            let _ = tx.send(read_document(&document));
        })
        .map_err(|err| crate::errors::os_error(py, &err, None))?;
    loop {
        match py.detach(|| rx.recv_timeout(WAIT)) {
            Ok(parsed) => return Ok(parsed),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => return Ok(None),
        }
    }
}

/// The records of a parsed MARC-in-JSON document.
pub(crate) struct JsonRecords {
    records: std::vec::IntoIter<Option<Laid>>,
    /// Why reading stopped before the last record, if it did.
    pub(crate) stopped: Option<&'static str>,
}

impl JsonRecords {
    /// Parses `document`; when serde_json refuses it (or it is neither an
    /// array nor an object), nothing is read natively.
    pub(crate) fn parse(py: Python<'_>, document: Vec<u8>) -> PyResult<Self> {
        let (records, stopped) = match parse_document(py, document)? {
            Some(records) => (records, None),
            None => (
                Vec::new(),
                Some("a document serde_json does not read as pymarc reads it"),
            ),
        };
        Ok(Self {
            records: records.into_iter(),
            stopped,
        })
    }

    /// The next batch of records, `None` once reading is over.
    pub(crate) fn next_batch(&mut self, _py: Python<'_>) -> PyResult<Option<Vec<Item>>> {
        if self.stopped.is_some() || self.records.len() == 0 {
            return Ok(None);
        }
        let batch: Vec<Option<Laid>> = self.records.by_ref().take(BATCH_RECORDS).collect();
        let (items, complete) = laid_out_items(batch);
        if !complete {
            self.stopped = Some(OWN_WAY);
        }
        Ok(Some(items))
    }
}
