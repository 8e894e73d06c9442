//! Building whole batches on rayon's pool: the records of a batch are
//! grouped on the consumer's thread (ids are positions, so a group knows its
//! first id), and each group is built into a record batch by a pool thread
//! while the consumer waits for the group before it. Groups come back in
//! order. A group holding a record that needs Python (a rejected record, or
//! one for the exact decoder) is built by the consumer instead, in order.

use std::sync::mpsc::{sync_channel, Receiver};

use arrow_array::RecordBatch;
use pymrrc_columnar::{BatchBuilder, ColumnarError, Provenance, TableShape};
use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::text::Utf8Handling;

/// Batches being built at once (besides the one the consumer holds).
pub(crate) const IN_FLIGHT: usize = 2;

/// The records of one batch, and the id of the first.
pub(crate) struct Group {
    pub items: Vec<Item>,
    pub start_id: i64,
}

/// What a pool thread made of a group.
pub(crate) enum Built {
    /// The batch, and the records in it.
    Batch(Result<RecordBatch, ColumnarError>, usize),
    /// A record needs Python after all: the consumer builds the group.
    Sequential(Group),
    /// The builder panicked (a bug); the group is lost, and said so.
    Panicked,
}

/// A group on its way to becoming a batch.
pub(crate) enum Work {
    /// Being built on the pool.
    Job(Receiver<Built>),
    /// To be built by the consumer.
    Sequential(Group),
}

/// Where a record's bytes were read.
pub(crate) fn provenance(item: &Item) -> Provenance {
    Provenance {
        offset: i64::try_from(item.offset).ok(),
        length: i64::try_from(item.chunk.len()).ok(),
    }
}

/// Whether every record of `items` can be built with no Python (no
/// rejection, no exact decoder, no log line of pymarc's).
fn native(items: &[Item]) -> bool {
    items.iter().all(|item| {
        item.notes.is_empty()
            && matches!(
                item.outcome,
                Outcome::Record(_) | Outcome::Transcoded { .. }
            )
    })
}

/// The work for `group`: a pool job, or the consumer's.
pub(crate) fn schedule(
    shape: &TableShape,
    source: Option<&str>,
    group: Group,
    handling: Utf8Handling,
) -> Work {
    if !native(&group.items) {
        return Work::Sequential(group);
    }
    let (tx, rx) = sync_channel(1);
    let shape = shape.clone();
    let source = source.map(str::to_owned);
    rayon::spawn(move || {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            build(shape, source, group, handling)
        }))
        .unwrap_or(Built::Panicked);
        let _ = tx.send(built);
    });
    Work::Job(rx)
}

fn build(shape: TableShape, source: Option<String>, group: Group, handling: Utf8Handling) -> Built {
    let mut builder = BatchBuilder::new(shape, source);
    for (i, item) in group.items.iter().enumerate() {
        let id = group.start_id + i as i64;
        let appended = match &item.outcome {
            Outcome::Record(layout) => {
                builder.append_layout(id, provenance(item), &item.chunk, layout, handling)
            }
            Outcome::Transcoded { text, layout } => {
                builder.append_layout(id, provenance(item), text, layout, Utf8Handling::Strict)
            }
            _ => return Built::Sequential(group),
        };
        if appended.is_err() {
            return Built::Sequential(group);
        }
    }
    let records = group.items.len();
    Built::Batch(builder.finish(), records)
}
