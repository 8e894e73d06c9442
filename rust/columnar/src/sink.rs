//! How a record's parts reach the builders: as bytes ([`ByteSink`]), from
//! text walked in by a caller (`pymrrc_core::visit::RecordSink`, through
//! [`AsBytes`]) or straight from a validated record's bytes
//! ([`walk_checked`]), with no text checked or copied on the way.

use pymrrc_core::decode::SubfieldParts;
use pymrrc_core::visit::RecordSink;
use pymrrc_core::Layout;

/// Receives a record's parts in document order, as UTF-8 bytes: the
/// builders' side of `RecordSink`.
pub trait ByteSink {
    /// The leader (always first, once).
    fn leader(&mut self, text: &[u8]);
    /// A control field.
    fn control_field(&mut self, tag: &[u8], data: &[u8]);
    /// Opens a data field; its subfields follow, then
    /// [`Self::end_data_field`].
    fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]);
    /// One subfield of the open data field.
    fn subfield(&mut self, code: &[u8], value: &[u8]);
    /// Closes the open data field.
    fn end_data_field(&mut self);
}

/// A [`ByteSink`] seen as a `RecordSink` (text is UTF-8 bytes).
pub struct AsBytes<'a, S: ByteSink + ?Sized>(pub &'a mut S);

impl<S: ByteSink + ?Sized> RecordSink for AsBytes<'_, S> {
    fn leader(&mut self, text: &str) {
        self.0.leader(text.as_bytes());
    }
    fn control_field(&mut self, tag: &str, data: &str) {
        self.0.control_field(tag.as_bytes(), data.as_bytes());
    }
    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        self.0
            .begin_data_field(tag.as_bytes(), ind1.as_bytes(), ind2.as_bytes());
    }
    fn subfield(&mut self, code: &str, value: &str) {
        self.0.subfield(code.as_bytes(), value.as_bytes());
    }
    fn end_data_field(&mut self) {
        self.0.end_data_field();
    }
}

/// The walk stopped: the record has a part the checked walk does not
/// take as it is (a non-ASCII tag, indicator or subfield code, a span
/// outside the bytes); the sink may hold part of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotPlain;

/// Walks a record whose text is known to be valid UTF-8 (the decoder
/// checked it strictly, or the MARC-8 transcoder wrote it) into `sink`,
/// giving exactly what `pymrrc_core::visit::visit_fields` gives for it
/// under the strict handler, without checking or copying the text on the
/// way: missing indicators are blanks, extra ones are dropped, empty
/// subfields are left out. (Arrow checks every string column again when
/// the batch is finished.)
///
/// # Errors
/// [`NotPlain`]: walk the record with `visit_fields` instead.
pub fn walk_checked<S: ByteSink + ?Sized>(
    text: &[u8],
    layout: &Layout,
    sink: &mut S,
) -> Result<(), NotPlain> {
    if !layout.leader.is_ascii() {
        return Err(NotPlain);
    }
    sink.leader(&layout.leader);
    for span in &layout.fields {
        if !span.tag.is_ascii() {
            return Err(NotPlain);
        }
        let data = text.get(span.start..span.end).ok_or(NotPlain)?;
        if span.is_control() {
            sink.control_field(&span.tag, data);
            continue;
        }
        let mut parts = SubfieldParts::new(data);
        let (start, end) = parts.next().unwrap_or((0, 0));
        let indicators = data.get(start..end).unwrap_or_default();
        let ind1 = indicator(indicators.first())?;
        let ind2 = indicator(indicators.get(1))?;
        sink.begin_data_field(&span.tag, ind1, ind2);
        for (start, end) in parts {
            let Some(part) = data.get(start..end).filter(|p| !p.is_empty()) else {
                continue;
            };
            let (code, value) = part.split_at(1);
            if !code[0].is_ascii() {
                return Err(NotPlain);
            }
            sink.subfield(code, value);
        }
        sink.end_data_field();
    }
    Ok(())
}

/// An indicator byte as text: itself when ASCII, a blank when missing.
fn indicator(byte: Option<&u8>) -> Result<&[u8], NotPlain> {
    match byte {
        None => Ok(b" "),
        Some(b) if b.is_ascii() => Ok(std::slice::from_ref(b)),
        Some(_) => Err(NotPlain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pymrrc_core::decode::{decode_layout, DecodeOptions};
    use pymrrc_core::text::Utf8Handling;
    use pymrrc_core::visit::{leader_text, visit_fields};

    /// Every call as a line of text.
    #[derive(Default)]
    struct Trace(Vec<String>);

    impl ByteSink for Trace {
        fn leader(&mut self, text: &[u8]) {
            self.0
                .push(format!("LDR {}", String::from_utf8_lossy(text)));
        }
        fn control_field(&mut self, tag: &[u8], data: &[u8]) {
            let (t, d) = (String::from_utf8_lossy(tag), String::from_utf8_lossy(data));
            self.0.push(format!("{t} {d}"));
        }
        fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
            let t = String::from_utf8_lossy(tag);
            let (a, b) = (String::from_utf8_lossy(ind1), String::from_utf8_lossy(ind2));
            self.0.push(format!("{t} [{a}{b}]"));
        }
        fn subfield(&mut self, code: &[u8], value: &[u8]) {
            let (c, v) = (
                String::from_utf8_lossy(code),
                String::from_utf8_lossy(value),
            );
            self.0.push(format!("  ${c}{v}"));
        }
        fn end_data_field(&mut self) {
            self.0.push("end".into());
        }
    }

    /// A record of `fields` (tag, bytes) with a leader and directory.
    fn record(fields: &[(&str, &[u8])]) -> Vec<u8> {
        let mut directory = Vec::new();
        let mut body = Vec::new();
        for (tag, data) in fields {
            let len = data.len() + 1;
            directory.extend(format!("{tag}{len:04}{:05}", body.len()).bytes());
            body.extend_from_slice(data);
            body.push(0x1e);
        }
        let base = 24 + directory.len() + 1;
        let total = base + body.len() + 1;
        let mut rec = format!("{total:05}nam a22{base:05}   4500").into_bytes();
        rec.extend(directory);
        rec.push(0x1e);
        rec.extend(body);
        rec.push(0x1d);
        rec
    }

    fn both(rec: &[u8]) -> (Vec<String>, Vec<String>) {
        let layout = decode_layout(rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let mut checked = Trace::default();
        walk_checked(rec, &layout, &mut checked).unwrap();
        let mut visited = Trace::default();
        let mut text = AsBytes(&mut visited);
        text.leader(&leader_text(&layout.leader));
        visit_fields(rec, &layout, Utf8Handling::Strict, &mut text).unwrap();
        (checked.0, visited.0)
    }

    #[test]
    fn gives_what_the_text_walk_gives() {
        let rec = record(&[
            ("001", b"ocm 123"),
            ("245", b"10\x1faT\xc3\xa9st\x1f\x1fbmore\x1f"),
            ("100", b"\x1faNo indicators"),
            ("500", b"1\x1faOne indicator"),
            ("600", b"123\x1faThree"),
            ("650", b" 0"),
            ("880", b""),
        ]);
        let (checked, visited) = both(&rec);
        assert_eq!(checked, visited);
        assert!(checked.contains(&"  $aTést".to_owned()));
        assert!(checked.contains(&"100 [  ]".to_owned()));
    }

    #[test]
    fn non_ascii_parts_are_not_plain() {
        let rec = record(&[("245", b"10\x1faok")]);
        let mut layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let mut text = rec.clone();
        let at = layout.fields[0].start;
        text[at] = 0xc3;
        assert_eq!(
            walk_checked(&text, &layout, &mut Trace::default()),
            Err(NotPlain)
        );
        layout.fields[0].end = rec.len() + 10;
        assert_eq!(
            walk_checked(&rec, &layout, &mut Trace::default()),
            Err(NotPlain)
        );
    }
}
