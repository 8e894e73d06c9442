//! Assembling a record's bytes, as pymarc's `Record.as_marc` lays them out.
//!
//! pymarc writes each directory entry as the tag, the field length with at
//! least four digits and the offset with at least five (longer numbers are
//! written in full, not truncated), and the leader as the record length and
//! base address with at least five digits around the caller's leader text.

use crate::consts::{END_OF_FIELD, END_OF_RECORD, LEADER_LEN, SUBFIELD_INDICATOR};
use crate::decode::{DataFieldParts, FieldSpan, Layout};

/// Builds a record from already-encoded fields.
#[derive(Debug, Default)]
pub struct RecordBuilder {
    directory: Vec<u8>,
    data: Vec<u8>,
}

impl RecordBuilder {
    /// An empty builder sized for a typical record.
    #[must_use]
    pub fn new() -> Self {
        Self {
            directory: Vec::with_capacity(256),
            data: Vec::with_capacity(1024),
        }
    }

    /// The buffer a field's bytes are written to; call [`Self::end_field`]
    /// once they are written.
    pub fn field_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }

    /// Records a field whose bytes (terminator included) were appended to
    /// [`Self::field_buffer`] since `start`, under the directory tag `tag`.
    pub fn end_field(&mut self, tag: &[u8], start: usize) {
        self.directory.extend_from_slice(tag);
        push_padded(&mut self.directory, self.data.len() - start, 4);
        push_padded(&mut self.directory, start, 5);
    }

    /// Where the next field's bytes begin.
    #[must_use]
    pub fn position(&self) -> usize {
        self.data.len()
    }

    /// Finishes the record: `leader_mid` is the leader text from position 5
    /// to 12 and `leader_tail` the text from position 17 on.
    #[must_use]
    pub fn finish(mut self, leader_mid: &[u8], leader_tail: &[u8]) -> Vec<u8> {
        self.directory.push(END_OF_FIELD);
        self.data.push(END_OF_RECORD);
        let base_address = LEADER_LEN + self.directory.len();
        let length = base_address + self.data.len();
        let mut out = Vec::with_capacity(length + 8);
        push_padded(&mut out, length, 5);
        out.extend_from_slice(leader_mid);
        push_padded(&mut out, base_address, 5);
        out.extend_from_slice(leader_tail);
        out.extend_from_slice(&self.directory);
        out.extend_from_slice(&self.data);
        out
    }
}

/// Appends `value` in decimal, zero-padded to at least `width` digits.
pub fn push_padded(out: &mut Vec<u8>, value: usize, width: usize) {
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - i;
    out.extend(std::iter::repeat(b'0').take(width.saturating_sub(len)));
    out.extend_from_slice(&digits[i..]);
}

/// The directory tag pymarc writes for a tag: an all-digit tag as three
/// digits (`int(tag)` zero-padded), any other right-aligned with zeros to
/// three characters. `None` for a tag that is not ASCII (Python's `isdigit`
/// and `int` know more digits than ASCII's; callers leave those to Python).
#[must_use]
pub fn directory_tag(tag: &str) -> Option<Vec<u8>> {
    if !tag.is_ascii() {
        return None;
    }
    let text = if !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = tag.trim_start_matches('0');
        if trimmed.is_empty() {
            "0"
        } else {
            trimmed
        }
    } else {
        tag
    };
    let mut v = Vec::with_capacity(3);
    v.extend(std::iter::repeat(b'0').take(3usize.saturating_sub(text.len())));
    v.extend_from_slice(text.as_bytes());
    Some(v)
}

/// Appends a data field as pymarc re-encodes a decoded one: two indicators
/// (blanks for missing ones, extras dropped), every non-empty subfield, and
/// the field terminator.
pub fn push_decoded_data_field(out: &mut Vec<u8>, field_bytes: &[u8]) {
    let parts = DataFieldParts::new(field_bytes);
    out.extend_from_slice(&parts.indicators);
    for (start, end) in parts {
        out.push(SUBFIELD_INDICATOR);
        out.extend_from_slice(&field_bytes[start..end]);
    }
    out.push(END_OF_FIELD);
}

/// Re-encodes a validated UTF-8 record exactly as pymarc's `as_marc` would
/// after decoding it, with `leader` as the leader text, without building any
/// intermediate text. A canonical record (most are) is copied, with the
/// leader text in place of its own.
#[must_use]
pub fn reencode_layout(record: &[u8], layout: &Layout, leader: &[u8; LEADER_LEN]) -> Vec<u8> {
    if layout.canonical && record.len() > LEADER_LEN {
        let mut out = Vec::with_capacity(record.len());
        reencode_layout_into(&mut out, record, layout, leader);
        return out;
    }
    reencode_fields(record, layout, leader)
}

/// [`reencode_layout`], appending the bytes to `out` (which saves a copy
/// for canonical records).
pub fn reencode_layout_into(
    out: &mut Vec<u8>,
    record: &[u8],
    layout: &Layout,
    leader: &[u8; LEADER_LEN],
) {
    if layout.canonical && record.len() > LEADER_LEN {
        let start = out.len();
        out.extend_from_slice(record);
        out[start + 5..start + 12].copy_from_slice(&leader[5..12]);
        out[start + 17..start + LEADER_LEN].copy_from_slice(&leader[17..]);
        return;
    }
    out.extend_from_slice(&reencode_fields(record, layout, leader));
}

/// [`reencode_layout`] the long way, field by field, whether or not the
/// record is canonical.
#[must_use]
pub fn reencode_fields(record: &[u8], layout: &Layout, leader: &[u8; LEADER_LEN]) -> Vec<u8> {
    let mut builder = RecordBuilder::new();
    for span in &layout.fields {
        let start = builder.position();
        push_field(builder.field_buffer(), record, span);
        builder.end_field(&span.tag, start);
    }
    builder.finish(&leader[5..12], &leader[17..])
}

fn push_field(out: &mut Vec<u8>, record: &[u8], span: &FieldSpan) {
    let bytes = &record[span.start..span.end];
    if span.is_control() {
        out.extend_from_slice(bytes);
        out.push(END_OF_FIELD);
    } else {
        push_decoded_data_field(out, bytes);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::decode::{decode_layout, DecodeOptions};

    /// A small UTF-8 record with a control field and two data fields.
    pub(crate) fn sample_record() -> Vec<u8> {
        let mut b = RecordBuilder::new();
        let fields: [(&[u8], &[u8]); 3] = [
            (b"001", b"12345\x1e"),
            (b"100", b"1 \x1faSmith, J.\x1e"),
            (b"245", b"10\x1faA title :\x1fbsubtitle \xc3\xa9\x1e"),
        ];
        for (tag, data) in fields {
            let start = b.position();
            b.field_buffer().extend_from_slice(data);
            b.end_field(tag, start);
        }
        b.finish(b"nam a22", b"   4500")
    }

    #[test]
    fn padding_writes_long_numbers_in_full() {
        let mut out = Vec::new();
        push_padded(&mut out, 7, 4);
        push_padded(&mut out, 123_456, 5);
        push_padded(&mut out, 0, 3);
        assert_eq!(out, b"0007123456000");
    }

    #[test]
    fn reencoding_a_clean_record_is_identity() {
        let rec = sample_record();
        assert_eq!(&rec[..5], format!("{:05}", rec.len()).as_bytes());
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(reencode_layout(&rec, &layout, &layout.leader), rec);
    }

    #[test]
    fn reencoding_normalises_like_pymarc() {
        let mut out = Vec::new();
        push_decoded_data_field(&mut out, b"\x1fa1\x1f\x1fb2");
        assert_eq!(out, b"  \x1fa1\x1fb2\x1e");
        out.clear();
        push_decoded_data_field(&mut out, b"123\x1fa1");
        assert_eq!(out, b"12\x1fa1\x1e");
    }
}
