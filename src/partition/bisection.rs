//! Recursive coordinate bisection: a connected set of sites is cut across its longest axis
//! at the household share of each side, each side made contiguous, then balanced by moving
//! boundary sites — so every part is connected by construction.

use super::graph::SiteGraph;

/// Splits the connected `nodes` into `k` connected parts of about equal households.
/// `rotation` (radians) turns the candidate cut directions away from the principal axes.
pub fn recursive_bisection(
    graph: &SiteGraph,
    nodes: Vec<usize>,
    k: usize,
    rotation: f64,
    out: &mut Vec<Vec<usize>>,
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
    let mut best: Option<(f64, usize, Vec<usize>, Vec<usize>)> = None;
    for &k_low in &shares {
        for &direction in &directions {
            let (low, high) = bisect(graph, &nodes, k_low as f64 / k as f64, direction);
            if low.is_empty() || high.is_empty() {
                continue;
            }
            let error = (graph.weight_of(&low) as f64
                - graph.weight_of(&nodes) as f64 * k_low as f64 / k as f64)
                .abs();
            let cost = cut_length(graph, &low, &high) + error * 10.0;
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, k_low, low, high));
            }
        }
    }
    let Some((_, k_low, low, high)) = best else {
        out.push(nodes);
        return;
    };
    recursive_bisection(graph, low, k_low, rotation, out);
    recursive_bisection(graph, high, k - k_low, rotation, out);
}

/// Metres of shared cell boundary between two sets of sites.
fn cut_length(graph: &SiteGraph, low: &[usize], high: &[usize]) -> f64 {
    let mut in_high = vec![false; graph.len()];
    for &n in high {
        in_high[n] = true;
    }
    low.iter()
        .flat_map(|&n| graph.adjacency[n].iter().zip(&graph.shared_m[n]))
        .filter(|(m, _)| in_high[**m])
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

/// Cuts `nodes` across direction `(ax, ay)` into a low side holding `share` of the
/// households and the rest; both sides connected.
fn bisect(
    graph: &SiteGraph,
    nodes: &[usize],
    share: f64,
    (ax, ay): (f64, f64),
) -> (Vec<usize>, Vec<usize>) {
    let project = |i: usize| graph.x[i] * ax + graph.y[i] * ay;
    let mut order = nodes.to_vec();
    order.sort_by(|&a, &b| project(a).total_cmp(&project(b)).then(a.cmp(&b)));
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
    let mut side = vec![1usize; graph.len()];
    for &node in &order[..best.1] {
        side[node] = 0;
    }
    let cut = (project(order[best.1 - 1]) + project(order[best.1])) / 2.0;
    make_sides_contiguous(graph, nodes, &mut side);
    if total > 0.0 {
        balance_sides(graph, nodes, &mut side, want, &|n| (project(n) - cut).abs());
    }
    let low: Vec<usize> = nodes.iter().copied().filter(|&n| side[n] == 0).collect();
    let high: Vec<usize> = nodes.iter().copied().filter(|&n| side[n] == 1).collect();
    (low, high)
}

/// Moves every minor component of each side to the other side (it borders only that side),
/// leaving both sides connected.
fn make_sides_contiguous(graph: &SiteGraph, nodes: &[usize], side: &mut [usize]) {
    for s in [0, 1] {
        let members: Vec<usize> = nodes.iter().copied().filter(|&n| side[n] == s).collect();
        for minor in graph.components(&members).into_iter().skip(1) {
            for n in minor {
                side[n] = 1 - s;
            }
        }
    }
}

/// Moves boundary sites from the heavier side to the lighter one while that brings the low
/// side closer to `want`, keeping the donor side connected; nearest the cut first.
fn balance_sides(
    graph: &SiteGraph,
    nodes: &[usize],
    side: &mut [usize],
    want: f64,
    distance_to_cut: &dyn Fn(usize) -> f64,
) {
    let mut low_weight: f64 = nodes
        .iter()
        .filter(|&&n| side[n] == 0)
        .map(|&n| f64::from(graph.weight[n]))
        .sum();
    let mut sizes = [0usize; 2];
    for &n in nodes {
        sizes[side[n]] += 1;
    }
    // `side` holds 0/1 for our nodes; others are never touched (they are not in `nodes`).
    let mut labels = vec![usize::MAX; graph.len()];
    for &n in nodes {
        labels[n] = side[n];
    }
    for _ in 0..nodes.len() {
        let error = low_weight - want;
        if error.abs() < 0.5 {
            break;
        }
        let donor = if error > 0.0 { 0 } else { 1 };
        let mut best: Option<(f64, f64, usize)> = None;
        for &n in nodes {
            if labels[n] != donor || !graph.adjacency[n].iter().any(|&m| labels[m] == 1 - donor) {
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
            if graph.connected_without(&labels, donor, sizes[donor], n) {
                best = Some((key.0, key.1, n));
            }
        }
        let Some((_, _, n)) = best else { break };
        labels[n] = 1 - donor;
        side[n] = 1 - donor;
        sizes[donor] -= 1;
        sizes[1 - donor] += 1;
        low_weight += if donor == 0 {
            -f64::from(graph.weight[n])
        } else {
            f64::from(graph.weight[n])
        };
    }
}
