//! A record read from MARCXML laid out like a decoded ISO 2709 record: its
//! fields' text in one UTF-8 buffer, delimited as in a record, with a
//! [`Layout`] over it. Everything that reads a decoded record (the
//! serialisers through [`crate::visit`], re-encoding, statistics) then
//! reads it, and sees what pymarc's `Record` built by its `XmlHandler`
//! holds.
//!
//! Only plain records are laid out: every tag three ASCII characters, a
//! control field (`controlfield`, tag below `010`) with data, a data field
//! (`datafield`, any other tag) with one ASCII character per indicator and
//! per subfield code, text free of the delimiter characters, an ASCII
//! leader of 24 characters, and at least one field. Anything else (a
//! `datafield` with a control field's tag, a long indicator, a record with
//! no fields, ...) pymarc builds in its own particular way, and is left to
//! the caller's exact path.

use crate::consts::{END_OF_FIELD, END_OF_RECORD, LEADER_LEN, SUBFIELD_INDICATOR};
use crate::decode::{FieldSpan, Layout};

use super::handler::{FieldOrigin, XmlField, XmlRecord};

/// The leader of pymarc's `Record()`, which a `record` element without a
/// `leader` keeps.
pub const DEFAULT_LEADER: &[u8; LEADER_LEN] = b"          22        4500";

/// Whether `text` holds a character that delimits a record's parts.
fn has_delimiter(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, END_OF_FIELD | END_OF_RECORD | SUBFIELD_INDICATOR))
}

/// One ASCII character that is not a delimiter.
fn one_ascii(text: Option<&str>, missing: u8) -> Option<u8> {
    match text.map(str::as_bytes) {
        None => Some(missing),
        Some(&[b]) if b.is_ascii() && !has_delimiter(text.unwrap_or_default()) => Some(b),
        Some(_) => None,
    }
}

/// Appends one field's text; `None` when the field is not plain.
fn push_field(out: &mut Vec<u8>, field: &XmlField, tag: [u8; 3]) -> Option<()> {
    let control = tag.iter().all(u8::is_ascii_digit) && tag < *b"010";
    match (&field.origin, control) {
        (FieldOrigin::Control, true) => {
            let data = field.data.as_deref()?;
            if has_delimiter(data) {
                return None;
            }
            out.extend_from_slice(data.as_bytes());
        }
        (FieldOrigin::Data { ind1, ind2 }, false) if field.data.is_none() => {
            out.push(one_ascii(ind1.as_deref(), b' ')?);
            out.push(one_ascii(ind2.as_deref(), b' ')?);
            for (code, value) in &field.subfields {
                let code = one_ascii(Some(code), b' ')?;
                if has_delimiter(value) {
                    return None;
                }
                out.push(SUBFIELD_INDICATOR);
                out.push(code);
                out.extend_from_slice(value.as_bytes());
            }
        }
        _ => return None,
    }
    Some(())
}

/// The record's text and layout, or `None` when it is not plain.
#[must_use]
pub fn lay_out(record: &XmlRecord) -> Option<(Vec<u8>, Layout)> {
    let leader: [u8; LEADER_LEN] = match record.leader.as_deref() {
        None => *DEFAULT_LEADER,
        Some(text) if text.is_ascii() => text.as_bytes().try_into().ok()?,
        Some(_) => return None,
    };
    if record.fields.is_empty() {
        return None;
    }
    let size: usize = record
        .fields
        .iter()
        .map(|f| f.subfields.len() * 8 + 16)
        .sum();
    let mut out = Vec::with_capacity(LEADER_LEN + size);
    out.extend_from_slice(&leader);
    let mut fields = Vec::with_capacity(record.fields.len());
    for field in &record.fields {
        let tag: [u8; 3] = field.tag.as_bytes().try_into().ok()?;
        if !tag.is_ascii() || has_delimiter(&field.tag) {
            return None;
        }
        let start = out.len();
        push_field(&mut out, field, tag)?;
        fields.push(FieldSpan {
            tag,
            start,
            end: out.len(),
        });
        out.push(END_OF_FIELD);
    }
    out.push(END_OF_RECORD);
    let layout = Layout {
        leader,
        fields,
        utf8: true,
        needs_fallback: false,
        canonical: false,
    };
    Some((out, layout))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Utf8Handling;
    use crate::visit::tests::Trace;
    use crate::visit::visit_fields;

    fn data(tag: &str, ind: (Option<&str>, Option<&str>), subs: &[(&str, &str)]) -> XmlField {
        XmlField {
            tag: tag.into(),
            origin: FieldOrigin::Data {
                ind1: ind.0.map(Into::into),
                ind2: ind.1.map(Into::into),
            },
            subfields: subs
                .iter()
                .map(|(c, v)| ((*c).into(), (*v).into()))
                .collect(),
            data: None,
        }
    }

    fn control(tag: &str, text: Option<&str>) -> XmlField {
        XmlField {
            tag: tag.into(),
            origin: FieldOrigin::Control,
            subfields: Vec::new(),
            data: text.map(Into::into),
        }
    }

    #[test]
    fn plain_records_read_like_decoded_ones() {
        let record = XmlRecord {
            leader: None,
            fields: vec![
                control("001", Some("x 1")),
                data("245", (Some("1"), None), &[("a", "T\u{e9}"), ("b", "")]),
            ],
        };
        let (bytes, layout) = lay_out(&record).unwrap();
        assert_eq!(&bytes[..LEADER_LEN], DEFAULT_LEADER);
        let mut trace = Trace::default();
        visit_fields(&bytes, &layout, Utf8Handling::Strict, &mut trace).unwrap();
        assert_eq!(
            trace.0,
            ["001 x 1", "245 [1 ]", "  $aT\u{e9}", "  $b", "end"]
        );
    }

    #[test]
    fn what_pymarc_builds_its_own_way_is_not_laid_out() {
        let plain = control("001", Some("x"));
        for odd in [
            control("245", Some("x")),
            control("001", None),
            data("001", (None, None), &[]),
            data("245", (Some("12"), None), &[]),
            data("245", (None, None), &[("ab", "x")]),
            data("245", (None, None), &[("a", "x\u{1f}y")]),
            control("01", Some("x")),
        ] {
            let record = XmlRecord {
                leader: None,
                fields: vec![plain.clone(), odd.clone()],
            };
            assert!(lay_out(&record).is_none(), "{odd:?}");
        }
        assert!(lay_out(&XmlRecord::default()).is_none());
        let long_leader = XmlRecord {
            leader: Some("x".repeat(25)),
            fields: vec![plain],
        };
        assert!(lay_out(&long_leader).is_none());
    }
}
