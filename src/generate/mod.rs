//! Deterministic synthetic districts for the demo and benchmarks: real boundary and real
//! street/community names and codes, generated roads, compounds, institutions, stations,
//! workers and incidents at the field figures (see `../shared/DESIGN.md`).

pub mod activity;
mod blocks;
mod compound_paths;
mod lattice;
mod names;
mod old_town;
mod profile;
pub mod staffing_plan;

pub use names::chinese_number;
pub use old_town::{old_town_city, old_town_community};
pub use profile::{DONGSHENG_HOUSEHOLDS, DistrictProfile, StreetProfile};

use crate::domain::*;
use crate::spatial::LocalFrame;
use blocks::{BuildingPlan, UvRect};
use chrono::{DateTime, Duration, TimeZone, Utc};
use compound_paths::compound_paths;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use lattice::{Cell, Lattice};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Total households (about; each block is sized from its share).
    pub households: u32,
    pub seed: u64,
}

/// Side of one community cell between arterials; 750 m gives ~11,600 residents per km².
const COMMUNITY_SIDE_M: f64 = 750.0;
/// Blocks per community side (local roads between them).
const BLOCKS_PER_SIDE: usize = 4;
const PERSONS_PER_HOUSEHOLD: f64 = 2.62;
/// Dongsheng's field figures per 81 communities: 286 stations, 1,301 grid workers, 462 building heads.
const STATIONS_PER_COMMUNITY: f64 = 286.0 / 81.0;
const WORKERS_PER_COMMUNITY: f64 = 1_301.0 / 81.0;
const BUILDING_HEADS_PER_COMMUNITY: f64 = 462.0 / 81.0;
/// Reports per community and day over the generated week (~3 per grid per day at Xi'an's
/// rate would be 25; a new district's first week is quieter).
const INCIDENTS_PER_COMMUNITY_DAY: f64 = 3.5;
/// Days of incidents before the generation moment.
const INCIDENT_DAYS: u32 = 7;

/// The moment generated timestamps count from (generation never reads the clock).
fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A point at (u, v) of a cell.
fn point_in(cell: &Cell, rng: &mut impl Rng) -> Point<f64> {
    Point::from(cell.at(rng.random_range(0.05..0.95), rng.random_range(0.05..0.95)))
}

/// Generates a district of the Dongsheng profile (the demo, and the benchmarks' cities).
pub fn generate_dongsheng(options: &GenerateOptions) -> Result<Dataset, String> {
    DistrictProfile::dongsheng().and_then(|p| generate(&p, options))
}

/// Generates a district.
pub fn generate(profile: &DistrictProfile, options: &GenerateOptions) -> Result<Dataset, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let community_count = profile.communities_for(options.households);
    let centre = profile.centre;
    let frame = LocalFrame::new(centre.x(), centre.y());
    let lattice = Lattice {
        spacing_m: COMMUNITY_SIDE_M,
        jitter_m: COMMUNITY_SIDE_M * 0.1,
        seed: options.seed,
        frame,
        warp: lattice::Warp::new(options.seed),
    };
    let cells = lattice.select_cells(&profile.boundary, community_count);
    if cells.len() < community_count {
        return Err(format!(
            "only {} of {community_count} communities fit inside the {} boundary",
            cells.len(),
            profile.district_name
        ));
    }

    let streets = assign_streets(profile, &cells)?;
    let mut data = Dataset {
        districts: vec![District {
            code: profile.district_code.clone(),
            name: profile.district_name.clone(),
            boundary: profile.boundary.clone(),
        }],
        ..Dataset::default()
    };

    // Household targets per community, varied ±25% and scaled to the total.
    let weights: Vec<f64> = cells.iter().map(|_| rng.random_range(0.75..1.25)).collect();
    let weight_sum: f64 = weights.iter().sum();
    let max_dist = cells
        .iter()
        .map(|c| {
            let (x, y) = c.centre_m();
            x.hypot(y)
        })
        .fold(1.0, f64::max);

    let mut building_heads_left =
        (BUILDING_HEADS_PER_COMMUNITY * community_count as f64).round() as usize;
    let mut community_cells: Vec<(CommunityCode, String, usize)> = Vec::new();
    for street in &streets {
        let polygons: Vec<Polygon<f64>> = street
            .cells
            .iter()
            .map(|&(ci, _, _)| cells[ci].outline())
            .collect();
        data.streets.push(Street {
            code: street.code.clone(),
            name: street.name.clone(),
            boundary: Some(geo::unary_union(&polygons)),
        });
        for (ci, code, name) in &street.cells {
            let cell = &cells[*ci];
            data.communities.push(Community {
                code: code.clone(),
                name: name.clone(),
                boundary: MultiPolygon::new(vec![cell.outline()]),
            });
            community_cells.push((code.clone(), name.clone(), *ci));
            let target = f64::from(options.households) * weights[*ci] / weight_sum;
            let (x, y) = cell.centre_m();
            let outer_share = x.hypot(y) / max_dist;
            fill_community(
                &mut data,
                cell,
                code,
                name,
                &street.name,
                target,
                outer_share,
                &mut building_heads_left,
                &mut rng,
            );
        }
    }
    // Compound paths were added while filling communities; the lanes and arterials join them.
    let mut network = roads(&lattice, &cells, &community_cells);
    network.append(&mut data.roads);
    data.roads = network;
    add_stations(&mut data, &cells, &community_cells, &streets, &mut rng);
    add_workers(&mut data, &cells, &community_cells, &mut rng);
    add_incidents(&mut data, &community_cells, options.seed);
    Ok(data)
}

struct StreetPlan {
    code: StreetCode,
    name: String,
    /// (cell index, community code, community name)
    cells: Vec<(usize, CommunityCode, String)>,
}

/// Groups cells into streets (nearest of evenly spread seeds) and names communities with
/// the real codes of each street, in reading order, then synthetic ones.
fn assign_streets(profile: &DistrictProfile, cells: &[Cell]) -> Result<Vec<StreetPlan>, String> {
    let per_street = profile.communities_per_street();
    let street_count = ((cells.len() as f64 / per_street).round() as usize).clamp(1, cells.len());
    let centres: Vec<(f64, f64)> = cells.iter().map(Cell::centre_m).collect();
    // Farthest-point seeds, starting from the central cell.
    let mut seeds = vec![0usize];
    while seeds.len() < street_count {
        let next = (0..cells.len())
            .filter(|i| !seeds.contains(i))
            .max_by(|&a, &b| {
                let d = |i: usize| {
                    seeds
                        .iter()
                        .map(|&s| (centres[i].0 - centres[s].0).hypot(centres[i].1 - centres[s].1))
                        .fold(f64::MAX, f64::min)
                };
                d(a).total_cmp(&d(b)).then(b.cmp(&a))
            })
            .ok_or("no cell left for a street seed")?;
        seeds.push(next);
    }
    // Streets in reading order of their seeds get the profile's streets in code order, and
    // room for as many communities as they really have (scaled to the generated count).
    let seed_points: Vec<Point<f64>> = seeds
        .iter()
        .map(|&s| Point::from(cells[s].at(0.5, 0.5)))
        .collect();
    let ranked: Vec<usize> = crate::spatial::reading_order(&seed_points);
    let streets: Vec<_> = (0..street_count)
        .map(|rank| profile.street(rank))
        .collect::<Result<_, _>>()?;
    let real_counts: Vec<f64> = streets
        .iter()
        .map(|s| s.communities.len().max(1) as f64)
        .collect();
    let capacities = apportion(&real_counts, cells.len());
    // Capacitated nearest-seed assignment: closest (cell, seed) pairs first.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(cells.len() * street_count);
    for (i, c) in centres.iter().enumerate() {
        for (rank, &k) in ranked.iter().enumerate() {
            let s = centres[seeds[k]];
            pairs.push(((c.0 - s.0).hypot(c.1 - s.1), i, rank));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); street_count];
    let mut assigned = vec![false; cells.len()];
    for (_, i, rank) in pairs {
        if !assigned[i] && members[rank].len() < capacities[rank] {
            assigned[i] = true;
            members[rank].push(i);
        }
    }
    let mut plans = Vec::new();
    for (
        rank,
        StreetProfile {
            code,
            name,
            communities: real,
        },
    ) in streets.into_iter().enumerate()
    {
        let points: Vec<Point<f64>> = members[rank]
            .iter()
            .map(|&i| Point::from(cells[i].at(0.5, 0.5)))
            .collect();
        let mut next_seq = real
            .iter()
            .map(|(c, _)| c.as_str()[9..].parse::<u16>().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let mut street_cells = Vec::new();
        for (n, idx) in crate::spatial::reading_order(&points)
            .into_iter()
            .enumerate()
        {
            let (ccode, cname) = match real.get(n) {
                Some((c, nm)) => (c.clone(), nm.clone()),
                None => {
                    next_seq += 1;
                    let c = CommunityCode::new(format!("{}{:03}", code.as_str(), next_seq))
                        .map_err(|e| e.to_string())?;
                    let short = name.trim_end_matches("街道").trim_end_matches('镇');
                    (
                        c,
                        format!("{short}第{}社区", names::chinese_number(n as u32 + 1)),
                    )
                }
            };
            street_cells.push((members[rank][idx], ccode, cname));
        }
        plans.push(StreetPlan {
            code,
            name,
            cells: street_cells,
        });
    }
    plans.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(plans)
}

/// Splits `total` into whole parts proportional to `weights` (largest remainder).
fn apportion(weights: &[f64], total: usize) -> Vec<usize> {
    let sum: f64 = weights.iter().sum::<f64>().max(f64::EPSILON);
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let short = total.saturating_sub(parts.iter().sum());
    for &i in order.iter().cycle().take(short) {
        parts[i] += 1;
    }
    parts
}

/// Blocks of one community: institutions, compounds and low-rise areas.
#[expect(
    clippy::too_many_arguments,
    reason = "the community's cell, codes, names and targets, and the generator's running state"
)]
fn fill_community(
    data: &mut Dataset,
    cell: &Cell,
    code: &CommunityCode,
    community_name: &str,
    street_name: &str,
    target_households: f64,
    outer_share: f64,
    building_heads_left: &mut usize,
    rng: &mut ChaCha8Rng,
) {
    let n = BLOCKS_PER_SIDE;
    let mut blocks: Vec<UvRect> = Vec::with_capacity(n * n);
    for b in 0..n {
        for a in 0..n {
            let rect = UvRect {
                u0: a as f64 / n as f64,
                u1: (a + 1) as f64 / n as f64,
                v0: b as f64 / n as f64,
                v1: (b + 1) as f64 / n as f64,
            };
            blocks.push(rect.inset(cell, 12.0));
        }
    }
    // Institutions first, on shuffled blocks.
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    for k in (1..order.len()).rev() {
        let m = rng.random_range(0..=k);
        order.swap(k, m);
    }
    let mut institutions = Vec::new();
    for (kind, p) in [
        (BuildingKind::School, 0.7),
        (BuildingKind::Market, 0.5),
        (BuildingKind::Park, 0.35),
        (BuildingKind::Enterprise, 0.4),
        (BuildingKind::Hospital, 0.2),
    ] {
        if rng.random_bool(p) {
            institutions.push(kind);
        }
    }
    let residential_blocks = order.len() - institutions.len();
    let mut seq = 0u32;
    let mut push = |data: &mut Dataset,
                    plan: BuildingPlan,
                    name: Option<String>,
                    address: Option<String>,
                    head: Option<String>| {
        seq += 1;
        let residents = (f64::from(plan.households) * PERSONS_PER_HOUSEHOLD).round() as u32;
        data.buildings.push(Building {
            id: BuildingId(format!("B{}-{:04}", code.as_str(), seq)),
            footprint: plan.footprint,
            households: plan.households,
            residents,
            floors: Some(plan.floors),
            kind: plan.kind,
            name,
            address,
            building_head: head,
            community: Some(code.clone()),
            grid: None,
        });
    };
    for (k, &block_index) in order.iter().enumerate() {
        let rect = blocks[block_index];
        if let Some(&kind) = institutions.get(k) {
            let label = match kind {
                BuildingKind::School => format!("{community_name}学校"),
                BuildingKind::Hospital => format!("{community_name}卫生服务中心"),
                BuildingKind::Market => format!("{community_name}农贸市场"),
                BuildingKind::Enterprise => format!(
                    "{}有限公司",
                    names::compound(rng)
                        .trim_end_matches(['区', '园', '苑', '村', '居', '寓', '庭'])
                ),
                _ => format!("{community_name}公园"),
            };
            data.land_areas.push(LandArea {
                id: LandAreaId(format!("L{}-{k:02}", code.as_str())),
                class: match kind {
                    BuildingKind::Park => LandClass::Park,
                    BuildingKind::Market => LandClass::Commercial,
                    BuildingKind::Enterprise => LandClass::Industrial,
                    _ => LandClass::Institutional,
                },
                name: Some(label.clone()),
                boundary: rect.land(cell, 6.0),
            });
            for (i, plan) in blocks::institution(cell, rect, kind, rng)
                .into_iter()
                .enumerate()
            {
                let name = if i == 0 {
                    label.clone()
                } else {
                    format!("{label}{}号楼", i + 1)
                };
                push(
                    data,
                    plan,
                    Some(name),
                    Some(format!("{street_name}{community_name}{label}")),
                    None,
                );
            }
            continue;
        }
        let block_target = (target_households / residential_blocks as f64
            * rng.random_range(0.8..1.2))
        .round() as u32;
        let low_rise = rng.random_bool((0.08 + 0.3 * outer_share).min(0.9));
        if low_rise {
            let area = format!(
                "{}片区",
                names::compound(rng).trim_end_matches(['区', '园', '苑', '村', '居', '寓', '庭'])
            );
            for (i, plan) in blocks::low_rise(cell, rect, block_target, rng)
                .into_iter()
                .enumerate()
            {
                push(
                    data,
                    plan,
                    None,
                    Some(format!("{street_name}{community_name}{area}{}号", i + 1)),
                    None,
                );
            }
            continue;
        }
        let parts: Vec<UvRect> = if rng.random_bool(0.5) {
            rect.halves(cell).to_vec()
        } else {
            vec![rect]
        };
        let share = block_target / parts.len() as u32;
        for (p, part) in parts.into_iter().enumerate() {
            // Walls, gates and paths take no draws: the rest of the district stays as it was.
            let id = format!("{}-{k:02}{p}", code.as_str());
            let gates_wanted = 1 + id.bytes().map(usize::from).sum::<usize>() % 4;
            if let Some(c) = compound_paths(cell, &rect, &part, BLOCKS_PER_SIDE, gates_wanted, &id)
            {
                data.walls.push(c.wall);
                data.gates.extend(c.gates);
                data.roads.extend(c.paths);
            }
            let compound_name = names::compound(rng);
            let high_rise = rng.random_bool(0.3 + 0.3 * (1.0 - outer_share));
            for (i, plan) in blocks::compound(cell, part.inset(cell, 4.0), share, high_rise, rng)
                .into_iter()
                .enumerate()
            {
                let head = (*building_heads_left > 0 && rng.random_bool(0.05)).then(|| {
                    *building_heads_left -= 1;
                    names::person(rng)
                });
                let label = format!("{compound_name}{}号楼", i + 1);
                push(
                    data,
                    plan,
                    Some(label.clone()),
                    Some(format!("{street_name}{community_name}{label}")),
                    head,
                );
            }
        }
    }
}

/// Arterials along lattice lines (named, primary/secondary) and local roads between blocks.
fn roads(
    lattice: &Lattice,
    cells: &[Cell],
    communities: &[(CommunityCode, String, usize)],
) -> Vec<Road> {
    let mut roads = Vec::new();
    let selected: std::collections::BTreeSet<(i32, i32)> =
        cells.iter().map(|c| (c.i, c.j)).collect();
    let (min_i, min_j) = selected
        .iter()
        .fold((i32::MAX, i32::MAX), |(a, b), &(i, j)| (a.min(i), b.min(j)));
    // Edges along rows (east-west) and columns (north-south), merged into runs.
    let mut rows: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    let mut cols: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for &(i, j) in &selected {
        for jj in [j, j + 1] {
            rows.entry(jj).or_default().push(i);
        }
        for ii in [i, i + 1] {
            cols.entry(ii).or_default().push(j);
        }
    }
    let mut push_runs = |lines: BTreeMap<i32, Vec<i32>>, east_west: bool| {
        for (line, mut starts) in lines {
            starts.sort_unstable();
            starts.dedup();
            let mut runs: Vec<Vec<i32>> = Vec::new();
            for s in starts {
                match runs.last_mut() {
                    Some(run) if run.last() == Some(&(s - 1)) => run.push(s),
                    _ => runs.push(vec![s]),
                }
            }
            for (r, run) in runs.into_iter().enumerate() {
                let mut coords: Vec<Coord<f64>> = Vec::new();
                let first = run[0];
                for k in first..=run[run.len() - 1] {
                    let side = if east_west {
                        lattice.side((k, line), (k + 1, line))
                    } else {
                        lattice.side((line, k), (line, k + 1))
                    };
                    let skip = usize::from(!coords.is_empty());
                    coords.extend(side.into_iter().skip(skip));
                }
                let index = (line - if east_west { min_j } else { min_i }) as usize;
                let (name, class) = if east_west {
                    (
                        names::arterial_ew(index),
                        if line % 2 == 0 {
                            RoadClass::Primary
                        } else {
                            RoadClass::Secondary
                        },
                    )
                } else {
                    (
                        names::arterial_ns(index),
                        if line % 2 == 0 {
                            RoadClass::Primary
                        } else {
                            RoadClass::Secondary
                        },
                    )
                };
                roads.push(Road {
                    id: RoadId(format!(
                        "A{}{}-{r}",
                        if east_west { "EW" } else { "NS" },
                        line
                    )),
                    class,
                    name: Some(name),
                    geometry: LineString::new(coords),
                    foot: FootAccess::of_class(class),
                    level: WayLevel::Ground,
                });
            }
        }
    };
    push_runs(rows, true);
    push_runs(cols, false);
    for (code, name, ci) in communities {
        let cell = &cells[*ci];
        for k in 1..BLOCKS_PER_SIDE {
            let f = k as f64 / BLOCKS_PER_SIDE as f64;
            let samples = lattice::SAMPLES_PER_SIDE;
            let ew: Vec<Coord<f64>> = (0..=samples)
                .map(|s| cell.at(s as f64 / samples as f64, f))
                .collect();
            let ns: Vec<Coord<f64>> = (0..=samples)
                .map(|s| cell.at(f, s as f64 / samples as f64))
                .collect();
            roads.push(Road {
                id: RoadId(format!("L{}-EW{k}", code.as_str())),
                class: RoadClass::Residential,
                name: Some(format!("{name}{}巷", ["一", "二", "三"][k - 1])),
                geometry: LineString::new(ew),
                foot: FootAccess::Allowed,
                level: WayLevel::Ground,
            });
            roads.push(Road {
                id: RoadId(format!("L{}-NS{k}", code.as_str())),
                class: RoadClass::Residential,
                name: Some(format!("{name}{}路", ["东一", "东二", "东三"][k - 1])),
                geometry: LineString::new(ns),
                foot: FootAccess::Allowed,
                level: WayLevel::Ground,
            });
        }
    }
    roads
}

fn add_stations(
    data: &mut Dataset,
    cells: &[Cell],
    communities: &[(CommunityCode, String, usize)],
    streets: &[StreetPlan],
    rng: &mut ChaCha8Rng,
) {
    let centre_services = [
        "政务服务",
        "党员活动",
        "法律咨询",
        "就业指导",
        "老年食堂",
        "志愿服务",
    ];
    let station_services = [
        "便民服务",
        "党员活动",
        "图书阅览",
        "健康小屋",
        "儿童之家",
        "老年活动室",
    ];
    let outpost_services = [
        "饮水",
        "充电",
        "休息",
        "应急药箱",
        "微波炉加热",
        "雨具借用",
        "卫生间",
    ];
    let rider_services = ["饮水", "充电", "休息", "手机充电", "卫生间", "避暑取暖"];
    let pick = |all: &[&str], rng: &mut ChaCha8Rng| -> Vec<String> {
        let n = rng.random_range(3..=all.len());
        all.choose_multiple(rng, n).map(|s| s.to_string()).collect()
    };
    for street in streets {
        if let Some((ci, code, _)) = street.cells.first() {
            data.stations.push(Station {
                id: StationId(format!("S{}", street.code.as_str())),
                name: format!("{}党群服务中心", street.name),
                kind: StationKind::ServiceCentre,
                location: point_in(&cells[*ci], rng),
                services: pick(&centre_services, rng),
                opening_hours: Some("Mo-Fr 08:30-12:00,14:30-18:00; Sa 09:00-12:00".into()),
                address: Some(format!("{}{}", street.name, "办事处")),
                community: Some(code.clone()),
            });
        }
    }
    let per_community =
        STATIONS_PER_COMMUNITY - streets.len() as f64 / communities.len().max(1) as f64;
    let mut budget = 0.0;
    for (code, name, ci) in communities {
        let cell = &cells[*ci];
        data.stations.push(Station {
            id: StationId(format!("S{}", code.as_str())),
            name: format!("{name}党群服务站"),
            kind: StationKind::ServiceStation,
            location: point_in(cell, rng),
            services: pick(&station_services, rng),
            opening_hours: Some("Mo-Su 08:30-18:00".into()),
            address: Some(format!("{name}居委会")),
            community: Some(code.clone()),
        });
        budget += per_community - 1.0;
        let mut k = 0;
        while budget >= 1.0 {
            budget -= 1.0;
            k += 1;
            let rider = rng.random_bool(0.12);
            data.stations.push(Station {
                id: StationId(format!("S{}-{k}", code.as_str())),
                name: if rider {
                    format!("{name}骑手驿站")
                } else {
                    format!("{name}红色驿站{}号", names::chinese_number(k))
                },
                kind: if rider {
                    StationKind::RiderRestStation
                } else {
                    StationKind::RedOutpost
                },
                location: point_in(cell, rng),
                services: if rider {
                    pick(&rider_services, rng)
                } else {
                    pick(&outpost_services, rng)
                },
                opening_hours: Some(if rider {
                    "24/7".into()
                } else {
                    "Mo-Su 08:00-20:00".into()
                }),
                address: None,
                community: Some(code.clone()),
            });
        }
    }
}

fn add_workers(
    data: &mut Dataset,
    cells: &[Cell],
    communities: &[(CommunityCode, String, usize)],
    rng: &mut ChaCha8Rng,
) {
    let mut budget = 0.0;
    let mut n = 0;
    for (code, _, ci) in communities {
        budget += WORKERS_PER_COMMUNITY;
        let mut k = 0;
        while budget >= 1.0 {
            budget -= 1.0;
            n += 1;
            let role = match k % 8 {
                0 => WorkerRole::GridLeader,
                1 | 2 => WorkerRole::Patrol,
                _ => WorkerRole::GridWorker,
            };
            k += 1;
            let on_duty = rng.random_bool(0.7);
            data.workers.push(Worker {
                id: WorkerId(format!("W{n:05}")),
                name: names::person(rng),
                phone: Some(names::phone(rng)),
                role,
                grids: Vec::new(),
                community: Some(code.clone()),
                duty: if on_duty {
                    DutyStatus::OnDuty
                } else {
                    DutyStatus::OffDuty
                },
                // Off-duty workers keep the last position they reported, hours earlier.
                position: Some(point_in(&cells[*ci], rng)),
                position_at: Some(if on_duty {
                    base_time() + Duration::seconds(rng.random_range(0..3600))
                } else {
                    base_time() - Duration::seconds(rng.random_range(3600..86_400))
                }),
                retired_at: None,
            });
        }
    }
}

/// A week of the incident loop before the generation moment, in each community, handled
/// by the community's grid workers (grids come with a partition; see [`activity`]).
fn add_incidents(data: &mut Dataset, communities: &[(CommunityCode, String, usize)], seed: u64) {
    use geo::InteriorPoint;
    let mut beats: BTreeMap<&CommunityCode, activity::Beat> = communities
        .iter()
        .map(|(code, _, _)| {
            (
                code,
                activity::Beat {
                    grid: None,
                    places: Vec::new(),
                    handlers: Vec::new(),
                },
            )
        })
        .collect();
    for b in data.buildings.iter().filter(|b| b.kind.is_residential()) {
        if let (Some(beat), Some(point)) = (
            b.community.as_ref().and_then(|c| beats.get_mut(c)),
            b.footprint.interior_point(),
        ) {
            beat.places
                .push((point, b.name.clone().unwrap_or_default()));
        }
    }
    for w in data
        .workers
        .iter()
        .filter(|w| w.role == WorkerRole::GridWorker)
    {
        if let Some(beat) = w.community.as_ref().and_then(|c| beats.get_mut(c)) {
            beat.handlers.push((w.id.clone(), w.name.clone()));
        }
    }
    // Each incident goes to one of the community's grid workers: a beat per worker.
    let mut per_worker: Vec<activity::Beat> = Vec::new();
    for beat in beats.into_values() {
        let n = beat.handlers.len().max(1);
        for k in 0..n {
            per_worker.push(activity::Beat {
                grid: None,
                places: beat.places.iter().skip(k).step_by(n).cloned().collect(),
                handlers: beat.handlers.get(k).cloned().into_iter().collect(),
            });
        }
    }
    let per_beat_day =
        INCIDENTS_PER_COMMUNITY_DAY * communities.len() as f64 / per_worker.len().max(1) as f64;
    let generated = activity::simulate(
        &per_worker,
        &Taxonomy::default(),
        &activity::ActivityOptions {
            until: base_time(),
            days: INCIDENT_DAYS,
            reports_per_beat_day: per_beat_day,
            dispatcher: "区网格化服务管理中心".into(),
            first_number: 1,
            seed,
        },
    );
    data.incidents = generated.incidents;
    data.incident_events = generated.events;
}
