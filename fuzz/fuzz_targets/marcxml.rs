//! The incremental MARCXML parser over arbitrary bytes.
//!
//! Properties: it never panics; the result (records or the fallback) does
//! not depend on how the input is cut into chunks; it is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pymrrc_core::marcxml::MarcXmlParser;

/// Feeds `input` in chunks of `size` bytes; returns the records (as debug
/// text, enough to compare) or the fallback.
fn parse(input: &[u8], size: usize, strict: bool) -> Result<Vec<String>, String> {
    let mut parser = MarcXmlParser::new(strict, false);
    let mut records = Vec::new();
    for chunk in input.chunks(size.max(1)) {
        parser.feed(chunk).map_err(|f| format!("{f:?}"))?;
        records.extend(parser.take_records().iter().map(|r| format!("{r:?}")));
    }
    parser.finish().map_err(|f| format!("{f:?}"))?;
    records.extend(parser.take_records().iter().map(|r| format!("{r:?}")));
    Ok(records)
}

fuzz_target!(|data: &[u8]| {
    let (selector, input) = data.split_first().map_or((0, data), |(s, rest)| (*s, rest));
    let strict = selector & 1 == 1;
    let whole = parse(input, input.len(), strict);
    let chunked = parse(input, usize::from(selector >> 1) + 1, strict);
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "chunking changed the records"),
        (Err(_), Err(_)) => {}
        _ => panic!("chunking changed the outcome: {whole:?} vs {chunked:?}"),
    }
});
