//! Record validation over arbitrary bytes: `decode_layout` and
//! `batch::decode_item` under every option the native decoder implements.
//!
//! Properties: an accepted record's layout is sound (see
//! `pymrrc_fuzz::check_layout`: spans inside the record, strict UTF-8 only
//! accepts valid text, ...); error spans lie inside the record; decoding is
//! deterministic; the options are ordered: what strict UTF-8 accepts, the
//! lenient handlers and `to_unicode=False` accept with the same layout,
//! 'replace' and 'ignore' validate identically; indicator notes name
//! accepted data fields; and `decode_item` gives `decode_layout`'s answer
//! (or the fallback) for the same chunk.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pymrrc_core::batch::{decode_item, Outcome};
use pymrrc_core::decode::{decode_layout, DecodeOptions, Layout, Note};
use pymrrc_core::error::Error;
use pymrrc_core::text::Utf8Handling;
use pymrrc_fuzz::{all_options, check_error, check_layout};

fn decode(data: &[u8], options: &DecodeOptions) -> (Result<Layout, Error>, Vec<Note>) {
    let mut notes = Vec::new();
    let result = decode_layout(data, options, &mut notes);
    (result, notes)
}

fn with(options: DecodeOptions, handling: Utf8Handling) -> DecodeOptions {
    DecodeOptions {
        utf8_handling: handling,
        ..options
    }
}

fuzz_target!(|data: &[u8]| {
    for options in all_options() {
        let (result, notes) = decode(data, &options);
        assert_eq!(
            decode(data, &options),
            (result.clone(), notes.clone()),
            "not deterministic"
        );
        match &result {
            Ok(layout) => {
                check_layout(data, layout, &options);
                // With the fallback, notes are dropped (decode_item clears
                // them): the Python decoder logs its own.
                for note in notes.iter().filter(|_| !layout.needs_fallback) {
                    let (Note::MissingIndicators { field }
                    | Note::OneIndicator { field }
                    | Note::ExtraIndicators { field }) = note;
                    assert!(
                        layout.fields.iter().any(|s| !s.is_control()
                            && s.start == field.start
                            && s.end == field.end),
                        "note {note:?} names no data field"
                    );
                }
            }
            Err(err) => check_error(data, err),
        }

        if options.utf8_handling == Utf8Handling::Strict {
            if let Ok(strict) = &result {
                for lenient in [
                    with(options, Utf8Handling::Replace),
                    with(options, Utf8Handling::Ignore),
                    DecodeOptions {
                        to_unicode: false,
                        ..options
                    },
                ] {
                    let (other, other_notes) = decode(data, &lenient);
                    assert_eq!(
                        other.as_ref(),
                        Ok(strict),
                        "{lenient:?} disagrees with strict"
                    );
                    assert_eq!(other_notes, notes);
                }
            }
        }
        if options.utf8_handling == Utf8Handling::Replace {
            assert_eq!(
                decode(data, &with(options, Utf8Handling::Ignore)),
                (result.clone(), notes.clone()),
                "'replace' and 'ignore' validate differently"
            );
        }

        let item = decode_item(Arc::from(data), 7, &Some(options));
        assert_eq!(item.offset, 7);
        assert_eq!(&item.chunk[..], data);
        let native = options.force_utf8 || data.get(9) == Some(&b'a');
        match (&item.outcome, native, &result) {
            (Outcome::Record(layout), true, Ok(expected)) => {
                assert!(!expected.needs_fallback);
                assert_eq!(layout, expected);
                assert_eq!(item.notes, notes);
            }
            (Outcome::Invalid(err), true, Err(expected)) => assert_eq!(err, expected),
            (Outcome::Fallback, true, Ok(expected)) => {
                assert!(expected.needs_fallback);
                assert!(item.notes.is_empty());
            }
            (Outcome::Fallback, false, _) => assert!(item.notes.is_empty()),
            // A MARC-8 record: transcoded only when it validates, keeping its
            // leader, its field tags and pymarc's notes.
            (Outcome::Transcoded { text, layout }, false, Ok(expected)) => {
                assert!(options.marc8 && options.to_unicode);
                assert!(!expected.needs_fallback);
                assert_eq!(layout.leader, expected.leader);
                let tags = |l: &Layout| l.fields.iter().map(|f| f.tag).collect::<Vec<_>>();
                assert_eq!(tags(layout), tags(expected));
                assert!(std::str::from_utf8(text).is_ok());
                assert_eq!(item.notes, notes);
            }
            (outcome, _, _) => panic!("decode_item gave {outcome:?} for {result:?}"),
        }
    }
    let item = decode_item(Arc::from(data), 0, &None);
    assert!(matches!(item.outcome, Outcome::Fallback));
});
