//! Rewriting a validated MARC-8 record as UTF-8, field for field.
//!
//! pymarc's `decode_marc` decodes a MARC-8 record's control fields as
//! ISO 8859-1 and each subfield value through a fresh MARC-8 decoder
//! (`marc8_to_unicode`); indicators and subfield codes are ASCII. The
//! result here is a buffer holding the leader and then each field's decoded
//! text as UTF-8, with the same delimiters and a terminator after each
//! field, plus a [`Layout`] over it. Anything that reads a UTF-8 record's
//! layout (building fields, titles, `as_marc`) then works on it unchanged.

use crate::consts::{END_OF_FIELD, SUBFIELD_INDICATOR};
use crate::decode::{FieldSpan, Layout, SubfieldParts};

use super::decode::{decode, Charsets, Marc8Error, Marc8Note};

/// A MARC-8 record decoded to UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcoded {
    /// The leader followed by every field's UTF-8 text and a terminator.
    pub bytes: Vec<u8>,
    /// Where the fields lie in [`Self::bytes`]; the leader is the
    /// original record's.
    pub layout: Layout,
}

/// Why a record was not transcoded: pymarc would write this line to
/// `sys.stderr`, or raise, while decoding it. Callers that must reproduce
/// that leave the record to an exact decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Untranscoded {
    /// The first stderr line pymarc would write.
    Note(Marc8Note),
    /// pymarc raises `UnicodeDecodeError` on a subfield.
    Error(Marc8Error),
}

/// Decodes the fields `layout` locates in `record` (a validated MARC-8
/// record) as pymarc does. `quiet` is pymarc's `hide_utf8_warnings`.
///
/// # Errors
/// The first line pymarc would write to stderr, or the error it would
/// raise: such records are not transcoded.
pub fn transcode_record(
    record: &[u8],
    layout: &Layout,
    quiet: bool,
) -> Result<Transcoded, Untranscoded> {
    let mut text: Vec<u8> = Vec::with_capacity(record.len() + record.len() / 8);
    text.extend_from_slice(&layout.leader);
    let mut notes = Vec::new();
    let mut fields = Vec::with_capacity(layout.fields.len());
    for span in &layout.fields {
        let bytes = record.get(span.start..span.end).unwrap_or_default();
        let start = text.len();
        if span.is_control() {
            push_latin1(&mut text, bytes);
        } else {
            transcode_data_field(bytes, quiet, &mut text, &mut notes)?;
        }
        fields.push(FieldSpan {
            tag: span.tag,
            start,
            end: text.len(),
        });
        text.push(END_OF_FIELD);
    }
    Ok(Transcoded {
        bytes: text,
        layout: Layout {
            leader: layout.leader,
            fields,
            utf8: true,
            needs_fallback: false,
            canonical: false,
        },
    })
}

/// Appends ISO 8859-1 `bytes` as UTF-8 (each byte is the code point of the
/// same value).
fn push_latin1(text: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_ascii() {
        text.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        let mut buf = [0u8; 4];
        text.extend_from_slice(char::from(b).encode_utf8(&mut buf).as_bytes());
    }
}

/// Appends a data field: its indicator bytes as they are, then each
/// subfield's code and decoded value. Indicators and codes are ASCII (the
/// layout was validated and has no fallback), and decoded text holds no
/// byte below 0x20 but ESC (the decoder drops control bytes before lookup
/// and no table maps a code of 0x20 or more to a control character), so the delimiters
/// stay where they were.
fn transcode_data_field(
    bytes: &[u8],
    quiet: bool,
    text: &mut Vec<u8>,
    notes: &mut Vec<Marc8Note>,
) -> Result<(), Untranscoded> {
    let mut parts = SubfieldParts::new(bytes);
    if let Some((s, e)) = parts.next() {
        push_latin1(text, bytes.get(s..e).unwrap_or_default());
    }
    for (start, end) in parts {
        text.push(SUBFIELD_INDICATOR);
        let Some((&code, value)) = bytes.get(start..end).and_then(<[u8]>::split_first) else {
            continue;
        };
        push_latin1(text, &[code]);
        let mut state = Charsets::default();
        decode(value, &mut state, quiet, text, notes).map_err(Untranscoded::Error)?;
        if let Some(&note) = notes.first() {
            return Err(Untranscoded::Note(note));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::LEADER_LEN;
    use crate::decode::{decode_layout, DecodeOptions};
    use crate::encode::RecordBuilder;

    fn marc8_record(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut b = RecordBuilder::new();
        for (tag, data) in fields {
            let start = b.position();
            b.field_buffer().extend_from_slice(data);
            b.end_field(tag, start);
        }
        b.finish(b"nam  22", b"   4500")
    }

    fn layout(rec: &[u8]) -> Layout {
        decode_layout(rec, &DecodeOptions::default(), &mut Vec::new()).unwrap()
    }

    #[test]
    fn decodes_control_fields_as_latin1_and_subfields_as_marc8() {
        let rec = marc8_record(&[
            (b"001", b"ab\xe9\x1e"),
            (b"245", b"10\x1faCaf\xe2e\x1f\x1fb\x1b(NA\x1e"),
        ]);
        let t = transcode_record(&rec, &layout(&rec), false).unwrap();
        let f0 = t.layout.fields[0];
        assert_eq!(&t.bytes[f0.start..f0.end], "ab\u{e9}".as_bytes());
        let f1 = t.layout.fields[1];
        assert_eq!(
            &t.bytes[f1.start..f1.end],
            "10\x1faCaf\u{e9}\x1f\x1fb\u{430}".as_bytes()
        );
        assert_eq!(&t.bytes[..LEADER_LEN], &rec[..LEADER_LEN]);
    }

    #[test]
    fn each_subfield_starts_in_the_default_sets() {
        let rec = marc8_record(&[(b"245", b"10\x1fa\x1b(NA\x1fbA\x1e")]);
        let t = transcode_record(&rec, &layout(&rec), false).unwrap();
        let f = t.layout.fields[0];
        assert_eq!(&t.bytes[f.start..f.end], "10\x1fa\u{430}\x1fbA".as_bytes());
    }

    #[test]
    fn stderr_lines_and_errors_are_reported() {
        let rec = marc8_record(&[(b"245", b"10\x1faa\xafb\x1e")]);
        assert!(matches!(
            transcode_record(&rec, &layout(&rec), false),
            Err(Untranscoded::Note(Marc8Note::Unmappable { code: 0xaf, .. }))
        ));
        assert!(transcode_record(&rec, &layout(&rec), true).is_ok());
        let rec = marc8_record(&[(b"245", b"10\x1faab\x1b\x1e")]);
        assert!(matches!(
            transcode_record(&rec, &layout(&rec), true),
            Err(Untranscoded::Error(_))
        ));
    }
}
