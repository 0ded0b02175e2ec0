//! Partitioning throughput on the generated Dongsheng district (60,000 households, 24
//! communities): the cut (tessellation, bisection, refinement) and the polygons, as the
//! metrics report them, per community and for the whole district.

use criterion::{Criterion, criterion_group, criterion_main};
use gridmap::domain::Building;
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use gridmap::partition::{PartitionOptions, partition_community};
use std::hint::black_box;

fn partition(c: &mut Criterion) {
    let profile = DistrictProfile::dongsheng().expect("profile");
    let data = generate(
        &profile,
        &GenerateOptions {
            households: 60_000,
            seed: 1,
        },
    )
    .expect("generate");
    let by_community: Vec<(usize, Vec<&Building>)> = data
        .communities
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                i,
                data.buildings
                    .iter()
                    .filter(|b| b.community.as_ref() == Some(&c.code))
                    .collect(),
            )
        })
        .collect();
    let options = PartitionOptions::default();
    let mut group = c.benchmark_group("partition");
    group.sample_size(10);
    group.bench_function("one community (~2,500 households)", |b| {
        let (i, members) = &by_community[0];
        b.iter(|| {
            black_box(
                partition_community(&data.communities[*i], members, &[], &options)
                    .expect("partition"),
            )
        })
    });
    group.bench_function("district of 60,000 households", |b| {
        b.iter(|| {
            for (i, members) in &by_community {
                black_box(
                    partition_community(&data.communities[*i], members, &[], &options)
                        .expect("partition"),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, partition);
criterion_main!(benches);
