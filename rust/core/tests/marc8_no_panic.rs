//! The MARC-8 decoder and the MARC-8 record path must not panic on any
//! bytes. Inputs come from a small deterministic generator biased towards
//! escape sequences, character-set final bytes, EACC bytes and delimiters.

use pymrrc_core::batch::{decode_item, Outcome};
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::encode::{reencode_layout, RecordBuilder};
use pymrrc_core::marc8::{decode, Charsets};
use std::sync::Arc;

mod common;
use common::Rng;

/// Bytes worth trying more often than others.
const INTERESTING: &[u8] =
    b"\x1b\x1b\x1b()$,-sBE123NQSbgp!0#\x1f\x1e\xe2\xa1\x88\x80\x81\x7f\x00 a";

#[test]
fn decoding_random_bytes_never_panics() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for _ in 0..100_000 {
        let len = rng.below(24);
        let data: Vec<u8> = (0..len).map(|_| rng.byte_from(INTERESTING)).collect();
        let mut state = Charsets {
            g0: rng.byte_from(INTERESTING),
            g1: rng.byte_from(INTERESTING),
        };
        out.clear();
        notes.clear();
        let before = out.len();
        if decode(&data, &mut state, rng.below(2) == 0, &mut out, &mut notes).is_err() {
            assert_eq!(out.len(), before);
        }
        assert!(std::str::from_utf8(&out).is_ok());
    }
}

fn marc8_record(rng: &mut Rng) -> Vec<u8> {
    let mut b = RecordBuilder::new();
    for _ in 0..=rng.below(5) {
        let tag = format!("{:03}", rng.below(1000));
        let start = b.position();
        let out = b.field_buffer();
        out.extend_from_slice(b"1 ");
        for _ in 0..rng.below(4) {
            out.push(0x1f);
            out.push(b'a' + (rng.below(26) as u8));
            for _ in 0..rng.below(12) {
                let byte = rng.byte_from(INTERESTING);
                if byte != 0x1e && byte != 0x1f {
                    out.push(byte);
                }
            }
        }
        out.push(0x1e);
        b.end_field(tag.as_bytes(), start);
    }
    b.finish(b"nam  22", b"   4500")
}

#[test]
fn marc8_records_never_panic() {
    let mut rng = Rng(0xfeed_f00d_dead_beef);
    let mut transcoded = 0;
    for round in 0..20_000 {
        let mut data = marc8_record(&mut rng);
        if round % 2 == 1 {
            let i = rng.below(data.len());
            data[i] = rng.byte_from(INTERESTING);
        }
        for hide in [false, true] {
            let options = DecodeOptions {
                hide_utf8_warnings: hide,
                ..DecodeOptions::default()
            };
            let item = decode_item(Arc::from(&data[..]), 0, &Some(options));
            if let Outcome::Transcoded { text, layout } = item.outcome {
                transcoded += 1;
                let again = reencode_layout(&text, &layout, &layout.leader);
                assert!(std::str::from_utf8(&again).is_ok());
            }
        }
    }
    assert!(transcoded > 1000, "only {transcoded} records transcoded");
}
