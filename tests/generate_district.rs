//! The generated Dongsheng district: deterministic, at the field figures, geometrically sound.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

use geo::{Area, BoundingRect, Contains, GeodesicArea, Intersects};
use gridmap::domain::{BuildingKind, Dataset, StationKind};
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use rstar::{AABB, RTree, primitives::GeomWithData};
use std::sync::OnceLock;

fn default_district() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let profile = DistrictProfile::dongsheng().unwrap();
        generate(
            &profile,
            &GenerateOptions {
                households: 200_000,
                seed: 1,
            },
        )
        .unwrap()
    })
}

#[test]
fn same_seed_same_district_other_seed_other_district() {
    let profile = DistrictProfile::dongsheng().unwrap();
    let a = generate(
        &profile,
        &GenerateOptions {
            households: 30_000,
            seed: 7,
        },
    )
    .unwrap();
    let b = generate(
        &profile,
        &GenerateOptions {
            households: 30_000,
            seed: 7,
        },
    )
    .unwrap();
    let c = generate(
        &profile,
        &GenerateOptions {
            households: 30_000,
            seed: 8,
        },
    )
    .unwrap();
    assert_eq!(a, b);
    assert_ne!(a.buildings, c.buildings);
}

#[test]
fn default_district_matches_the_field_figures() {
    let data = default_district();
    let households: u32 = data.buildings.iter().map(|b| b.households).sum();
    let residents: u32 = data.buildings.iter().map(|b| b.residents).sum();
    assert!(
        (190_000..=210_000).contains(&households),
        "{households} households"
    );
    assert!(
        (500_000..=600_000).contains(&residents),
        "{residents} residents (field: 56.16万)"
    );
    assert_eq!(data.communities.len(), 79);
    assert_eq!(data.streets.len(), 12);
    assert!(
        (270..=300).contains(&data.stations.len()),
        "{} stations (field: 286)",
        data.stations.len()
    );
    assert!(
        (1_250..=1_350).contains(&data.workers.len()),
        "{} workers (field: 1,301)",
        data.workers.len()
    );
    for kind in StationKind::ALL {
        assert!(data.stations.iter().any(|s| s.kind == kind), "no {kind:?}");
    }
    for kind in [
        BuildingKind::School,
        BuildingKind::Hospital,
        BuildingKind::Market,
        BuildingKind::Apartments,
        BuildingKind::House,
    ] {
        assert!(data.buildings.iter().any(|b| b.kind == kind), "no {kind:?}");
    }
    assert!(data.buildings.iter().all(|b| b.households <= 400));
    assert!(
        data.buildings
            .iter()
            .filter(|b| !b.kind.is_residential())
            .all(|b| b.households == 0)
    );
    // Density of the urban core: 10,000–20,000 residents per km².
    let area_km2: f64 = data
        .communities
        .iter()
        .map(|c| c.boundary.geodesic_area_unsigned())
        .sum::<f64>()
        / 1e6;
    let density = f64::from(residents) / area_km2;
    assert!(
        (10_000.0..=20_000.0).contains(&density),
        "{density} residents/km²"
    );
}

#[test]
fn codes_and_names_are_the_real_ones_first() {
    let data = default_district();
    let profile = DistrictProfile::dongsheng().unwrap();
    let real: std::collections::HashSet<_> = profile
        .streets
        .iter()
        .flat_map(|s| s.communities.iter().map(|c| c.0.clone()))
        .collect();
    let used = data
        .communities
        .iter()
        .filter(|c| real.contains(&c.code))
        .count();
    assert_eq!(used, 79, "every real community code is used");
    let mut codes: Vec<_> = data.communities.iter().map(|c| c.code.clone()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes.len(),
        79,
        "community codes are unique, the real ones only"
    );
    assert!(
        data.communities
            .iter()
            .all(|c| c.code.district().as_str() == "150602")
    );
    assert!(data.communities.iter().any(|c| c.name == "吉劳庆社区"));
    assert!(
        data.streets
            .iter()
            .any(|s| s.name == "交通街道" && s.code.as_str() == "150602001")
    );
}

#[test]
fn everything_lies_inside_its_area_and_buildings_do_not_overlap() {
    let data = default_district();
    let district = &data.districts[0].boundary;
    for c in &data.communities {
        assert!(
            district.contains(&c.boundary),
            "community {} leaves the district",
            c.code
        );
        assert!(c.boundary.unsigned_area() > 0.0);
    }
    let by_code: std::collections::HashMap<_, _> = data
        .communities
        .iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    for b in &data.buildings {
        let community = by_code[b.community.as_ref().unwrap()];
        assert!(
            community.boundary.contains(&b.footprint),
            "building {} leaves {}",
            b.id,
            community.code
        );
    }
    for s in &data.stations {
        let community = by_code[s.community.as_ref().unwrap()];
        assert!(
            community.boundary.contains(&s.location),
            "station {} leaves {}",
            s.id,
            community.code
        );
    }
    let tree = RTree::bulk_load(
        data.buildings
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let r = b.footprint.bounding_rect().unwrap();
                GeomWithData::new(
                    rstar::primitives::Rectangle::from_corners(
                        [r.min().x, r.min().y],
                        [r.max().x, r.max().y],
                    ),
                    i,
                )
            })
            .collect(),
    );
    let mut overlaps = 0;
    for (i, b) in data.buildings.iter().enumerate() {
        let r = b.footprint.bounding_rect().unwrap();
        let envelope = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            let j = other.data;
            if j > i && b.footprint.intersects(&data.buildings[j].footprint) {
                overlaps += 1;
            }
        }
    }
    assert_eq!(overlaps, 0, "buildings overlap");
}

/// Every compound is walled with gates onto the lanes, the walking network holds together,
/// and people inside a compound walk out through a gate: the walk from a compound's
/// building to a point beyond its wall is longer than the straight line.
#[test]
fn compounds_are_walled_and_walked_out_of_through_their_gates() {
    use geo::InteriorPoint;
    use gridmap::routing::build_network;
    use gridmap::spatial::LocalFrame;
    let data = default_district();
    assert!(data.walls.len() > 100, "walls: {}", data.walls.len());
    assert!(data.gates.len() >= data.walls.len());
    assert!(data.walls.iter().all(|w| w.geometry.is_closed()));
    let centre = data.districts[0].boundary.interior_point().unwrap();
    let frame = LocalFrame::new(centre.x(), centre.y());
    let (network, report) = build_network(frame, &data.roads, &data.walls, &data.gates);
    assert!(
        report.sealed.is_empty(),
        "sealed: {:?}",
        &report.sealed[..report.sealed.len().min(3)]
    );
    assert!(
        report.largest_share > 0.999,
        "largest piece {:.4}: {:?}",
        report.largest_share,
        &report.pieces[..report.pieces.len().min(3)]
    );
    assert_eq!(
        report.cut_at_walls, 0,
        "generated ways pass walls only at gates"
    );
    // Compound buildings (apartments named 号楼) join their compound's own paths.
    let mut checked = 0;
    for b in data
        .buildings
        .iter()
        .filter(|b| {
            b.kind == BuildingKind::Apartments
                && b.name.as_deref().is_some_and(|n| n.ends_with("号楼"))
        })
        .step_by(29)
    {
        let point = b.footprint.interior_point().unwrap();
        let snap = network.snap(point, 500.0).unwrap();
        let way = network.way(network.edge(snap.edge)).as_str();
        assert!(
            way.starts_with('R') || way.starts_with('P'),
            "{} joins {way}",
            b.id
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}
