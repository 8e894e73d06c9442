//! MARC-in-JSON output, byte for byte as pymarc produces it with
//! `json.dumps(record.as_dict())` (and `JSONWriter`'s compact separators).
//!
//! Python's `json` defaults, reproduced here: `ensure_ascii=True`, so `"`
//! and `\` are backslash-escaped, `\b \f \n \r \t` use their short forms,
//! every other character outside `' '..='~'` becomes `\u` and four
//! lower-case hex digits, and characters beyond the BMP become a UTF-16
//! surrogate pair. Keys keep insertion order: `leader` then `fields`, and
//! `ind1`, `ind2`, `subfields` inside a data field.

use crate::visit::RecordSink;

/// The separators between items and between a key and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonStyle {
    /// `", "` and `": "`: `json.dumps` defaults (`Record.as_json()`).
    Spaced,
    /// `","` and `":"`: what `JSONWriter` asks for.
    Compact,
}

impl JsonStyle {
    fn item_separator(self) -> &'static str {
        match self {
            Self::Spaced => ", ",
            Self::Compact => ",",
        }
    }

    fn key_separator(self) -> &'static str {
        match self {
            Self::Spaced => ": ",
            Self::Compact => ":",
        }
    }

    /// A fixed key (plain ASCII), quoted, with the key separator.
    fn key(self, compact: &'static str, spaced: &'static str) -> &'static str {
        match self {
            Self::Spaced => spaced,
            Self::Compact => compact,
        }
    }
}

/// Whether an ASCII byte is copied as it is.
const fn plain_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        table[b as usize] = true;
        b += 1;
    }
    table[b'"' as usize] = false;
    table[b'\\' as usize] = false;
    table
}

const PLAIN: [bool; 256] = plain_table();
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `\uXXXX` for one UTF-16 code unit.
fn push_unit(out: &mut String, unit: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        let digit = HEX
            .get(((unit >> shift) & 0xF) as usize)
            .copied()
            .unwrap_or(b'0');
        out.push(char::from(digit));
    }
}

/// Where the run of bytes copied as they are that starts at `at` ends:
/// eight bytes at a time while none of them is a control character, `"`,
/// `\`, DEL or not ASCII (a word that might hold one is looked at byte
/// by byte), then byte by byte.
fn plain_run_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // A byte of `v` is zero (its high bit set in the result; exact for the
    // question whether any is).
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let w = u64::from_ne_bytes(eight);
        let below_space = w.wrapping_sub(ONES * 0x20) & !w;
        // DEL (0x7f) and up: a carry out of 0xff lands in a byte already
        // flagged by its own high bit.
        let from_del = w.wrapping_add(ONES) | w;
        let quote = zero_in(w ^ (ONES * u64::from(b'"')));
        let backslash = zero_in(w ^ (ONES * u64::from(b'\\')));
        if (below_space | from_del | quote | backslash) & HIGH != 0 {
            break;
        }
        at += 8;
    }
    while bytes.get(at).is_some_and(|&b| PLAIN[usize::from(b)]) {
        at += 1;
    }
    at
}

/// [`push_string`] for short text (tags, codes, indicators), which is
/// nearly always copied as it is: one look at each byte, no word scan.
#[inline]
fn push_short_string(out: &mut String, text: &str) {
    if text.bytes().all(|b| PLAIN[usize::from(b)]) {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        push_string(out, text);
    }
}

/// Appends `text` as a JSON string literal (quotes included), ASCII only.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = plain_run_end(bytes, at);
        if end > at {
            at = end;
            continue;
        }
        out.push_str(text.get(copied..at).unwrap_or_default());
        let c = text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_unit(out, u32::from(*unit));
                }
            }
        }
        at += c.len_utf8();
        copied = at;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out.push('"');
}

/// Writes one record as a MARC-in-JSON object (a [`RecordSink`]).
#[derive(Debug)]
pub struct JsonRecordWriter {
    out: String,
    style: JsonStyle,
    /// Whether an item was already written to the innermost open array.
    array_has_items: bool,
}

impl JsonRecordWriter {
    /// Starts a record.
    #[must_use]
    pub fn new(style: JsonStyle) -> Self {
        Self {
            out: String::with_capacity(4096),
            style,
            array_has_items: false,
        }
    }

    /// Closes the record and returns its text (ASCII).
    #[must_use]
    pub fn finish(mut self) -> String {
        self.out.push_str("]}");
        self.out
    }

    /// A key that varies (a tag, a subfield code), and the key separator.
    fn key(&mut self, key: &str) {
        push_short_string(&mut self.out, key);
        self.out.push_str(self.style.key_separator());
    }

    fn next_item(&mut self) {
        if self.array_has_items {
            self.out.push_str(self.style.item_separator());
        }
        self.array_has_items = true;
    }
}

impl RecordSink for JsonRecordWriter {
    fn leader(&mut self, text: &str) {
        self.out.push('{');
        self.out
            .push_str(self.style.key("\"leader\":", "\"leader\": "));
        push_string(&mut self.out, text);
        self.out
            .push_str(self.style.key(",\"fields\":[", ", \"fields\": ["));
        self.array_has_items = false;
    }

    fn control_field(&mut self, tag: &str, data: &str) {
        self.next_item();
        self.out.push('{');
        self.key(tag);
        push_string(&mut self.out, data);
        self.out.push('}');
    }

    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        self.next_item();
        let sep = self.style.item_separator();
        self.out.push('{');
        self.key(tag);
        self.out
            .push_str(self.style.key("{\"ind1\":", "{\"ind1\": "));
        push_short_string(&mut self.out, ind1);
        self.out.push_str(sep);
        self.out.push_str(self.style.key("\"ind2\":", "\"ind2\": "));
        push_short_string(&mut self.out, ind2);
        self.out.push_str(sep);
        self.out
            .push_str(self.style.key("\"subfields\":[", "\"subfields\": ["));
        self.array_has_items = false;
    }

    fn subfield(&mut self, code: &str, value: &str) {
        self.next_item();
        self.out.push('{');
        self.key(code);
        push_string(&mut self.out, value);
        self.out.push('}');
    }

    fn end_data_field(&mut self) {
        self.out.push_str("]}}");
        // Back in the fields array, which holds at least this field.
        self.array_has_items = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> String {
        let mut out = String::new();
        push_string(&mut out, text);
        out
    }

    #[test]
    fn escapes_like_python_json_with_ensure_ascii() {
        assert_eq!(literal("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
        assert_eq!(
            literal("\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}"),
            "\"\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f\""
        );
        assert_eq!(literal("é\u{FFFF}"), "\"\\u00e9\\uffff\"");
        assert_eq!(literal("\u{1F600}"), "\"\\ud83d\\ude00\"");
        assert_eq!(literal(""), "\"\"");
    }

    #[test]
    fn every_ascii_byte_anywhere_in_a_word_is_escaped_as_alone() {
        // The word-at-a-time scan against the byte table, for each ASCII
        // character at each place of a string longer than two words.
        for b in 0u8..=0x7f {
            let c = char::from(b);
            let alone = literal(&c.to_string());
            let inner = &alone[1..alone.len() - 1];
            for place in 0..20 {
                let mut text = "x".repeat(20);
                text.replace_range(place..=place, &c.to_string());
                let expected = format!("\"{}{inner}{}\"", &text[..place], &text[place + 1..]);
                assert_eq!(literal(&text), expected, "byte {b:#x} at {place}");
            }
            assert_eq!(alone.len() == 3, PLAIN[usize::from(b)], "byte {b:#x}");
        }
        assert_eq!(
            literal("abcdefgh\u{e9}ijklmnop"),
            "\"abcdefgh\\u00e9ijklmnop\""
        );
    }

    #[test]
    fn record_layout_in_both_styles() {
        for (style, expected) in [
            (
                JsonStyle::Spaced,
                "{\"leader\": \"L\", \"fields\": [{\"001\": \"x\"}, {\"245\": {\"ind1\": \"1\", \
                 \"ind2\": \" \", \"subfields\": [{\"a\": \"T\"}, {\"b\": \"\"}]}}, {\"500\": \
                 {\"ind1\": \" \", \"ind2\": \" \", \"subfields\": []}}, {\"003\": \"y\"}]}",
            ),
            (
                JsonStyle::Compact,
                "{\"leader\":\"L\",\"fields\":[{\"001\":\"x\"},{\"245\":{\"ind1\":\"1\",\
                 \"ind2\":\" \",\"subfields\":[{\"a\":\"T\"},{\"b\":\"\"}]}},{\"500\":\
                 {\"ind1\":\" \",\"ind2\":\" \",\"subfields\":[]}},{\"003\":\"y\"}]}",
            ),
        ] {
            let mut w = JsonRecordWriter::new(style);
            w.leader("L");
            w.control_field("001", "x");
            w.begin_data_field("245", "1", " ");
            w.subfield("a", "T");
            w.subfield("b", "");
            w.end_data_field();
            w.begin_data_field("500", " ", " ");
            w.end_data_field();
            w.control_field("003", "y");
            assert_eq!(w.finish(), expected);
        }
    }

    #[test]
    fn no_fields() {
        let mut w = JsonRecordWriter::new(JsonStyle::Spaced);
        w.leader("L");
        assert_eq!(w.finish(), "{\"leader\": \"L\", \"fields\": []}");
    }
}
