//! Encoding arbitrary fields with `RecordBuilder`, then reading the bytes
//! back.
//!
//! Properties: a record within ISO 2709's limits (field length <= 9999,
//! record length <= 99999) frames as one record of its full length, carries
//! its length and base address in the leader, and decodes under every
//! option to exactly the fields that were written, with pymarc's indicator
//! notes; strict UTF-8 rejects it (with `NotUtf8`) exactly when some text
//! is not UTF-8; no fields gives `NoFieldsFound`; re-encoding gives the
//! same bytes, with the indicators repaired as pymarc repairs them.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pymrrc_core::consts::{END_OF_FIELD, LEADER_LEN, SUBFIELD_INDICATOR};
use pymrrc_core::decode::{decode_layout, FieldSpan, Note};
use pymrrc_core::encode::{reencode_layout, RecordBuilder};
use pymrrc_core::error::ErrorKind;
use pymrrc_core::framing::{next_frame, Frame};
use pymrrc_core::text::Utf8Handling;
use pymrrc_fuzz::{all_contents, all_options, check_layout, Contents};

#[derive(Arbitrary, Debug)]
struct Input {
    leader_mid: [u8; 7],
    leader_tail: [u8; 7],
    fields: Vec<InputField>,
}

#[derive(Arbitrary, Debug)]
struct InputField {
    tag: [u8; 3],
    /// A control field's data (used when the tag is a control tag).
    data: Vec<u8>,
    /// Zero to three indicators are written as given (after cleaning).
    indicators: Vec<u8>,
    subfields: Vec<(u8, Vec<u8>)>,
}

/// An ASCII byte that is not the subfield delimiter (what the decoder needs
/// in tags, indicators and codes for the field to read back unchanged).
fn clean(b: u8) -> u8 {
    match b & 0x7f {
        SUBFIELD_INDICATOR => b'_',
        c => c,
    }
}

/// A value with no subfield delimiter in it.
fn clean_value(v: &[u8]) -> Vec<u8> {
    v.iter()
        .map(|&b| if b == SUBFIELD_INDICATOR { b'.' } else { b })
        .collect()
}

fn is_control(tag: [u8; 3]) -> bool {
    FieldSpan {
        tag,
        start: 0,
        end: 0,
    }
    .is_control()
}

fuzz_target!(|input: Input| {
    let leader_mid: Vec<u8> = input.leader_mid.iter().map(|&b| b & 0x7f).collect();
    let leader_tail: Vec<u8> = input.leader_tail.iter().map(|&b| b & 0x7f).collect();

    let mut builder = RecordBuilder::new();
    let mut expected = Vec::new();
    let mut expected_notes = 0usize;
    let mut text_is_utf8 = true;
    let mut longest_field = 0;
    for field in &input.fields {
        let tag = field.tag.map(clean);
        let start = builder.position();
        let out = builder.field_buffer();
        if is_control(tag) {
            out.extend_from_slice(&field.data);
            text_is_utf8 &= std::str::from_utf8(&field.data).is_ok();
            expected.push(Contents::Control {
                tag,
                data: field.data.clone(),
            });
        } else {
            let ind: Vec<u8> = field.indicators.iter().take(3).map(|&b| clean(b)).collect();
            out.extend_from_slice(&ind);
            expected_notes += usize::from(ind.len() != 2);
            let mut subfields = Vec::new();
            for (code, value) in &field.subfields {
                let (code, value) = (clean(*code), clean_value(value));
                out.push(SUBFIELD_INDICATOR);
                out.push(code);
                out.extend_from_slice(&value);
                text_is_utf8 &= std::str::from_utf8(&value).is_ok();
                subfields.push((code, value));
            }
            expected.push(Contents::Data {
                tag,
                indicators: [
                    ind.first().copied().unwrap_or(b' '),
                    ind.get(1).copied().unwrap_or(b' '),
                ],
                subfields,
            });
        }
        out.push(END_OF_FIELD);
        longest_field = longest_field.max(builder.position() - start);
        builder.end_field(&tag, start);
    }
    let record = builder.finish(&leader_mid, &leader_tail);
    if longest_field > 9999 || record.len() > 99999 {
        // pymarc writes such records too, but no reader can frame them.
        return;
    }

    assert_eq!(
        next_frame(&record, true),
        Frame::Record { len: record.len() }
    );
    assert_eq!(
        next_frame(&record, false),
        Frame::Record { len: record.len() }
    );
    assert_eq!(&record[..5], format!("{:05}", record.len()).as_bytes());
    let base = 24 + 12 * input.fields.len() + 1;
    assert_eq!(&record[12..17], format!("{base:05}").as_bytes());
    assert_eq!(&record[5..12], &leader_mid[..]);
    assert_eq!(&record[17..LEADER_LEN], &leader_tail[..]);

    for options in all_options() {
        let mut notes = Vec::new();
        let result = decode_layout(&record, &options, &mut notes);
        let utf8 = options.force_utf8 || record[9] == b'a';
        if input.fields.is_empty() {
            assert_eq!(result.map_err(|e| e.kind), Err(ErrorKind::NoFieldsFound));
            continue;
        }
        let checks_text =
            utf8 && options.to_unicode && options.utf8_handling == Utf8Handling::Strict;
        let control_text_ok = input
            .fields
            .iter()
            .filter(|f| is_control(f.tag.map(clean)))
            .all(|f| std::str::from_utf8(&f.data).is_ok());
        // Strict UTF-8 checks subfield values; control fields are always
        // decoded strictly (as pymarc does) once text is decoded at all.
        let must_fail =
            (checks_text && !text_is_utf8) || (utf8 && options.to_unicode && !control_text_ok);
        let layout = match result {
            Ok(layout) => {
                assert!(!must_fail, "{options:?}: accepted invalid UTF-8");
                layout
            }
            Err(err) => {
                assert!(must_fail, "{options:?}: rejected a valid record: {err:?}");
                assert_eq!(err.kind, ErrorKind::NotUtf8);
                continue;
            }
        };
        check_layout(&record, &layout, &options);
        assert!(!layout.needs_fallback, "codes are ASCII");
        assert_eq!(all_contents(&record, &layout), expected);
        assert_eq!(notes.len(), expected_notes);
        for note in &notes {
            assert!(matches!(
                note,
                Note::MissingIndicators { .. }
                    | Note::OneIndicator { .. }
                    | Note::ExtraIndicators { .. }
            ));
        }
        let again = reencode_layout(&record, &layout, &layout.leader);
        if expected_notes == 0 {
            assert_eq!(again, record, "re-encoding a clean record changed it");
        } else if longest_field + 2 <= 9999 && again.len() <= 99999 {
            let mut notes_again = Vec::new();
            let layout_again = decode_layout(&again, &options, &mut notes_again)
                .expect("a re-encoded record decodes");
            assert!(notes_again.is_empty());
            assert_eq!(all_contents(&again, &layout_again), expected);
        }
    }
});
