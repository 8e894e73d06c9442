//! MARCXML as a source of whole-file jobs: the document is read from a
//! Python binary stream 1 MiB at a time, parsed by the core's MARCXML
//! reader (pymarc's handler replayed) with the GIL released, and each
//! record is laid out like a decoded ISO 2709 record, so that the jobs
//! convert, count and match it as they do records read from ISO 2709.
//!
//! The native reader stops at the first thing it does not read exactly (a
//! document expat must read, a record pymarc builds in its own way) and
//! says so in `stopped`: the records before it were handed out, and the
//! caller reads the rest with pymarc's path, skipping those.

use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;

use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::marcxml::{lay_out, MarcXmlParser};
use pymrrc_core::pipeline::READ_SIZE;
use pymrrc_core::Layout;

/// Why a job leaves a record (and the rest) to pymarc's path.
pub(crate) const OWN_WAY: &str = "a record pymarc builds in its own way";

/// Items for records laid out like decoded ones, up to the first one that
/// could not be; `false` when there was one.
pub(crate) fn laid_out_items<B: Into<Arc<[u8]>>>(
    laid: Vec<Option<(B, Layout)>>,
) -> (Vec<Item>, bool) {
    let mut items = Vec::with_capacity(laid.len());
    for record in laid {
        let Some((bytes, layout)) = record else {
            return (items, false);
        };
        items.push(Item {
            chunk: bytes.into(),
            offset: 0,
            outcome: Outcome::Record(layout),
            notes: Vec::new(),
            validation: None,
        });
    }
    (items, true)
}

/// A MARCXML document being read.
pub(crate) struct XmlStream {
    handle: Py<PyAny>,
    parser: MarcXmlParser,
    eof: bool,
    done: bool,
    /// Why reading stopped before the end of the document, if it did.
    pub(crate) stopped: Option<&'static str>,
}

impl XmlStream {
    pub(crate) fn new(handle: Py<PyAny>) -> Self {
        Self {
            handle,
            // pymarc's map_xml: a non-strict handler, no normalisation.
            parser: MarcXmlParser::new(false, false),
            eof: false,
            done: false,
            stopped: None,
        }
    }

    /// The records completed by the next piece of the document (possibly
    /// none at all), `None` once reading is over.
    pub(crate) fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<Vec<Item>>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let data = self
                .handle
                .bind(py)
                .call_method1(intern!(py, "read"), (READ_SIZE,))?;
            let data = data.cast::<PyBytes>()?.as_bytes();
            self.eof = data.is_empty();
            let (parser, eof) = (&mut self.parser, self.eof);
            let fed = py.detach(|| {
                if eof {
                    parser.finish()
                } else {
                    parser.feed(data)
                }
            });
            let records = self.parser.take_records();
            if let Err(fallback) = fed {
                self.stopped = Some(fallback.reason);
            }
            self.done = self.eof || self.stopped.is_some();
            if records.is_empty() {
                continue;
            }
            let laid = py.detach(|| records.par_iter().map(lay_out).collect::<Vec<_>>());
            let (items, complete) = laid_out_items(laid);
            if !complete {
                self.stopped = Some(OWN_WAY);
                self.done = true;
            }
            return Ok(Some(items));
        }
    }
}
