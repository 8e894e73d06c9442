//! One validated record in an output format, for whole-file jobs (the
//! `pymrrc` command): each format gives exactly the bytes pymarc's writer
//! (or `str`, `as_json`) gives for the record pymarc's reader would yield.
//!
//! Work is done per batch of [`Item`]s on the rayon pool. A record this
//! module cannot convert exactly (one the native decoder left to the
//! Python decoder, a rejected record, a record whose text 'replace' or
//! 'ignore' changed, for the formats that copy bytes) comes back as
//! [`Piece::Pending`] for the caller's exact path.

use rayon::prelude::*;

use crate::batch::{Item, Outcome};
use crate::consts::LEADER_LEN;
use crate::decode::{fields_are_utf8, Layout};
use crate::encode::reencode_layout;
use crate::json_write::{JsonRecordWriter, JsonStyle};
use crate::marc8::Marc8RecordWriter;
use crate::text::Utf8Handling;
use crate::text_write::{crlf, TextRecordWriter};
use crate::visit::{leader_text, visit_fields, RecordSink, VisitError};
use crate::xml_write::{XmlCharset, XmlRecordWriter};

/// What each record becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The record's own bytes, as framed (valid or not).
    Raw,
    /// `record.as_marc()`: ISO 2709, UTF-8, leader position 9 `a`.
    Marc,
    /// `record.as_marc8()`: ISO 2709 with MARC-8 text.
    Marc8,
    /// What `XMLWriter.write` writes for the record.
    Xml,
    /// What `JSONWriter.write` writes for the record (compact).
    Json,
    /// `record.as_json()` and a newline.
    Jsonl,
    /// `str(record)`, what `TextWriter.write` writes for the record.
    Text,
    /// `str(record)` with `\r\n` line ends.
    Mrk,
    /// A `# record N` line (with the byte offset when `offsets`), then
    /// `str(record)` and a blank line.
    Dump {
        /// Whether the header line gives the record's byte offset.
        offsets: bool,
    },
    /// Nothing is written (counting, validating, statistics).
    Nothing,
}

/// One item's result.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    /// The bytes to write, and how many characters were written as
    /// `&#xXXXX;` (MARC-8 only).
    Done {
        /// The record's bytes in the output format.
        bytes: Vec<u8>,
        /// Numeric character references written.
        references: usize,
    },
    /// The item's own bytes, as framed, to be written as they are
    /// ([`Format::Raw`]): its chunk, not copied again.
    Own,
    /// A valid record that writes nothing ([`Format::Nothing`]).
    Counted,
    /// For the caller's exact path: not decoded natively, rejected, or not
    /// convertible exactly here.
    Pending,
}

/// The bytes of a validated record and where its fields lie.
struct Valid<'a> {
    bytes: &'a [u8],
    layout: &'a Layout,
}

/// Walks a record (leader first) into `sink`.
fn walk<S: RecordSink>(
    rec: &Valid<'_>,
    handling: Utf8Handling,
    sink: &mut S,
) -> Result<(), VisitError> {
    sink.leader(&leader_text(&rec.layout.leader));
    visit_fields(rec.bytes, rec.layout, handling, sink).map(|_| ())
}

fn text(rec: &Valid<'_>, handling: Utf8Handling) -> Result<Vec<u8>, VisitError> {
    let mut w = TextRecordWriter::new();
    walk(rec, handling, &mut w)?;
    Ok(w.finish())
}

/// Converts one validated record. `number` (from 1) and `offset` are used
/// by [`Format::Dump`] only.
fn convert_valid(
    format: Format,
    rec: &Valid<'_>,
    handling: Utf8Handling,
    number: u64,
    offset: u64,
) -> Option<(Vec<u8>, usize)> {
    let done = |bytes: Vec<u8>| Some((bytes, 0));
    match format {
        Format::Raw | Format::Nothing => None,
        Format::Marc => {
            // Bytes are copied: only exact when decoding left them as
            // they are.
            if handling != Utf8Handling::Strict && !fields_are_utf8(rec.bytes, rec.layout) {
                return None;
            }
            let mut leader: [u8; LEADER_LEN] = rec.layout.leader;
            leader[9] = b'a';
            done(reencode_layout(rec.bytes, rec.layout, &leader))
        }
        Format::Marc8 => {
            let mut w = Marc8RecordWriter::new();
            walk(rec, handling, &mut w).ok()?;
            Some(w.finish())
        }
        Format::Xml => {
            let mut w = XmlRecordWriter::new(XmlCharset::Utf8, false);
            walk(rec, handling, &mut w).ok()?;
            done(w.finish())
        }
        Format::Json | Format::Jsonl => {
            let style = if format == Format::Json {
                JsonStyle::Compact
            } else {
                JsonStyle::Spaced
            };
            let mut w = JsonRecordWriter::new(style);
            walk(rec, handling, &mut w).ok()?;
            let mut bytes = w.finish().into_bytes();
            if format == Format::Jsonl {
                bytes.push(b'\n');
            }
            done(bytes)
        }
        Format::Text => done(text(rec, handling).ok()?),
        Format::Mrk => done(crlf(&text(rec, handling).ok()?)),
        Format::Dump { offsets } => {
            let mut out = dump_header(number, offsets.then_some(offset)).into_bytes();
            out.push(b'\n');
            out.extend_from_slice(&text(rec, handling).ok()?);
            out.push(b'\n');
            done(out)
        }
    }
}

/// The header line [`Format::Dump`] writes before a record (no newline).
#[must_use]
pub fn dump_header(number: u64, offset: Option<u64>) -> String {
    match offset {
        Some(at) => format!("# record {number}, offset {at}"),
        None => format!("# record {number}"),
    }
}

/// Converts one item; `number` is its position in the file, from 1.
#[must_use]
pub fn convert_item(format: Format, item: &Item, handling: Utf8Handling, number: u64) -> Piece {
    if format == Format::Raw {
        return Piece::Own;
    }
    let rec = match &item.outcome {
        Outcome::Record(layout) => Valid {
            bytes: &item.chunk,
            layout,
        },
        Outcome::Transcoded { text, layout } => Valid {
            bytes: text,
            layout,
        },
        Outcome::Invalid(_) | Outcome::Fallback | Outcome::Fatal(_) => return Piece::Pending,
    };
    if format == Format::Nothing {
        return Piece::Counted;
    }
    match convert_valid(format, &rec, handling, number, item.offset) {
        Some((bytes, references)) => Piece::Done { bytes, references },
        None => Piece::Pending,
    }
}

/// Converts a batch on the rayon pool, in order; `first_number` is the
/// number of `items[0]`.
#[must_use]
pub fn convert_batch(
    format: Format,
    items: &[Item],
    handling: Utf8Handling,
    first_number: u64,
) -> Vec<Piece> {
    items
        .par_iter()
        .enumerate()
        .with_min_len(16)
        .map(|(i, item)| convert_item(format, item, handling, first_number + i as u64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::decode_item;
    use crate::decode::DecodeOptions;
    use crate::encode::tests::sample_record;
    use std::sync::Arc;

    fn item(rec: &[u8]) -> Item {
        decode_item(Arc::from(rec), 7, &Some(DecodeOptions::default()))
    }

    fn bytes(piece: Piece) -> Vec<u8> {
        match piece {
            Piece::Done { bytes, .. } => bytes,
            Piece::Own => b"(own)".to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn formats_of_a_utf8_record() {
        let rec = sample_record();
        let it = item(&rec);
        let h = Utf8Handling::Strict;
        assert_eq!(convert_item(Format::Raw, &it, h, 1), Piece::Own);
        assert_eq!(bytes(convert_item(Format::Marc, &it, h, 1)), rec);
        let text = String::from_utf8(bytes(convert_item(Format::Text, &it, h, 1))).unwrap();
        assert!(text.starts_with("=LDR  "));
        assert!(text.contains("\n=245  10$aA title :$bsubtitle \u{e9}\n"));
        let mrk = bytes(convert_item(Format::Mrk, &it, h, 1));
        assert_eq!(mrk, crlf(text.as_bytes()));
        let dump = bytes(convert_item(Format::Dump { offsets: true }, &it, h, 3));
        assert!(dump.starts_with(b"# record 3, offset 7\n=LDR"));
        assert!(dump.ends_with(b"\n\n"));
        let xml = bytes(convert_item(Format::Xml, &it, h, 1));
        assert!(xml.starts_with(b"<record><leader>"));
        let json = bytes(convert_item(Format::Json, &it, h, 1));
        assert!(json.starts_with(b"{\"leader\":"));
        let jsonl = bytes(convert_item(Format::Jsonl, &it, h, 1));
        assert!(jsonl.starts_with(b"{\"leader\": ") && jsonl.ends_with(b"}\n"));
        assert_eq!(convert_item(Format::Nothing, &it, h, 1), Piece::Counted);
        let marc8 = bytes(convert_item(Format::Marc8, &it, h, 1));
        assert_eq!(marc8[9], b' ');
        assert!(marc8.ends_with(b"subtitle \xe2e\x1e\x1d"));
    }

    #[test]
    fn what_is_not_native_is_pending() {
        let mut rec = sample_record();
        rec[12] = b'x';
        let bad = item(&rec);
        assert!(matches!(bad.outcome, Outcome::Invalid(_)));
        assert_eq!(
            convert_item(Format::Xml, &bad, Utf8Handling::Strict, 1),
            Piece::Pending
        );
        // Raw writes whatever was framed.
        assert_eq!(
            convert_item(Format::Raw, &bad, Utf8Handling::Strict, 1),
            Piece::Own
        );
        let batch = convert_batch(
            Format::Nothing,
            &[item(&sample_record()), bad],
            Utf8Handling::Strict,
            1,
        );
        assert_eq!(batch, [Piece::Counted, Piece::Pending]);
    }
}
