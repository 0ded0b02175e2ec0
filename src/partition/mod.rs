//! Base-grid partitioning (划网): a community's buildings into contiguous, compact grids of
//! about `target` households that tile the community, plus dedicated grids (专属网格).
//!
//! The pipeline, each step in its own file:
//! 1. [`sites`]: buildings by an interior point (co-located ones merged), in local metres.
//! 2. [`tessellation`]: Voronoi cells; sites are neighbours when their cells share an edge
//!    inside the community that crosses no barrier (major road, rail, river).
//! 3. [`roles`]: dedicated kinds form dedicated grids (same kind, neighbouring); a site of
//!    more than 1.5 × target households is its own grid, flagged.
//! 4. [`components`] and [`base_grids`]: the other sites' connected components are cut into
//!    k ≈ households / target parts by a [`Cutter`] (recursive coordinate bisection, each
//!    part connected by construction, then connectivity-preserving refinement), or, when
//!    keeping existing grids, rebalanced with the fewest moves ([`keep_existing`]). A
//!    component crosses a barrier to its neighbour only when there is no other way to
//!    balance it. Grids building sizes keep outside the band are flagged ([`unbalanceable`]).
//! 5. [`drawing`], [`orphan_pieces`], [`numbering`]: union of each grid's cells clipped to
//!    the community, one piece per grid; codes numbered west→east, north→south (base
//!    001–899, dedicated 901–999).

mod band;
mod band_reach;
mod base_grids;
mod bisection;
mod communities;
mod components;
mod cutter;
mod drawing;
mod error;
pub mod graph;
mod keep_existing;
mod metrics;
mod move_queue;
mod numbering;
mod options;
mod orphan_pieces;
mod part_lists;
mod plan;
mod pocket;
mod polygons;
mod refine;
mod roles;
mod sites;
mod tessellation;
mod unbalanceable;

pub use band::{can_balance, choose_parts, count_fits, households_within, within_band};
pub use band_reach::{BandReach, band_reach};
pub use communities::{CommunityJob, partition_communities};
pub use cutter::{Cutter, RecursiveBisection};
pub use error::PartitionError;
pub use graph::SiteGraph;
pub use keep_existing::{fewest_moves_bound, repair_with_chains};
pub use metrics::{GridMetrics, PartitionMetrics};
pub use move_queue::MoveQueue;
pub use numbering::DEDICATED_SEQUENCE_START;
pub use options::{Effort, PartitionOptions, Start, TARGET_RANGE, TOLERANCE_RANGE};
pub use plan::{CommunityPlan, GridFlag, PlannedGrid};
pub use pocket::{Pocket, pocket_tileable, untileable_pockets};
pub use roles::OVERSIZED_FACTOR;

use crate::domain::{Building, Community, Grid, GridKind};
use base_grids::BaseInput;
use drawing::DrawnGrid;
use geo::{Area, MapCoords};
use geo_types::LineString;
use roles::Role;
use sites::Sites;
use std::time::Instant;

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
    options.check()?;
    check_buildings(community, buildings)?;
    let started = Instant::now();
    let mut cut_ms = 0.0;
    let target = f64::from(options.target);

    // 1. Sites. 2. Tessellation, with barriers near the community.
    let sites = Sites::place(community, buildings)?;
    let barrier_segments = sites.barrier_segments(community, barriers);
    let tessellation =
        tessellation::tessellate(&sites.points, &sites.boundary_m, &barrier_segments)?;

    // 3. Roles of sites: dedicated and oversized grids first.
    let households = sites.households(buildings);
    let roles = roles::site_roles(&sites, buildings, &households, target);
    let current_grids = roles::current_grids(&sites, buildings, community);
    let graph = SiteGraph {
        x: sites.points.iter().map(|c| c.x).collect(),
        y: sites.points.iter().map(|c| c.y).collect(),
        weight: households,
        adjacency: tessellation.adjacency.clone(),
        shared_m: tessellation.shared_m.clone(),
    };
    let mut groups = roles::dedicated_and_oversized(&graph, &roles);

    // 4. Base components between barriers, cut into base grids.
    let (base_graph, components) = components::base_components(
        &graph,
        &roles,
        &tessellation.barrier_adjacency,
        target,
        options.tolerance,
    );
    let site_sizes = sites.sizes();
    let base_graph = base_grids::cut_base_grids(
        base_graph,
        BaseInput {
            components,
            barrier_adjacency: &tessellation.barrier_adjacency,
            current_grids: &current_grids,
            site_sizes: &site_sizes,
        },
        options,
        cutter,
        &mut groups,
        &mut cut_ms,
    );
    unbalanceable::flag_unbalanceable(&mut groups, &base_graph, &roles, target, options.band());
    let partition_ms = started.elapsed().as_secs_f64() * 1e3;

    // 5. Polygons, one piece per grid; codes.
    let polygons_started = Instant::now();
    let mut drawn = drawing::draw_grids(groups, &tessellation, &sites.boundary_m, &sites.points);
    let islands = orphan_pieces::give_orphan_pieces_to_neighbours(&mut drawn, &sites.points);
    let numbered = numbering::number_grids(community, &drawn, &current_grids, options.start)?;
    let mut grids: Vec<PlannedGrid> = numbered
        .into_iter()
        .map(|(i, code)| planned_grid(community, buildings, &sites, &drawn[i], islands[i], code))
        .collect();
    grids.sort_by(|a, b| a.grid.code.cmp(&b.grid.code));
    Ok(CommunityPlan {
        community: community.code.clone(),
        grids,
        area_m2: sites.area_m2,
        partition_ms,
        cut_ms,
        polygons_ms: polygons_started.elapsed().as_secs_f64() * 1e3,
    })
}

/// Refuses a community without buildings, or with a residential building of 0 households.
fn check_buildings(community: &Community, buildings: &[&Building]) -> Result<(), PartitionError> {
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
    Ok(())
}

/// A drawn grid with its code as the partitioner returns it: polygon back in lon/lat,
/// members, households, flag and shape figures.
fn planned_grid(
    community: &Community,
    buildings: &[&Building],
    sites: &Sites,
    drawn: &DrawnGrid,
    islands: usize,
    code: crate::domain::GridCode,
) -> PlannedGrid {
    let members: Vec<&Building> = drawn
        .sites
        .iter()
        .flat_map(|&s| sites.buildings[s].iter().map(|&b| buildings[b]))
        .collect();
    let mut ids: Vec<_> = members.iter().map(|b| b.id.clone()).collect();
    ids.sort();
    let (kind, flag) = match drawn.role {
        Role::Dedicated(_) => (GridKind::Dedicated, GridFlag::Normal),
        Role::Base(flag) => (GridKind::Base, flag),
    };
    let polygon_m = &drawn.polygon_m;
    PlannedGrid {
        grid: Grid {
            code,
            kind,
            community: community.code.clone(),
            boundary: polygon_m.map_coords(|c| sites.frame.to_lonlat(c.x, c.y)),
            households: members.iter().map(|b| b.households).sum(),
            residents: members.iter().map(|b| b.residents).sum(),
            flag,
        },
        buildings: ids,
        polsby_popper: polygons::polsby_popper(polygon_m),
        parts: polygon_m.0.len() - islands,
        islands,
        area_m2: polygon_m.unsigned_area(),
    }
}
