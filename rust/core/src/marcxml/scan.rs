//! The incremental MARCXML tokenizer: bytes in, handler events out.
//!
//! Input arrives in chunks ([`MarcXmlParser::feed`]); each complete piece
//! of markup or run of text is checked and turned into the handler's
//! events, and an incomplete piece waits for the next chunk. Only the
//! unconsumed tail of the input is kept, so memory does not grow with the
//! document.

use memchr::{memchr, memmem};

use super::handler::{Attrs, Handler, XmlField, XmlRecord};
use super::lex::{
    decode_attr, decode_cdata, decode_text, is_space, name_len, space_len, split_qname, xml_text,
};
use super::Fallback;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where in the document the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Nothing read yet: a byte order mark or XML declaration may come.
    Start,
    /// Before the root element.
    Prolog,
    /// Inside the root element.
    Root,
    /// After the root element.
    Epilog,
}

/// A namespace binding in scope: a prefix (`""` for the default) and its
/// URI (`None` when the default namespace is undeclared).
struct Binding {
    prefix: String,
    uri: Option<String>,
}

/// An open element: its name (a range of `Scanner::names`), where its local
/// part starts, the binding that gave its namespace, and how many bindings
/// were in scope before it.
struct Open {
    name_start: usize,
    local_start: usize,
    ns: Option<usize>,
    bindings_before: usize,
}

/// What one step did.
enum Step {
    /// Consumed this many bytes.
    Took(usize),
    /// The piece at the front is incomplete; wait for more input.
    NeedMore,
}

/// A raw attribute inside a start tag: byte ranges of the name and value.
#[derive(Clone, Copy)]
struct RawAttr {
    name: (usize, usize),
    value: (usize, usize),
}

/// The scanner's state apart from the input buffer.
struct Scanner {
    place: Place,
    bindings: Vec<Binding>,
    open: Vec<Open>,
    names: String,
    raw_attrs: Vec<RawAttr>,
    /// Where each decoded attribute value lies in `values`.
    spans: Vec<(usize, usize)>,
    values: String,
    text: String,
    handler: Handler,
}

/// Reads MARCXML incrementally into [`XmlRecord`]s; see the module docs of
/// [`crate::marcxml`].
pub struct MarcXmlParser {
    buf: Vec<u8>,
    pos: usize,
    dropped: u64,
    scanner: Scanner,
    failed: Option<Fallback>,
    /// After an incomplete piece, the unread length to wait for before
    /// scanning it again (so a huge piece is rescanned a logarithmic
    /// number of times, not once per chunk).
    wait_for: usize,
}

impl MarcXmlParser {
    /// A parser replaying pymarc's handler with its `strict` flag;
    /// `normalizing` says whether a Unicode normalisation form is applied
    /// to text afterwards (non-ASCII leaders then go to the exact path).
    #[must_use]
    pub fn new(strict: bool, normalizing: bool) -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            dropped: 0,
            scanner: Scanner {
                place: Place::Start,
                bindings: Vec::new(),
                open: Vec::new(),
                names: String::new(),
                raw_attrs: Vec::new(),
                spans: Vec::new(),
                values: String::new(),
                text: String::new(),
                handler: Handler::new(strict, normalizing),
            },
            failed: None,
            wait_for: 0,
        }
    }

    /// Reads the next chunk of the document. Records completed so far are
    /// available from [`MarcXmlParser::take_records`].
    ///
    /// # Errors
    /// [`Fallback`] when the document must be read by the exact path; every
    /// later call returns the same value.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Fallback> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.dropped += self.pos as u64;
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
        if self.buf.len() < self.wait_for {
            return Ok(());
        }
        self.run(false)
    }

    /// Ends the document: checks that nothing is left open or unread.
    ///
    /// # Errors
    /// [`Fallback`] as for [`MarcXmlParser::feed`].
    pub fn finish(&mut self) -> Result<(), Fallback> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        self.run(true)?;
        if self.pos != self.buf.len() || self.scanner.place != Place::Epilog {
            return Err(self.fail("document incomplete"));
        }
        Ok(())
    }

    /// Whether the replayed handler holds no open record, field or subfield
    /// code (which pymarc's handler would carry into the next document).
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.scanner.handler.is_clean()
    }

    /// Takes the field and subfield code the replayed handler holds at the
    /// end of the document: pymarc's handler would carry them into the next
    /// document it reads.
    pub fn take_leftover(&mut self) -> (Option<XmlField>, Option<String>) {
        self.scanner.handler.take_leftover()
    }

    /// The records completed since the last call, in document order.
    pub fn take_records(&mut self) -> Vec<XmlRecord> {
        std::mem::take(&mut self.scanner.handler.done)
    }

    fn fail(&mut self, reason: &'static str) -> Fallback {
        let f = Fallback {
            reason,
            offset: self.dropped + self.pos as u64,
        };
        self.failed = Some(f);
        f
    }

    fn run(&mut self, eof: bool) -> Result<(), Fallback> {
        self.wait_for = 0;
        while self.pos < self.buf.len() {
            let rest = self.buf.get(self.pos..).unwrap_or_default();
            match self.scanner.step(rest, eof) {
                Ok(Step::Took(n)) => self.pos += n,
                Ok(Step::NeedMore) if !eof => {
                    let pending = self.buf.len() - self.pos;
                    self.wait_for = pending.saturating_mul(2).max(pending + 4096);
                    break;
                }
                Ok(Step::NeedMore) => return Err(self.fail("document incomplete")),
                Err(reason) => return Err(self.fail(reason)),
            }
        }
        Ok(())
    }
}

type Res<T> = Result<T, &'static str>;

/// The index just past the first `needle` in `hay` at or after `from`.
fn find_end(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let tail = hay.get(from..)?;
    memmem::find(tail, needle).map(|i| from + i + needle.len())
}

/// The end (exclusive) of a start tag that begins `s`, honouring quotes.
fn start_tag_end(s: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in s.iter().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

impl Scanner {
    fn step(&mut self, s: &[u8], eof: bool) -> Res<Step> {
        if self.place == Place::Start {
            return self.start(s, eof);
        }
        if s.first() != Some(&b'<') {
            return self.text_run(s, eof);
        }
        let Some(&second) = s.get(1) else {
            return Ok(Step::NeedMore);
        };
        match second {
            b'?' => self.pi(s),
            b'!' => self.bang(s, eof),
            b'/' => self.end_tag(s),
            _ => self.start_tag(s),
        }
    }

    /// A byte order mark and an XML declaration, both optional.
    fn start(&mut self, s: &[u8], eof: bool) -> Res<Step> {
        let (bom, body) = match s.strip_prefix(BOM) {
            Some(body) => (BOM.len(), body),
            None if !eof && s.len() < BOM.len() && BOM.starts_with(s) => {
                return Ok(Step::NeedMore);
            }
            None => (0, s),
        };
        const DECL: &[u8] = b"<?xml";
        if body.len() <= DECL.len() && !eof && [DECL, b" "].concat().starts_with(body) {
            return Ok(Step::NeedMore);
        }
        let has_decl = body.starts_with(DECL) && body.get(DECL.len()).is_some_and(|&b| is_space(b));
        if !has_decl {
            self.place = Place::Prolog;
            return Ok(Step::Took(bom));
        }
        let Some(end) = find_end(body, 0, b"?>") else {
            return Ok(Step::NeedMore);
        };
        xml_declaration(body.get(DECL.len()..end - 2).unwrap_or_default())?;
        self.place = Place::Prolog;
        Ok(Step::Took(bom + end))
    }

    fn text_run(&mut self, s: &[u8], eof: bool) -> Res<Step> {
        let end = match memchr(b'<', s) {
            Some(i) => i,
            None if eof => s.len(),
            None => return Ok(Step::NeedMore),
        };
        let raw = s.get(..end).unwrap_or_default();
        if self.place != Place::Root {
            if raw.iter().all(|&b| is_space(b)) {
                return Ok(Step::Took(end));
            }
            return Err("text outside the root element");
        }
        if raw.contains(&b']') && memmem::find(raw, b"]]>").is_some() {
            return Err("']]>' in text");
        }
        let text = xml_text(raw)?;
        if memchr::memchr2(b'&', b'\r', raw).is_some() {
            self.text.clear();
            decode_text(text, &mut self.text)?;
            self.handler.characters(&self.text);
        } else {
            self.handler.characters(text);
        }
        Ok(Step::Took(end))
    }

    /// A processing instruction (`<?target ...?>`), which the handler ignores.
    fn pi(&mut self, s: &[u8]) -> Res<Step> {
        let Some(end) = find_end(s, 2, b"?>") else {
            return Ok(Step::NeedMore);
        };
        let body = s.get(2..end - 2).unwrap_or_default();
        let n = name_len(body)?;
        let target = body.get(..n).unwrap_or_default();
        if target.eq_ignore_ascii_case(b"xml") || target.contains(&b':') {
            return Err("reserved or qualified processing instruction target");
        }
        let rest = body.get(n..).unwrap_or_default();
        if !rest.is_empty() && !rest.first().is_some_and(|&b| is_space(b)) {
            return Err("bad processing instruction");
        }
        xml_text(rest)?;
        Ok(Step::Took(end))
    }

    /// Comments and CDATA sections; anything else starting `<!` (a DOCTYPE)
    /// goes to the exact path.
    fn bang(&mut self, s: &[u8], eof: bool) -> Res<Step> {
        const COMMENT: &[u8] = b"<!--";
        const CDATA: &[u8] = b"<![CDATA[";
        if s.starts_with(COMMENT) {
            let Some(dashes) = find_end(s, COMMENT.len(), b"--") else {
                return Ok(Step::NeedMore);
            };
            match s.get(dashes) {
                None => return Ok(Step::NeedMore),
                Some(b'>') => {}
                Some(_) => return Err("'--' in comment"),
            }
            xml_text(s.get(COMMENT.len()..dashes - 2).unwrap_or_default())?;
            return Ok(Step::Took(dashes + 1));
        }
        if s.starts_with(CDATA) {
            if self.place != Place::Root {
                return Err("CDATA outside the root element");
            }
            let Some(end) = find_end(s, CDATA.len(), b"]]>") else {
                return Ok(Step::NeedMore);
            };
            let text = xml_text(s.get(CDATA.len()..end - 3).unwrap_or_default())?;
            self.text.clear();
            decode_cdata(text, &mut self.text);
            self.handler.characters(&self.text);
            return Ok(Step::Took(end));
        }
        if !eof && (COMMENT.starts_with(s) || CDATA.starts_with(s)) {
            return Ok(Step::NeedMore);
        }
        Err("DOCTYPE or other declaration")
    }

    fn end_tag(&mut self, s: &[u8]) -> Res<Step> {
        let Some(close) = memchr(b'>', s) else {
            return Ok(Step::NeedMore);
        };
        let body = s.get(2..close).unwrap_or_default();
        let n = name_len(body)?;
        if space_len(body.get(n..).unwrap_or_default()) != body.len() - n {
            return Err("bad end tag");
        }
        let name = body.get(..n).unwrap_or_default();
        let open = self.open.pop().ok_or("end tag without start")?;
        if self.names.as_bytes().get(open.name_start..) != Some(name) {
            return Err("mismatched end tag");
        }
        let ns = open
            .ns
            .and_then(|i| self.bindings.get(i))
            .and_then(|b| b.uri.as_deref());
        let local = self.names.get(open.local_start..).unwrap_or_default();
        self.handler.end(ns, local)?;
        self.names.truncate(open.name_start);
        self.bindings.truncate(open.bindings_before);
        if self.open.is_empty() {
            self.place = Place::Epilog;
        }
        Ok(Step::Took(close + 1))
    }

    /// The binding in scope for `prefix` (`""`: the default namespace).
    fn lookup(&self, prefix: &str) -> Option<usize> {
        self.bindings.iter().rposition(|b| b.prefix == prefix)
    }

    fn start_tag(&mut self, s: &[u8]) -> Res<Step> {
        match self.place {
            Place::Prolog => self.place = Place::Root,
            Place::Root => {}
            _ => return Err("element after the root element"),
        }
        let Some(end) = start_tag_end(s) else {
            return Ok(Step::NeedMore);
        };
        let tag = s.get(..end).unwrap_or_default();
        let name_len_ = name_len(tag.get(1..).unwrap_or_default())?;
        let name = std::str::from_utf8(tag.get(1..1 + name_len_).unwrap_or_default())
            .map_err(|_| "bad name")?;
        let empty = self.attributes(tag, 1 + name_len_)?;

        // Namespace declarations first: they apply to this element's names.
        let bindings_before = self.bindings.len();
        let attrs = std::mem::take(&mut self.raw_attrs);
        let result = self.open_element(tag, name, &attrs, bindings_before, empty);
        self.raw_attrs = attrs;
        result?;
        Ok(Step::Took(end))
    }

    /// Collects the raw attributes of `tag` from `at`; returns whether the
    /// tag is an empty-element tag.
    fn attributes(&mut self, tag: &[u8], mut at: usize) -> Res<bool> {
        self.raw_attrs.clear();
        loop {
            let rest = tag.get(at..).unwrap_or_default();
            let ws = space_len(rest);
            let rest = rest.get(ws..).unwrap_or_default();
            match rest {
                b">" => return Ok(false),
                b"/>" => return Ok(true),
                _ => {}
            }
            if ws == 0 {
                return Err("attributes must be separated by white space");
            }
            at += ws;
            let n = name_len(rest)?;
            let name = (at, at + n);
            at += n;
            at += space_len(tag.get(at..).unwrap_or_default());
            if tag.get(at) != Some(&b'=') {
                return Err("'=' expected");
            }
            at += 1;
            at += space_len(tag.get(at..).unwrap_or_default());
            let quote = match tag.get(at) {
                Some(&q) if q == b'"' || q == b'\'' => q,
                _ => return Err("quoted value expected"),
            };
            let value_start = at + 1;
            let close = tag
                .get(value_start..)
                .and_then(|v| memchr(quote, v))
                .ok_or("unterminated attribute value")?;
            let value = (value_start, value_start + close);
            at = value.1 + 1;
            self.raw_attrs.push(RawAttr { name, value });
        }
    }

    fn open_element(
        &mut self,
        tag: &[u8],
        name: &str,
        attrs: &[RawAttr],
        bindings_before: usize,
        empty: bool,
    ) -> Res<()> {
        let text = |r: (usize, usize)| -> Res<&str> {
            std::str::from_utf8(tag.get(r.0..r.1).unwrap_or_default()).map_err(|_| "bad name")
        };
        // Duplicate attribute names (as written).
        for (i, a) in attrs.iter().enumerate() {
            let an = tag.get(a.name.0..a.name.1);
            if attrs
                .iter()
                .skip(i + 1)
                .any(|b| tag.get(b.name.0..b.name.1) == an)
            {
                return Err("duplicate attribute");
            }
        }
        self.values.clear();
        self.spans.clear();
        for a in attrs {
            let start = self.values.len();
            decode_attr(
                tag.get(a.value.0..a.value.1).unwrap_or_default(),
                &mut self.values,
            )?;
            self.spans.push((start, self.values.len()));
        }
        for (a, span) in attrs.iter().zip(&self.spans) {
            let aname = text(a.name)?;
            if !aname.starts_with("xmlns") {
                continue;
            }
            let prefix = if aname == "xmlns" {
                ""
            } else if let Some(p) = aname.strip_prefix("xmlns:") {
                if p.is_empty() || p.contains(':') || p == "xml" || p == "xmlns" {
                    return Err("unusual namespace declaration");
                }
                p
            } else {
                if aname.starts_with("xmlns") && aname.contains(':') {
                    return Err("unusual namespace declaration");
                }
                continue;
            };
            let uri = self.values.get(span.0..span.1).unwrap_or_default();
            if uri == XML_NS || uri == XMLNS_NS {
                return Err("reserved namespace");
            }
            if uri.bytes().any(|b| b <= b' ' || b >= 0x80) {
                return Err("unusual namespace URI");
            }
            if uri.is_empty() && !prefix.is_empty() {
                return Err("prefix undeclared");
            }
            let uri = (!uri.is_empty()).then(|| uri.to_owned());
            self.bindings.push(Binding {
                prefix: prefix.to_owned(),
                uri,
            });
        }

        let (prefix, local) = split_qname(name)?;
        let ns = match prefix {
            None => self.lookup(""),
            Some("xml" | "xmlns") => return Err("reserved prefix on element"),
            Some(p) => Some(self.lookup(p).ok_or("unbound prefix")?),
        };

        // The attributes the handler sees, with their namespaces resolved.
        let mut seen: Vec<(&str, &str)> = Vec::new();
        let mut handler_attrs = Attrs::default();
        for (a, span) in attrs.iter().zip(&self.spans) {
            let aname = text(a.name)?;
            if aname.starts_with("xmlns")
                && (aname.len() == 5 || aname.as_bytes().get(5) == Some(&b':'))
            {
                continue;
            }
            let (aprefix, alocal) = split_qname(aname)?;
            match aprefix {
                None => {
                    handler_attrs
                        .offer(alocal, self.values.get(span.0..span.1).unwrap_or_default());
                }
                Some("xml") => seen.push((XML_NS, alocal)),
                Some(p) => {
                    let uri = self
                        .lookup(p)
                        .and_then(|i| self.bindings.get(i))
                        .and_then(|b| b.uri.as_deref())
                        .ok_or("unbound attribute prefix")?;
                    seen.push((uri, alocal));
                }
            }
        }
        for (i, pair) in seen.iter().enumerate() {
            if seen.iter().skip(i + 1).any(|other| other == pair) {
                return Err("duplicate qualified attribute");
            }
        }

        let uri = ns
            .and_then(|i| self.bindings.get(i))
            .and_then(|b| b.uri.as_deref());
        self.handler.start(uri, local, &handler_attrs)?;
        if empty {
            self.handler.end(uri, local)?;
            self.bindings.truncate(bindings_before);
            if self.open.is_empty() {
                self.place = Place::Epilog;
            }
            return Ok(());
        }
        let name_start = self.names.len();
        self.names.push_str(name);
        self.open.push(Open {
            name_start,
            local_start: name_start + (name.len() - local.len()),
            ns,
            bindings_before,
        });
        Ok(())
    }
}

/// Checks the inside of `<?xml ...?>`: version 1.0, an optional UTF-8
/// encoding and an optional standalone flag, in that order.
fn xml_declaration(body: &[u8]) -> Res<()> {
    let mut rest = body;
    let mut pseudo = |name: &[u8], required: bool| -> Res<Option<Vec<u8>>> {
        let ws = space_len(rest);
        let after = rest.get(ws..).unwrap_or_default();
        if !after.starts_with(name) {
            return if required {
                Err("bad XML declaration")
            } else {
                Ok(None)
            };
        }
        if ws == 0 {
            return Err("bad XML declaration");
        }
        let mut at = name.len();
        at += space_len(after.get(at..).unwrap_or_default());
        if after.get(at) != Some(&b'=') {
            return Err("bad XML declaration");
        }
        at += 1;
        at += space_len(after.get(at..).unwrap_or_default());
        let quote = match after.get(at) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => return Err("bad XML declaration"),
        };
        let value_start = at + 1;
        let len = after
            .get(value_start..)
            .and_then(|v| memchr(quote, v))
            .ok_or("bad XML declaration")?;
        let value = after
            .get(value_start..value_start + len)
            .unwrap_or_default()
            .to_vec();
        rest = after.get(value_start + len + 1..).unwrap_or_default();
        Ok(Some(value))
    };
    if pseudo(b"version", true)?.as_deref() != Some(b"1.0") {
        return Err("XML version other than 1.0");
    }
    if let Some(enc) = pseudo(b"encoding", false)? {
        if !enc.eq_ignore_ascii_case(b"utf-8") {
            return Err("encoding other than UTF-8");
        }
    }
    if let Some(sa) = pseudo(b"standalone", false)? {
        if sa != b"yes" && sa != b"no" {
            return Err("bad standalone value");
        }
    }
    if space_len(rest) != rest.len() {
        return Err("bad XML declaration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{FieldOrigin, MarcXmlParser};

    const DOC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
        <collection xmlns=\"http://www.loc.gov/MARC21/slim\"><!-- c -->\
        <record><leader>00000nam a2200000 a 4500</leader>\
        <controlfield tag=\"001\">x&amp;y</controlfield>\
        <datafield tag=\"245\" ind1=\"1\"><subfield code=\"a\"><![CDATA[<t>]]>\r\nz</subfield></datafield>\
        </record></collection>\n";

    fn parse_in_chunks(doc: &[u8], size: usize) -> Result<Vec<super::XmlRecord>, super::Fallback> {
        let mut p = MarcXmlParser::new(false, false);
        let mut out = Vec::new();
        for chunk in doc.chunks(size) {
            p.feed(chunk)?;
            out.extend(p.take_records());
        }
        p.finish()?;
        out.extend(p.take_records());
        Ok(out)
    }

    #[test]
    fn reads_a_record_in_any_chunking() {
        let whole = parse_in_chunks(DOC.as_bytes(), DOC.len()).unwrap();
        assert_eq!(whole.len(), 1);
        let r = &whole[0];
        assert_eq!(r.leader.as_deref(), Some("00000nam a2200000 a 4500"));
        assert_eq!(r.fields[0].data.as_deref(), Some("x&y"));
        assert_eq!(r.fields[1].subfields, vec![("a".into(), "<t>\nz".into())]);
        assert_eq!(
            r.fields[1].origin,
            FieldOrigin::Data {
                ind1: Some("1".into()),
                ind2: None
            }
        );
        for size in 1..40 {
            assert_eq!(parse_in_chunks(DOC.as_bytes(), size).unwrap(), whole);
        }
    }

    #[test]
    fn a_huge_piece_in_small_chunks_is_not_rescanned_every_time() {
        // 4 MB of text and a 4 MB attribute value, fed 64 bytes at a time:
        // rescanning the whole pending piece per chunk would take minutes.
        let big = "x".repeat(4 << 20);
        let doc = format!(
            "<record><leader>00000nam a2200000 a 4500</leader>\
             <controlfield tag=\"001\">{big}</controlfield>\
             <datafield tag=\"245\" ind1=\"{big}\"/></record>"
        );
        let records = parse_in_chunks(doc.as_bytes(), 64).unwrap();
        assert_eq!(records[0].fields[0].data.as_deref(), Some(big.as_str()));
        assert_eq!(
            records[0].fields[1].origin,
            FieldOrigin::Data {
                ind1: Some(big.clone()),
                ind2: None
            }
        );
    }

    #[test]
    fn malformed_or_unusual_documents_fall_back() {
        for doc in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<a/>x",
            "<!DOCTYPE a><a/>",
            "<a>&nbsp;</a>",
            "<a x='1' x='2'/>",
            "<a x='1'y='2'/>",
            "<p:a/>",
            "<?xml version='1.0' encoding='latin-1'?><a/>",
            " <?xml version='1.0'?><a/>",
            "<a>]]></a>",
            "<a><!-- a -- b --></a>",
            "<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
            "<record><leader>short</leader></record>",
            "<record><controlfield>x</controlfield></record>",
            "<a>\u{1}</a>",
        ] {
            assert!(parse_in_chunks(doc.as_bytes(), 3).is_err(), "{doc:?}");
            assert!(parse_in_chunks(doc.as_bytes(), 1000).is_err(), "{doc:?}");
        }
    }
}
