//! pymrrc-core: ISO 2709 (MARC 21) framing, validation, decoding and encoding.
//!
//! This crate knows nothing about Python. Its rules are pymarc 5.4's rules,
//! written down in Rust: where pymarc accepts a record, so does this crate,
//! and where pymarc raises, this crate returns an [`Error`] whose
//! [`ErrorKind`] names the same pymarc exception class.
//!
//! * [`framing`] finds record boundaries in a byte stream (no allocation).
//! * [`decode`] validates one record and describes where its fields lie.
//! * [`text`] holds the text rules pymarc borrows from Python (UTF-8 error
//!   handlers, `str.strip()` whitespace, `int()` parsing).
//! * [`encode`] assembles a record's bytes from a leader and fields.
//! * [`marc8`] decodes MARC-8 text and records as pymarc does.
//! * [`batch`] frames and validates many records at once (no Python).
//! * [`visit`] walks a record's leader and fields for text serialisers;
//!   [`xml_write`] and [`json_write`] are those serialisers (MARCXML and
//!   MARC-in-JSON, byte for byte as pymarc writes them).
//! * [`json_split`] finds the records of a MARC-in-JSON document in a
//!   byte stream, for reading it one record at a time.
//! * [`marcxml`] reads MARCXML into plain records, as pymarc's handler would.
//! * [`pipeline`] reads a file on a producer thread and validates batches
//!   on a rayon pool, delivering them in order through bounded channels.
//! * [`convert`] turns batches of validated records into an output format
//!   (ISO 2709, MARC-8, MARCXML, MARC-in-JSON, MARCMaker text) and
//!   [`stats`] counts their tags and codes, for whole-file jobs;
//!   [`text_write`] is the MARCMaker text serialiser (`str(record)`), and
//!   [`grep`] picks the field values a pattern is matched against.
//! * [`partition`] cuts a file into record-aligned byte ranges and works
//!   out where sequential reading enters each.
#![forbid(unsafe_code)]

pub mod batch;
pub mod carry;
pub mod consts;
pub mod convert;
pub mod decode;
pub mod encode;
pub mod error;
pub mod framing;
pub mod grep;
pub mod json_split;
pub mod json_write;
pub mod marc8;
pub mod marcxml;
pub mod partition;
pub mod pipeline;
pub mod stats;
pub mod text;
pub mod text_write;
pub mod turns;
pub mod visit;
pub mod xml_write;

pub use decode::{decode_layout, FieldSpan, Layout, Note};
pub use error::{Error, ErrorKind};
pub use framing::{next_frame, Frame};
