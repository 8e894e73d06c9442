//! Pickling a record nobody has looked into: its validated bytes and where
//! its fields lie, in one `bytes` payload, so that pickling copies bytes
//! and unpickling builds no Python object per field (records cross process
//! boundaries this way under `multiprocessing` and Dask).
//!
//! The payload is private to pymrrc and versioned:
//!
//! | bytes | |
//! |---|---|
//! | 1 | format version ([`VERSION`]) |
//! | 1 | flags: bit 0 UTF-8, bit 1 canonical, bits 2-3 UTF-8 error handler |
//! | 24 | the leader the layout was read with |
//! | 24 | the leader as it stands (`as_marc` may have set position 9) |
//! | 4 | number of fields, little-endian |
//! | 11 each | tag (3), start and end of the field's bytes (4 + 4, little-endian) |
//! | rest | the record's bytes (for a MARC-8 record, its UTF-8 text) |
//!
//! A payload is checked when it is read back: a damaged one raises
//! `ValueError` rather than producing a record whose spans point outside
//! its bytes.

use std::sync::Arc;

use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::decode::{FieldSpan, Layout};
use pymrrc_core::text::Utf8Handling;

use crate::materialize::LazyRecord;

/// The payload format written; others are refused.
const VERSION: u8 = 1;
const FLAG_UTF8: u8 = 1;
const FLAG_CANONICAL: u8 = 2;
const HEADER: usize = 2 + 2 * LEADER_LEN + 4;
const SPAN: usize = 11;

fn handling_bits(handling: Utf8Handling) -> u8 {
    match handling {
        Utf8Handling::Strict => 0,
        Utf8Handling::Replace => 1 << 2,
        Utf8Handling::Ignore => 2 << 2,
    }
}

/// The payload for a record held as `lazy`, whose leader is `leader` now.
pub(crate) fn payload(lazy: &LazyRecord, leader: &[u8; LEADER_LEN]) -> Vec<u8> {
    let layout = &lazy.layout;
    let mut out = Vec::with_capacity(HEADER + SPAN * layout.fields.len() + lazy.bytes.len());
    let mut flags = handling_bits(lazy.handling);
    if layout.utf8 {
        flags |= FLAG_UTF8;
    }
    if layout.canonical {
        flags |= FLAG_CANONICAL;
    }
    out.push(VERSION);
    out.push(flags);
    out.extend_from_slice(&layout.leader);
    out.extend_from_slice(leader);
    // Records and their fields are far shorter than 4 GiB (five digits of
    // length; MARC-8 text at most triples).
    let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    out.extend_from_slice(&narrow(layout.fields.len()));
    for span in &layout.fields {
        out.extend_from_slice(&span.tag);
        out.extend_from_slice(&narrow(span.start));
        out.extend_from_slice(&narrow(span.end));
    }
    out.extend_from_slice(&lazy.bytes);
    out
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(bytes)).ok()
}

fn leader_at(data: &[u8], at: usize) -> Option<[u8; LEADER_LEN]> {
    data.get(at..at + LEADER_LEN)?.try_into().ok()
}

/// The record and its current leader from a payload; `None` when the
/// payload is not one [`payload`] wrote.
pub(crate) fn parse(data: &[u8]) -> Option<(LazyRecord, [u8; LEADER_LEN])> {
    if data.first() != Some(&VERSION) {
        return None;
    }
    let flags = *data.get(1)?;
    let handling = match (flags >> 2) & 3 {
        0 => Utf8Handling::Strict,
        1 => Utf8Handling::Replace,
        2 => Utf8Handling::Ignore,
        _ => return None,
    };
    let layout_leader = leader_at(data, 2)?;
    let leader = leader_at(data, 2 + LEADER_LEN)?;
    let count = u32_at(data, 2 + 2 * LEADER_LEN)?;
    let body = HEADER.checked_add(count.checked_mul(SPAN)?)?;
    let bytes = data.get(body..)?;
    let mut fields = Vec::with_capacity(count);
    for i in 0..count {
        let at = HEADER + i * SPAN;
        let tag: [u8; 3] = data.get(at..at + 3)?.try_into().ok()?;
        let (start, end) = (u32_at(data, at + 3)?, u32_at(data, at + 7)?);
        if !tag.is_ascii() || start > end || end > bytes.len() {
            return None;
        }
        fields.push(FieldSpan { tag, start, end });
    }
    let layout = Layout {
        leader: layout_leader,
        fields,
        utf8: flags & FLAG_UTF8 != 0,
        needs_fallback: false,
        canonical: flags & FLAG_CANONICAL != 0,
    };
    let lazy = LazyRecord {
        bytes: Arc::from(bytes),
        layout,
        handling,
    };
    Some((lazy, leader))
}
