//! The existing grids of a component as the parts a keep-existing rebalance starts from:
//! new buildings form a grid of their own when they are enough for half a grid, otherwise
//! they (and pieces a grid lost contact with) join the lightest neighbouring grid.

use crate::domain::GridCode;
use crate::partition::graph::SiteGraph;
use std::collections::BTreeMap;

/// The existing grids of a component as parts. Sites without a grid (new buildings) form
/// a grid of their own when they hold at least `new_grid_minimum` households together;
/// otherwise they, and pieces a grid lost contact with, join the lightest neighbouring
/// grid. `None` when no site of the component has a grid yet.
pub(crate) fn existing_parts(
    graph: &SiteGraph,
    component: &[usize],
    site_code: &[Option<GridCode>],
    new_grid_minimum: f64,
) -> Option<Vec<Vec<usize>>> {
    let mut by_code: BTreeMap<&GridCode, Vec<usize>> = BTreeMap::new();
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
