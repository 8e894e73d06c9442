//! Inputs the fuzz targets (fuzz/) found, kept as regression tests. Each
//! test states the property that failed.

use pymrrc_core::decode::{decode_layout, fields_are_utf8, DecodeOptions};
use pymrrc_core::error::ErrorKind;
use pymrrc_core::text::Utf8Handling;

/// A UTF-8 record with the given directory entries over `data`.
fn record(entries: &[&[u8]], data: &[u8]) -> Vec<u8> {
    let mut directory: Vec<u8> = entries.concat();
    directory.push(0x1e);
    let base = 24 + directory.len();
    let total = base + data.len() + 1;
    let mut out = format!("{total:05}nam a22{base:05}   4500").into_bytes();
    out.extend_from_slice(&directory);
    out.extend_from_slice(data);
    out.push(0x1d);
    out
}

fn options(handling: Utf8Handling) -> DecodeOptions {
    DecodeOptions {
        utf8_handling: handling,
        ..DecodeOptions::default()
    }
}

/// fuzz target `decode`: a record that is valid UTF-8 as a whole was taken
/// to have valid text in every field, but a directory entry may start or
/// end a field inside a character; pymarc then raises UnicodeDecodeError.
#[test]
fn field_spans_inside_a_character_are_not_utf8() {
    // 245 "10\x1fa\xc3\xa9" is fine; 001 starts on the \xa9 byte.
    let data = b"10\x1fa\xc3\xa9\x1e";
    let control_mid = record(&[b"245000700000", b"001000200005"], data);
    let err = decode_layout(
        &control_mid,
        &options(Utf8Handling::Strict),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotUtf8);
    assert_eq!(err.span, 24 + 25 + 5..24 + 25 + 6);
    // pymarc decodes control fields strictly whatever the handler.
    let err = decode_layout(
        &control_mid,
        &options(Utf8Handling::Replace),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotUtf8);

    // A data field that ends after the \xc3 byte.
    let data_mid = record(&[b"245000600000", b"500000700000"], data);
    let err =
        decode_layout(&data_mid, &options(Utf8Handling::Strict), &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotUtf8);
    for handling in [Utf8Handling::Replace, Utf8Handling::Ignore] {
        let layout = decode_layout(&data_mid, &options(handling), &mut Vec::new()).unwrap();
        assert_eq!(layout.fields.len(), 2);
        // as_marc may not copy such a record's bytes: its text changes.
        assert!(!fields_are_utf8(&data_mid, &layout));
    }
    let whole = record(&[b"245000700000"], data);
    let layout = decode_layout(&whole, &options(Utf8Handling::Replace), &mut Vec::new()).unwrap();
    assert!(fields_are_utf8(&whole, &layout));
}
