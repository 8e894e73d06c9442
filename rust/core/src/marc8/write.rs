//! A whole record in MARC-8: ISO 2709 laid out as pymarc's `as_marc` lays
//! it out, with leader position 9 blank and text in MARC-8.
//!
//! Subfield values go through the MARC-8 encoder. Control fields,
//! indicators, subfield codes and the leader are written one byte per
//! character, because pymarc reads them from a MARC-8 record as ISO 8859-1;
//! anything outside that becomes `&#xXXXX;` too. The count of such
//! references is kept for the caller to report.

use crate::consts::{END_OF_FIELD, SUBFIELD_INDICATOR};
use crate::encode::{directory_tag, RecordBuilder};
use crate::visit::RecordSink;

use super::encode::{encode, encode_latin1};

/// Builds one MARC-8 record (a [`RecordSink`]).
#[derive(Debug, Default)]
pub struct Marc8RecordWriter {
    builder: RecordBuilder,
    leader: String,
    /// The open data field: its directory tag and where its bytes start.
    open: Option<(Vec<u8>, usize)>,
    references: usize,
}

impl Marc8RecordWriter {
    /// An empty record.
    #[must_use]
    pub fn new() -> Self {
        Self {
            builder: RecordBuilder::new(),
            ..Self::default()
        }
    }

    /// The record's bytes, and how many characters were written as
    /// numeric character references.
    #[must_use]
    pub fn finish(mut self) -> (Vec<u8>, usize) {
        let mut leader: Vec<char> = self.leader.chars().collect();
        // pymarc's `leader[0:9] + c + leader[10:]`, with a blank for MARC-8.
        if leader.len() > 9 {
            leader[9] = ' ';
        } else {
            leader.push(' ');
        }
        let text = |range: std::ops::RangeFrom<usize>, end: Option<usize>| -> String {
            let from = range.start.min(leader.len());
            let to = end.map_or(leader.len(), |e| e.min(leader.len())).max(from);
            leader[from..to].iter().collect()
        };
        let mut mid = Vec::with_capacity(7);
        let mut tail = Vec::with_capacity(7);
        self.references += encode_latin1(&text(5.., Some(12)), &mut mid);
        self.references += encode_latin1(&text(17.., None), &mut tail);
        (self.builder.finish(&mid, &tail), self.references)
    }

    /// Appends a field's own bytes (its terminator included) as they are:
    /// what pymarc's `RawField.as_marc` gives for undecoded fields.
    pub fn raw_field(&mut self, tag: &str, bytes: &[u8]) {
        let tag = self.tag(tag);
        let start = self.builder.position();
        self.builder.field_buffer().extend_from_slice(bytes);
        self.end_field(&tag, start);
    }

    fn end_field(&mut self, tag: &[u8], start: usize) {
        self.builder.end_field(tag, start);
    }

    fn tag(&mut self, tag: &str) -> Vec<u8> {
        match directory_tag(tag) {
            Some(bytes) => bytes,
            None => {
                let mut bytes = Vec::with_capacity(3);
                self.references += encode_latin1(tag, &mut bytes);
                bytes
            }
        }
    }
}

impl RecordSink for Marc8RecordWriter {
    fn leader(&mut self, text: &str) {
        text.clone_into(&mut self.leader);
    }

    fn control_field(&mut self, tag: &str, data: &str) {
        let tag = self.tag(tag);
        let start = self.builder.position();
        let out = self.builder.field_buffer();
        let n = encode_latin1(data, out);
        out.push(END_OF_FIELD);
        self.references += n;
        self.end_field(&tag, start);
    }

    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        let tag = self.tag(tag);
        let start = self.builder.position();
        let out = self.builder.field_buffer();
        let n = encode_latin1(ind1, out) + encode_latin1(ind2, out);
        self.references += n;
        self.open = Some((tag, start));
    }

    fn subfield(&mut self, code: &str, value: &str) {
        let out = self.builder.field_buffer();
        out.push(SUBFIELD_INDICATOR);
        let n = encode_latin1(code, out) + encode(value, out);
        self.references += n;
    }

    fn end_data_field(&mut self) {
        self.builder.field_buffer().push(END_OF_FIELD);
        if let Some((tag, start)) = self.open.take() {
            self.end_field(&tag, start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_layout, DecodeOptions};
    use crate::marc8::transcode_record;
    use crate::text::Utf8Handling;
    use crate::visit::visit_fields;

    #[test]
    fn a_record_round_trips_through_the_decoder() {
        let mut w = Marc8RecordWriter::new();
        w.leader("00000nam a2200000   4500");
        w.control_field("001", "id 1");
        w.begin_data_field("245", "1", "0");
        w.subfield("a", "Caf\u{e9} \u{430}");
        w.subfield("b", "\u{1F600}");
        w.end_data_field();
        let (rec, refs) = w.finish();
        assert_eq!(refs, 1);
        assert_eq!(rec[9], b' ');
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        assert!(layout.canonical);
        let t = transcode_record(&rec, &layout, false).unwrap();
        let mut trace = crate::visit::tests::Trace::default();
        visit_fields(&t.bytes, &t.layout, Utf8Handling::Strict, &mut trace).unwrap();
        assert_eq!(
            trace.0,
            [
                "001 id 1",
                "245 [10]",
                "  $aCaf\u{e9} \u{430}",
                "  $b&#x1F600;",
                "end"
            ]
        );
    }

    #[test]
    fn short_leaders_and_odd_tags() {
        let mut w = Marc8RecordWriter::new();
        w.leader("abc");
        w.control_field("1", "x");
        let (rec, _) = w.finish();
        // Like pymarc: length, leader[5:12], base address, leader[17:],
        // the lengths counted as if the leader had its 24 characters.
        assert_eq!(&rec[..10], b"0004000037");
        assert_eq!(&rec[10..13], b"001");
    }
}
