//! Import and generation throughput: Monaco GeoJSON vs OSM PBF (the same 1,605 buildings),
//! and generating a district.

use criterion::{Criterion, criterion_group, criterion_main};
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use gridmap::import::{ImportKind, ImportOptions, read_file};
use std::hint::black_box;
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

fn import(c: &mut Criterion) {
    let options = ImportOptions::new(ImportKind::Buildings);
    let mut group = c.benchmark_group("import monaco buildings");
    group.sample_size(20);
    group.bench_function("geojson", |b| {
        b.iter(|| {
            black_box(read_file(&data("monaco/buildings.geojson"), &options).expect("import"))
        })
    });
    group.bench_function("osm pbf", |b| {
        b.iter(|| {
            black_box(
                read_file(&data("monaco/monaco-2025-02-11.osm.pbf"), &options).expect("import"),
            )
        })
    });
    group.finish();
}

fn generation(c: &mut Criterion) {
    let profile = DistrictProfile::dongsheng().expect("profile");
    let mut group = c.benchmark_group("generate dongsheng");
    group.sample_size(10);
    group.bench_function("20,000 households", |b| {
        b.iter(|| {
            black_box(
                generate(
                    &profile,
                    &GenerateOptions {
                        households: 20_000,
                        seed: 1,
                    },
                )
                .expect("generate"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, import, generation);
criterion_main!(benches);
