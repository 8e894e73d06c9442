//! Criterion benches for pymrrc-core: framing, validation, re-encoding.
//! They read `PYMRRC_BENCH_FILE` when set (e.g. a slice of the LoC corpus),
//! otherwise the bundled sample `examples/data/sample.mrc`.
//!
//! ```text
//! cargo bench -p pymrrc-bench
//! ```

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pymrrc_bench::{default_options, frame_all, Workload};
use pymrrc_core::batch::frame_batch;
use pymrrc_core::decode_layout;

fn bench_data() -> Vec<u8> {
    let path = std::env::var("PYMRRC_BENCH_FILE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/sample.mrc").to_owned()
    });
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

fn core_benches(c: &mut Criterion) {
    let data = bench_data();
    let records = frame_all(&data);
    let options = default_options();
    let layouts: Vec<_> = records
        .iter()
        .filter_map(|r| decode_layout(r, &options, &mut Vec::new()).ok().map(|l| (*r, l)))
        .collect();

    let mut group = c.benchmark_group("core");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("framing", |b| {
        b.iter(|| frame_batch(&data, 0, true, usize::MAX).chunks.len());
    });
    group.bench_function("validate", |b| {
        let mut notes = Vec::new();
        b.iter(|| {
            records
                .iter()
                .filter(|r| {
                    notes.clear();
                    decode_layout(r, &options, &mut notes).is_ok()
                })
                .count()
        });
    });
    group.throughput(Throughput::Elements(layouts.len() as u64));
    for (name, workload) in [("field_text", Workload::Values), ("reencode", Workload::AsMarc)] {
        group.bench_function(name, |b| {
            b.iter(|| layouts.iter().map(|(r, l)| workload.apply(r, l)).sum::<usize>());
        });
    }
    group.finish();
}

criterion_group!(benches, core_benches);
criterion_main!(benches);
