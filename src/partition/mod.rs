//! Base-grid partitioning (划网): a community's buildings into contiguous, compact grids of
//! about `target` households that tile the community, plus dedicated grids (专属网格).
//!
//! 1. Sites: buildings by an interior point (co-located ones merged), in local metres.
//! 2. Tessellation: Voronoi cells; sites are neighbours when their cells share an edge
//!    inside the community that crosses no barrier (major road, rail, river).
//! 3. Dedicated kinds form dedicated grids (same kind, neighbouring); a site of more than
//!    1.5 × target households is its own grid, flagged.
//! 4. The other sites' connected components are cut into k ≈ households / target parts by
//!    recursive coordinate bisection, each part connected by construction, then refined by
//!    connectivity-preserving moves and swaps for balance and compactness. A component
//!    crosses a barrier to its neighbour only when there is no other way to balance it: no
//!    grid count fits its households, or the two together balance more grids.
//! 5. Polygons: union of each grid's cells clipped to the community; codes numbered
//!    west→east, north→south (base 001–899, dedicated 901–999).

mod anneal_moves;
mod band_reach;
mod bisection;
mod ejection_chain;
pub mod graph;
mod grid_count;
mod identity;
mod metrics;
mod move_bound;
mod pocket;
mod polygons;
mod refine;
mod restore_moves;
mod tessellation;

pub use band_reach::{BandReach, band_reach};
pub use ejection_chain::repair_with_chains;
pub use metrics::{GridMetrics, PartitionMetrics};
pub use move_bound::fewest_moves_bound;
pub use pocket::{Pocket, pocket_tileable, untileable_pockets};

use crate::domain::*;
use crate::spatial::{LocalFrame, reading_order};
use geo::{Area, BoundingRect, Centroid, InteriorPoint, Intersects, MapCoords};
use geo_types::{Coord, Line, LineString, MultiPolygon, Point};
pub use graph::SiteGraph;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

/// First sequence number of dedicated grids within a community.
pub const DEDICATED_SEQUENCE_START: u16 = 901;
/// A building with more households than this multiple of the target is its own grid.
pub const OVERSIZED_FACTOR: f64 = 1.5;

/// Why a community cannot be partitioned. Nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum PartitionError {
    #[error("target must be at least 1 household, got {0}")]
    InvalidTarget(u32),
    #[error("tolerance must be between 0 and 1 (e.g. 0.1 for ±10%), got {0}")]
    InvalidTolerance(f64),
    #[error("community {0} has no buildings to partition")]
    NoBuildings(CommunityCode),
    #[error(
        "building {building} in community {community} is {kind} with 0 households; fix it with a roster or change its kind"
    )]
    EmptyResidential {
        community: CommunityCode,
        building: BuildingId,
        kind: BuildingKind,
    },
    #[error("community {community}: {count} grids do not fit 3-digit sequence numbers")]
    TooManyGrids {
        community: CommunityCode,
        count: usize,
    },
    #[error("geometry: {0}")]
    Geometry(String),
}

/// Where a partition starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    /// Cut from scratch.
    #[default]
    Fresh,
    /// Start from the buildings' current grids: grids within tolerance keep their buildings
    /// and codes; the others are fixed with the fewest building moves.
    KeepExisting,
}

/// How hard a rebalance of existing grids searches when its first plan disrupts much (a
/// grid left outside the band, or a tenth of the buildings moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effort {
    /// Anneals that plan again, ten times as long (a few seconds for a hard community):
    /// household and building changes, partitioning that keeps existing grids.
    #[default]
    Thorough,
    /// Keeps the first plan: interactive previews of splits and merges (under a second).
    Quick,
}

/// Parameters of a partition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartitionOptions {
    /// Households per base grid.
    pub target: u32,
    /// Accepted relative deviation from the target (0.1 = ±10%).
    pub tolerance: f64,
    /// Seed; the algorithm is deterministic, the seed breaks ties in future variants.
    pub seed: u64,
    pub start: Start,
    /// Search effort when starting from existing grids.
    pub effort: Effort,
}

impl Default for PartitionOptions {
    fn default() -> Self {
        Self {
            target: 300,
            tolerance: 0.1,
            seed: 1,
            start: Start::Fresh,
            effort: Effort::Thorough,
        }
    }
}

impl PartitionOptions {
    /// Whether a grid of `households` is within the tolerance band around the target.
    pub fn within_tolerance(&self, households: u32) -> bool {
        let target = f64::from(self.target);
        within_band(f64::from(households), target, self.tolerance * target)
    }

    fn check(&self) -> Result<(), PartitionError> {
        if self.target == 0 {
            return Err(PartitionError::InvalidTarget(self.target));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(PartitionError::InvalidTolerance(self.tolerance));
        }
        Ok(())
    }
}

/// A grid produced by the partitioner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedGrid {
    pub grid: Grid,
    /// Member buildings (ids as imported).
    pub buildings: Vec<BuildingId>,
    pub flag: GridFlag,
    /// Polsby-Popper compactness of the polygon.
    pub polsby_popper: f64,
    /// Number of polygon parts holding the grid's territory (1 when contiguous).
    pub parts: usize,
    /// Extra pieces that are islands of the community itself, touching no other grid.
    pub islands: usize,
    /// Area in m².
    pub area_m2: f64,
}

/// Why a grid stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFlag {
    Normal,
    /// One building of more than 1.5 × target households.
    OversizedBuilding,
    /// A part of the community cut off (by barriers or dedicated grounds) with too few
    /// households for a full grid.
    SmallEnclave,
    /// Outside the tolerance band because of building sizes: it holds a building that no
    /// contiguous grid within the band can hold (above the band alone, or below it with
    /// every way of growing it overshooting), as an exhaustive search proves; or it meets
    /// a pocket (sites reached only through one building) whose households no number of
    /// grids can hold.
    Unbalanceable,
}

/// The partition of one community.
#[derive(Debug, Clone)]
pub struct CommunityPlan {
    pub community: CommunityCode,
    pub grids: Vec<PlannedGrid>,
    /// Community area (m²), to check that the grids tile it.
    pub area_m2: f64,
    /// Time spent partitioning (ms: sites, adjacency, cuts), of which in the cutter alone,
    /// and building polygons.
    pub partition_ms: f64,
    pub cut_ms: f64,
    pub polygons_ms: f64,
}

impl CommunityPlan {
    /// The grid code of every building.
    pub fn assignments(&self) -> Vec<(BuildingId, GridCode)> {
        self.grids
            .iter()
            .flat_map(|g| g.buildings.iter().map(|b| (b.clone(), g.grid.code.clone())))
            .collect()
    }
}

/// A grid being drawn: its role, sites, polygon (metres) and centre.
type DrawnGrid = (Role, Vec<usize>, MultiPolygon<f64>, Point<f64>);

/// Parts of a component with their score (parts within tolerance, minus total deviation).
type ScoredParts = ((usize, i64), Vec<Vec<usize>>);

/// What the grid of a set of sites is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Base(GridFlag),
    Dedicated(BuildingKind),
}

/// How a connected set of sites is cut into `k` connected parts of about equal households.
/// The partitioner's own is [`RecursiveBisection`]; benchmarks plug in others (METIS).
pub trait Cutter {
    /// Cuts `nodes` (connected in `graph`) into `k` parts; `band` is the accepted deviation
    /// from `target` households. Every node must land in exactly one part.
    fn cut(
        &self,
        graph: &SiteGraph,
        nodes: &[usize],
        k: usize,
        target: f64,
        band: f64,
    ) -> Vec<Vec<usize>>;
}

/// Recursive coordinate bisection followed by connectivity-preserving refinement.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecursiveBisection;

impl Cutter for RecursiveBisection {
    /// Tries the candidate cut directions as they are and turned by 22.5°, keeps the result
    /// with most parts within the band, then the shortest boundary.
    fn cut(
        &self,
        graph: &SiteGraph,
        nodes: &[usize],
        k: usize,
        target: f64,
        band: f64,
    ) -> Vec<Vec<usize>> {
        let mut best: Option<ScoredParts> = None;
        for rotation in [0.0, std::f64::consts::PI / 8.0] {
            let mut parts = Vec::new();
            bisection::recursive_bisection(graph, nodes.to_vec(), k, rotation, &mut parts);
            // Parts aim at their share of the component, with a band narrowed as the share
            // drifts from the target, and must end within the target's own band.
            let per_part = graph.weight_of(nodes) as f64 / parts.len() as f64;
            let inner_band = (band - ((per_part - target).abs() - band / 2.0).max(0.0)).max(1.0);
            let mut refiner = refine::Refiner::new(graph, &parts, per_part, inner_band)
                .within(target - band, target + band);
            refiner.run();
            let parts = refiner.parts();
            let within = parts
                .iter()
                .filter(|p| within_band(graph.weight_of(p) as f64, target, band))
                .count();
            let score = (within, -(boundary_length(graph, &parts) as i64));
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, parts));
            }
        }
        best.map(|b| b.1).unwrap_or_else(|| vec![nodes.to_vec()])
    }
}

/// Metres of boundary between the parts (each shared cell edge once).
fn boundary_length(graph: &SiteGraph, parts: &[Vec<usize>]) -> f64 {
    let mut part_of = vec![usize::MAX; graph.len()];
    for (p, members) in parts.iter().enumerate() {
        for &n in members {
            part_of[n] = p;
        }
    }
    let mut total = 0.0;
    for members in parts {
        for &n in members {
            for (&m, &len) in graph.adjacency[n].iter().zip(&graph.shared_m[n]) {
                if m > n && part_of[m] != usize::MAX && part_of[m] != part_of[n] {
                    total += len;
                }
            }
        }
    }
    total
}

/// Partitions one community. `barriers` are lines (lon/lat) grids should not cross.
pub fn partition_community(
    community: &Community,
    buildings: &[&Building],
    barriers: &[LineString<f64>],
    options: &PartitionOptions,
) -> Result<CommunityPlan, PartitionError> {
    partition_community_with(community, buildings, barriers, options, &RecursiveBisection)
}

/// [`partition_community`] with another way of cutting the balanced parts; everything else
/// (sites, adjacency, dedicated grids, barriers, polygons, codes) is the same.
pub fn partition_community_with(
    community: &Community,
    buildings: &[&Building],
    barriers: &[LineString<f64>],
    options: &PartitionOptions,
    cutter: &dyn Cutter,
) -> Result<CommunityPlan, PartitionError> {
    let mut cut_ms = 0.0;
    options.check()?;
    if buildings.is_empty() {
        return Err(PartitionError::NoBuildings(community.code.clone()));
    }
    if let Some(b) = buildings
        .iter()
        .find(|b| b.kind.is_residential() && b.households == 0)
    {
        return Err(PartitionError::EmptyResidential {
            community: community.code.clone(),
            building: b.id.clone(),
            kind: b.kind,
        });
    }
    let started = Instant::now();
    let centre = community.boundary.centroid().ok_or_else(|| {
        PartitionError::Geometry(format!(
            "community {} has an empty boundary",
            community.code
        ))
    })?;
    let frame = LocalFrame::new(centre.x(), centre.y());
    let to_m = |c: Coord<f64>| frame.to_metres(c);
    let boundary_m: MultiPolygon<f64> = community.boundary.map_coords(to_m);
    let area_m2 = boundary_m.unsigned_area();

    // 1. Sites.
    let mut site_of: HashMap<(u64, u64), usize> = HashMap::new();
    let mut site_points: Vec<Coord<f64>> = Vec::new();
    let mut site_buildings: Vec<Vec<usize>> = Vec::new();
    for (i, b) in buildings.iter().enumerate() {
        let p = b.footprint.interior_point().ok_or_else(|| {
            PartitionError::Geometry(format!("building {} has an empty footprint", b.id))
        })?;
        let m = to_m(p.0);
        let key = (m.x.to_bits(), m.y.to_bits());
        let site = *site_of.entry(key).or_insert_with(|| {
            site_points.push(m);
            site_buildings.push(Vec::new());
            site_points.len() - 1
        });
        site_buildings[site].push(i);
    }

    // 2. Tessellation, with barriers near the community.
    let bbox = community.boundary.bounding_rect();
    let barrier_lines: Vec<Line<f64>> = barriers
        .iter()
        .filter(|l| bbox.is_some_and(|r| l.bounding_rect().is_some_and(|lr| lr.intersects(&r))))
        .flat_map(|l| {
            l.lines()
                .map(|s| Line::new(to_m(s.start), to_m(s.end)))
                .collect::<Vec<_>>()
        })
        .collect();
    let tessellation = tessellation::tessellate(&site_points, &boundary_m, &barrier_lines)?;

    // 3. Roles of sites.
    let target = f64::from(options.target);
    let weight: Vec<u32> = site_buildings
        .iter()
        .map(|members| members.iter().map(|&i| buildings[i].households).sum())
        .collect();
    let roles: Vec<Role> = site_buildings
        .iter()
        .enumerate()
        .map(|(s, members)| {
            let kinds: Vec<BuildingKind> = members.iter().map(|&i| buildings[i].kind).collect();
            if kinds.iter().all(|k| k.is_dedicated()) {
                Role::Dedicated(kinds[0])
            } else if f64::from(weight[s]) > OVERSIZED_FACTOR * target {
                Role::Base(GridFlag::OversizedBuilding)
            } else {
                Role::Base(GridFlag::Normal)
            }
        })
        .collect();

    // The grid each site is in now (when all its buildings agree), for KeepExisting.
    let site_code: Vec<Option<GridCode>> = site_buildings
        .iter()
        .map(|members| {
            let first = buildings[members[0]].grid.clone()?;
            let same = members
                .iter()
                .all(|&i| buildings[i].grid.as_ref() == Some(&first));
            (same && first.community() == community.code).then_some(first)
        })
        .collect();

    let graph = SiteGraph {
        x: site_points.iter().map(|c| c.x).collect(),
        y: site_points.iter().map(|c| c.y).collect(),
        weight: weight.clone(),
        adjacency: tessellation.adjacency.clone(),
        shared_m: tessellation.shared_m.clone(),
    };
    let mut groups: Vec<(Role, Vec<usize>)> = Vec::new();

    // Dedicated grids: neighbouring sites of the same kind.
    let mut dedicated_kinds: Vec<BuildingKind> = roles
        .iter()
        .filter_map(|r| match r {
            Role::Dedicated(k) => Some(*k),
            Role::Base(_) => None,
        })
        .collect();
    dedicated_kinds.sort_by_key(|k| k.as_str());
    dedicated_kinds.dedup();
    for kind in dedicated_kinds {
        let members: Vec<usize> = (0..graph.len())
            .filter(|&s| roles[s] == Role::Dedicated(kind))
            .collect();
        for component in graph.components(&members) {
            groups.push((Role::Dedicated(kind), component));
        }
    }
    // Oversized buildings.
    for s in (0..graph.len()).filter(|&s| roles[s] == Role::Base(GridFlag::OversizedBuilding)) {
        groups.push((Role::Base(GridFlag::OversizedBuilding), vec![s]));
    }

    // 4. Base components; small ones join a neighbour across a barrier when they can.
    let base: Vec<usize> = (0..graph.len())
        .filter(|&s| roles[s] == Role::Base(GridFlag::Normal))
        .collect();
    let mut base_graph = graph.clone();
    let mut components = base_graph.components(&base);
    let mut component_of = vec![usize::MAX; graph.len()];
    for (c, members) in components.iter().enumerate() {
        for &s in members {
            component_of[s] = c;
        }
    }
    let minimum = (1.0 - options.tolerance) * target / 2.0;
    let feasible = |households: f64| can_balance(households, target, options.tolerance);
    let mut joined = true;
    while joined {
        joined = false;
        for c in 0..components.len() {
            if components[c].is_empty() || feasible(base_graph.weight_of(&components[c]) as f64) {
                continue;
            }
            // No grid size fits this part alone: it joins a neighbour across a barrier,
            // preferring one that makes the union balanceable, then the lightest.
            let own = base_graph.weight_of(&components[c]);
            let mut best: Option<(bool, u64, usize, usize, usize)> = None;
            for &s in &components[c] {
                for &t in &tessellation.barrier_adjacency[s] {
                    let d = component_of[t];
                    if d != usize::MAX && d != c && !components[d].is_empty() {
                        let w = base_graph.weight_of(&components[d]);
                        let key = (!feasible((own + w) as f64), w, d, s, t);
                        if best.is_none_or(|b| key < b) {
                            best = Some(key);
                        }
                    }
                }
            }
            let best = best.map(|(_, w, d, s, t)| (w, d, s, t));
            if let Some((_, d, _, _)) = best {
                join_across_barrier(
                    &mut base_graph,
                    &components[c],
                    &component_of,
                    d,
                    &tessellation.barrier_adjacency,
                );
                let moved = std::mem::take(&mut components[c]);
                for &m in &moved {
                    component_of[m] = d;
                }
                components[d].extend(moved);
                components[d].sort_unstable();
                joined = true;
            }
        }
    }
    components.retain(|c| !c.is_empty());
    let band = options.tolerance * target;

    // Cut every component; one that balances badly may then cross a barrier to a
    // neighbour when the two together balance more grids ("no other way" to balance them).
    let mut cuts: Vec<Option<ScoredParts>> = Vec::with_capacity(components.len());
    for component in &components {
        let households = base_graph.weight_of(component) as f64;
        let keeps = options.start == Start::KeepExisting
            && existing_parts(&base_graph, component, &site_code, minimum).is_some();
        cuts.push(
            (households >= minimum && !keeps)
                .then(|| cut_balanced(&base_graph, component, target, band, cutter, &mut cut_ms)),
        );
    }
    if options.start == Start::Fresh {
        let mut merged = true;
        while merged {
            merged = false;
            let mut component_of = vec![usize::MAX; graph.len()];
            for (c, members) in components.iter().enumerate() {
                for &n in members {
                    component_of[n] = c;
                }
            }
            'pairs: for c in 0..components.len() {
                let Some(cut_c) = &cuts[c] else { continue };
                if cut_c.0.0 == cut_c.1.len() {
                    continue;
                }
                let mut neighbours: Vec<usize> = components[c]
                    .iter()
                    .flat_map(|&n| {
                        tessellation.barrier_adjacency[n]
                            .iter()
                            .map(|&m| component_of[m])
                    })
                    .filter(|&d| d != usize::MAX && d != c && cuts[d].is_some())
                    .collect();
                neighbours.sort_unstable();
                neighbours.dedup();
                for d in neighbours {
                    let separate = cut_c.0.0 + cuts[d].as_ref().map_or(0, |x| x.0.0);
                    let mut joined_graph = base_graph.clone();
                    join_across_barrier(
                        &mut joined_graph,
                        &components[c],
                        &component_of,
                        d,
                        &tessellation.barrier_adjacency,
                    );
                    let mut union = components[c].clone();
                    union.extend(&components[d]);
                    union.sort_unstable();
                    let together =
                        cut_balanced(&joined_graph, &union, target, band, cutter, &mut cut_ms);
                    if together.0.0 > separate {
                        base_graph = joined_graph;
                        components[c] = union;
                        components[d].clear();
                        cuts[c] = Some(together);
                        cuts[d] = None;
                        components.retain(|x| !x.is_empty());
                        merged = true;
                        break 'pairs;
                    }
                }
            }
            if merged {
                // The cuts follow the surviving components.
                cuts = components
                    .iter()
                    .map(|component| {
                        let households = base_graph.weight_of(component) as f64;
                        (households >= minimum).then(|| {
                            cut_balanced(&base_graph, component, target, band, cutter, &mut cut_ms)
                        })
                    })
                    .collect();
            }
        }
    }

    // Buildings per site: what a keep-existing rebalance counts as moves.
    let site_sizes: Vec<u32> = site_buildings
        .iter()
        .map(|b| u32::try_from(b.len()).unwrap_or(u32::MAX))
        .collect();
    for (component, cut) in components.into_iter().zip(cuts) {
        let households = base_graph.weight_of(&component) as f64;
        if households < minimum {
            groups.push((Role::Base(GridFlag::SmallEnclave), component));
            continue;
        }
        if options.start == Start::KeepExisting
            && let Some(parts) = existing_parts(&base_graph, &component, &site_code, minimum)
        {
            // Grids within the band around the target are left alone; a grid is added or
            // dissolved only when the households no longer fit the number of grids.
            for part in grid_count::rebalance_existing(
                &base_graph,
                parts,
                target,
                band,
                &site_sizes,
                options.effort,
            ) {
                groups.push((Role::Base(GridFlag::Normal), part));
            }
            continue;
        }
        let parts = match cut {
            Some((_, parts)) => parts,
            None => cut_balanced(&base_graph, &component, target, band, cutter, &mut cut_ms).1,
        };
        for part in parts {
            groups.push((Role::Base(GridFlag::Normal), part));
        }
    }
    flag_unbalanceable(&mut groups, &base_graph, &roles, target, band);
    let partition_ms = started.elapsed().as_secs_f64() * 1e3;

    // 5. Polygons, codes.
    let polygons_started = Instant::now();
    let mut planned: Vec<DrawnGrid> = Vec::with_capacity(groups.len());
    for (role, sites) in groups {
        let cells: Vec<_> = sites.iter().map(|&s| &tessellation.cells[s]).collect();
        let polygon = polygons::grid_polygon(&cells, &boundary_m);
        let centre = polygon
            .centroid()
            .unwrap_or_else(|| Point::new(site_points[sites[0]].x, site_points[sites[0]].y));
        planned.push((role, sites, polygon, centre));
    }
    let islands = give_orphan_pieces_to_neighbours(&mut planned, &site_points);
    let base_count = planned
        .iter()
        .filter(|p| matches!(p.0, Role::Base(_)))
        .count();
    let dedicated_count = planned.len() - base_count;
    if base_count > usize::from(DEDICATED_SEQUENCE_START - 1)
        || dedicated_count > usize::from(999 - DEDICATED_SEQUENCE_START + 1)
    {
        return Err(PartitionError::TooManyGrids {
            community: community.code.clone(),
            count: planned.len(),
        });
    }
    let mut grids = Vec::with_capacity(planned.len());
    for dedicated in [false, true] {
        let indices: Vec<usize> = (0..planned.len())
            .filter(|&i| matches!(planned[i].0, Role::Dedicated(_)) == dedicated)
            .collect();
        let centres: Vec<Point<f64>> = indices.iter().map(|&i| planned[i].3).collect();
        let first = if dedicated {
            DEDICATED_SEQUENCE_START
        } else {
            1
        };
        // KeepExisting: each old code stays with the grid holding most of its sites (largest
        // overlaps first); grids left without one take sequences after the highest in use,
        // so a retired code is never given to another grid. Fresh: numbered in order.
        let range = if dedicated {
            DEDICATED_SEQUENCE_START..=999
        } else {
            1..=DEDICATED_SEQUENCE_START - 1
        };
        let mut taken: std::collections::HashSet<u16> = std::collections::HashSet::new();
        let order = reading_order(&centres);
        let mut codes: HashMap<usize, GridCode> = HashMap::new();
        let mut next = first;
        if options.start == Start::KeepExisting {
            let mut overlaps: Vec<(usize, GridCode, usize)> = Vec::new();
            for (o, &i) in indices.iter().enumerate() {
                let mut counts: std::collections::BTreeMap<&GridCode, usize> =
                    std::collections::BTreeMap::new();
                for &s in &planned[i].1 {
                    if let Some(code) = &site_code[s]
                        && range.contains(&code.sequence())
                    {
                        *counts.entry(code).or_default() += 1;
                    }
                }
                overlaps.extend(counts.into_iter().map(|(c, n)| (n, c.clone(), o)));
            }
            let highest = site_code
                .iter()
                .flatten()
                .map(GridCode::sequence)
                .filter(|s| range.contains(s))
                .max();
            if let Some(h) = highest {
                next = h + 1;
            }
            overlaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            for (_, code, o) in overlaps {
                if !codes.contains_key(&o) && taken.insert(code.sequence()) {
                    codes.insert(o, code);
                }
            }
        }
        for &o in &order {
            if codes.contains_key(&o) {
                continue;
            }
            while taken.contains(&next) {
                next += 1;
            }
            taken.insert(next);
            let code = community
                .code
                .grid(next)
                .ok_or_else(|| PartitionError::TooManyGrids {
                    community: community.code.clone(),
                    count: planned.len(),
                })?;
            codes.insert(o, code);
        }
        for o in order {
            let (role, sites, polygon_m, _) = &planned[indices[o]];
            let code = codes
                .remove(&o)
                .ok_or_else(|| PartitionError::TooManyGrids {
                    community: community.code.clone(),
                    count: planned.len(),
                })?;
            let members: Vec<&Building> = sites
                .iter()
                .flat_map(|&s| site_buildings[s].iter().map(|&b| buildings[b]))
                .collect();
            let mut ids: Vec<BuildingId> = members.iter().map(|b| b.id.clone()).collect();
            ids.sort();
            let (kind, flag) = match role {
                Role::Dedicated(_) => (GridKind::Dedicated, GridFlag::Normal),
                Role::Base(flag) => (GridKind::Base, *flag),
            };
            grids.push(PlannedGrid {
                grid: Grid {
                    code,
                    kind,
                    community: community.code.clone(),
                    boundary: polygon_m.map_coords(|c| frame.to_lonlat(c.x, c.y)),
                    households: members.iter().map(|b| b.households).sum(),
                    residents: members.iter().map(|b| b.residents).sum(),
                },
                buildings: ids,
                flag,
                polsby_popper: polygons::polsby_popper(polygon_m),
                parts: polygon_m.0.len() - islands[indices[o]],
                islands: islands[indices[o]],
                area_m2: polygon_m.unsigned_area(),
            });
        }
    }
    grids.sort_by(|a, b| a.grid.code.cmp(&b.grid.code));
    Ok(CommunityPlan {
        community: community.code.clone(),
        grids,
        area_m2,
        partition_ms,
        cut_ms,
        polygons_ms: polygons_started.elapsed().as_secs_f64() * 1e3,
    })
}

/// A site's cell clipped to a concave community can fall apart; the pieces away from any of
/// the grid's sites go to the neighbouring grid they share most boundary with, so every
/// grid is one polygon while the tiling stays exact.
///
/// Returns, per grid, the pieces kept that touch no other grid: islands of the community
/// itself (or pieces joined to it only at a point), which no other grid could take.
fn give_orphan_pieces_to_neighbours(planned: &mut [DrawnGrid], sites: &[Coord<f64>]) -> Vec<usize> {
    let mut islands = vec![0; planned.len()];
    use geo::{BooleanOps, Contains, Distance, Euclidean};
    for g in 0..planned.len() {
        if planned[g].2.0.len() < 2 {
            continue;
        }
        let polygons = planned[g].2.0.clone();
        let members = planned[g].1.clone();
        let holds = |p: &geo_types::Polygon<f64>| {
            members
                .iter()
                .filter(|&&s| p.contains(&Point::from(sites[s])))
                .count()
        };
        let main = (0..polygons.len())
            .max_by(|&a, &b| {
                holds(&polygons[a]).cmp(&holds(&polygons[b])).then(
                    polygons[a]
                        .unsigned_area()
                        .total_cmp(&polygons[b].unsigned_area()),
                )
            })
            .unwrap_or(0);
        let mut keep = Vec::new();
        for (i, piece) in polygons.into_iter().enumerate() {
            if i == main || holds(&piece) > 0 {
                keep.push(piece);
                continue;
            }
            // The neighbour touching most of the piece's outline.
            let outline: Vec<Point<f64>> = piece.exterior().points().collect();
            let best = (0..planned.len())
                .filter(|&h| h != g)
                .map(|h| {
                    let touching = outline
                        .iter()
                        .filter(|p| Euclidean.distance(*p, &planned[h].2) < 1e-3)
                        .count();
                    (touching, h)
                })
                .filter(|(touching, _)| *touching >= 2)
                .max();
            match best {
                Some((_, h)) => planned[h].2 = planned[h].2.union(&MultiPolygon::new(vec![piece])),
                None => {
                    islands[g] += 1;
                    keep.push(piece);
                }
            }
        }
        planned[g].2 = MultiPolygon::new(keep);
    }
    islands
}

/// Cuts a component into the grid count around households / target that balances best
/// (building sizes make some counts balance better than others): most parts within the
/// band, then the least total deviation.
fn cut_balanced(
    graph: &SiteGraph,
    component: &[usize],
    target: f64,
    band: f64,
    cutter: &dyn Cutter,
    cut_ms: &mut f64,
) -> ScoredParts {
    let households = graph.weight_of(component) as f64;
    let best_k = choose_parts(households, target);
    let mut best: Option<ScoredParts> = None;
    for k in [best_k, best_k + 1, best_k.saturating_sub(1)] {
        if k == 0 || k > component.len() || best.as_ref().is_some_and(|b| b.0.0 == b.1.len()) {
            continue;
        }
        let cut_started = Instant::now();
        let parts = cutter.cut(graph, component, k, target, band);
        *cut_ms += cut_started.elapsed().as_secs_f64() * 1e3;
        let within = parts
            .iter()
            .filter(|p| within_band(graph.weight_of(p) as f64, target, band))
            .count();
        let spread: i64 = parts
            .iter()
            .map(|p| (graph.weight_of(p) as f64 - target).abs() as i64)
            .sum();
        let score = (within, -spread);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, parts));
        }
    }
    best.unwrap_or_else(|| ((0, 0), vec![component.to_vec()]))
}

/// Search budget (sets visited) per site when proving a grid cannot be balanced.
const BAND_REACH_BUDGET: usize = 20_000;

/// Flags base grids outside the band that hold a site no contiguous grid of the
/// community's base sites (`graph`, barriers as crossed) can hold within the band, or that
/// meet a pocket no number of grids can hold ([`untileable_pockets`]).
fn flag_unbalanceable(
    groups: &mut [(Role, Vec<usize>)],
    graph: &SiteGraph,
    roles: &[Role],
    target: f64,
    band: f64,
) {
    let low = (target - band).ceil().max(0.0) as u64;
    let high = (target + band).floor() as u64;
    let allowed = |s: usize| roles[s] == Role::Base(GridFlag::Normal);
    let outside_band = |role: &Role, sites: &[usize]| {
        *role == Role::Base(GridFlag::Normal) && !(low..=high).contains(&graph.weight_of(sites))
    };
    let mut in_untileable_pocket = vec![false; graph.len()];
    if groups.iter().any(|(role, sites)| outside_band(role, sites)) {
        for pocket in untileable_pockets(graph, &allowed, low, high) {
            in_untileable_pocket[pocket.cut_site] = true;
            for s in pocket.sites {
                in_untileable_pocket[s] = true;
            }
        }
    }
    for (role, sites) in groups.iter_mut() {
        if !outside_band(role, sites) {
            continue;
        }
        if sites.iter().any(|&s| in_untileable_pocket[s]) {
            *role = Role::Base(GridFlag::Unbalanceable);
            continue;
        }
        let mut heaviest_first = sites.clone();
        heaviest_first.sort_by_key(|&s| (std::cmp::Reverse(graph.weight[s]), s));
        if heaviest_first.iter().any(|&s| {
            band_reach(graph, s, &allowed, low, high, BAND_REACH_BUDGET) == BandReach::Unreachable
        }) {
            *role = Role::Base(GridFlag::Unbalanceable);
        }
    }
}

/// Adds every barrier crossing between the sites `a` and component `b_index` as an edge.
fn join_across_barrier(
    graph: &mut SiteGraph,
    a: &[usize],
    component_of: &[usize],
    b_index: usize,
    barrier_adjacency: &[Vec<usize>],
) {
    for &s in a {
        for &t in &barrier_adjacency[s] {
            if component_of[t] == b_index {
                graph.adjacency[s].push(t);
                graph.adjacency[t].push(s);
                graph.shared_m[s].push(0.0);
                graph.shared_m[t].push(0.0);
            }
        }
    }
}

/// The existing grids of a component as parts. Sites without a grid (new buildings) form
/// a grid of their own when they hold at least `new_grid_minimum` households together;
/// otherwise they, and pieces a grid lost contact with, join the lightest neighbouring
/// grid. `None` when no site of the component has a grid yet.
fn existing_parts(
    graph: &SiteGraph,
    component: &[usize],
    site_code: &[Option<GridCode>],
    new_grid_minimum: f64,
) -> Option<Vec<Vec<usize>>> {
    let mut by_code: std::collections::BTreeMap<&GridCode, Vec<usize>> =
        std::collections::BTreeMap::new();
    let mut loose: Vec<usize> = Vec::new();
    for &s in component {
        match &site_code[s] {
            Some(code) => by_code.entry(code).or_default().push(s),
            None => loose.push(s),
        }
    }
    let mut parts: Vec<Vec<usize>> = Vec::with_capacity(by_code.len());
    for sites in by_code.into_values() {
        let mut pieces = graph.components(&sites).into_iter();
        if let Some(main) = pieces.next() {
            parts.push(main);
        }
        loose.extend(pieces.flatten());
    }
    // New buildings enough for half a grid form a grid of their own (a new compound gets
    // its own grid rather than pushing existing buildings out of theirs).
    let mut attach: Vec<usize> = Vec::new();
    for group in graph.components(&loose) {
        if graph.weight_of(&group) as f64 >= new_grid_minimum && !group.is_empty() {
            parts.push(group);
        } else {
            attach.extend(group);
        }
    }
    let mut loose = attach;
    if parts.is_empty() {
        return None;
    }
    let mut part_of = vec![usize::MAX; graph.len()];
    let mut weights: Vec<u64> = Vec::with_capacity(parts.len());
    for (p, members) in parts.iter().enumerate() {
        for &n in members {
            part_of[n] = p;
        }
        weights.push(graph.weight_of(members));
    }
    loose.sort_unstable();
    while !loose.is_empty() {
        let before = loose.len();
        loose.retain(|&n| {
            let lightest = graph.adjacency[n]
                .iter()
                .map(|&m| part_of[m])
                .filter(|&p| p != usize::MAX)
                .min_by_key(|&p| (weights[p], p));
            match lightest {
                Some(p) => {
                    part_of[n] = p;
                    weights[p] += u64::from(graph.weight[n]);
                    parts[p].push(n);
                    false
                }
                None => true,
            }
        });
        if loose.len() == before {
            return None; // cannot happen in a connected component
        }
    }
    Some(parts)
}

/// Whether `households` can be cut into grids each within the tolerance of the target
/// (ignoring how big single buildings are).
///
/// ```
/// use gridmap::partition::can_balance;
/// assert!(can_balance(300.0, 300.0, 0.1));
/// assert!(!can_balance(450.0, 300.0, 0.1)); // 1 grid of 450 or 2 of 225: both off by >10%
/// assert!(can_balance(1400.0, 300.0, 0.1)); // 5 grids of 280
/// ```
pub fn can_balance(households: f64, target: f64, tolerance: f64) -> bool {
    let k = choose_parts(households, target) as f64;
    within_band(households / k, target, tolerance * target)
}

/// Whether `households` (of a grid, or a mean) lies within `band` of `target`, up to float
/// rounding.
fn within_band(households: f64, target: f64, band: f64) -> bool {
    (households - target).abs() <= band + 1e-9
}

/// Whether `k` grids of `households` can average within `band` of `target`.
fn count_fits(households: f64, k: usize, target: f64, band: f64) -> bool {
    k > 0 && within_band(households / k as f64, target, band)
}

/// The number of grids for `households`: floor or ceil of households / target, whichever
/// gives a mean grid size nearer the target (relative).
pub fn choose_parts(households: f64, target: f64) -> usize {
    let low = (households / target).floor().max(1.0);
    let high = low + 1.0;
    let error = |k: f64| ((households / k) / target - 1.0).abs();
    if error(high) < error(low) {
        high as usize
    } else {
        low as usize
    }
}
