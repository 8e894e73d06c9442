//! MARCXML reading with pymarc's semantics, for the documents a fast path
//! can read exactly.
//!
//! pymarc reads MARCXML with expat (through `xml.sax`, namespace aware) and
//! a small content handler. This module does both jobs for the plain shape
//! of XML that MARCXML files have: UTF-8, no DOCTYPE, the five predefined
//! entities, character references, CDATA, comments, processing
//! instructions, namespaces and prefixes. It checks well-formedness as it
//! goes, and whenever a document leaves that shape, or would make pymarc's
//! handler raise (a missing attribute, a leader that is not 24 characters
//! long), it stops with [`Fallback`] instead of guessing: the caller then
//! reads the document with expat itself, which gives pymarc's result or
//! pymarc's exception by construction.
//!
//! * [`scan`] is the incremental tokenizer and well-formedness checker.
//! * [`lex`] holds the character-level rules (names, references, text).
//! * [`handler`] replays pymarc's `XmlHandler` and collects the records.
//! * [`laid_out`] lays a plain record out like a decoded ISO 2709 record,
//!   for the code that reads those.

mod handler;
mod laid_out;
mod lex;
mod scan;

pub use handler::{FieldOrigin, XmlField, XmlRecord, MARC_XML_NS};
pub use laid_out::{lay_out, DEFAULT_LEADER};
pub use scan::MarcXmlParser;

/// The fast path cannot read this document exactly; read it with expat.
///
/// `reason` says why (for tests and debugging only); `offset` is the byte
/// offset in the document where the fast path stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback {
    /// What the fast path met.
    pub reason: &'static str,
    /// Where, as a byte offset from the start of the document.
    pub offset: u64,
}
