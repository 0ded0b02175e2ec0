//! k-way refinement of a partition: boundary moves and pair swaps that improve household
//! balance, then moves that improve compactness without leaving the tolerance band. Every
//! move keeps the donor part connected (the receiver stays connected: the site borders it).
//!
//! Each pass picks its best move from a [`MoveQueue`] and, after a move, scores again only
//! the sites around the two parts it changed; parts keep their member lists, and
//! connectivity questions walk one part. A pass costs about the sites it moves times the
//! size of a part, not the community's size each time, and chooses exactly the move a scan
//! of every site in order would.

use super::graph::SiteGraph;
use super::move_queue::MoveQueue;
use super::part_lists::PartLists;
use std::collections::BTreeMap;

/// What a move of a site from one part to another gains, or `None` when the pass does not
/// consider it.
type MoveGain<'a> = fn(&Refiner<'a>, usize, usize, usize) -> Option<f64>;

/// Households a site counts for when moving: sites without households (garages, churches)
/// count a little, so that they move towards lighter parts and open the way for others
/// instead of blocking the frontier between two parts.
fn moving_weight(households: u32) -> f64 {
    f64::from(households).max(0.01)
}

/// A partition under refinement: part of each node, parts' members, weights and centroids.
pub struct Refiner<'a> {
    graph: &'a SiteGraph,
    nodes: Vec<usize>,
    pub assignment: Vec<usize>,
    sizes: Vec<usize>,
    /// Sites of each part.
    members: PartLists,
    /// `mark[n] == marking`: `n` is already in the set being gathered.
    mark: Vec<u32>,
    marking: u32,
    weights: Vec<f64>,
    sum_x: Vec<f64>,
    sum_y: Vec<f64>,
    /// Households each part aims at.
    target: f64,
    /// Allowed deviation from `target` (households).
    band: f64,
    /// Households a part must stay within (the tolerance band around the grid target,
    /// which `target ± band` may exceed when the parts' share is off the grid target).
    limits: (f64, f64),
    /// Share of the band within which a part is left alone (0.8 fresh, 1.0 when keeping an
    /// existing partition: grids within tolerance are not touched).
    quiet: f64,
    /// Whether compactness moves and swaps run (not when keeping an existing partition).
    reshape: bool,
}

impl<'a> Refiner<'a> {
    /// `parts` are the node lists of each part (all nodes of the component).
    pub fn new(graph: &'a SiteGraph, parts: &[Vec<usize>], target: f64, band: f64) -> Self {
        let mut assignment = vec![usize::MAX; graph.len()];
        let mut nodes = Vec::new();
        let k = parts.len();
        let (mut sizes, mut weights, mut sum_x, mut sum_y) =
            (vec![0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for (p, members) in parts.iter().enumerate() {
            for &n in members {
                assignment[n] = p;
                nodes.push(n);
                sizes[p] += 1;
                weights[p] += moving_weight(graph.weight[n]);
                sum_x[p] += graph.x[n];
                sum_y[p] += graph.y[n];
            }
        }
        nodes.sort_unstable();
        Self {
            graph,
            nodes,
            assignment,
            sizes,
            members: PartLists::new(graph.len(), parts),
            mark: vec![0; graph.len()],
            marking: 0,
            weights,
            sum_x,
            sum_y,
            target,
            band,
            limits: (target - band, target + band),
            quiet: 0.8,
            reshape: true,
        }
    }

    /// Parts must end within `low..=high` households, whatever `target ± band` says.
    pub fn within(mut self, low: f64, high: f64) -> Self {
        self.limits = (low, high);
        self
    }

    fn outside_limits(&self, w: f64) -> bool {
        w < self.limits.0 - 1e-9 || w > self.limits.1 + 1e-9
    }

    /// Keeps an existing partition: only parts outside the tolerance trigger moves, and
    /// shapes are not touched beyond that (the fewest buildings move).
    pub fn keeping_existing(mut self) -> Self {
        self.quiet = 1.0;
        self.reshape = false;
        self
    }

    /// Cost of a part weighing `w`: nothing within the quiet share of the band (no churn
    /// among good parts), growing quadratically beyond, with a step for leaving the band.
    fn penalty(&self, w: f64) -> f64 {
        let d = (w - self.target).abs();
        let excess = (d - self.band * self.quiet).max(0.0);
        excess * excess
            + if d > self.band || self.outside_limits(w) {
                self.band * self.band * 1.0
            } else {
                0.0
            }
    }

    fn out_of_band(&self, p: usize) -> bool {
        (self.weights[p] - self.target).abs() > self.band * self.quiet
            || self.outside_limits(self.weights[p])
    }

    fn centroid_distance2(&self, n: usize, p: usize) -> f64 {
        let s = self.sizes[p].max(1) as f64;
        let (cx, cy) = (self.sum_x[p] / s, self.sum_y[p] / s);
        (self.graph.x[n] - cx).powi(2) + (self.graph.y[n] - cy).powi(2)
    }

    fn apply(&mut self, n: usize, to: usize) {
        let from = self.assignment[n];
        let w = moving_weight(self.graph.weight[n]);
        self.assignment[n] = to;
        self.sizes[from] -= 1;
        self.sizes[to] += 1;
        self.weights[from] -= w;
        self.weights[to] += w;
        self.sum_x[from] -= self.graph.x[n];
        self.sum_y[from] -= self.graph.y[n];
        self.sum_x[to] += self.graph.x[n];
        self.sum_y[to] += self.graph.y[n];
        self.members.move_site(n, from, to);
    }

    /// Starts a new set of marks: no site marked.
    fn next_marking(&mut self) {
        self.marking = self.marking.wrapping_add(1);
        if self.marking == 0 {
            self.mark.fill(0);
            self.marking = 1;
        }
    }

    /// Sites whose candidate moves or swaps may change when parts `a` and `b` change: their
    /// sites (a site that no longer borders another part loses its candidates), and the
    /// sites of other parts bordering them.
    fn around(&mut self, a: usize, b: usize) -> Vec<usize> {
        self.next_marking();
        let mut out = Vec::new();
        for p in [a, b] {
            for &n in self.members.of(p) {
                if self.mark[n] != self.marking {
                    self.mark[n] = self.marking;
                    out.push(n);
                }
                for &m in &self.graph.adjacency[n] {
                    let q = self.assignment[m];
                    if q != p && q != a && q != b && q != usize::MAX && self.mark[m] != self.marking
                    {
                        self.mark[m] = self.marking;
                        out.push(m);
                    }
                }
            }
        }
        out
    }

    fn movable(&self, n: usize) -> bool {
        let p = self.assignment[n];
        self.graph
            .connected_without(&self.assignment, p, self.sizes[p], n)
    }

    /// The parts other than its own that `n` borders, ascending, into `parts`.
    fn neighbour_parts_into(&self, n: usize, parts: &mut Vec<usize>) {
        let own = self.assignment[n];
        parts.clear();
        parts.extend(
            self.graph.adjacency[n]
                .iter()
                .map(|&m| self.assignment[m])
                .filter(|&p| p != own && p != usize::MAX),
        );
        parts.sort_unstable();
        parts.dedup();
    }

    /// Best single moves by `gain` (`None`: not a candidate) until none is left or `limit`
    /// moves are made; each moved site keeps its donor part connected. Returns moves made.
    fn best_moves(&mut self, limit: usize, gain: MoveGain<'a>) -> usize {
        let mut queue = MoveQueue::new(self.graph.len());
        let mut parts = Vec::new();
        for i in 0..self.nodes.len() {
            self.score_moves(&mut queue, self.nodes[i], gain, &mut parts);
        }
        let mut moves = 0;
        while moves < limit {
            let Some((n, to)) = self.pop_movable(&mut queue) else {
                break;
            };
            let from = self.assignment[n];
            self.apply(n, to);
            moves += 1;
            for m in self.around(from, to) {
                queue.touch(m);
                self.score_moves(&mut queue, m, gain, &mut parts);
            }
        }
        moves
    }

    /// Puts `n`'s moves to each part it borders into `queue`.
    fn score_moves(
        &self,
        queue: &mut MoveQueue,
        n: usize,
        gain: MoveGain<'a>,
        parts: &mut Vec<usize>,
    ) {
        self.neighbour_parts_into(n, parts);
        let from = self.assignment[n];
        for &to in parts.iter() {
            if let Some(g) = gain(self, n, from, to) {
                queue.push_move(n, to, g);
            }
        }
    }

    /// The best current move whose site can leave its part.
    fn pop_movable(&self, queue: &mut MoveQueue) -> Option<(usize, usize)> {
        while let Some((n, to)) = queue.pop() {
            if self.movable(n) {
                return Some((n, to));
            }
        }
        None
    }

    /// Best single moves for balance until none improves; returns moves made.
    fn balance_moves(&mut self, limit: usize) -> usize {
        self.best_moves(limit, Self::balance_gain)
    }

    /// What moving `n` from `from` to `to` gains for balance, when one of them is out of
    /// the band and it gains.
    fn balance_gain(&self, n: usize, from: usize, to: usize) -> Option<f64> {
        if !self.out_of_band(from) && !self.out_of_band(to) {
            return None;
        }
        let w = moving_weight(self.graph.weight[n]);
        let before = self.penalty(self.weights[from]) + self.penalty(self.weights[to]);
        let after = self.penalty(self.weights[from] - w) + self.penalty(self.weights[to] + w);
        // Prefer sites nearer the receiving part (compact shapes) among equal gains.
        let gain = before
            - after
            - 1e-6 * (self.centroid_distance2(n, to) - self.centroid_distance2(n, from));
        (gain > 1e-9).then_some(gain)
    }

    /// Parts outside the band.
    fn out_of_band_parts(&self) -> Vec<usize> {
        (0..self.sizes.len())
            .filter(|&p| self.out_of_band(p))
            .collect()
    }

    /// Sites bordering another part (ascending), by (own part, bordering part), for the
    /// pairs that name one of `parts_named` (ascending, no duplicates) either way round.
    fn frontier_of(&self, parts_named: &[usize]) -> BTreeMap<(usize, usize), Vec<usize>> {
        let mut frontier: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        let mut parts = Vec::new();
        for &p in parts_named {
            for &n in self.members.of(p) {
                self.neighbour_parts_into(n, &mut parts);
                for &q in &parts {
                    frontier.entry((p, q)).or_default().push(n);
                    let back = frontier.entry((q, p)).or_default();
                    back.extend(
                        self.graph.adjacency[n]
                            .iter()
                            .filter(|&&m| self.assignment[m] == q),
                    );
                }
            }
        }
        for sites in frontier.values_mut() {
            sites.sort_unstable();
            sites.dedup();
        }
        frontier
    }

    /// Best pair swaps (a site each way between two bordering parts) for balance.
    fn balance_swaps(&mut self, limit: usize) -> usize {
        let mut swaps = 0;
        while swaps < limit {
            let frontier = self.frontier_of(&self.out_of_band_parts());
            let mut best: Option<(f64, usize, usize)> = None;
            for (&(pa, pb), sites) in &frontier {
                if !self.out_of_band(pa) {
                    continue;
                }
                let before = self.penalty(self.weights[pa]) + self.penalty(self.weights[pb]);
                // Candidates b: sites of pb bordering pa.
                let Some(others) = frontier.get(&(pb, pa)) else {
                    continue;
                };
                for &a in sites {
                    let wa = moving_weight(self.graph.weight[a]);
                    for &b in others {
                        let wb = moving_weight(self.graph.weight[b]);
                        let after = self.penalty(self.weights[pa] - wa + wb)
                            + self.penalty(self.weights[pb] + wb - wa);
                        let gain = before - after;
                        if gain > 1e-9
                            && best.is_none_or(|x| gain > x.0)
                            && self.swap_keeps_connected(a, b)
                        {
                            best = Some((gain, a, b));
                        }
                    }
                }
            }
            let Some((_, a, b)) = best else { break };
            self.swap(a, b);
            swaps += 1;
        }
        swaps
    }

    /// Pairs of moves along a chain of three parts, for a part outside the band whose
    /// neighbours cannot give or take alone: `n` moves between the out-of-band part and a
    /// neighbour `d`, then `m` moves between `d` and a third part, restoring `d`. Only
    /// tried when no single move or swap helps, and only on fresh cuts (each chain moves
    /// two buildings: not the fewest moves an existing partition wants); returns chains
    /// applied.
    fn chain_moves(&mut self, limit: usize) -> usize {
        let mut chains = 0;
        while chains < limit {
            // Chains start at a part out of the band and pass through a neighbour of it.
            let out_of_band = self.out_of_band_parts();
            let mut named: Vec<usize> = self
                .frontier_of(&out_of_band)
                .keys()
                .flat_map(|&(p, q)| [p, q])
                .collect();
            named.sort_unstable();
            named.dedup();
            let frontier = self.frontier_of(&named);
            // (gain, n, n's new part, m, m's new part)
            let mut candidates: Vec<(f64, usize, usize, usize, usize)> = Vec::new();
            for (&(from, to), sites) in &frontier {
                if !self.out_of_band(from) && !self.out_of_band(to) {
                    continue;
                }
                for &n in sites {
                    let w = moving_weight(self.graph.weight[n]);
                    let (wf, wt) = (self.weights[from] - w, self.weights[to] + w);
                    // The part the first move disturbs is restored by a third part `e`:
                    // `from` (lighter now) takes a site of `e`, or `to` gives one to `e`.
                    for (d, wd, gives) in [(from, wf, false), (to, wt, true)] {
                        let other = if d == from { to } else { from };
                        for (&(x, y), seconds) in &frontier {
                            let (e, valid) = if gives { (y, x == d) } else { (x, y == d) };
                            if !valid || e == other || e == d {
                                continue;
                            }
                            let before = self.penalty(self.weights[from])
                                + self.penalty(self.weights[to])
                                + self.penalty(self.weights[e]);
                            for &m in seconds {
                                if m == n {
                                    continue;
                                }
                                let v = moving_weight(self.graph.weight[m]);
                                let (wd2, we2) = if gives {
                                    (wd - v, self.weights[e] + v)
                                } else {
                                    (wd + v, self.weights[e] - v)
                                };
                                let after = self.penalty(wd2)
                                    + self.penalty(if d == from { wt } else { wf })
                                    + self.penalty(we2);
                                let gain = before - after;
                                if gain > 1e-9 {
                                    let m_to = if gives { e } else { d };
                                    candidates.push((gain, n, to, m, m_to));
                                }
                            }
                        }
                    }
                }
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.3).cmp(&(b.1, b.3))));
            let mut applied = false;
            for &(_, n, to, m, m_to) in candidates.iter().take(32) {
                let from = self.assignment[n];
                if !self.movable(n) {
                    continue;
                }
                self.apply(n, to);
                let borders = self.graph.adjacency[m]
                    .iter()
                    .any(|&x| self.assignment[x] == m_to);
                if borders && self.movable(m) {
                    self.apply(m, m_to);
                    applied = true;
                    break;
                }
                self.apply(n, from);
            }
            if !applied {
                break;
            }
            chains += 1;
        }
        chains
    }

    /// Exchanges the parts of `a` and `b`.
    fn swap(&mut self, a: usize, b: usize) {
        let (pa, pb) = (self.assignment[a], self.assignment[b]);
        self.apply(a, pb);
        self.apply(b, pa);
    }

    fn swap_keeps_connected(&mut self, a: usize, b: usize) -> bool {
        let (pa, pb) = (self.assignment[a], self.assignment[b]);
        self.swap(a, b);
        let ok = self.graph.is_connected(self.members.of(pa))
            && self.graph.is_connected(self.members.of(pb));
        self.swap(a, b);
        ok
    }

    /// Length of the boundary `n` shares with part `p`.
    fn shared_with(&self, n: usize, p: usize) -> f64 {
        self.graph.adjacency[n]
            .iter()
            .zip(&self.graph.shared_m[n])
            .filter(|(m, _)| self.assignment[**m] == p)
            .map(|(_, l)| l)
            .sum()
    }

    /// Moves that shorten the boundary between parts (what the grids' perimeters are made
    /// of), never leaving the band (or making a part already outside it worse).
    fn compactness_moves(&mut self, limit: usize) -> usize {
        self.best_moves(limit, Self::compactness_gain)
    }

    /// Metres of boundary moving `n` from `from` to `to` saves (with a small pull towards
    /// the receiving centroid), when it saves some and both parts stay acceptable.
    fn compactness_gain(&self, n: usize, from: usize, to: usize) -> Option<f64> {
        let w = moving_weight(self.graph.weight[n]);
        let gain = self.shared_with(n, to) - self.shared_with(n, from)
            + 1e-3 * (self.centroid_distance2(n, from) - self.centroid_distance2(n, to)).signum();
        if gain <= 0.01 {
            return None;
        }
        let ok = |before: f64, after: f64| {
            ((after - self.target).abs() <= self.band * 0.5 && !self.outside_limits(after))
                || (after - self.target).abs() <= (before - self.target).abs()
        };
        (ok(self.weights[from], self.weights[from] - w)
            && ok(self.weights[to], self.weights[to] + w))
        .then_some(gain)
    }

    /// Metres of part boundary along `n`'s cell.
    fn local_cut(&self, n: usize) -> f64 {
        let own = self.assignment[n];
        self.graph.adjacency[n]
            .iter()
            .zip(&self.graph.shared_m[n])
            .filter(|(m, _)| self.assignment[**m] != own && self.assignment[**m] != usize::MAX)
            .map(|(_, l)| l)
            .sum()
    }

    /// Pair swaps between bordering parts that shorten the boundary and keep both parts
    /// within the band: trading sites of similar households straightens a ragged border.
    fn compactness_swaps(&mut self, limit: usize) -> usize {
        let mut queue = MoveQueue::new(self.graph.len());
        self.next_marking();
        for i in 0..self.nodes.len() {
            self.mark[self.nodes[i]] = self.marking;
        }
        for i in 0..self.nodes.len() {
            self.score_swaps(&mut queue, self.nodes[i]);
        }
        let mut swaps = 0;
        while swaps < limit {
            let Some((a, b)) = self.pop_swap_keeping_connected(&mut queue) else {
                break;
            };
            let (pa, pb) = (self.assignment[a], self.assignment[b]);
            self.swap(a, b);
            swaps += 1;
            let around = self.around(pa, pb);
            for &m in &around {
                queue.touch(m);
            }
            for &m in &around {
                self.score_swaps(&mut queue, m);
            }
        }
        swaps
    }

    /// Puts `a`'s swaps with the sites of other parts next to it into `queue`, each pair
    /// under its lower site. A pair whose other site is being scored too (marked) is
    /// scored once, from its lower site.
    fn score_swaps(&mut self, queue: &mut MoveQueue, a: usize) {
        for i in 0..self.graph.adjacency[a].len() {
            let b = self.graph.adjacency[a][i];
            let (pa, pb) = (self.assignment[a], self.assignment[b]);
            if pb == pa || pb == usize::MAX || pa == usize::MAX {
                continue;
            }
            if a > b && self.mark[b] == self.marking {
                continue;
            }
            let (low, high) = (a.min(b), a.max(b));
            if let Some(gain) = self.compactness_swap_gain(low, high) {
                queue.push_swap(low, high, gain);
            }
        }
    }

    /// Metres of boundary `a` and `b` trading parts saves, when it saves some and neither
    /// part leaves the band (or, outside it, gets worse).
    fn compactness_swap_gain(&mut self, a: usize, b: usize) -> Option<f64> {
        let (pa, pb) = (self.assignment[a], self.assignment[b]);
        let (wa, wb) = (
            moving_weight(self.graph.weight[a]),
            moving_weight(self.graph.weight[b]),
        );
        let (na, nb) = (self.weights[pa] - wa + wb, self.weights[pb] + wa - wb);
        let worse = |after: f64, before: f64| {
            ((after - self.target).abs() > self.band * 0.8 || self.outside_limits(after))
                && (after - self.target).abs() > (before - self.target).abs()
        };
        if worse(na, self.weights[pa]) || worse(nb, self.weights[pb]) {
            return None;
        }
        let before = self.local_cut(a) + self.local_cut(b);
        self.assignment[a] = pb;
        self.assignment[b] = pa;
        let after = self.local_cut(a) + self.local_cut(b);
        self.assignment[a] = pa;
        self.assignment[b] = pb;
        let gain = before - after;
        (gain > 0.5).then_some(gain)
    }

    /// The best current swap that keeps both parts connected.
    fn pop_swap_keeping_connected(&mut self, queue: &mut MoveQueue) -> Option<(usize, usize)> {
        while let Some((a, b)) = queue.pop() {
            if self.swap_keeps_connected(a, b) {
                return Some((a, b));
            }
        }
        None
    }

    /// Runs balance moves, swaps and compactness moves until nothing changes.
    pub fn run(&mut self) {
        let limit = self.nodes.len() * 2 + 16;
        let parts = self.sizes.len();
        for _ in 0..3 {
            let mut changed = self.balance_moves(limit);
            changed += self.balance_swaps(parts * 4);
            if self.reshape {
                changed += self.compactness_moves(limit);
                changed += self.compactness_swaps(limit);
            }
            if changed == 0 {
                break;
            }
        }
        self.balance_moves(limit);
        self.balance_swaps(parts * 4);
        if self.reshape && self.chain_moves(parts * 2) > 0 {
            self.balance_moves(limit);
            self.balance_swaps(parts * 4);
        }
    }

    /// The parts' node lists.
    pub fn parts(&self) -> Vec<Vec<usize>> {
        let mut parts = vec![Vec::new(); self.sizes.len()];
        for &n in &self.nodes {
            parts[self.assignment[n]].push(n);
        }
        parts
    }
}
