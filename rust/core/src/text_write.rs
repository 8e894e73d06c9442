//! MARCMaker text, byte for byte as pymarc's `str(record)` gives it (what
//! `TextWriter` writes).
//!
//! pymarc's rules: the first line is `=LDR  ` and the leader; each field
//! is a line `=TAG  ` followed, for a control field, by its data with every
//! space written as a backslash, and for a data field by the two indicators
//! (a blank or a backslash written as a backslash) and then `$`, code and
//! value for each subfield, written as they are. Lines end with `\n`, the
//! last one too.

use crate::visit::RecordSink;

/// Writes one record as MARCMaker text (a [`RecordSink`]).
#[derive(Debug, Default)]
pub struct TextRecordWriter {
    out: Vec<u8>,
}

impl TextRecordWriter {
    /// Starts a record.
    #[must_use]
    pub fn new() -> Self {
        Self {
            out: Vec::with_capacity(2048),
        }
    }

    /// The record's text (UTF-8), each line ending with `\n`.
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    fn start_line(&mut self, tag: &str) {
        self.out.push(b'=');
        self.out.extend_from_slice(tag.as_bytes());
        self.out.extend_from_slice(b"  ");
    }

    fn indicator(&mut self, indicator: &str) {
        if indicator == " " || indicator == "\\" {
            self.out.push(b'\\');
        } else {
            self.out.extend_from_slice(indicator.as_bytes());
        }
    }
}

impl RecordSink for TextRecordWriter {
    fn leader(&mut self, text: &str) {
        self.start_line("LDR");
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'\n');
    }

    fn control_field(&mut self, tag: &str, data: &str) {
        self.start_line(tag);
        for &b in data.as_bytes() {
            self.out.push(if b == b' ' { b'\\' } else { b });
        }
        self.out.push(b'\n');
    }

    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        self.start_line(tag);
        self.indicator(ind1);
        self.indicator(ind2);
    }

    fn subfield(&mut self, code: &str, value: &str) {
        self.out.push(b'$');
        self.out.extend_from_slice(code.as_bytes());
        self.out.extend_from_slice(value.as_bytes());
    }

    fn end_data_field(&mut self) {
        self.out.push(b'\n');
    }
}

/// `text` with every `\n` written as `\r\n` (MARCMaker's own line ends).
#[must_use]
pub fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 16);
    for &b in text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_pymarc_str() {
        let mut w = TextRecordWriter::new();
        w.leader("00000nam a2200000   4500");
        w.control_field("008", "830415s1982 xx");
        w.control_field("001", "");
        w.begin_data_field("245", "1", " ");
        w.subfield("a", "A title /");
        w.subfield("c", "x$y");
        w.end_data_field();
        w.begin_data_field("500", "\\", "0");
        w.end_data_field();
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "=LDR  00000nam a2200000   4500\n=008  830415s1982\\xx\n=001  \n\
             =245  1\\$aA title /$cx$y\n=500  \\0\n"
        );
        assert_eq!(crlf(b"a\nb\n"), b"a\r\nb\r\n");
    }
}
