//! The core must not panic on any byte sequence. These tests feed it random
//! bytes and random mutations of valid records (a small deterministic
//! generator, so failures reproduce) through every entry point.

use pymrrc_core::batch::{decode_item, frame_batch};
use pymrrc_core::carry::decode_after_carry;
use pymrrc_core::decode::{decode_layout, DecodeOptions};
use pymrrc_core::encode::{reencode_fields, reencode_layout, RecordBuilder};
use pymrrc_core::framing::{bytes_wanted, next_frame};
use pymrrc_core::json_write::{JsonRecordWriter, JsonStyle};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::{leader_text, visit_fields, RecordSink};
use pymrrc_core::xml_write::{XmlCharset, XmlRecordWriter};
use std::sync::Arc;

/// Iterations are divided by this under Miri, which runs far slower.
const SCALE: usize = if cfg!(miri) { 200 } else { 1 };

mod common;
use common::Rng;

/// Bytes worth trying more often than others.
const INTERESTING: &[u8] = b"0123456789 -+_\x1d\x1e\x1fa\x80\xc3\xff\x00";

fn valid_record(rng: &mut Rng) -> Vec<u8> {
    let mut b = RecordBuilder::new();
    for _ in 0..=rng.below(6) {
        let tag = format!("{:03}", rng.below(1000));
        let start = b.position();
        let out = b.field_buffer();
        if tag.as_str() < "010" {
            out.extend_from_slice(b"control data");
        } else {
            out.extend_from_slice(b"1 ");
            for _ in 0..rng.below(4) {
                out.push(0x1f);
                out.push(b'a' + (rng.below(26) as u8));
                out.extend_from_slice("valu\u{e9}".as_bytes());
            }
        }
        out.push(0x1e);
        b.end_field(tag.as_bytes(), start);
    }
    b.finish(b"nam a22", b"   4500")
}

fn exercise(data: &[u8]) {
    for handling in [
        Utf8Handling::Strict,
        Utf8Handling::Replace,
        Utf8Handling::Ignore,
    ] {
        for force_utf8 in [false, true] {
            let options = DecodeOptions {
                force_utf8,
                to_unicode: true,
                utf8_handling: handling,
                ..DecodeOptions::default()
            };
            if let Ok(layout) = decode_layout(data, &options, &mut Vec::new()) {
                let again = reencode_layout(data, &layout, &layout.leader);
                // Copying a canonical record gives what encoding it does.
                assert_eq!(again, reencode_fields(data, &layout, &layout.leader));
                let mut xml = XmlRecordWriter::new(XmlCharset::Ascii, true);
                xml.leader(&leader_text(&layout.leader));
                let _ = visit_fields(data, &layout, handling, &mut xml);
                let _ = xml.finish();
                let mut json = JsonRecordWriter::new(JsonStyle::Spaced);
                json.leader(&leader_text(&layout.leader));
                let _ = visit_fields(data, &layout, handling, &mut json);
                let _ = json.finish();
                let _ = decode_layout(&again, &options, &mut Vec::new());
            }
            let _ = decode_item(Arc::from(data), 0, &Some(options));
        }
    }
    for at_eof in [false, true] {
        let _ = next_frame(data, at_eof);
        let batch = frame_batch(data, 0, at_eof, 16);
        let _ = batch.decode(data, &Some(DecodeOptions::default()));
    }
    let _ = bytes_wanted(data);
    // Carried over from one block into the next, split anywhere.
    for split in [0, 1, 5, data.len() / 2, data.len()] {
        let split = split.min(data.len());
        let mut carry = data[..split].to_vec();
        let validation = Some(DecodeOptions::default());
        for at_eof in [false, true] {
            let _ = decode_after_carry(&mut carry.clone(), &data[split..], 0, at_eof, 3, &validation);
        }
        let _ = decode_after_carry(&mut carry, &data[split..], 0, true, usize::MAX, &validation);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 / SCALE {
        let len = rng.below(200);
        let data: Vec<u8> = (0..len).map(|_| rng.byte_from(INTERESTING)).collect();
        exercise(&data);
    }
}

#[test]
fn mutated_records_never_panic() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..5_000 / SCALE {
        let mut data = valid_record(&mut rng);
        for _ in 0..=rng.below(4) {
            match rng.below(4) {
                0 if !data.is_empty() => {
                    let i = rng.below(data.len());
                    data[i] = rng.byte_from(INTERESTING);
                }
                1 => data.truncate(rng.below(data.len() + 1)),
                2 => {
                    let i = rng.below(data.len() + 1);
                    data.insert(i, rng.byte_from(INTERESTING));
                }
                _ if !data.is_empty() => {
                    let i = rng.below(data.len());
                    data.remove(i);
                }
                _ => {}
            }
        }
        exercise(&data);
    }
}

#[test]
fn valid_records_round_trip() {
    let mut rng = Rng(42);
    for _ in 0..2_000 / SCALE {
        let data = valid_record(&mut rng);
        let layout = decode_layout(&data, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        assert!(layout.canonical, "the encoder's own output is canonical");
        assert_eq!(reencode_layout(&data, &layout, &layout.leader), data);
        assert_eq!(reencode_fields(&data, &layout, &layout.leader), data);
    }
}

/// Feeds `doc` to a JSON splitter in pieces of `piece` bytes, dropping
/// what it no longer needs as the streaming reader does: every element's
/// range lies inside the buffer, and the split ends.
fn split_json_in_pieces(doc: &[u8], piece: usize) {
    use pymrrc_core::json_split::{Split, Splitter};
    let (mut splitter, mut buffer, mut fed) = (Splitter::new(), Vec::new(), 0usize);
    // Each call either hands out an element, asks for more, or ends; a
    // document can hold at most one element per byte.
    for _ in 0..=2 * doc.len() + 4 {
        let eof = fed == doc.len();
        match splitter.next(&buffer, eof) {
            Split::Element(range) => assert!(range.start <= range.end && range.end <= buffer.len()),
            Split::NeedMore => {
                assert!(!eof, "more asked for after the end");
                let n = splitter.consumed();
                assert!(n <= buffer.len());
                buffer.drain(..n);
                splitter.shift(n);
                let end = (fed + piece).min(doc.len());
                buffer.extend_from_slice(&doc[fed..end]);
                fed = end;
            }
            Split::End | Split::Broken(..) => return,
        }
    }
    panic!("the split of {doc:?} did not end");
}

#[test]
fn json_splitter_never_panics_or_loops_on_mutated_documents() {
    const JSON_INTERESTING: &[u8] = b"[]{}\",\\: \n0-tnNIa\x80\xff";
    let mut rng = Rng(17);
    let seeds: [&[u8]; 4] = [
        br#"[{"leader":"00000nam a2200000 a 4500","fields":[{"001":"x"},{"245":{"ind1":"1","ind2":" ","subfields":[{"a":"T\"i[t]{l}e"}]}}]}, {"leader":"b"}]"#,
        br#"{"leader":"one","fields":[]}"#,
        b" [ 1, -2.5e3, true, null, \"s\\\\\", [ [] ], {} ] ",
        b"[NaN,Infinity,-Infinity]",
    ];
    for _ in 0..400 / SCALE + 1 {
        let mut doc = seeds[rng.below(seeds.len())].to_vec();
        for _ in 0..rng.below(4) {
            let at = rng.below(doc.len() + 1);
            match rng.below(3) {
                0 if at < doc.len() => doc[at] = rng.byte_from(JSON_INTERESTING),
                1 => doc.insert(at, rng.byte_from(JSON_INTERESTING)),
                _ => doc.truncate(at),
            }
        }
        for piece in [1, 3, 64] {
            split_json_in_pieces(&doc, piece);
        }
    }
    for len in 0..64 {
        let doc: Vec<u8> = (0..len).map(|_| rng.byte_from(JSON_INTERESTING)).collect();
        split_json_in_pieces(&doc, 1 + rng.below(8));
    }
}
