//! Step 3: what each site's grid is — dedicated (schools, hospitals, … together by kind),
//! an oversized building on its own, or an ordinary base site — and the grid each site is
//! in now.

use super::graph::SiteGraph;
use super::plan::GridFlag;
use super::sites::Sites;
use crate::domain::{Building, BuildingKind, Community, GridCode};

/// A building with more households than this multiple of the target is its own grid.
pub const OVERSIZED_FACTOR: f64 = 1.5;

/// What the grid of a set of sites is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    Base(GridFlag),
    Dedicated(BuildingKind),
}

/// A group of sites that becomes one grid, with its role.
pub(crate) type Group = (Role, Vec<usize>);

/// The role of every site: dedicated when all its buildings are of dedicated kinds, an
/// oversized building above [`OVERSIZED_FACTOR`] × target, otherwise a normal base site.
pub(crate) fn site_roles(
    sites: &Sites,
    buildings: &[&Building],
    households: &[u32],
    target: f64,
) -> Vec<Role> {
    sites
        .buildings
        .iter()
        .enumerate()
        .map(|(s, members)| {
            let kinds: Vec<BuildingKind> = members.iter().map(|&i| buildings[i].kind).collect();
            if kinds.iter().all(|k| k.is_dedicated()) {
                Role::Dedicated(kinds[0])
            } else if f64::from(households[s]) > OVERSIZED_FACTOR * target {
                Role::Base(GridFlag::OversizedBuilding)
            } else {
                Role::Base(GridFlag::Normal)
            }
        })
        .collect()
}

/// The grid each site is in now, when all its buildings agree and it is of this community
/// (what a keep-existing partition starts from).
pub(crate) fn current_grids(
    sites: &Sites,
    buildings: &[&Building],
    community: &Community,
) -> Vec<Option<GridCode>> {
    sites
        .buildings
        .iter()
        .map(|members| {
            let first = buildings[members[0]].grid.clone()?;
            let same = members
                .iter()
                .all(|&i| buildings[i].grid.as_ref() == Some(&first));
            (same && first.community() == community.code).then_some(first)
        })
        .collect()
}

/// Dedicated grids (neighbouring sites of the same kind, kinds in name order) and one grid
/// per oversized building.
pub(crate) fn dedicated_and_oversized(graph: &SiteGraph, roles: &[Role]) -> Vec<Group> {
    let mut groups = Vec::new();
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
    for s in (0..graph.len()).filter(|&s| roles[s] == Role::Base(GridFlag::OversizedBuilding)) {
        groups.push((Role::Base(GridFlag::OversizedBuilding), vec![s]));
    }
    groups
}
