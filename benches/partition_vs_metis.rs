//! Our partitioner against METIS k-way (contiguity option on, edge weights = shared
//! boundary length) on the same graphs: the same sites, adjacency, barriers, dedicated
//! grids and polygons; only the cut differs. Prints balance, compactness, contiguity and
//! cut time for both on the generated Dongsheng district and on Monaco, then times both.

mod common;

use common::metis_cutter::Metis;
use criterion::{Criterion, criterion_group, criterion_main};
use geo_types::LineString;
use gridmap::domain::{Building, Community, Dataset};
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use gridmap::import::{ImportKind, ImportOptions, Imported, read_file};
use gridmap::partition::{
    CommunityPlan, Cutter, PartitionMetrics, PartitionOptions, RecursiveBisection,
    partition_community_with,
};
use std::hint::black_box;
use std::path::PathBuf;

struct Case {
    name: &'static str,
    communities: Vec<Community>,
    buildings: Vec<Building>,
    barriers: Vec<LineString<f64>>,
}

impl Case {
    fn members(&self, c: &Community) -> Vec<&Building> {
        self.buildings
            .iter()
            .filter(|b| b.community.as_ref() == Some(&c.code))
            .collect()
    }

    fn run(&self, cutter: &dyn Cutter) -> Vec<CommunityPlan> {
        let options = PartitionOptions::default();
        self.communities
            .iter()
            .map(|c| {
                partition_community_with(c, &self.members(c), &self.barriers, &options, cutter)
                    .expect("partition")
            })
            .collect()
    }
}

fn dongsheng() -> Case {
    let data: Dataset = generate(
        &DistrictProfile::dongsheng().expect("profile"),
        &GenerateOptions {
            households: 200_000,
            seed: 1,
        },
    )
    .expect("generate");
    Case {
        name: "generated 东胜区 (200,000 households)",
        barriers: data
            .roads
            .iter()
            .filter(|r| r.class.is_barrier())
            .map(|r| r.geometry.clone())
            .collect(),
        communities: data.communities,
        buildings: data.buildings,
    }
}

fn monaco() -> Case {
    let data = |file: &str, options: ImportOptions| match read_file(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data/monaco")
            .join(file),
        &options,
    )
    .expect("import")
    {
        Imported::Features(d) => d,
        Imported::Roster(_) | Imported::Workers(..) => unreachable!(),
    };
    let mut communities = ImportOptions::new(ImportKind::Communities);
    communities.parent = Some("990101001".parse().expect("code"));
    communities.admin_level = Some("10".into());
    let communities = data("admin.geojson", communities).communities;
    let mut buildings = data(
        "buildings.geojson",
        ImportOptions::new(ImportKind::Buildings),
    )
    .buildings;
    gridmap::spatial::assign_communities(
        &gridmap::spatial::community_index(&communities),
        &mut buildings,
    );
    let roads = data("roads.geojson", ImportOptions::new(ImportKind::Roads)).roads;
    Case {
        name: "Monaco (9 quartiers, OSM)",
        barriers: roads
            .iter()
            .filter(|r| r.class.is_barrier())
            .map(|r| r.geometry.clone())
            .collect(),
        communities,
        buildings,
    }
}

fn report(case: &Case) {
    for (label, cutter) in [
        ("gridmap", &RecursiveBisection as &dyn Cutter),
        ("METIS k-way contig", &Metis),
    ] {
        let plans = case.run(cutter);
        let m = PartitionMetrics::of(&plans, 300, 0.1, 0.0);
        eprintln!(
            "{:<38} {:<20} grids {:>5}  within ±10% {:>5.1}%  ±20% {:>5.1}%  contiguous {:>5.1}%  PP mean {:.3} min {:.3}  cut {:>7.1} ms  partition {:>7.1} ms  polygons {:>6.1} ms",
            case.name,
            label,
            m.grids,
            m.within_10_percent * 100.0,
            m.within_20_percent * 100.0,
            m.contiguous * 100.0,
            m.polsby_popper_mean,
            m.polsby_popper_min,
            m.cut_ms,
            m.partition_ms,
            m.polygons_ms
        );
    }
}

fn versus(c: &mut Criterion) {
    let cases = [dongsheng(), monaco()];
    for case in &cases {
        report(case);
    }
    let mut group = c.benchmark_group("partition district");
    group.sample_size(10);
    let case = &cases[0];
    group.bench_function("gridmap", |b| {
        b.iter(|| black_box(case.run(&RecursiveBisection)))
    });
    group.bench_function("metis", |b| b.iter(|| black_box(case.run(&Metis))));
    group.finish();
}

criterion_group!(benches, versus);
criterion_main!(benches);
