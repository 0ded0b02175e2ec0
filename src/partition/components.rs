//! Step 4a: the base sites' components between barriers. A component no grid count fits
//! (e.g. 450 households: one grid of 450 or two of 225) joins a neighbour across a barrier,
//! preferring one that makes the union balanceable, then the lightest.

use super::band::can_balance;
use super::graph::SiteGraph;
use super::plan::GridFlag;
use super::roles::Role;

/// The components of the normal base sites, with every component no grid count fits joined
/// to a neighbour across a barrier (its crossings added to the returned graph as edges).
pub(crate) fn base_components(
    graph: &SiteGraph,
    roles: &[Role],
    barrier_adjacency: &[Vec<usize>],
    target: f64,
    tolerance: f64,
) -> (SiteGraph, Vec<Vec<usize>>) {
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
    let feasible = |households: f64| can_balance(households, target, tolerance);
    let mut joined = true;
    while joined {
        joined = false;
        for c in 0..components.len() {
            if components[c].is_empty() || feasible(base_graph.weight_of(&components[c]) as f64) {
                continue;
            }
            let own = base_graph.weight_of(&components[c]);
            let mut best: Option<(bool, u64, usize, usize, usize)> = None;
            for &s in &components[c] {
                for &t in &barrier_adjacency[s] {
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
            if let Some((_, _, d, _, _)) = best {
                join_across_barrier(
                    &mut base_graph,
                    &components[c],
                    &component_of,
                    d,
                    barrier_adjacency,
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
    (base_graph, components)
}

/// Adds every barrier crossing between the sites `a` and component `b_index` as an edge.
pub(crate) fn join_across_barrier(
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
