//! Recursive coordinate bisection: a connected set of sites is cut across its longest axis
//! at the household share of each side, each side made contiguous, then balanced by moving
//! boundary sites — so every part is connected by construction.

use super::graph::SiteGraph;
use std::collections::BTreeSet;

/// Not on either side: outside the set being cut.
const OUTSIDE: usize = usize::MAX;

/// Per-site marks reused through one recursive bisection, so that each cut costs the sites
/// it cuts, not arrays the size of the community.
struct Scratch {
    /// Side (0 or 1) of each site of the set being cut, [`OUTSIDE`] for the others.
    side: Vec<usize>,
    /// `seen[n] == stamp`: reached in the current walk.
    seen: Vec<u32>,
    stamp: u32,
    /// Place of each site in the list of the set being balanced.
    place: Vec<usize>,
}

impl Scratch {
    fn new(len: usize) -> Self {
        Self {
            side: vec![OUTSIDE; len],
            seen: vec![0; len],
            stamp: 0,
            place: vec![0; len],
        }
    }

    /// Starts a new walk: nothing seen.
    fn next_walk(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
    }
}

/// Splits the connected `nodes` into `k` connected parts of about equal households.
/// `rotation` (radians) turns the candidate cut directions away from the principal axes.
pub fn recursive_bisection(
    graph: &SiteGraph,
    nodes: Vec<usize>,
    k: usize,
    rotation: f64,
    out: &mut Vec<Vec<usize>>,
) {
    let mut scratch = Scratch::new(graph.len());
    bisect_recursively(graph, nodes, k, rotation, out, &mut scratch);
}

fn bisect_recursively(
    graph: &SiteGraph,
    nodes: Vec<usize>,
    k: usize,
    rotation: f64,
    out: &mut Vec<Vec<usize>>,
    scratch: &mut Scratch,
) {
    if k <= 1 || nodes.len() <= 1 {
        out.push(nodes);
        return;
    }
    // Candidates: across the principal axis, along it, and the diagonals; for odd k either
    // share first. The shortest cut (metres of shared cell boundary) wins: short cuts make
    // compact parts.
    let (px, py) = principal_axis(graph, &nodes);
    let (sin, cos) = rotation.sin_cos();
    let (ax, ay) = (px * cos - py * sin, px * sin + py * cos);
    let mut shares = vec![k / 2];
    if k % 2 == 1 {
        shares.push(k - k / 2);
    }
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let directions = [
        (ax, ay),
        (-ay, ax),
        (s * (ax - ay), s * (ax + ay)),
        (s * (ax + ay), s * (ay - ax)),
    ];
    // The sites in order along each direction, sorted once for both shares.
    // (Projections computed once and sorted beside the sites: the key with the site is
    // unique, so an unstable sort gives the one order.)
    let orders = directions.map(|(ax, ay)| {
        let mut keyed: Vec<(f64, usize)> = nodes
            .iter()
            .map(|&i| (graph.x[i] * ax + graph.y[i] * ay, i))
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        keyed.into_iter().map(|(_, i)| i).collect::<Vec<usize>>()
    });
    let mut best: Option<(f64, usize, Vec<usize>, Vec<usize>)> = None;
    for &k_low in &shares {
        for (&direction, order) in directions.iter().zip(&orders) {
            let (low, high, cut_m) = bisect(
                graph,
                &nodes,
                order,
                k_low as f64 / k as f64,
                direction,
                scratch,
            );
            if low.is_empty() || high.is_empty() {
                continue;
            }
            let error = (graph.weight_of(&low) as f64
                - graph.weight_of(&nodes) as f64 * k_low as f64 / k as f64)
                .abs();
            let cost = cut_m + error * 10.0;
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, k_low, low, high));
            }
        }
    }
    let Some((_, k_low, low, high)) = best else {
        out.push(nodes);
        return;
    };
    bisect_recursively(graph, low, k_low, rotation, out, scratch);
    bisect_recursively(graph, high, k - k_low, rotation, out, scratch);
}

/// Metres of shared cell boundary between the low side (`low`) and the sites on side 1.
fn cut_length(graph: &SiteGraph, low: &[usize], side: &[usize]) -> f64 {
    low.iter()
        .flat_map(|&n| graph.adjacency[n].iter().zip(&graph.shared_m[n]))
        .filter(|(m, _)| side[**m] == 1)
        .map(|(_, l)| l)
        .sum()
}

/// Unit vector along the principal axis of the nodes' positions.
fn principal_axis(graph: &SiteGraph, nodes: &[usize]) -> (f64, f64) {
    let n = nodes.len() as f64;
    let mx = nodes.iter().map(|&i| graph.x[i]).sum::<f64>() / n;
    let my = nodes.iter().map(|&i| graph.y[i]).sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for &i in nodes {
        let (dx, dy) = (graph.x[i] - mx, graph.y[i] - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    (angle.cos(), angle.sin())
}

/// Cuts `nodes` across direction `(ax, ay)` (`order`: the nodes sorted along it) into a
/// low side holding `share` of the households and the rest, both sides connected, with the
/// metres of boundary between them.
fn bisect(
    graph: &SiteGraph,
    nodes: &[usize],
    order: &[usize],
    share: f64,
    (ax, ay): (f64, f64),
    scratch: &mut Scratch,
) -> (Vec<usize>, Vec<usize>, f64) {
    let project = |i: usize| graph.x[i] * ax + graph.y[i] * ay;
    let total = graph.weight_of(nodes) as f64;
    let want = total * share;
    // Prefix whose weight is closest to the wanted share (by count when all weigh 0).
    let mut best = (f64::MAX, 1);
    let mut acc = 0.0;
    for (i, &node) in order.iter().enumerate().take(order.len() - 1) {
        acc += f64::from(graph.weight[node]);
        let error = if total > 0.0 {
            (acc - want).abs()
        } else {
            ((i + 1) as f64 - order.len() as f64 * share).abs()
        };
        if error < best.0 {
            best = (error, i + 1);
        }
    }
    for (i, &node) in order.iter().enumerate() {
        scratch.side[node] = usize::from(i >= best.1);
    }
    let cut = (project(order[best.1 - 1]) + project(order[best.1])) / 2.0;
    make_sides_contiguous(graph, nodes, scratch);
    if total > 0.0 {
        let Scratch { side, place, .. } = scratch;
        balance_sides(graph, nodes, side, place, want, &|n| {
            (project(n) - cut).abs()
        });
    }
    let side = &scratch.side;
    let low: Vec<usize> = nodes.iter().copied().filter(|&n| side[n] == 0).collect();
    let high: Vec<usize> = nodes.iter().copied().filter(|&n| side[n] == 1).collect();
    let cut_m = cut_length(graph, &low, side);
    for &n in nodes {
        scratch.side[n] = OUTSIDE;
    }
    (low, high, cut_m)
}

/// Moves every minor component of each side to the other side (it borders only that side),
/// leaving both sides connected. The major one is the heaviest (then the largest, then the
/// one with the lowest site).
fn make_sides_contiguous(graph: &SiteGraph, nodes: &[usize], scratch: &mut Scratch) {
    for s in [0, 1] {
        scratch.next_walk();
        let mut pieces: Vec<Vec<usize>> = Vec::new();
        for &start in nodes {
            if scratch.side[start] != s || scratch.seen[start] == scratch.stamp {
                continue;
            }
            scratch.seen[start] = scratch.stamp;
            let mut piece = vec![start];
            let mut next = 0;
            while let Some(&n) = piece.get(next) {
                next += 1;
                for &m in &graph.adjacency[n] {
                    if scratch.side[m] == s && scratch.seen[m] != scratch.stamp {
                        scratch.seen[m] = scratch.stamp;
                        piece.push(m);
                    }
                }
            }
            pieces.push(piece);
        }
        let key = |p: &Vec<usize>| {
            let lowest = p.iter().copied().min().unwrap_or(usize::MAX);
            (graph.weight_of(p), p.len(), std::cmp::Reverse(lowest))
        };
        let Some(major) = (0..pieces.len()).max_by_key(|&i| key(&pieces[i])) else {
            continue;
        };
        for (i, piece) in pieces.iter().enumerate() {
            if i != major {
                for &n in piece {
                    scratch.side[n] = 1 - s;
                }
            }
        }
    }
}

/// Moves boundary sites from the heavier side to the lighter one while that brings the low
/// side closer to `want`, keeping the donor side connected; nearest the cut first (then
/// first in `nodes`). `side` holds 0/1 for `nodes` and [`OUTSIDE`] for every other site;
/// `place` is scratch for each site's place in `nodes`. Only sites along the cut are looked
/// at: those bordering the other side at the start and the neighbours of each moved site.
fn balance_sides(
    graph: &SiteGraph,
    nodes: &[usize],
    side: &mut [usize],
    place: &mut [usize],
    want: f64,
    distance_to_cut: &dyn Fn(usize) -> f64,
) {
    let borders = |side: &[usize], n: usize| {
        graph.adjacency[n]
            .iter()
            .any(|&m| side[m] != OUTSIDE && side[m] != side[n])
    };
    let mut low_weight: f64 = nodes
        .iter()
        .filter(|&&n| side[n] == 0)
        .map(|&n| f64::from(graph.weight[n]))
        .sum();
    let mut sizes = [0usize; 2];
    for (i, &n) in nodes.iter().enumerate() {
        sizes[side[n]] += 1;
        place[n] = i;
    }
    // Places (in `nodes`) of the sites that may border the other side.
    let mut along_cut: BTreeSet<usize> = (0..nodes.len())
        .filter(|&i| borders(side, nodes[i]))
        .collect();
    for _ in 0..nodes.len() {
        let error = low_weight - want;
        if error.abs() < 0.5 {
            break;
        }
        let donor = if error > 0.0 { 0 } else { 1 };
        let mut best: Option<(f64, f64, usize)> = None;
        let mut inland = Vec::new();
        for &i in &along_cut {
            let n = nodes[i];
            if !borders(side, n) {
                inland.push(i);
                continue;
            }
            if side[n] != donor {
                continue;
            }
            // Sites without households count a little so they can clear the way.
            let w = f64::from(graph.weight[n]).max(0.01);
            let new_error = if donor == 0 { error - w } else { error + w };
            if new_error.abs() >= error.abs() {
                continue;
            }
            let key = (new_error.abs(), distance_to_cut(n));
            if best.is_some_and(|b| (b.0, b.1) <= key) {
                continue;
            }
            if graph.connected_without(side, donor, sizes[donor], n) {
                best = Some((key.0, key.1, n));
            }
        }
        for i in inland {
            along_cut.remove(&i);
        }
        let Some((_, _, n)) = best else { break };
        side[n] = 1 - donor;
        sizes[donor] -= 1;
        sizes[1 - donor] += 1;
        low_weight += if donor == 0 {
            -f64::from(graph.weight[n])
        } else {
            f64::from(graph.weight[n])
        };
        for &m in &graph.adjacency[n] {
            if side[m] != OUTSIDE {
                along_cut.insert(place[m]);
            }
        }
    }
}
