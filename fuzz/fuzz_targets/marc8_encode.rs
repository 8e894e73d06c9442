//! MARC-8 encoding of arbitrary text: `marc8::encode`, read back with
//! `marc8::decode` (pymarc's decoder).
//!
//! Properties: no byte that would break a record (only ESC below 0x20);
//! the result decodes without an error and without a stderr note; with no
//! reference counted it decodes to the text in NFC, otherwise it holds at
//! least that many `&#x`; encoding is deterministic and appends only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pymrrc_core::marc8::{decode, encode, Charsets};
use unicode_normalization::UnicodeNormalization;

fuzz_target!(|text: &str| {
    let mut out = b"prefix".to_vec();
    let references = encode(text, &mut out);
    assert!(out.starts_with(b"prefix"));
    let written = &out[6..];
    assert!(
        written.iter().all(|&b| b >= 0x20 || b == 0x1b),
        "a control byte in {written:?}"
    );
    let mut again = Vec::new();
    assert_eq!(encode(text, &mut again), references);
    assert_eq!(again, written, "not deterministic");
    let mut back = Vec::new();
    let mut notes = Vec::new();
    decode(written, &mut Charsets::default(), false, &mut back, &mut notes)
        .expect("the encoder's output does not decode");
    assert!(notes.is_empty(), "decoding noted {notes:?}");
    let back = String::from_utf8(back).expect("decoded text is UTF-8");
    if references == 0 {
        let nfc: String = text.nfc().collect();
        assert_eq!(back, nfc, "read back differently");
    } else {
        assert!(back.matches("&#x").count() >= references);
    }
});
