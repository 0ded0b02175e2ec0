//! Pockets: sites of a community that reach the rest only through one site (a cut
//! vertex). A grid holding pocket sites but not the cut site lies wholly inside the pocket,
//! so the pocket's households must make whole grids plus one share of the grid through the
//! cut site; when no number of grids fits, no partition brings every grid within the band,
//! whatever the search.

use super::graph::SiteGraph;
use petgraph::algo::articulation_points::articulation_points;
use petgraph::graph::{NodeIndex, UnGraph};

/// Sites reached from the rest of their component only through `cut_site`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pocket {
    pub cut_site: usize,
    /// Sorted.
    pub sites: Vec<usize>,
    pub households: u64,
}

/// Whether `households` in a pocket entered through a site of `cut_households` can make
/// whole grids of `low..=high` households plus a share of the cut site's grid (at most what
/// that grid has room for beside the cut site). Necessary, not sufficient: it looks at the
/// total only.
///
/// ```
/// use gridmap::partition::pocket_tileable;
/// // Six houses of 41 (246) behind a tower of 138: one grid is too few (246 < 270), and
/// // the tower's grid has room for 192 more: the houses cannot all join it.
/// assert!(!pocket_tileable(246, 138, 270, 330));
/// // Four of them (164) can join the tower's grid.
/// assert!(pocket_tileable(164, 138, 270, 330));
/// // 600 behind the tower: two grids of 300.
/// assert!(pocket_tileable(600, 138, 270, 330));
/// ```
pub fn pocket_tileable(households: u64, cut_households: u64, low: u64, high: u64) -> bool {
    let share = high.saturating_sub(cut_households);
    (0..=households / low.max(1))
        .any(|grids| grids * low <= households && households <= grids.saturating_mul(high) + share)
}

/// The pockets of the `allowed` sites (grids are connected sets of them) whose households
/// no number of grids within `low..=high` can hold ([`pocket_tileable`]): each proves that
/// some grid meeting the pocket or its cut site stays outside the band.
pub fn untileable_pockets(
    graph: &SiteGraph,
    allowed: &dyn Fn(usize) -> bool,
    low: u64,
    high: u64,
) -> Vec<Pocket> {
    let mut undirected = UnGraph::<(), ()>::with_capacity(graph.len(), 0);
    let nodes: Vec<NodeIndex> = (0..graph.len()).map(|_| undirected.add_node(())).collect();
    for (a, neighbours) in graph.adjacency.iter().enumerate() {
        for &b in neighbours {
            if a < b && allowed(a) && allowed(b) {
                undirected.add_edge(nodes[a], nodes[b], ());
            }
        }
    }
    let mut cut_sites: Vec<usize> = articulation_points(&undirected)
        .into_iter()
        .map(NodeIndex::index)
        .filter(|&s| allowed(s))
        .collect();
    cut_sites.sort_unstable();
    let base_sites: Vec<usize> = (0..graph.len()).filter(|&s| allowed(s)).collect();
    let mut pockets = Vec::new();
    for cut_site in cut_sites {
        let without_cut: Vec<usize> = base_sites
            .iter()
            .copied()
            .filter(|&s| s != cut_site)
            .collect();
        // The sides the cut site separates: components of the rest it borders.
        for sites in graph.components(&without_cut) {
            if !graph.adjacency[cut_site]
                .iter()
                .any(|t| sites.binary_search(t).is_ok())
            {
                continue;
            }
            let households = graph.weight_of(&sites);
            if !pocket_tileable(households, u64::from(graph.weight[cut_site]), low, high) {
                pockets.push(Pocket {
                    cut_site,
                    sites,
                    households,
                });
            }
        }
    }
    pockets
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tower of 138 households between a street of houses and six houses of 41 that reach
    /// the street only through the tower's site.
    fn tower_with_a_pocket(street: &[u32]) -> SiteGraph {
        let mut weight = street.to_vec();
        let tower = weight.len();
        weight.push(138);
        weight.extend([41; 6]);
        let n = weight.len();
        let mut adjacency = vec![Vec::new(); n];
        let mut link = |a: usize, b: usize| {
            adjacency[a].push(b);
            adjacency[b].push(a);
        };
        for s in 1..tower {
            link(s - 1, s);
        }
        link(tower - 1, tower);
        // The houses: a ring behind the tower, two of them touching it.
        for h in tower + 1..n {
            link(h, if h + 1 < n { h + 1 } else { tower + 1 });
        }
        link(tower, tower + 1);
        link(tower, tower + 3);
        for a in &mut adjacency {
            a.sort_unstable();
            a.dedup();
        }
        SiteGraph {
            x: (0..n).map(|s| s as f64).collect(),
            y: vec![0.0; n],
            shared_m: adjacency.iter().map(|a| vec![1.0; a.len()]).collect(),
            weight,
            adjacency,
        }
    }

    #[test]
    fn six_houses_behind_a_tower_make_no_grid_and_overfill_the_towers() {
        let graph = tower_with_a_pocket(&[100; 6]);
        let all = |_: usize| true;
        let pockets = untileable_pockets(&graph, &all, 270, 330);
        assert_eq!(
            pockets,
            vec![Pocket {
                cut_site: 6,
                sites: (7..13).collect(),
                households: 246
            }]
        );
        // With a seventh house behind the tower (287) they make a grid of their own.
        let mut bigger = graph.clone();
        bigger.weight[12] = 82;
        assert!(untileable_pockets(&bigger, &all, 270, 330).is_empty());
    }

    #[test]
    fn sites_outside_the_grids_do_not_connect_a_pocket() {
        let mut graph = tower_with_a_pocket(&[100; 6]);
        // A path from the first house to the street, through a site of a dedicated grid
        // (a school): base grids cannot use it, so the pocket stays.
        graph.weight.push(0);
        let school = graph.weight.len() - 1;
        graph.adjacency.push(vec![0, 7]);
        graph.adjacency[0].push(school);
        graph.adjacency[7].push(school);
        graph.shared_m = graph.adjacency.iter().map(|a| vec![1.0; a.len()]).collect();
        graph.x.push(0.0);
        graph.y.push(1.0);
        let base = |s: usize| s != school;
        assert_eq!(untileable_pockets(&graph, &base, 270, 330).len(), 1);
        let all = |_: usize| true;
        assert!(untileable_pockets(&graph, &all, 270, 330).is_empty());
    }

    /// Whether some split of all sites into connected grids puts every grid within
    /// `low..=high`: every partition enumerated (as restricted growth strings).
    fn some_partition_within(graph: &SiteGraph, low: u64, high: u64) -> bool {
        let n = graph.len();
        let mut label = vec![0usize; n];
        loop {
            let grids = label.iter().copied().max().unwrap_or(0) + 1;
            let all_within = (0..grids).all(|g| {
                let members: Vec<usize> = (0..n).filter(|&s| label[s] == g).collect();
                (low..=high).contains(&graph.weight_of(&members))
                    && graph.components(&members).len() == 1
            });
            if all_within {
                return true;
            }
            // The next restricted growth string.
            let Some(i) = (1..n)
                .rev()
                .find(|&i| label[i] <= label[..i].iter().copied().max().unwrap_or(0))
            else {
                return false;
            };
            label[i] += 1;
            for l in &mut label[i + 1..] {
                *l = 0;
            }
        }
    }

    #[test]
    fn a_partition_of_every_count_leaves_a_grid_of_the_pocket_outside_the_band() {
        // Exhaustive check on a small graph: its 984 households fit three grids of 328 on
        // average, yet no split of its sites into connected grids puts all of them within
        // the band (the tower's grid can take four houses, and the other two are left).
        let graph = tower_with_a_pocket(&[150; 4]);
        let all = |_: usize| true;
        assert!(!untileable_pockets(&graph, &all, 270, 330).is_empty());
        assert!(!some_partition_within(&graph, 270, 330));
        // Two of the houses empty: the tower's grid takes the pocket (302), the street
        // makes two grids of 300, and no pocket is reported.
        let mut emptied = graph.clone();
        emptied.weight[9] = 0;
        emptied.weight[10] = 0;
        assert!(untileable_pockets(&emptied, &all, 270, 330).is_empty());
        assert!(some_partition_within(&emptied, 270, 330));
    }
}
