//! The partitioner on real and generated data: balance, contiguity, compactness, tiling,
//! determinism, and refusals of bad input; the job commits through both stores.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use gridmap::domain::*;
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use gridmap::partition::{
    GridFlag, PartitionError, PartitionMetrics, PartitionOptions, partition_community,
};
use gridmap::service::partition_job::{self, Commit, Scope};
use gridmap::store::{LayerQuery, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

fn district() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let profile = DistrictProfile::dongsheng().unwrap();
        generate(
            &profile,
            &GenerateOptions {
                households: 60_000,
                seed: 11,
            },
        )
        .unwrap()
    })
}

fn plan_all(data: &Dataset, options: &PartitionOptions) -> Vec<gridmap::partition::CommunityPlan> {
    let barriers: Vec<_> = data
        .roads
        .iter()
        .filter(|r| r.class.is_barrier())
        .map(|r| r.geometry.clone())
        .collect();
    data.communities
        .iter()
        .map(|c| {
            let members: Vec<&Building> = data
                .buildings
                .iter()
                .filter(|b| b.community.as_ref() == Some(&c.code))
                .collect();
            partition_community(c, &members, &barriers, options).unwrap()
        })
        .collect()
}

#[test]
fn generated_district_meets_the_quality_targets() {
    let data = district();
    let options = PartitionOptions::default();
    let plans = plan_all(data, &options);
    let m = PartitionMetrics::of(&plans, options.target, options.tolerance, 0.0);
    assert_eq!(m.contiguous, 1.0, "every grid is one piece");
    assert!(
        m.within_10_percent >= 0.95,
        "{:.3} within ±10%",
        m.within_10_percent
    );
    assert!(
        m.polsby_popper_mean >= 0.55,
        "mean Polsby-Popper {:.3}",
        m.polsby_popper_mean
    );
    assert!(
        m.tiling_error_max < 1e-6,
        "grids tile each community: {}",
        m.tiling_error_max
    );
    assert!(m.dedicated_grids > 0);

    for plan in &plans {
        let community = data
            .communities
            .iter()
            .find(|c| c.code == plan.community)
            .unwrap();
        let members: HashSet<&BuildingId> = data
            .buildings
            .iter()
            .filter(|b| b.community.as_ref() == Some(&community.code))
            .map(|b| &b.id)
            .collect();
        // Every building in exactly one grid; none split, none lost.
        let assigned: Vec<&BuildingId> = plan.grids.iter().flat_map(|g| &g.buildings).collect();
        assert_eq!(assigned.len(), members.len());
        assert_eq!(assigned.iter().copied().collect::<HashSet<_>>(), members);
        // Codes: the community's, base from 001, dedicated from 901.
        for g in &plan.grids {
            assert_eq!(g.grid.code.community(), community.code);
            let seq = g.grid.code.sequence();
            match g.grid.kind {
                GridKind::Base => assert!(seq < 901),
                GridKind::Dedicated => assert!(seq >= 901),
            }
            let kinds: HashSet<bool> = g
                .buildings
                .iter()
                .map(|id| {
                    data.buildings
                        .iter()
                        .find(|b| &b.id == id)
                        .unwrap()
                        .kind
                        .is_dedicated()
                })
                .collect();
            assert_eq!(
                kinds.len(),
                1,
                "grid {} mixes dedicated and other buildings",
                g.grid.code
            );
            assert_eq!(kinds.contains(&true), g.grid.kind == GridKind::Dedicated);
            assert!(geo::Area::unsigned_area(&g.grid.boundary) > 0.0);
        }
        let mut base: Vec<u16> = plan
            .grids
            .iter()
            .filter(|g| g.grid.kind == GridKind::Base)
            .map(|g| g.grid.code.sequence())
            .collect();
        base.sort_unstable();
        assert_eq!(
            base,
            (1..=base.len() as u16).collect::<Vec<_>>(),
            "base grids are numbered 001.. without gaps"
        );
    }
}

#[test]
fn partitioning_is_deterministic() {
    let data = district();
    let options = PartitionOptions::default();
    let one = plan_all(data, &options);
    let two = plan_all(data, &options);
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a.grids, b.grids);
    }
}

#[test]
fn monaco_quartiers_partition_into_contiguous_grids_that_respect_barriers() {
    let data = common::monaco();
    let communities = data.communities;
    let mut buildings = data.buildings;
    gridmap::spatial::assign_communities(
        &gridmap::spatial::community_index(&communities),
        &mut buildings,
    );
    let roads = data.roads;
    let barriers: Vec<_> = roads
        .iter()
        .filter(|r| r.class.is_barrier())
        .map(|r| r.geometry.clone())
        .collect();
    let options = PartitionOptions::default();
    let mut plans = Vec::new();
    for c in &communities {
        let members: Vec<&Building> = buildings
            .iter()
            .filter(|b| b.community.as_ref() == Some(&c.code))
            .collect();
        plans.push(partition_community(c, &members, &barriers, &options).unwrap());
    }
    let m = PartitionMetrics::of(&plans, 300, 0.1, 0.0);
    assert_eq!(m.communities, 9);
    assert_eq!(m.contiguous, 1.0);
    assert!(m.tiling_error_max < 1e-6);
    // Monaco's blocks are large (estimated from footprints and floors): where building
    // sizes allow, grids land within ±10%; where they do not, the grid is flagged.
    assert!(m.within_10_percent >= 0.95, "{:.3}", m.within_10_percent);
    let unbalanceable: Vec<_> = plans
        .iter()
        .flat_map(|p| &p.grids)
        .filter(|g| g.grid.flag == GridFlag::Unbalanceable)
        .collect();
    assert_eq!(m.unbalanceable, unbalanceable.len());
    assert!(
        unbalanceable
            .iter()
            .all(|g| !(270..=330).contains(&g.grid.households)),
        "only grids outside the band are flagged"
    );
    assert!(
        unbalanceable.len() * 10 < m.base_grids,
        "{} of {} base grids flagged",
        unbalanceable.len(),
        m.base_grids
    );
    assert!(
        m.oversized_grids > 0,
        "Monaco has towers above 1.5 × 300 households"
    );
    let oversized: Vec<_> = plans
        .iter()
        .flat_map(|p| &p.grids)
        .filter(|g| g.grid.flag == GridFlag::OversizedBuilding)
        .collect();
    assert!(
        oversized
            .iter()
            .all(|g| g.buildings.len() == 1 && g.grid.households > 450)
    );
}

/// Each grid is one piece per piece of its community: no piece of a grid lies apart from
/// the rest inside the same community piece. Monaco's nine quartiers, each building given
/// households = footprint m² × floors × 0.8 / 90 (the case that once left a detached piece
/// beside a grid of Monte-Carlo), with and without its roads as barriers.
#[test]
fn monaco_grids_are_one_piece_per_community_piece() {
    let data = common::monaco();
    // The importer's household estimate with 80% of the floor area usable.
    let model = gridmap::import::HouseholdModel {
        usable_ratio: 0.8,
        dwelling_m2: 90.0,
        ..Default::default()
    };
    let mut buildings: Vec<Building> = data
        .buildings
        .iter()
        .map(|b| {
            let mut b = b.clone();
            if b.kind.is_residential() {
                let floors = b.floors.unwrap_or_else(|| model.default_floors_for(b.kind));
                b.households = model.households(&b.footprint, b.kind, floors);
            }
            b
        })
        .collect();
    gridmap::spatial::assign_communities(
        &gridmap::spatial::community_index(&data.communities),
        &mut buildings,
    );
    let with_roads = Dataset { buildings, ..data };
    let without_roads = Dataset {
        roads: Vec::new(),
        ..with_roads.clone()
    };
    let mut checked = 0;
    for data in [&with_roads, &without_roads] {
        for (c, plan) in data
            .communities
            .iter()
            .zip(plan_all(data, &PartitionOptions::default()))
        {
            if let Err(why) = one_piece_per_community_piece(c, &plan) {
                panic!("{why}");
            }
            checked += plan.grids.len();
        }
    }
    assert!(checked > 200, "{checked} grids checked");
}

/// Whether every grid of `plan` has at most one piece in each piece of `community`.
fn one_piece_per_community_piece(
    community: &Community,
    plan: &gridmap::partition::CommunityPlan,
) -> Result<(), String> {
    use geo::{Contains, InteriorPoint};
    for g in &plan.grids {
        let mut holders = HashSet::new();
        for piece in &g.grid.boundary.0 {
            let inside = piece
                .interior_point()
                .ok_or("a grid piece with no interior")?;
            let holder = community
                .boundary
                .0
                .iter()
                .position(|p| p.contains(&inside))
                .unwrap_or(usize::MAX);
            if !holders.insert(holder) {
                return Err(format!(
                    "grid {} has two pieces in one piece of community {} ({} pieces)",
                    g.grid.code,
                    community.code,
                    g.grid.boundary.0.len()
                ));
            }
        }
    }
    Ok(())
}

/// A random community: one or two star-shaped pieces of `corners` corners (radii 80–900 m:
/// deep notches),
/// `count` buildings of 3–150 households inside it, and up to `barriers` straight barrier
/// roads across it.
fn random_community(
    seed: u64,
    corners: usize,
    two_pieces: bool,
    count: usize,
    barriers: usize,
) -> (Community, Vec<Building>, Vec<geo::LineString<f64>>) {
    use geo::Contains;
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let frame = gridmap::spatial::LocalFrame::new(110.0, 39.8);
    let centres: &[(f64, f64)] = if two_pieces {
        &[(-1200.0, 0.0), (1200.0, 0.0)]
    } else {
        &[(0.0, 0.0)]
    };
    let pieces: Vec<geo::Polygon<f64>> = centres
        .iter()
        .map(|&(cx, cy)| {
            let mut ring: Vec<(f64, f64)> = (0..corners)
                .map(|i| {
                    let angle = (i as f64 + rng.random_range(0.0..0.8)) * std::f64::consts::TAU
                        / corners as f64;
                    let radius = rng.random_range(80.0..900.0);
                    let c = frame.to_lonlat(cx + radius * angle.cos(), cy + radius * angle.sin());
                    (c.x, c.y)
                })
                .collect();
            ring.push(ring[0]);
            geo::Polygon::new(ring.into(), vec![])
        })
        .collect();
    let community = Community {
        code: "150602001001".parse().unwrap(),
        name: "随机社区".into(),
        boundary: geo::MultiPolygon::new(pieces),
    };
    let mut buildings = Vec::new();
    while buildings.len() < count {
        let (x, y) = (
            rng.random_range(-2100.0..2100.0),
            rng.random_range(-900.0..900.0),
        );
        let at = frame.to_lonlat(x, y);
        let (lon, lat) = (at.x, at.y);
        let id = format!("b{}", buildings.len());
        let b = house(
            &id,
            lon,
            lat,
            rng.random_range(3..150),
            BuildingKind::Apartments,
        );
        if community.boundary.contains(&b.footprint) {
            buildings.push(b);
        }
    }
    let roads = (0..barriers)
        .map(|_| {
            let (a, b) = (
                frame.to_lonlat(rng.random_range(-2500.0..2500.0), -1000.0),
                frame.to_lonlat(rng.random_range(-2500.0..2500.0), 1000.0),
            );
            geo::LineString::from(vec![a, b])
        })
        .collect();
    (community, buildings, roads)
}

/// The case the property test found before sites were neighbours only when each reaches
/// their cells' meeting point inside the community: a grid in two pieces of a notched
/// community.
#[test]
fn a_notched_community_gets_grids_of_one_piece() {
    let (community, buildings, roads) =
        random_community(10_723_909_726_253_911_079, 14, true, 118, 0);
    let refs: Vec<&Building> = buildings.iter().collect();
    let plan =
        partition_community(&community, &refs, &roads, &PartitionOptions::default()).unwrap();
    one_piece_per_community_piece(&community, &plan).unwrap();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Grid polygons are one piece per community piece on random building sets and
    /// community shapes (convex or not, in one or two pieces, crossed by barriers or not).
    #[test]
    fn random_communities_get_grids_of_one_piece_per_community_piece(
        seed in proptest::prelude::any::<u64>(),
        corners in 3usize..=16,
        two_pieces in proptest::prelude::any::<bool>(),
        count in 12usize..=160,
        barriers in 0usize..=3,
    ) {
        let (community, buildings, roads) =
            random_community(seed, corners, two_pieces, count, barriers);
        let refs: Vec<&Building> = buildings.iter().collect();
        let plan = partition_community(&community, &refs, &roads, &PartitionOptions::default())
            .unwrap();
        let assigned: usize = plan.grids.iter().map(|g| g.buildings.len()).sum();
        proptest::prop_assert_eq!(assigned, buildings.len());
        if let Err(why) = one_piece_per_community_piece(&community, &plan) {
            return Err(proptest::test_runner::TestCaseError::fail(why));
        }
    }
}

fn square_community() -> Community {
    let ring = vec![
        (110.0, 39.8),
        (110.01, 39.8),
        (110.01, 39.81),
        (110.0, 39.81),
        (110.0, 39.8),
    ];
    Community {
        code: "150602001001".parse().unwrap(),
        name: "测试社区".into(),
        boundary: geo::MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])]),
    }
}

fn house(id: &str, x: f64, y: f64, households: u32, kind: BuildingKind) -> Building {
    let d = 0.0001;
    let ring = vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)];
    Building {
        id: BuildingId(id.into()),
        footprint: geo::MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])]),
        households,
        residents: households * 2,
        floors: Some(6),
        kind,
        name: None,
        address: None,
        building_head: None,
        community: Some("150602001001".parse().unwrap()),
        grid: None,
    }
}

#[test]
fn bad_input_is_refused_clearly() {
    let community = square_community();
    let ok = house("a", 110.005, 39.805, 30, BuildingKind::Apartments);
    let options = PartitionOptions::default();
    match partition_community(&community, &[], &[], &options) {
        Err(PartitionError::NoBuildings(code)) => assert_eq!(code.as_str(), "150602001001"),
        other => panic!("{other:?}"),
    }
    let empty = house("b", 110.002, 39.802, 0, BuildingKind::Apartments);
    let err = partition_community(&community, &[&ok, &empty], &[], &options).unwrap_err();
    assert!(
        err.to_string().contains("building b") && err.to_string().contains("0 households"),
        "{err}"
    );
    let zero_target = PartitionOptions {
        target: 0,
        ..options
    };
    assert!(matches!(
        partition_community(&community, &[&ok], &[], &zero_target),
        Err(PartitionError::InvalidTarget(0))
    ));
    let wide = PartitionOptions {
        tolerance: 1.5,
        ..options
    };
    assert!(matches!(
        partition_community(&community, &[&ok], &[], &wide),
        Err(PartitionError::InvalidTolerance(_))
    ));
    // A garage with no households is fine.
    let garage = house("g", 110.003, 39.803, 0, BuildingKind::Other);
    assert!(partition_community(&community, &[&ok, &garage], &[], &options).is_ok());
}

#[test]
fn a_barrier_splits_grids_unless_a_side_cannot_stand_alone() {
    let community = square_community();
    // Two halves of 20 buildings × 30 households (600 each) west and east of a north-south
    // primary road: each half balances alone (2 grids of 300), so no grid crosses the road.
    let mut buildings = Vec::new();
    for i in 0..5 {
        for j in 0..4 {
            for (side, x0) in [("w", 110.0005), ("e", 110.0055)] {
                buildings.push(house(
                    &format!("{side}{i}{j}"),
                    x0 + i as f64 * 0.0008,
                    39.801 + j as f64 * 0.002,
                    30,
                    BuildingKind::Apartments,
                ));
            }
        }
    }
    let road = geo::LineString::from(vec![(110.005, 39.79), (110.005, 39.82)]);
    let refs: Vec<&Building> = buildings.iter().collect();
    let plan = partition_community(
        &community,
        &refs,
        std::slice::from_ref(&road),
        &PartitionOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.grids.len(), 4);
    for g in &plan.grids {
        let sides: HashSet<char> = g
            .buildings
            .iter()
            .map(|b| b.0.chars().next().unwrap())
            .collect();
        assert_eq!(sides.len(), 1, "grid {} crosses the road", g.grid.code);
        assert_eq!(g.grid.households, 300);
    }
    // With 150 households east of the road, the east side cannot be a grid alone: it joins.
    let few: Vec<&Building> = buildings
        .iter()
        .filter(|b| b.id.0.starts_with('w') || b.id.0.ends_with('0'))
        .collect();
    let plan = partition_community(
        &community,
        &few,
        std::slice::from_ref(&road),
        &PartitionOptions::default(),
    )
    .unwrap();
    let crossing = plan
        .grids
        .iter()
        .filter(|g| {
            g.buildings
                .iter()
                .map(|b| b.0.chars().next().unwrap())
                .collect::<HashSet<_>>()
                .len()
                > 1
        })
        .count();
    assert_eq!(
        crossing, 1,
        "exactly one grid takes the small side across the road"
    );
}

async fn partition_job_commits_or_not(store: Arc<dyn Store>) {
    let profile = DistrictProfile::dongsheng().unwrap();
    let data = generate(
        &profile,
        &GenerateOptions {
            households: 20_000,
            seed: 2,
        },
    )
    .unwrap();
    store.write(&data, None).await.unwrap();
    let community = data.communities[0].code.clone();
    let scope = Scope::Community(community.clone());
    let options = PartitionOptions::default();
    let dry = partition_job::run(store.as_ref(), &scope, &options, Commit::DryRun, &|_, _| {})
        .await
        .unwrap();
    assert!(!dry.committed && dry.metrics.grids > 3);
    assert_eq!(
        store.counts().await.unwrap().grids,
        0,
        "a dry run writes nothing"
    );
    let report = partition_job::run(store.as_ref(), &scope, &options, Commit::Write, &|_, _| {})
        .await
        .unwrap();
    let grids = store.grids(&LayerQuery::default()).await.unwrap();
    assert_eq!(grids.len(), report.metrics.grids);
    let buildings = store
        .buildings(&LayerQuery {
            code_prefix: Some(community.to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    let codes: HashSet<&GridCode> = grids.iter().map(|g| &g.code).collect();
    assert!(
        buildings
            .iter()
            .all(|b| b.grid.as_ref().is_some_and(|g| codes.contains(g))),
        "every building has its grid"
    );
    let households: HashMap<&GridCode, u32> =
        grids.iter().map(|g| (&g.code, g.households)).collect();
    for (code, total) in households {
        let sum: u32 = buildings
            .iter()
            .filter(|b| b.grid.as_ref() == Some(code))
            .map(|b| b.households)
            .sum();
        assert_eq!(sum, total);
    }
    let runs = store.partition_runs(5).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].metrics["summary"]["grids"], report.metrics.grids);
    // Partitioning again replaces, never duplicates.
    partition_job::run(store.as_ref(), &scope, &options, Commit::Write, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(
        store.grids(&LayerQuery::default()).await.unwrap().len(),
        report.metrics.grids
    );
    // An unknown community is a clear error.
    let unknown = Scope::Community("150602999999".parse().unwrap());
    let err = partition_job::run(
        store.as_ref(),
        &unknown,
        &options,
        Commit::Write,
        &|_, _| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("150602999999"), "{err}");
}
both_stores!(partition_jobs, partition_job_commits_or_not);

#[test]
fn keeping_existing_grids_moves_few_buildings_and_keeps_codes() {
    use gridmap::partition::Start;
    let data = district();
    let community = &data.communities[3];
    let mut buildings: Vec<Building> = data
        .buildings
        .iter()
        .filter(|b| b.community.as_ref() == Some(&community.code))
        .cloned()
        .collect();
    let refs: Vec<&Building> = buildings.iter().collect();
    let fresh = partition_community(community, &refs, &[], &PartitionOptions::default()).unwrap();
    let before: HashMap<BuildingId, GridCode> = fresh.assignments().into_iter().collect();
    for b in &mut buildings {
        b.grid = before.get(&b.id).cloned();
    }
    // New residents move into one base grid: +30% households there.
    let grown = fresh
        .grids
        .iter()
        .find(|g| g.grid.kind == GridKind::Base && g.grid.households > 250)
        .unwrap()
        .grid
        .code
        .clone();
    for b in buildings
        .iter_mut()
        .filter(|b| b.grid.as_ref() == Some(&grown))
    {
        b.households = (f64::from(b.households) * 1.3).round() as u32;
    }
    let refs: Vec<&Building> = buildings.iter().collect();
    let keep = PartitionOptions {
        start: Start::KeepExisting,
        ..PartitionOptions::default()
    };
    let again = partition_community(community, &refs, &[], &keep).unwrap();
    let after: HashMap<BuildingId, GridCode> = again.assignments().into_iter().collect();
    let moved = before
        .iter()
        .filter(|(id, code)| after.get(*id) != Some(*code))
        .count();
    assert!(moved > 0, "the grown grid had to shed buildings");
    assert!(
        (moved as f64) < 0.1 * buildings.len() as f64,
        "{moved} of {} buildings moved",
        buildings.len()
    );
    // The grown grid shed households to its neighbours. (Pushing a surplus through a chain
    // of grids that are all near the band's edge is the rebalancing issue's work.)
    let grown_after = again
        .grids
        .iter()
        .find(|g| g.grid.code == grown)
        .unwrap()
        .grid
        .households;
    let grown_before: u32 = buildings
        .iter()
        .filter(|b| b.grid.as_ref() == Some(&grown))
        .map(|b| b.households)
        .sum();
    assert!(
        grown_after < grown_before,
        "{grown_after} vs {grown_before}"
    );
    // The same codes survive, and grids away from the change keep all their buildings.
    let codes_before: HashSet<&GridCode> = fresh.grids.iter().map(|g| &g.grid.code).collect();
    let codes_after: HashSet<&GridCode> = again.grids.iter().map(|g| &g.grid.code).collect();
    assert_eq!(codes_before, codes_after);
    let untouched = fresh
        .grids
        .iter()
        .filter(|g| {
            g.buildings
                == again
                    .grids
                    .iter()
                    .find(|a| a.grid.code == g.grid.code)
                    .unwrap()
                    .buildings
        })
        .count();
    // The dedicated grids and about a third of the base grids keep exactly their buildings
    // (a fresh cut of the changed households redraws nearly all of them).
    assert!(
        untouched * 10 >= fresh.grids.len() * 3,
        "{untouched} of {} grids unchanged",
        fresh.grids.len()
    );
}

/// Rebalancing's target, in its two forms: a new compound adds 15% to a community's
/// households (its buildings join the grids; existing buildings barely move), and every
/// building's households change by ±15% (a grid is added or dissolved: about one grid's
/// worth of buildings must move).
#[test]
fn a_fifteen_percent_household_change_moves_few_buildings() {
    use gridmap::partition::Start;
    let data = district();
    let keep = PartitionOptions {
        start: Start::KeepExisting,
        ..PartitionOptions::default()
    };
    let (mut compound_worst, mut uniform_worst): (f64, f64) = (0.0, 0.0);
    for community in data.communities.iter().take(8) {
        let mut buildings: Vec<Building> = data
            .buildings
            .iter()
            .filter(|b| b.community.as_ref() == Some(&community.code))
            .cloned()
            .collect();
        let refs: Vec<&Building> = buildings.iter().collect();
        let fresh =
            partition_community(community, &refs, &[], &PartitionOptions::default()).unwrap();
        let before: HashMap<BuildingId, GridCode> = fresh.assignments().into_iter().collect();
        for b in &mut buildings {
            b.grid = before.get(&b.id).cloned();
        }
        let total: u32 = buildings.iter().map(|b| b.households).sum();
        let moved_share = |after: &gridmap::partition::CommunityPlan| {
            let after: HashMap<BuildingId, GridCode> = after.assignments().into_iter().collect();
            before
                .iter()
                .filter(|(id, code)| after.get(*id) != Some(*code))
                .count() as f64
                / before.len() as f64
        };
        // A new compound of mid- and high-rise blocks: copies of the buildings of the grid
        // with the fewest (largest) buildings, shifted a little, until they add 15% of the
        // households; they have no grid yet.
        let grid = &fresh
            .grids
            .iter()
            .filter(|g| g.grid.kind == GridKind::Base)
            .min_by_key(|g| (g.buildings.len(), g.grid.code.clone()))
            .unwrap()
            .grid
            .code;
        let mut compound: Vec<Building> = Vec::new();
        let mut added = 0;
        for (i, b) in buildings
            .iter()
            .filter(|b| b.grid.as_ref() == Some(grid) && b.kind.is_residential())
            .cycle()
            .enumerate()
            .take(10_000)
        {
            if f64::from(added) >= 0.15 * f64::from(total) {
                break;
            }
            let shift = 0.00003 * (1 + i % 7) as f64;
            compound.push(Building {
                id: BuildingId(format!("new-{i}")),
                footprint: geo::MapCoords::map_coords(
                    &b.footprint,
                    |c| geo::coord! {x: c.x + shift, y: c.y - shift},
                ),
                grid: None,
                ..b.clone()
            });
            added += b.households;
        }
        let with_compound: Vec<&Building> = buildings.iter().chain(&compound).collect();
        let plan = partition_community(community, &with_compound, &[], &keep).unwrap();
        let share = moved_share(&plan);
        compound_worst = compound_worst.max(share);
        assert!(
            share < 0.10,
            "community {}: a new compound moved {:.1}% of the buildings",
            community.code,
            share * 100.0
        );
        assert_eq!(
            PartitionMetrics::of(std::slice::from_ref(&plan), 300, 0.1, 0.0).contiguous,
            1.0
        );

        for factor in [1.15, 0.85] {
            let changed: Vec<Building> = buildings
                .iter()
                .map(|b| b.with_households_scaled(factor))
                .collect();
            let refs: Vec<&Building> = changed.iter().collect();
            let plan = partition_community(community, &refs, &[], &keep).unwrap();
            let share = moved_share(&plan);
            uniform_worst = uniform_worst.max(share);
            // About one grid's worth of households must change grid when the count
            // changes; what moves stays under two grids' worth of buildings, or under
            // three when that brings every grid within the tolerance (tolerance comes
            // before fewer moves).
            let grids = fresh
                .grids
                .iter()
                .filter(|g| g.grid.kind == GridKind::Base)
                .count() as f64;
            let all_within = plan
                .grids
                .iter()
                .filter(|g| g.grid.kind == GridKind::Base)
                .all(|g| (f64::from(g.grid.households) - 300.0).abs() <= 30.0);
            let bound = if all_within { 3.0 } else { 2.0 } / grids;
            assert!(
                share < bound,
                "community {} ×{factor}: {:.1}% of the buildings moved ({grids} grids, all within tolerance: {all_within})",
                community.code,
                share * 100.0
            );
            let m = PartitionMetrics::of(std::slice::from_ref(&plan), 300, 0.1, 0.0);
            assert_eq!(m.contiguous, 1.0);
        }
    }
    eprintln!(
        "most buildings moved: new compound {:.1}%, all households ±15% {:.1}%",
        compound_worst * 100.0,
        uniform_worst * 100.0
    );
}
