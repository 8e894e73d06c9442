//! decode -> re-encode -> decode over arbitrary bytes.
//!
//! Properties: when a record is accepted and its re-encoding fits ISO
//! 2709's limits, `reencode_layout` gives a record that frames whole,
//! decodes under the same options with no indicator notes to the same
//! field contents (pymarc's `as_marc` after decoding: indicators repaired,
//! empty subfields dropped), and re-encodes to itself; `decode_item` accepts
//! it too.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pymrrc_core::batch::{decode_item, Outcome};
use pymrrc_core::decode::decode_layout;
use pymrrc_core::encode::{reencode_fields, reencode_layout};
use pymrrc_core::framing::{next_frame, Frame};
use pymrrc_fuzz::{all_contents, all_options, check_layout, Contents};

/// Whether every field length and the record length fit their digits (4
/// and 5): otherwise pymarc, too, writes a record nobody can read back.
fn fits(record: &[u8], contents: &[Contents]) -> bool {
    record.len() <= 99_999
        && contents.iter().all(|c| {
            let len = match c {
                Contents::Control { data, .. } => data.len() + 1,
                Contents::Data { subfields, .. } => {
                    3 + subfields.iter().map(|(_, v)| v.len() + 2).sum::<usize>()
                }
            };
            len <= 9999
        })
}

fuzz_target!(|data: &[u8]| {
    for options in all_options() {
        let Ok(layout) = decode_layout(data, &options, &mut Vec::new()) else {
            continue;
        };
        if layout.needs_fallback {
            continue;
        }
        let contents = all_contents(data, &layout);
        let again = reencode_layout(data, &layout, &layout.leader);
        // A record taken for canonical is copied: that must be what
        // encoding it field by field gives.
        assert_eq!(again, reencode_fields(data, &layout, &layout.leader));
        if !fits(&again, &contents) {
            continue;
        }
        assert_eq!(next_frame(&again, true), Frame::Record { len: again.len() });
        assert_eq!(&again[5..12], &layout.leader[5..12]);
        assert_eq!(&again[17..24], &layout.leader[17..24]);
        let mut notes = Vec::new();
        let layout2 = match decode_layout(&again, &options, &mut notes) {
            Ok(l) => l,
            Err(err) => panic!("{options:?}: the re-encoding of an accepted record fails: {err:?}"),
        };
        check_layout(&again, &layout2, &options);
        assert!(layout2.canonical, "a re-encoded record is canonical");
        assert!(
            notes.is_empty(),
            "re-encoded indicators still need repair: {notes:?}"
        );
        assert!(!layout2.needs_fallback);
        assert_eq!(all_contents(&again, &layout2), contents);
        assert_eq!(
            reencode_layout(&again, &layout2, &layout2.leader),
            again,
            "re-encoding is not idempotent"
        );
        let item = decode_item(Arc::from(&again[..]), 0, &Some(options));
        if options.force_utf8 || again[9] == b'a' {
            match item.outcome {
                Outcome::Record(l) => assert_eq!(l, layout2),
                other => panic!("decode_item: {other:?}"),
            }
        }
    }
});
