//! Flags the base grids that building sizes keep outside the band: a site no contiguous
//! grid can hold within it ([`band_reach`]), or a pocket no number of grids can hold
//! ([`untileable_pockets`]).

use super::band::households_within;
use super::band_reach::{BandReach, band_reach};
use super::graph::SiteGraph;
use super::plan::GridFlag;
use super::pocket::untileable_pockets;
use super::roles::{Group, Role};

/// Search budget (sets visited) per site when proving a grid cannot be balanced.
const BAND_REACH_BUDGET: usize = 20_000;

/// Flags base grids outside the band that hold a site no contiguous grid of the
/// community's base sites (`graph`, barriers as crossed) can hold within the band, or that
/// meet a pocket no number of grids can hold ([`untileable_pockets`]).
pub(crate) fn flag_unbalanceable(
    groups: &mut [Group],
    graph: &SiteGraph,
    roles: &[Role],
    target: f64,
    band: f64,
) {
    let (low, high) = households_within(target, band).into_inner();
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
