//! Step 4b: every base component cut into base grids. A fresh cut takes the best-balancing
//! grid count; a component that balances badly crosses a barrier to a neighbour when the
//! two together balance more grids. A keep-existing partition starts from the current
//! grids and moves as few buildings as it can. Components too light for half a grid stay
//! one grid, flagged a small enclave.

use super::components::join_across_barrier;
use super::cutter::{Cutter, ScoredParts, cut_balanced};
use super::graph::SiteGraph;
use super::keep_existing::{existing_parts, rebalance_existing};
use super::options::{PartitionOptions, Start};
use super::plan::GridFlag;
use super::roles::{Group, Role};
use crate::domain::GridCode;

/// What the base grids are cut from.
pub(crate) struct BaseInput<'a> {
    pub components: Vec<Vec<usize>>,
    /// Sites' neighbours across a barrier.
    pub barrier_adjacency: &'a [Vec<usize>],
    /// The grid each site is in now (keep-existing).
    pub current_grids: &'a [Option<GridCode>],
    /// Buildings per site (what a keep-existing rebalance counts as moves).
    pub site_sizes: &'a [u32],
}

/// Cuts every component into base grids, appending them to `groups`. Returns the graph the
/// grids are connected in (barrier crossings added where components were joined); time
/// spent in the cutter is added to `cut_ms`.
pub(crate) fn cut_base_grids(
    mut base_graph: SiteGraph,
    input: BaseInput<'_>,
    options: &PartitionOptions,
    cutter: &dyn Cutter,
    groups: &mut Vec<Group>,
    cut_ms: &mut f64,
) -> SiteGraph {
    let target = f64::from(options.target);
    let band = options.band();
    let minimum = (1.0 - options.tolerance) * target / 2.0;
    let mut components = input.components;
    let keeps = |graph: &SiteGraph, component: &[usize]| {
        options.start == Start::KeepExisting
            && existing_parts(graph, component, input.current_grids, minimum).is_some()
    };
    let mut cuts: Vec<Option<ScoredParts>> = Vec::with_capacity(components.len());
    for component in &components {
        let households = base_graph.weight_of(component) as f64;
        let keep = keeps(&base_graph, component);
        cuts.push(
            (households >= minimum && !keep)
                .then(|| cut_balanced(&base_graph, component, target, band, cutter, cut_ms)),
        );
    }
    if options.start == Start::Fresh {
        join_where_together_balance_more(
            &mut base_graph,
            &mut components,
            &mut cuts,
            input.barrier_adjacency,
            (target, band, minimum),
            cutter,
            cut_ms,
        );
    }
    for (component, cut) in components.into_iter().zip(cuts) {
        let households = base_graph.weight_of(&component) as f64;
        if households < minimum {
            groups.push((Role::Base(GridFlag::SmallEnclave), component));
            continue;
        }
        if options.start == Start::KeepExisting
            && let Some(parts) =
                existing_parts(&base_graph, &component, input.current_grids, minimum)
        {
            // Grids within the band around the target are left alone; a grid is added or
            // dissolved only when the households no longer fit the number of grids.
            for part in rebalance_existing(
                &base_graph,
                parts,
                target,
                band,
                input.site_sizes,
                options.effort,
            ) {
                groups.push((Role::Base(GridFlag::Normal), part));
            }
            continue;
        }
        let parts = match cut {
            Some((_, parts)) => parts,
            None => cut_balanced(&base_graph, &component, target, band, cutter, cut_ms).1,
        };
        for part in parts {
            groups.push((Role::Base(GridFlag::Normal), part));
        }
    }
    base_graph
}

/// A component that balances badly crosses a barrier to a neighbour when the two together
/// balance more grids ("no other way" to balance them); repeated until no pair gains.
fn join_where_together_balance_more(
    base_graph: &mut SiteGraph,
    components: &mut Vec<Vec<usize>>,
    cuts: &mut Vec<Option<ScoredParts>>,
    barrier_adjacency: &[Vec<usize>],
    (target, band, minimum): (f64, f64, f64),
    cutter: &dyn Cutter,
    cut_ms: &mut f64,
) {
    let mut merged = true;
    while merged {
        merged = false;
        let mut component_of = vec![usize::MAX; base_graph.len()];
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
                .flat_map(|&n| barrier_adjacency[n].iter().map(|&m| component_of[m]))
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
                    barrier_adjacency,
                );
                let mut union = components[c].clone();
                union.extend(&components[d]);
                union.sort_unstable();
                let together = cut_balanced(&joined_graph, &union, target, band, cutter, cut_ms);
                if together.0.0 > separate {
                    *base_graph = joined_graph;
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
            *cuts = components
                .iter()
                .map(|component| {
                    let households = base_graph.weight_of(component) as f64;
                    (households >= minimum)
                        .then(|| cut_balanced(base_graph, component, target, band, cutter, cut_ms))
                })
                .collect();
        }
    }
}
