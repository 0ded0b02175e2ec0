//! Old-town communities (老城区) for partitioning at the sizes old towns, villages in the
//! city (城中村) and whole streets bring: blocks between lanes (胡同) of one- to three-storey
//! houses, courtyards (大杂院) of three or four wings, now and then a block of mid-rise
//! flats; about 12 households a building. Lanes bend, lots vary in width and the community's
//! outline follows its last row of blocks, so nothing is a regular lattice.
//!
//! ```
//! use gridmap::generate::old_town_community;
//! let (community, buildings) = old_town_community("110101001001", (116.40, 39.93), 500, 7)
//!     .expect("community");
//! assert_eq!(buildings.len(), 500);
//! let households: u32 = buildings.iter().map(|b| b.households).sum();
//! assert!((10.0..14.0).contains(&(f64::from(households) / 500.0)));
//! assert!(buildings.iter().all(|b| b.community.as_ref() == Some(&community.code)));
//! ```

use crate::domain::{Building, BuildingId, BuildingKind, Community, CommunityCode, Dataset};
use crate::spatial::LocalFrame;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A block between lanes: two rows of lots back to back.
const BLOCK_WIDTH_M: f64 = 96.0;
const LOT_DEPTH_M: f64 = 24.0;
const LANE_WIDTH_M: f64 = 6.0;
/// Blocks per row for each √1,000 buildings, for a community about as tall as it is wide
/// (rows are added until the buildings are placed).
const BLOCKS_PER_ROW_PER_SQRT_1000: f64 = 4.4;
/// Share of blocks that are mid-rise flats (a few per community).
const MID_RISE_SHARE: f64 = 0.03;
/// Share of lots that are courtyards of several wings rather than one house.
const COURTYARD_SHARE: f64 = 0.45;
/// Bend of the lanes: metres of sideways shift and the wavelength of the bend.
const BEND_M: f64 = 9.0;
const BEND_WAVELENGTH_M: f64 = 420.0;
const PERSONS_PER_HOUSEHOLD: f64 = 2.62;

/// A building to be made: footprint ring (metres), kind, floors, households.
type Plan = (Vec<Coord<f64>>, BuildingKind, u16, u32);

/// One old-town community of exactly `buildings` buildings about `centre` (lon, lat),
/// deterministic for its seed. Errors when `code` is not a community code.
pub fn old_town_community(
    code: &str,
    centre: (f64, f64),
    buildings: usize,
    seed: u64,
) -> Result<(Community, Vec<Building>), String> {
    let code = CommunityCode::new(code).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let blocks_per_row =
        ((buildings as f64 / 1000.0).sqrt() * BLOCKS_PER_ROW_PER_SQRT_1000).ceil() as usize;
    let blocks_per_row = blocks_per_row.max(1);
    let row_pitch_m = 2.0 * LOT_DEPTH_M + LANE_WIDTH_M;
    let mut plans: Vec<Plan> = Vec::new();
    let mut rows = 0;
    while plans.len() < buildings {
        for column in 0..blocks_per_row {
            if plans.len() >= buildings {
                break;
            }
            let origin = Coord {
                x: column as f64 * (BLOCK_WIDTH_M + LANE_WIDTH_M),
                y: rows as f64 * row_pitch_m,
            };
            block(origin, &mut rng, &mut plans);
        }
        rows += 1;
    }
    plans.truncate(buildings);
    let width_m = blocks_per_row as f64 * (BLOCK_WIDTH_M + LANE_WIDTH_M);
    let height_m = rows as f64 * row_pitch_m;
    let offset = Coord {
        x: -width_m / 2.0,
        y: -height_m / 2.0,
    };
    let frame = LocalFrame::new(centre.0, centre.1);
    let to_lonlat = |c: Coord<f64>| {
        let bent = bend(c + offset);
        frame.to_lonlat(bent.x, bent.y)
    };
    let outline = outline_m(&plans, width_m, row_pitch_m);
    let community = Community {
        name: format!("老城{}社区", &code.as_str()[9..]),
        boundary: MultiPolygon::new(vec![Polygon::new(
            LineString::new(outline.into_iter().map(to_lonlat).collect()),
            vec![],
        )]),
        code,
    };
    let buildings = plans
        .into_iter()
        .enumerate()
        .map(|(i, (ring, kind, floors, households))| Building {
            id: BuildingId(format!("O{}-{:05}", community.code.as_str(), i + 1)),
            footprint: MultiPolygon::new(vec![Polygon::new(
                LineString::new(ring.into_iter().map(to_lonlat).collect()),
                vec![],
            )]),
            households,
            residents: (f64::from(households) * PERSONS_PER_HOUSEHOLD).round() as u32,
            floors: Some(floors),
            kind,
            name: None,
            address: None,
            building_head: None,
            community: Some(community.code.clone()),
            grid: None,
        })
        .collect();
    Ok((community, buildings))
}

/// A city of `communities` old-town communities of `buildings_each` buildings, ten to a
/// street, side by side in rows (district 110101, as Beijing's Dongcheng).
pub fn old_town_city(
    communities: usize,
    buildings_each: usize,
    seed: u64,
) -> Result<Dataset, String> {
    let mut data = Dataset::default();
    // Side of one community in degrees, with room between them.
    let side_deg = (buildings_each as f64 / 1000.0).sqrt() * 0.006 + 0.004;
    let per_row = (communities as f64).sqrt().ceil().max(1.0) as usize;
    for i in 0..communities {
        let code = format!("110101{:03}{:03}", i / 10 + 1, i % 10 + 1);
        let centre = (
            116.30 + (i % per_row) as f64 * side_deg,
            39.90 + (i / per_row) as f64 * side_deg,
        );
        let (community, buildings) =
            old_town_community(&code, centre, buildings_each, seed.wrapping_add(i as u64))?;
        data.communities.push(community);
        data.buildings.extend(buildings);
    }
    Ok(data)
}

/// Lanes bend: a gentle sideways wave of both axes.
fn bend(c: Coord<f64>) -> Coord<f64> {
    let k = std::f64::consts::TAU / BEND_WAVELENGTH_M;
    Coord {
        x: c.x + BEND_M * (c.y * k).sin(),
        y: c.y + BEND_M * (c.x * k * 0.7).sin(),
    }
}

/// The block at `origin` (its south-west corner, metres): two rows of lots, or now and then
/// mid-rise flats.
fn block(origin: Coord<f64>, rng: &mut impl Rng, plans: &mut Vec<Plan>) {
    if rng.random_bool(MID_RISE_SHARE) {
        for i in 0..3 {
            let x = origin.x + 6.0 + f64::from(i) * 30.0;
            let ring = rectangle(
                Coord {
                    x,
                    y: origin.y + 8.0,
                },
                18.0,
                2.0 * LOT_DEPTH_M - 16.0,
            );
            let floors: u16 = rng.random_range(5..=7);
            let households = u32::from(floors) * rng.random_range(8..=16);
            plans.push((ring, BuildingKind::Apartments, floors, households));
        }
        return;
    }
    for row in 0..2 {
        let y = origin.y + f64::from(row) * LOT_DEPTH_M;
        let mut x = origin.x;
        while x < origin.x + BLOCK_WIDTH_M - 8.0 {
            let width = rng
                .random_range(9.0..16.0_f64)
                .min(origin.x + BLOCK_WIDTH_M - x);
            lot(Coord { x, y }, width, rng, plans);
            x += width;
        }
    }
}

/// One lot: a house, or a courtyard of three or four wings around a yard.
fn lot(corner: Coord<f64>, width: f64, rng: &mut impl Rng, plans: &mut Vec<Plan>) {
    let inner = |dx: f64, dy: f64| Coord {
        x: corner.x + dx,
        y: corner.y + dy,
    };
    if width < 12.0 || !rng.random_bool(COURTYARD_SHARE) {
        let depth = rng.random_range(10.0..LOT_DEPTH_M - 3.0);
        let ring = rectangle(inner(0.8, 1.5), width - 1.6, depth);
        // A family or a few to each floor.
        let floors: u16 = rng.random_range(1..=3);
        let households = u32::from(floors) * rng.random_range(2..=6);
        plans.push((ring, BuildingKind::House, floors, households));
        return;
    }
    // North, south, west and (often) east wings around a yard.
    let wing = 4.5;
    let mut wings = vec![
        rectangle(inner(0.8, LOT_DEPTH_M - 1.0 - wing), width - 1.6, wing),
        rectangle(inner(0.8, 1.0), width - 1.6, wing),
        rectangle(
            inner(0.8, 2.0 + wing),
            wing - 1.0,
            LOT_DEPTH_M - 4.0 - 2.0 * wing,
        ),
    ];
    if rng.random_bool(0.7) {
        wings.push(rectangle(
            inner(width - wing - 0.2, 2.0 + wing),
            wing - 1.0,
            LOT_DEPTH_M - 4.0 - 2.0 * wing,
        ));
    }
    for ring in wings {
        // A courtyard shared by many families (大杂院): a room or two each.
        let households = rng.random_range(4..=24);
        plans.push((
            ring,
            BuildingKind::Residential,
            rng.random_range(1..=2),
            households,
        ));
    }
}

/// A closed rectangle from its south-west corner.
fn rectangle(sw: Coord<f64>, w: f64, h: f64) -> Vec<Coord<f64>> {
    vec![
        sw,
        Coord {
            x: sw.x + w,
            y: sw.y,
        },
        Coord {
            x: sw.x + w,
            y: sw.y + h,
        },
        Coord {
            x: sw.x,
            y: sw.y + h,
        },
        sw,
    ]
}

/// The community's outline (metres, before bending), densified so it bends with the lanes:
/// the full rows of blocks, and the last row only as far as its last building.
fn outline_m(plans: &[Plan], width_m: f64, row_pitch_m: f64) -> Vec<Coord<f64>> {
    let top = plans
        .iter()
        .flat_map(|p| p.0.iter().map(|c| c.y))
        .fold(0.0_f64, f64::max);
    let last_row = (top / row_pitch_m - 1e-9).floor().max(0.0);
    let (full_top, last_top) = (last_row * row_pitch_m, (last_row + 1.0) * row_pitch_m);
    let last_east = plans
        .iter()
        .flat_map(|p| p.0.iter())
        .filter(|c| c.y > full_top + 1e-6)
        .map(|c| c.x)
        .fold(0.0_f64, f64::max)
        + LANE_WIDTH_M;
    let margin = LANE_WIDTH_M / 2.0;
    let corners = [
        Coord {
            x: -margin,
            y: -margin,
        },
        Coord {
            x: width_m,
            y: -margin,
        },
        Coord {
            x: width_m,
            y: full_top,
        },
        Coord {
            x: last_east,
            y: full_top,
        },
        Coord {
            x: last_east,
            y: last_top,
        },
        Coord {
            x: -margin,
            y: last_top,
        },
        Coord {
            x: -margin,
            y: -margin,
        },
    ];
    let mut ring = Vec::new();
    for pair in corners.windows(2) {
        let steps = ((pair[1] - pair[0]).x.hypot((pair[1] - pair[0]).y) / 20.0)
            .ceil()
            .max(1.0);
        for s in 0..steps as usize {
            let point = pair[0] + (pair[1] - pair[0]) * (s as f64 / steps);
            if ring.last() != Some(&point) {
                ring.push(point);
            }
        }
    }
    ring.push(corners[0]);
    ring
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, InteriorPoint};

    #[test]
    fn every_building_lies_inside_its_community_and_sizes_are_as_asked() {
        for (size, seed) in [(1, 1), (37, 2), (800, 3), (2_500, 4)] {
            let (community, buildings) =
                old_town_community("110101001001", (116.4, 39.9), size, seed).expect("made");
            assert_eq!(buildings.len(), size);
            for b in &buildings {
                let inside = b.footprint.interior_point().expect("point");
                assert!(community.boundary.contains(&inside), "{} of {size}", b.id.0);
            }
        }
    }

    #[test]
    fn the_mix_is_an_old_town_and_the_same_seed_gives_the_same_town() {
        let (_, a) = old_town_community("110101001001", (116.4, 39.9), 4_000, 9).expect("a");
        let (_, b) = old_town_community("110101001001", (116.4, 39.9), 4_000, 9).expect("b");
        assert_eq!(a, b);
        let mid_rise = a
            .iter()
            .filter(|b| b.kind == BuildingKind::Apartments)
            .count();
        let courtyard_wings = a
            .iter()
            .filter(|b| b.kind == BuildingKind::Residential)
            .count();
        assert!((20..=300).contains(&mid_rise), "{mid_rise} mid-rise blocks");
        assert!(courtyard_wings > 1_000, "{courtyard_wings} courtyard wings");
        assert!(
            a.iter()
                .all(|b| b.floors.is_some_and(|f| (1..=7).contains(&f)))
        );
    }

    #[test]
    fn a_city_has_its_communities_apart() {
        let city = old_town_city(12, 300, 1).expect("city");
        assert_eq!(city.communities.len(), 12);
        assert_eq!(city.buildings.len(), 3_600);
        let codes: std::collections::BTreeSet<_> =
            city.communities.iter().map(|c| c.code.clone()).collect();
        assert_eq!(codes.len(), 12);
        use geo::Intersects;
        for (i, a) in city.communities.iter().enumerate() {
            for b in &city.communities[i + 1..] {
                assert!(
                    !a.boundary.intersects(&b.boundary),
                    "{} meets {}",
                    a.code.as_str(),
                    b.code.as_str()
                );
            }
        }
    }
}
