//! The MARCXML parser must not panic on any byte sequence, however it is
//! cut into chunks: random mutations of a valid document (a small
//! deterministic generator, so failures reproduce), fed whole and in random
//! chunk sizes, must each end in records or a fallback, the same either way.

use pymrrc_core::marcxml::{Fallback, MarcXmlParser, XmlRecord};

mod common;
use common::Rng;

const DOC: &str = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<!-- c --><marc:collection xmlns:marc=\"http://www.loc.gov/MARC21/slim\" xmlns=\"urn:x\">\
<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>\r\n\
<marc:controlfield tag=\"001\">a&amp;b&#233;&#x1F600;\r</marc:controlfield>\
<?pi data?><other a='1'>text</other>\
<marc:datafield tag='245' ind1=\"1\" ind2='&#48;' xml:lang='en'>\
<marc:subfield code=\"a\"><![CDATA[<t>]]> caf\u{e9}</marc:subfield>\
<marc:subfield code=\"\"/></marc:datafield></marc:record>\
<record><leader>00000nam a2200000 i 4500</leader></record></marc:collection>\n";

const JUNK: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"\"",
    b"'",
    b"</",
    b"/>",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<?",
    b"?>",
    b"&#",
    b";",
    b":",
    b"=",
    b"\r",
    b"\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe9",
    b"xmlns",
    b"xmlns:",
    b"<!DOCTYPE",
    b"&#x",
    b"record",
    b"subfield",
];

fn mutate(rng: &mut Rng, doc: &[u8]) -> Vec<u8> {
    let mut out = doc.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 => out.truncate(at),
            1 => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 => {
                let junk = JUNK[rng.below(JUNK.len())];
                out.splice(at..at, junk.iter().copied());
            }
            _ => {
                if at < out.len() {
                    out[at] = (rng.next() & 0xff) as u8;
                }
            }
        }
    }
    out
}

fn parse(doc: &[u8], rng: &mut Rng, strict: bool, whole: bool) -> Result<Vec<XmlRecord>, Fallback> {
    let mut p = MarcXmlParser::new(strict, rng.below(2) == 0);
    let mut records = Vec::new();
    let mut rest = doc;
    while !rest.is_empty() {
        let n = if whole { rest.len() } else { 1 + rng.below(40) };
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        p.feed(chunk)?;
        records.extend(p.take_records());
        rest = tail;
    }
    p.finish()?;
    records.extend(p.take_records());
    let _ = p.is_clean();
    let _ = p.take_leftover();
    Ok(records)
}

#[test]
fn mutated_documents_never_panic_and_chunking_does_not_matter() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let doc = mutate(&mut rng, DOC.as_bytes());
        for strict in [false, true] {
            let seed = rng.next();
            let whole = parse(&doc, &mut Rng(seed | 1), strict, true).map_err(|_| ());
            let pieces = parse(&doc, &mut Rng(seed | 1), strict, false).map_err(|_| ());
            assert_eq!(whole, pieces, "{:?}", String::from_utf8_lossy(&doc));
            accepted += usize::from(whole.is_ok());
        }
    }
    assert!(
        accepted > 1000,
        "too few mutated documents were readable: {accepted}"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let len = rng.below(200);
        let doc: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let _ = parse(&doc, &mut rng, false, false);
    }
}
