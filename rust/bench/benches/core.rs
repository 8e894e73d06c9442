//! Criterion benches for pymrrc-core: framing, validation, field text,
//! re-encoding and MARC-8 decoding.
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
use pymrrc_core::marc8::{decode as marc8_decode, Charsets};

/// MARC-8 text of the kind catalogues hold: Basic Latin with ANSEL
/// diacritics before their letters, and a switch to Greek and back.
fn marc8_text() -> Vec<u8> {
    let mut text = Vec::new();
    for _ in 0..50 {
        text.extend_from_slice(b"Bibliographie de la France, \xe2e\xe1dition r\xe2evis\xe2ee ");
        text.extend_from_slice(b"\x1bgabc\x1bs M\xe8uller, Dvo\xe9rak; ");
    }
    text
}

fn bench_data() -> Vec<u8> {
    let path = std::env::var("PYMRRC_BENCH_FILE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/data/sample.mrc"
        )
        .to_owned()
    });
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

fn core_benches(c: &mut Criterion) {
    let data = bench_data();
    let records = frame_all(&data);
    let options = default_options();
    let layouts: Vec<_> = records
        .iter()
        .filter_map(|r| {
            decode_layout(r, &options, &mut Vec::new())
                .ok()
                .map(|l| (*r, l))
        })
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
    for (name, workload) in [
        ("field_text", Workload::Values),
        ("reencode", Workload::AsMarc),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                layouts
                    .iter()
                    .map(|(r, l)| workload.apply(r, l))
                    .sum::<usize>()
            });
        });
    }
    group.finish();

    let marc8 = marc8_text();
    let mut group = c.benchmark_group("marc8");
    group.throughput(Throughput::Bytes(marc8.len() as u64));
    group.bench_function("decode", |b| {
        let mut out = Vec::with_capacity(marc8.len() * 2);
        b.iter(|| {
            out.clear();
            let mut state = Charsets::default();
            marc8_decode(&marc8, &mut state, true, &mut out, &mut Vec::new()).map(|()| out.len())
        });
    });
    group.finish();
}

criterion_group!(benches, core_benches);
criterion_main!(benches);
