//! Shared pieces of the ceiling binary and the criterion benches: the
//! per-record work each benchmark workload does, written against
//! pymrrc-core alone, so that a Python-side number can be compared with what
//! the core can do with no Python at all.
#![forbid(unsafe_code)]

use pymrrc_core::decode::{DecodeOptions, SubfieldParts};
use pymrrc_core::encode::reencode_layout;
use pymrrc_core::framing::{next_frame, Frame};
use pymrrc_core::Layout;

/// What the benchmark does with each validated record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Nothing beyond framing and validation (what `MARCReader` does before
    /// it hands out a lazy record).
    Iterate,
    /// Also look at every field's text, as `field.value()` on every field
    /// would (UTF-8 checked, subfield parts split).
    Values,
    /// Also re-encode the record, as `as_marc()` does.
    AsMarc,
}

impl Workload {
    /// Parses a workload name as the benchmark suite spells it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "iterate" => Some(Self::Iterate),
            "values" => Some(Self::Values),
            "as_marc" => Some(Self::AsMarc),
            _ => None,
        }
    }

    /// Does the workload's per-record work on a validated record and returns
    /// a number that depends on it (so the work cannot be optimised away).
    #[must_use]
    pub fn apply(self, record: &[u8], layout: &Layout) -> usize {
        match self {
            Self::Iterate => layout.fields.len(),
            Self::Values => layout
                .fields
                .iter()
                .map(|span| text_length(record.get(span.start..span.end).unwrap_or_default()))
                .sum(),
            Self::AsMarc => reencode_layout(record, layout, &layout.leader).len(),
        }
    }
}

/// The number of characters of text in a field's subfields (or in a control
/// field's data when it has no delimiter).
fn text_length(field: &[u8]) -> usize {
    let mut parts = SubfieldParts::new(field);
    let Some((_, indicators_end)) = parts.next() else {
        return 0;
    };
    if indicators_end == field.len() {
        return std::str::from_utf8(field).map_or(0, |s| s.chars().count());
    }
    parts
        .filter_map(|(start, end)| field.get(start + 1..end))
        .filter_map(|value| std::str::from_utf8(value).ok())
        .map(|text| text.chars().count())
        .sum()
}

/// Splits a whole file held in memory into records (pymarc's framing).
#[must_use]
pub fn frame_all(data: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut rest = data;
    loop {
        match next_frame(rest, true) {
            Frame::Record { len } => {
                let (record, tail) = rest.split_at(len.min(rest.len()));
                records.push(record);
                rest = tail;
            }
            _ => return records,
        }
    }
}

/// The options every benchmark validates with: pymarc's defaults.
#[must_use]
pub fn default_options() -> DecodeOptions {
    DecodeOptions::default()
}
