//! Field statistics over validated records, for `pymrrc stats`: how many
//! records have each tag and each tag and subfield code, how often they
//! occur, and the counts of leader positions 06-07 (type of record,
//! bibliographic level) and 09 (character coding).
//!
//! Tags and codes are counted as pymarc's reader sees them: the
//! directory's tag bytes, and the first byte of every non-empty subfield of
//! a data field.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::batch::{Item, Outcome};
use crate::decode::{DataFieldParts, Layout};

/// Records having a key, and its occurrences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    /// Records in which the key occurs at least once.
    pub records: u64,
    /// Occurrences in all records.
    pub occurrences: u64,
    /// The number of the last record that had the key (while counting).
    last: u64,
}

/// A hasher for the short keys counted here (tags, tag and code): one
/// multiply per piece of a key (the length of the tag, its bytes as one
/// word, the code); the keys come from one's own records, so there is
/// nothing to defend against.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl KeyHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for word in bytes.chunks(8) {
            self.mix(word.iter().fold(0, |w, &b| (w << 8) | u64::from(b)));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// A map with [`KeyHasher`].
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Statistics of a set of records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records counted.
    pub records: u64,
    /// By tag.
    pub tags: KeyMap<[u8; 3], Count>,
    /// By tag and subfield code.
    pub subfields: KeyMap<([u8; 3], u8), Count>,
    /// By leader positions 06-07.
    pub leader_06_07: KeyMap<[u8; 2], u64>,
    /// By leader position 09.
    pub leader_09: KeyMap<u8, u64>,
}

impl Stats {
    /// Counts one record whose fields `layout` locates in `bytes`.
    pub fn add(&mut self, bytes: &[u8], layout: &Layout) {
        self.records += 1;
        // Counts remember the last record that had their key: a record is
        // counted once per key however often the key occurs in it.
        let record = self.records;
        let leader = &layout.leader;
        *self.leader_06_07.entry([leader[6], leader[7]]).or_default() += 1;
        *self.leader_09.entry(leader[9]).or_default() += 1;
        for span in &layout.fields {
            let tag = span.tag;
            bump(self.tags.entry(tag).or_default(), record);
            if span.is_control() {
                continue;
            }
            let data = bytes.get(span.start..span.end).unwrap_or_default();
            for (start, _) in DataFieldParts::new(data) {
                if let Some(&code) = data.get(start) {
                    bump(self.subfields.entry((tag, code)).or_default(), record);
                }
            }
        }
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: Self) {
        self.records += other.records;
        for (k, c) in other.tags {
            let e = self.tags.entry(k).or_default();
            e.records += c.records;
            e.occurrences += c.occurrences;
        }
        for (k, c) in other.subfields {
            let e = self.subfields.entry(k).or_default();
            e.records += c.records;
            e.occurrences += c.occurrences;
        }
        for (k, n) in other.leader_06_07 {
            *self.leader_06_07.entry(k).or_default() += n;
        }
        for (k, n) in other.leader_09 {
            *self.leader_09.entry(k).or_default() += n;
        }
    }

    /// The statistics of the valid records of a batch (on the rayon pool).
    #[must_use]
    pub fn of_batch(items: &[Item]) -> Self {
        items
            .par_iter()
            .with_min_len(64)
            .fold(Self::default, |mut stats, item| {
                match &item.outcome {
                    Outcome::Record(layout) => stats.add(&item.chunk, layout),
                    Outcome::Transcoded { text, layout } => stats.add(text, layout),
                    _ => {}
                }
                stats
            })
            .reduce(Self::default, |mut a, b| {
                a.merge(b);
                a
            })
    }
}

/// Counts one occurrence in record number `record`, and the record too the
/// first time it has the key.
fn bump(count: &mut Count, record: u64) {
    count.occurrences += 1;
    if count.last != record {
        count.last = record;
        count.records += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::decode_item;
    use crate::decode::DecodeOptions;
    use crate::encode::RecordBuilder;
    use std::sync::Arc;

    fn record(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut b = RecordBuilder::new();
        for (tag, data) in fields {
            let start = b.position();
            b.field_buffer().extend_from_slice(data);
            b.end_field(tag, start);
        }
        b.finish(b"nam a22", b"   4500")
    }

    #[test]
    fn counts_records_and_occurrences() {
        let one = record(&[
            (b"001", b"x\x1e"),
            (b"650", b" 0\x1faA\x1fxB\x1fxC\x1e"),
            (b"650", b" 0\x1faD\x1f\x1e"),
        ]);
        let two = record(&[(b"001", b"y\x1e"), (b"245", b"10\x1faT\x1e")]);
        let items: Vec<Item> = [one, two]
            .iter()
            .map(|r| decode_item(Arc::from(&r[..]), 0, &Some(DecodeOptions::default())))
            .collect();
        let s = Stats::of_batch(&items);
        assert_eq!(s.records, 2);
        assert_eq!((s.tags[b"001"].records, s.tags[b"001"].occurrences), (2, 2));
        assert_eq!((s.tags[b"650"].records, s.tags[b"650"].occurrences), (1, 2));
        assert_eq!(
            (
                s.subfields[&(*b"650", b'x')].records,
                s.subfields[&(*b"650", b'x')].occurrences
            ),
            (1, 2)
        );
        assert_eq!(
            (
                s.subfields[&(*b"650", b'a')].records,
                s.subfields[&(*b"650", b'a')].occurrences
            ),
            (1, 2)
        );
        assert_eq!(s.leader_06_07[b"am"], 2);
        assert_eq!(s.leader_09[&b'a'], 2);
        assert!(!s.subfields.contains_key(&(*b"001", b'x')));
    }
}
