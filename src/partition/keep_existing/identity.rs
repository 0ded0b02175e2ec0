//! Which part of a rebalanced partition carries which old part's identity (its grid code):
//! largest overlap in buildings first, as grid codes are carried over; and how many
//! buildings end up in a part that does not carry their old part's identity (moved).

use crate::partition::graph::SiteGraph;
use std::collections::BTreeMap;

/// The part of each site (`usize::MAX` for sites in no part).
pub(super) fn part_of(graph: &SiteGraph, parts: &[Vec<usize>]) -> Vec<usize> {
    let mut of = vec![usize::MAX; graph.len()];
    for (p, members) in parts.iter().enumerate() {
        for &n in members {
            of[n] = p;
        }
    }
    of
}

/// For each part of `after`, the part of `before` whose identity it carries (`None` for a
/// new part). `buildings[s]` is how many buildings site `s` holds.
pub(super) fn carried_identities(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    after: &[Vec<usize>],
    buildings: &[u32],
) -> Vec<Option<usize>> {
    let was = part_of(graph, before);
    let mut overlaps: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for (a, members) in after.iter().enumerate() {
        for &n in members {
            if was[n] != usize::MAX {
                *overlaps.entry((a, was[n])).or_default() += site_buildings(buildings, n);
            }
        }
    }
    let mut pairs: Vec<((usize, usize), u64)> = overlaps.into_iter().collect();
    pairs.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut carried = vec![None; after.len()];
    let mut used_before = vec![false; before.len()];
    for ((a, b), _) in pairs {
        if carried[a].is_none() && !used_before[b] {
            carried[a] = Some(b);
            used_before[b] = true;
        }
    }
    carried
}

/// For each site, the part of `after` carrying its old part's identity in `before`
/// ([`carried_identities`]); `usize::MAX` when its old part is gone or it had none.
pub(super) fn home_parts(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    after: &[Vec<usize>],
    buildings: &[u32],
) -> Vec<usize> {
    let was = part_of(graph, before);
    let mut part_carrying = vec![usize::MAX; before.len()];
    for (a, identity) in carried_identities(graph, before, after, buildings)
        .into_iter()
        .enumerate()
    {
        if let Some(b) = identity {
            part_carrying[b] = a;
        }
    }
    was.iter()
        .map(|&b| part_carrying.get(b).copied().unwrap_or(usize::MAX))
        .collect()
}

/// Buildings that change part from `before` to `after`, each part of `after` carrying the
/// identity given by [`carried_identities`].
pub(super) fn buildings_moved(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    after: &[Vec<usize>],
    buildings: &[u32],
) -> u64 {
    let was = part_of(graph, before);
    let carried = carried_identities(graph, before, after, buildings);
    after
        .iter()
        .zip(&carried)
        .flat_map(|(members, identity)| members.iter().map(move |&n| (n, *identity)))
        .filter(|&(n, identity)| Some(was[n]) != identity)
        .map(|(n, _)| site_buildings(buildings, n))
        .sum()
}

/// How many buildings site `n` holds (one when not given).
pub(super) fn site_buildings(buildings: &[u32], n: usize) -> u64 {
    u64::from(buildings.get(n).copied().unwrap_or(1))
}
