//! MARCXML output, byte for byte as pymarc produces it through Python's
//! `xml.etree.ElementTree.tostring`.
//!
//! ElementTree's rules, reproduced here:
//! * element text escapes `&`, `<` and `>`; attribute values also escape
//!   `"` and write CR, LF and TAB as `&#13;`, `&#10;` and `&#09;`. Nothing
//!   else is touched: other control characters pass through as they are.
//! * an element with no text and no children is written `<name />`; an
//!   empty string counts as no text.
//! * attributes keep the order they were set in: `ind1`, `ind2`, `tag` on a
//!   data field, and the namespace declarations on `record`.
//! * with the `us-ascii` encoding (the default of `tostring`, used by
//!   `record_to_xml`) every non-ASCII character becomes a decimal character
//!   reference such as `&#233;`; with `utf-8` (used by `XMLWriter`) text is
//!   written as UTF-8. Neither writes an XML declaration.

use crate::visit::RecordSink;

/// The MARC 21 slim namespace.
pub const MARC_XML_NS: &str = "http://www.loc.gov/MARC21/slim";
/// The XML Schema instance namespace.
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The `xsi:schemaLocation` pymarc writes with the namespace option.
pub const MARC_XML_SCHEMA: &str =
    "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd";

/// How characters outside ASCII are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlCharset {
    /// ASCII only; other characters as decimal character references.
    Ascii,
    /// UTF-8.
    Utf8,
}

/// Whether a byte can be copied as it is.
const fn plain_table(attribute: bool, ascii_only: bool) -> [bool; 256] {
    let mut table = [true; 256];
    table[b'&' as usize] = false;
    table[b'<' as usize] = false;
    table[b'>' as usize] = false;
    if attribute {
        table[b'"' as usize] = false;
        table[b'\r' as usize] = false;
        table[b'\n' as usize] = false;
        table[b'\t' as usize] = false;
    }
    if ascii_only {
        let mut b = 0x80;
        while b < 256 {
            table[b] = false;
            b += 1;
        }
    }
    table
}

const TEXT_UTF8: [bool; 256] = plain_table(false, false);
const TEXT_ASCII: [bool; 256] = plain_table(false, true);
const ATTR_UTF8: [bool; 256] = plain_table(true, false);
const ATTR_ASCII: [bool; 256] = plain_table(true, true);

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        // n % 10 < 10, so the cast cannot truncate.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// Appends `text` escaped as element text (`attribute == false`) or as an
/// attribute value, in `charset`.
pub fn push_escaped(out: &mut Vec<u8>, text: &str, attribute: bool, charset: XmlCharset) {
    let table = match (attribute, charset) {
        (false, XmlCharset::Utf8) => &TEXT_UTF8,
        (false, XmlCharset::Ascii) => &TEXT_ASCII,
        (true, XmlCharset::Utf8) => &ATTR_UTF8,
        (true, XmlCharset::Ascii) => &ATTR_ASCII,
    };
    let bytes = text.as_bytes();
    if !attribute && charset == XmlCharset::Utf8 {
        // Element text in UTF-8 escapes three bytes only: find them fast.
        let mut copied = 0;
        for at in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
            out.extend_from_slice(bytes.get(copied..at).unwrap_or_default());
            out.extend_from_slice(match bytes.get(at) {
                Some(b'&') => b"&amp;",
                Some(b'<') => b"&lt;",
                _ => b"&gt;",
            });
            copied = at + 1;
        }
        out.extend_from_slice(bytes.get(copied..).unwrap_or_default());
        return;
    }
    let mut copied = 0;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if table[usize::from(b)] {
            at += 1;
            continue;
        }
        out.extend_from_slice(bytes.get(copied..at).unwrap_or_default());
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\r' => b"&#13;",
            b'\n' => b"&#10;",
            b'\t' => b"&#09;",
            _ => b"",
        };
        if replacement.is_empty() {
            // A non-ASCII character in ASCII output: `at` is on a
            // character boundary, since whole characters are consumed.
            let c = text.get(at..).and_then(|rest| rest.chars().next());
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(b"&#");
            push_decimal(out, u32::from(c));
            out.push(b';');
            at += c.len_utf8();
        } else {
            out.extend_from_slice(replacement);
            at += 1;
        }
        copied = at;
    }
    out.extend_from_slice(bytes.get(copied..).unwrap_or_default());
}

/// Writes one MARCXML `record` element (a [`RecordSink`]).
#[derive(Debug)]
pub struct XmlRecordWriter {
    out: Vec<u8>,
    charset: XmlCharset,
    /// A `datafield` start tag is written up to its attributes and still
    /// waits for either `>` (a subfield follows) or ` />`.
    open_start_tag: bool,
}

impl XmlRecordWriter {
    /// Starts a record, with the namespace declarations when `namespace`.
    #[must_use]
    pub fn new(charset: XmlCharset, namespace: bool) -> Self {
        let mut out = Vec::with_capacity(4096);
        out.extend_from_slice(b"<record");
        if namespace {
            for (name, value) in [
                ("xmlns", MARC_XML_NS),
                ("xmlns:xsi", XSI_NS),
                ("xsi:schemaLocation", MARC_XML_SCHEMA),
            ] {
                out.push(b' ');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"=\"");
                push_escaped(&mut out, value, true, charset);
                out.push(b'"');
            }
        }
        out.push(b'>');
        Self {
            out,
            charset,
            open_start_tag: false,
        }
    }

    /// Closes the record and returns its bytes.
    #[must_use]
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"</record>");
        self.out
    }

    /// Writes an attribute: `start` is ` name="`. Values here are short
    /// (a tag, an indicator, a code) and nearly always copied as they are.
    fn attribute(&mut self, start: &[u8], value: &str) {
        self.out.extend_from_slice(start);
        let plain = match self.charset {
            XmlCharset::Utf8 => &ATTR_UTF8,
            XmlCharset::Ascii => &ATTR_ASCII,
        };
        if value.bytes().all(|b| plain[usize::from(b)]) {
            self.out.extend_from_slice(value.as_bytes());
        } else {
            push_escaped(&mut self.out, value, true, self.charset);
        }
        self.out.push(b'"');
    }

    /// Ends a start tag whose attributes are written: with the text and the
    /// end tag, or as an empty element when there is no text.
    fn text_and_end(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            self.out.extend_from_slice(b" />");
            return;
        }
        self.out.push(b'>');
        push_escaped(&mut self.out, text, false, self.charset);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }
}

impl RecordSink for XmlRecordWriter {
    fn leader(&mut self, text: &str) {
        self.out.extend_from_slice(b"<leader");
        self.text_and_end("leader", text);
    }

    fn control_field(&mut self, tag: &str, data: &str) {
        self.out.extend_from_slice(b"<controlfield");
        self.attribute(b" tag=\"", tag);
        self.text_and_end("controlfield", data);
    }

    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        self.out.extend_from_slice(b"<datafield");
        self.attribute(b" ind1=\"", ind1);
        self.attribute(b" ind2=\"", ind2);
        self.attribute(b" tag=\"", tag);
        self.open_start_tag = true;
    }

    fn subfield(&mut self, code: &str, value: &str) {
        if self.open_start_tag {
            self.out.push(b'>');
            self.open_start_tag = false;
        }
        self.out.extend_from_slice(b"<subfield");
        self.attribute(b" code=\"", code);
        self.text_and_end("subfield", value);
    }

    fn end_data_field(&mut self) {
        if self.open_start_tag {
            self.out.extend_from_slice(b" />");
            self.open_start_tag = false;
        } else {
            self.out.extend_from_slice(b"</datafield>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, attribute: bool, charset: XmlCharset) -> String {
        let mut out = Vec::new();
        push_escaped(&mut out, text, attribute, charset);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_escapes_only_markup_characters() {
        let s = "a&b<c>d\"e'f\r\n\t\x1b\x7f";
        assert_eq!(
            escaped(s, false, XmlCharset::Utf8),
            "a&amp;b&lt;c&gt;d\"e'f\r\n\t\x1b\x7f"
        );
    }

    #[test]
    fn attributes_also_escape_quotes_and_line_ends() {
        assert_eq!(
            escaped("a&\"<>\r\n\t'", true, XmlCharset::Utf8),
            "a&amp;&quot;&lt;&gt;&#13;&#10;&#09;'"
        );
    }

    #[test]
    fn ascii_output_uses_decimal_references() {
        let s = "é€\u{1F600}\u{10FFFF}x";
        assert_eq!(
            escaped(s, false, XmlCharset::Ascii),
            "&#233;&#8364;&#128512;&#1114111;x"
        );
        assert_eq!(escaped(s, true, XmlCharset::Utf8), s);
        assert_eq!(escaped("é&", true, XmlCharset::Ascii), "&#233;&amp;");
    }

    #[test]
    fn record_layout() {
        let mut w = XmlRecordWriter::new(XmlCharset::Ascii, false);
        w.leader("");
        w.control_field("001", "x");
        w.control_field("003", "");
        w.begin_data_field("245", "1", " ");
        w.subfield("a", "T");
        w.subfield("b", "");
        w.end_data_field();
        w.begin_data_field("500", " ", " ");
        w.end_data_field();
        let out = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            out,
            "<record><leader /><controlfield tag=\"001\">x</controlfield>\
             <controlfield tag=\"003\" /><datafield ind1=\"1\" ind2=\" \" tag=\"245\">\
             <subfield code=\"a\">T</subfield><subfield code=\"b\" /></datafield>\
             <datafield ind1=\" \" ind2=\" \" tag=\"500\" /></record>"
        );
    }

    #[test]
    fn namespace_attributes() {
        let mut w = XmlRecordWriter::new(XmlCharset::Utf8, true);
        w.leader("L");
        let out = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            out,
            format!(
                "<record xmlns=\"{MARC_XML_NS}\" xmlns:xsi=\"{XSI_NS}\" \
                 xsi:schemaLocation=\"{MARC_XML_SCHEMA}\"><leader>L</leader></record>"
            )
        );
    }
}
