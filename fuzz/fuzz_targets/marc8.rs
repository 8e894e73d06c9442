//! MARC-8 decoding over arbitrary bytes: `marc8::decode` from every start
//! state, and `transcode_record` over whatever `decode_layout` accepts.
//!
//! Properties: the output is valid UTF-8 whether or not decoding fails, a
//! failure leaves the output as it was; decoding is deterministic; `quiet`
//! changes only the notes, never the text, the state or the error; a
//! transcoded record has one field per original field, each inside the new
//! buffer, with the original leader, and the new buffer is valid UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pymrrc_core::decode::{decode_layout, DecodeOptions};
use pymrrc_core::marc8::{decode, transcode_record, Charsets, ANSEL, BASIC_LATIN};

fuzz_target!(|data: &[u8]| {
    let (selector, input) = data.split_first().map_or((0, data), |(s, rest)| (*s, rest));
    let start = Charsets {
        g0: if selector & 1 == 0 { BASIC_LATIN } else { selector | 0x20 },
        g1: if selector & 2 == 0 { ANSEL } else { selector },
    };
    let mut outcomes = Vec::new();
    for quiet in [false, true] {
        let mut state = start;
        let mut out = b"prefix".to_vec();
        let mut notes = Vec::new();
        let result = decode(input, &mut state, quiet, &mut out, &mut notes);
        assert!(std::str::from_utf8(&out).is_ok(), "output is not UTF-8");
        assert!(out.starts_with(b"prefix"));
        if result.is_err() {
            assert_eq!(out, b"prefix", "a failed decode changed the output");
        }
        let mut again_state = start;
        let mut again = b"prefix".to_vec();
        let again_result = decode(input, &mut again_state, quiet, &mut again, &mut Vec::new());
        assert_eq!((&again_result, &again, again_state), (&result, &out, state));
        outcomes.push((result, out, state));
    }
    assert_eq!(outcomes[0], outcomes[1], "quiet changed more than the notes");

    let options = DecodeOptions::default();
    if let Ok(layout) = decode_layout(input, &options, &mut Vec::new()) {
        for quiet in [false, true] {
            if let Ok(transcoded) = transcode_record(input, &layout, quiet) {
                assert!(std::str::from_utf8(&transcoded.bytes).is_ok());
                assert_eq!(transcoded.layout.leader, layout.leader);
                assert_eq!(transcoded.layout.fields.len(), layout.fields.len());
                for (new, old) in transcoded.layout.fields.iter().zip(&layout.fields) {
                    assert_eq!(new.tag, old.tag);
                    assert!(new.start <= new.end && new.end <= transcoded.bytes.len());
                }
            }
        }
    }
});
