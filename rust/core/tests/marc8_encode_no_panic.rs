//! The MARC-8 encoder must not panic on any text, must never write a byte
//! that would break a record's structure, and what it writes must decode
//! (as pymarc decodes it) with no error and no stderr line: to the same
//! text in NFC when no character needed a reference. Inputs come from the
//! shared deterministic generator, biased towards characters the MARC-8
//! tables have, combining marks, controls and characters they lack.

use pymrrc_core::batch::{decode_item, Outcome};
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::marc8::{decode, encode, Charsets, Marc8RecordWriter};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::{visit_fields, RecordSink};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

mod common;
use common::Rng;

/// Characters worth trying more often: ASCII, ANSEL letters and marks,
/// Greek symbols, sub/superscripts, Hebrew points, Cyrillic, Arabic, Greek,
/// CJK and Hangul, controls, the delimiters, ESC, and characters MARC-8
/// lacks (astral, Devanagari, a lone mark).
const INTERESTING: &[char] = &[
    'a',
    'Z',
    ' ',
    '$',
    '&',
    '#',
    '\u{e9}',
    '\u{301}',
    '\u{323}',
    '\u{308}',
    '\u{31b}',
    '\u{1a1}',
    '\u{1ed9}',
    '\u{141}',
    '\u{3b1}',
    '\u{3b3}',
    '\u{2080}',
    '\u{b2}',
    '\u{5d0}',
    '\u{5b8}',
    '\u{5c1}',
    '\u{430}',
    '\u{439}',
    '\u{451}',
    '\u{627}',
    '\u{64b}',
    '\u{670}',
    '\u{6c0}',
    '\u{3ac}',
    '\u{4e00}',
    '\u{ac00}',
    '\u{304c}',
    '\u{fe20}',
    '\u{1b}',
    '\u{1d}',
    '\u{1e}',
    '\u{1f}',
    '\u{0}',
    '\u{7f}',
    '\u{85}',
    '\u{98}',
    '\u{200d}',
    '\u{1f600}',
    '\u{915}',
    '\u{94d}',
    '\u{fffd}',
];

fn random_text(rng: &mut Rng) -> String {
    (0..rng.below(16))
        .map(|_| {
            if rng.below(4) == 0 {
                // Any scalar value.
                loop {
                    let n = (rng.next() % 0x11_0000) as u32;
                    if let Some(c) = char::from_u32(n) {
                        break c;
                    }
                }
            } else {
                INTERESTING[rng.below(INTERESTING.len())]
            }
        })
        .collect()
}

fn read_back(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    decode(bytes, &mut Charsets::default(), false, &mut out, &mut notes)
        .unwrap_or_else(|e| panic!("{bytes:?}: {e}"));
    assert!(notes.is_empty(), "{bytes:?}: {notes:?}");
    String::from_utf8(out).unwrap()
}

#[test]
fn encoding_any_text_never_panics_and_reads_back() {
    let mut rng = Rng(0x5eed_0f1a_7ec0_de01);
    let mut exact = 0;
    for _ in 0..100_000 {
        let text = random_text(&mut rng);
        let mut out = Vec::new();
        let references = encode(&text, &mut out);
        assert!(
            out.iter().all(|&b| b >= 0x20 || b == 0x1b),
            "{text:?} -> {out:?}"
        );
        let back = read_back(&out);
        if references == 0 {
            assert_eq!(back, text.nfc().collect::<String>(), "{text:?} -> {out:?}");
            exact += 1;
        } else {
            assert!(back.contains("&#x"), "{text:?} -> {out:?}");
        }
    }
    assert!(exact > 10_000, "only {exact} texts had a MARC-8 form");
}

/// Collects subfield values.
#[derive(Default)]
struct Values(Vec<String>);

impl RecordSink for Values {
    fn leader(&mut self, _: &str) {}
    fn control_field(&mut self, _: &str, data: &str) {
        self.0.push(data.to_owned());
    }
    fn begin_data_field(&mut self, _: &str, _: &str, _: &str) {}
    fn subfield(&mut self, _: &str, value: &str) {
        self.0.push(value.to_owned());
    }
    fn end_data_field(&mut self) {}
}

#[test]
fn records_of_any_text_frame_and_transcode() {
    let mut rng = Rng(0xabad_1dea_5eed_0001);
    for _ in 0..5_000 {
        let mut w = Marc8RecordWriter::new();
        w.leader("00000nam a2200000   4500");
        w.control_field("001", &random_text(&mut rng));
        let mut expected = Vec::new();
        for _ in 0..=rng.below(4) {
            w.begin_data_field("245", "1", "0");
            for _ in 0..=rng.below(3) {
                let value = random_text(&mut rng);
                w.subfield("a", &value);
                expected.push(value);
            }
            w.end_data_field();
        }
        let (record, _) = w.finish();
        let item = decode_item(Arc::from(&record[..]), 0, &Some(DecodeOptions::default()));
        let Outcome::Transcoded { text, layout } = item.outcome else {
            panic!("not transcoded: {:?} {record:?}", item.outcome);
        };
        let mut values = Values::default();
        visit_fields(&text, &layout, Utf8Handling::Strict, &mut values).unwrap();
        assert_eq!(values.0.len(), expected.len() + 1);
    }
}
