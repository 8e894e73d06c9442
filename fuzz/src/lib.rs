//! Helpers shared by the fuzz targets: the decoding options every target
//! tries, and a description of a field's contents as pymarc sees them, so
//! that targets can compare records by value rather than by byte layout.

use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::decode::{DecodeOptions, FieldSpan, Layout, SubfieldParts};
use pymrrc_core::error::Error;
use pymrrc_core::text::Utf8Handling;

/// Every combination of options the native decoder implements.
#[must_use]
pub fn all_options() -> Vec<DecodeOptions> {
    let mut out = Vec::new();
    for to_unicode in [true, false] {
        for force_utf8 in [false, true] {
            for utf8_handling in [
                Utf8Handling::Strict,
                Utf8Handling::Replace,
                Utf8Handling::Ignore,
            ] {
                for marc8 in [true, false] {
                    out.push(DecodeOptions {
                        force_utf8,
                        to_unicode,
                        utf8_handling,
                        marc8,
                        hide_utf8_warnings: marc8,
                    });
                }
            }
        }
    }
    out
}

/// A field as pymarc decodes it (bytes, no text): a control field's data,
/// or a data field's two indicators and its non-empty subfields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contents {
    /// A control field (numeric tag below `010`).
    Control {
        /// The tag.
        tag: [u8; 3],
        /// The field's bytes, terminator excluded.
        data: Vec<u8>,
    },
    /// A data field.
    Data {
        /// The tag.
        tag: [u8; 3],
        /// The indicators after pymarc's repair: missing ones are blanks,
        /// extra ones are dropped.
        indicators: [u8; 2],
        /// (code, value) for each non-empty piece after the first.
        subfields: Vec<(u8, Vec<u8>)>,
    },
}

/// The contents of one located field of `record`.
///
/// # Panics
/// If `span` lies outside `record` (a broken [`Layout`]: a finding).
#[must_use]
pub fn contents(record: &[u8], span: &FieldSpan) -> Contents {
    assert!(
        span.start <= span.end && span.end <= record.len(),
        "span out of bounds: {span:?}"
    );
    let bytes = &record[span.start..span.end];
    if span.is_control() {
        return Contents::Control {
            tag: span.tag,
            data: bytes.to_vec(),
        };
    }
    let mut parts = SubfieldParts::new(bytes);
    let (s, e) = parts.next().expect("split yields at least one piece");
    let ind = &bytes[s..e];
    let indicators = [
        ind.first().copied().unwrap_or(b' '),
        ind.get(1).copied().unwrap_or(b' '),
    ];
    let subfields = parts
        .filter(|(s, e)| s < e)
        .map(|(s, e)| (bytes[s], bytes[s + 1..e].to_vec()))
        .collect();
    Contents::Data {
        tag: span.tag,
        indicators,
        subfields,
    }
}

/// The contents of every field of a decoded record.
#[must_use]
pub fn all_contents(record: &[u8], layout: &Layout) -> Vec<Contents> {
    layout
        .fields
        .iter()
        .map(|span| contents(record, span))
        .collect()
}

/// Checks what holds for every successful decode of `record` under
/// `options`: the leader is the record's first 24 bytes, spans lie inside
/// the record, the UTF-8 flag follows leader/9 and `force_utf8`, and a
/// strict UTF-8 decode only accepts fields that are valid UTF-8.
///
/// # Panics
/// When a property does not hold (a finding).
pub fn check_layout(record: &[u8], layout: &Layout, options: &DecodeOptions) {
    assert_eq!(&layout.leader[..], &record[..LEADER_LEN]);
    assert!(layout.leader.is_ascii());
    assert_eq!(layout.utf8, record[9] == b'a' || options.force_utf8);
    if !layout.needs_fallback {
        assert!(!layout.fields.is_empty(), "a valid record has fields");
    }
    for span in &layout.fields {
        assert!(
            span.start <= span.end && span.end <= record.len(),
            "{span:?}"
        );
        assert!(span.tag.is_ascii());
        let bytes = &record[span.start..span.end];
        let strict = options.utf8_handling == Utf8Handling::Strict;
        if layout.utf8 && options.to_unicode && (strict || span.is_control()) {
            // Indicators and codes are ASCII, delimiters are ASCII, and each
            // value was checked: so the whole field is UTF-8.
            assert!(
                std::str::from_utf8(bytes).is_ok(),
                "accepted invalid UTF-8 in {span:?}"
            );
        }
    }
}

/// Checks that an error's span lies inside the record it describes.
///
/// # Panics
/// When it does not (a finding).
pub fn check_error(record: &[u8], err: &Error) {
    assert!(
        err.span.start <= err.span.end && err.span.end <= record.len().max(LEADER_LEN),
        "error span {:?} outside a record of {} bytes",
        err.span,
        record.len()
    );
}
