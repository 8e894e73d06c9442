//! Walking a record's contents in order, for serialisers that turn it into
//! text (MARCXML, MARC-in-JSON).
//!
//! A serialiser implements [`RecordSink`]; a walker calls it with the leader
//! and then each field, as pymarc's `for field in record` loop sees them.
//! [`visit_fields`] walks a validated record straight from its bytes, giving
//! exactly the text the decoder would put into `Field` objects (missing
//! indicators read as blanks, empty subfields left out).

use std::borrow::Cow;

use crate::consts::LEADER_LEN;
use crate::decode::{DataFieldParts, Layout};
use crate::text::{decode_utf8, Utf8Handling};

/// Receives a record's parts in document order.
pub trait RecordSink {
    /// The leader text (always called first, once).
    fn leader(&mut self, text: &str);
    /// A control field.
    fn control_field(&mut self, tag: &str, data: &str);
    /// Opens a data field; its subfields follow, then [`Self::end_data_field`].
    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str);
    /// One subfield of the open data field.
    fn subfield(&mut self, code: &str, value: &str);
    /// Closes the open data field.
    fn end_data_field(&mut self);
}

/// Why a layout could not be walked. Neither happens for a layout produced
/// by [`crate::decode_layout`] from the same bytes and handling; callers
/// treat both as "use the slow path".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitError {
    /// A field span lies outside the record's bytes.
    SpanOutOfRange,
    /// Text is not valid UTF-8 under the strict handler.
    InvalidUtf8,
}

/// Text for bytes read one byte per character (Latin-1), borrowed when the
/// bytes are ASCII. Tags, indicators and the leader are read this way, as
/// the decoder reads them.
fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is valid UTF-8; the fallback only keeps this total.
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        }
    } else {
        Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
    }
}

/// The text of leader bytes, read one byte per character as the decoder
/// reads them.
#[must_use]
pub fn leader_text(leader: &[u8; LEADER_LEN]) -> Cow<'_, str> {
    latin1(leader)
}

/// Walks the fields of a validated record (the caller reports the leader
/// first); `handling` is the UTF-8 error handler the record was decoded
/// with. Returns the number of fields walked.
///
/// # Errors
/// [`VisitError`] when the layout does not fit the bytes; the sink may then
/// hold partial output, which the caller discards.
pub fn visit_fields<S: RecordSink>(
    bytes: &[u8],
    layout: &Layout,
    handling: Utf8Handling,
    sink: &mut S,
) -> Result<usize, VisitError> {
    // Most records are valid UTF-8 as a whole: their fields are then
    // sliced from one checked `str` instead of being checked piece by piece
    // (the text is the same under every handler).
    let whole = std::str::from_utf8(bytes).ok();
    for span in &layout.fields {
        let data = bytes
            .get(span.start..span.end)
            .ok_or(VisitError::SpanOutOfRange)?;
        let tag = latin1(&span.tag);
        if let Some(text) = whole.and_then(|w| w.get(span.start..span.end)) {
            visit_text_field(text, &tag, span.is_control(), handling, sink)?;
            continue;
        }
        if span.is_control() {
            // Control fields are decoded strictly, whatever the handler.
            let text = decode_utf8(data, Utf8Handling::Strict).ok_or(VisitError::InvalidUtf8)?;
            sink.control_field(&tag, &text);
            continue;
        }
        walk_data_field(data, &tag, sink, |start, end| {
            let value = data.get(start..end).unwrap_or_default();
            decode_utf8(value, handling).ok_or(VisitError::InvalidUtf8)
        })?;
    }
    Ok(layout.fields.len())
}

/// Walks a field whose text is known to be valid: what the loop in
/// [`visit_fields`] does, without checking the text again (but for a
/// subfield whose code is not ASCII, whose value then starts inside a
/// character, read byte by byte as that loop reads it).
fn visit_text_field<S: RecordSink>(
    text: &str,
    tag: &str,
    control: bool,
    handling: Utf8Handling,
    sink: &mut S,
) -> Result<(), VisitError> {
    if control {
        sink.control_field(tag, text);
        return Ok(());
    }
    let bytes = text.as_bytes();
    walk_data_field(bytes, tag, sink, |start, end| match text.get(start..end) {
        Some(value) => Ok(Cow::Borrowed(value)),
        None => {
            let value = bytes.get(start..end).unwrap_or_default();
            decode_utf8(value, handling).ok_or(VisitError::InvalidUtf8)
        }
    })
}

/// Walks a data field's indicators and subfields (each code read as one
/// byte); `value(start, end)` gives the text of the value in `data[start..end]`.
fn walk_data_field<'a, S: RecordSink>(
    data: &'a [u8],
    tag: &str,
    sink: &mut S,
    value: impl Fn(usize, usize) -> Result<Cow<'a, str>, VisitError>,
) -> Result<(), VisitError> {
    let parts = DataFieldParts::new(data);
    let mut one = [0u8; 4];
    let mut two = [0u8; 4];
    let ind1 = indicator_text(parts.indicators[0], &mut one);
    let ind2 = indicator_text(parts.indicators[1], &mut two);
    sink.begin_data_field(tag, ind1, ind2);
    for (start, end) in parts {
        let Some(&code) = data.get(start) else {
            continue;
        };
        let mut buf = [0u8; 4];
        let code = char::from(code).encode_utf8(&mut buf);
        sink.subfield(code, &value(start + 1, end)?);
    }
    sink.end_data_field();
    Ok(())
}

/// An indicator byte as text.
fn indicator_text(byte: u8, buf: &mut [u8; 4]) -> &str {
    char::from(byte).encode_utf8(buf)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::decode::{decode_layout, DecodeOptions};
    use crate::encode::tests::sample_record;

    /// Records every call as a line of text.
    #[derive(Default)]
    pub(crate) struct Trace(pub Vec<String>);

    impl RecordSink for Trace {
        fn leader(&mut self, text: &str) {
            self.0.push(format!("LDR {text}"));
        }
        fn control_field(&mut self, tag: &str, data: &str) {
            self.0.push(format!("{tag} {data}"));
        }
        fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
            self.0.push(format!("{tag} [{ind1}{ind2}]"));
        }
        fn subfield(&mut self, code: &str, value: &str) {
            self.0.push(format!("  ${code}{value}"));
        }
        fn end_data_field(&mut self) {
            self.0.push("end".into());
        }
    }

    fn walk(
        bytes: &[u8],
        layout: &Layout,
        leader: &[u8; LEADER_LEN],
        handling: Utf8Handling,
        sink: &mut Trace,
    ) -> Result<usize, VisitError> {
        sink.leader(&leader_text(leader));
        visit_fields(bytes, layout, handling, sink)
    }

    #[test]
    fn walks_fields_as_the_decoder_reads_them() {
        let rec = sample_record();
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let mut trace = Trace::default();
        let n = walk(
            &rec,
            &layout,
            &layout.leader,
            Utf8Handling::Strict,
            &mut trace,
        );
        assert_eq!(n, Ok(3));
        assert_eq!(trace.0[0], format!("LDR {}", latin1(&layout.leader)));
        assert_eq!(trace.0[1], "001 12345");
        assert!(trace.0.iter().any(|l| l.starts_with("  $")));
    }

    #[test]
    fn missing_indicators_are_blanks_and_empty_subfields_are_skipped() {
        let mut trace = Trace::default();
        let bytes = b"\x1f\x1fax\x1f";
        let layout = Layout {
            leader: *b"00000nam a2200000   4500",
            fields: vec![crate::FieldSpan {
                tag: *b"245",
                start: 0,
                end: bytes.len(),
            }],
            utf8: true,
            needs_fallback: false,
            canonical: false,
        };
        walk(
            bytes,
            &layout,
            &layout.leader,
            Utf8Handling::Strict,
            &mut trace,
        )
        .unwrap();
        assert_eq!(trace.0[1..], ["245 [  ]", "  $ax", "end"]);
    }

    #[test]
    fn bad_spans_and_text_are_errors_not_panics() {
        let mut layout = Layout {
            leader: *b"00000nam a2200000   4500",
            fields: vec![crate::FieldSpan {
                tag: *b"245",
                start: 2,
                end: 40,
            }],
            utf8: true,
            needs_fallback: false,
            canonical: false,
        };
        let bytes = b"10\x1fa\xff";
        let mut trace = Trace::default();
        let err = walk(
            bytes,
            &layout,
            &layout.leader,
            Utf8Handling::Strict,
            &mut trace,
        );
        assert_eq!(err, Err(VisitError::SpanOutOfRange));
        layout.fields[0].start = 0;
        layout.fields[0].end = bytes.len();
        let err = walk(
            bytes,
            &layout,
            &layout.leader,
            Utf8Handling::Strict,
            &mut trace,
        );
        assert_eq!(err, Err(VisitError::InvalidUtf8));
        let mut trace = Trace::default();
        walk(
            bytes,
            &layout,
            &layout.leader,
            Utf8Handling::Replace,
            &mut trace,
        )
        .unwrap();
        assert_eq!(trace.0[2], "  $a\u{FFFD}");
    }
}
