//! Cutting a connected set of sites into balanced parts: the [`Cutter`] trait, our
//! [`RecursiveBisection`], and the choice of grid count that balances best.

use super::band::{choose_parts, within_band};
use super::bisection;
use super::graph::SiteGraph;
use super::refine;
use std::time::Instant;

/// Parts of a component with their score (parts within tolerance, minus total deviation).
pub(crate) type ScoredParts = ((usize, i64), Vec<Vec<usize>>);

/// How a connected set of sites is cut into `k` connected parts of about equal households.
/// The partitioner's own is [`RecursiveBisection`]; benchmarks plug in others (METIS).
pub trait Cutter {
    /// Cuts `nodes` (connected in `graph`) into `k` parts; `band` is the accepted deviation
    /// from `target` households. Every node must land in exactly one part.
    fn cut(
        &self,
        graph: &SiteGraph,
        nodes: &[usize],
        k: usize,
        target: f64,
        band: f64,
    ) -> Vec<Vec<usize>>;
}

/// Recursive coordinate bisection followed by connectivity-preserving refinement.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecursiveBisection;

impl Cutter for RecursiveBisection {
    /// Tries the candidate cut directions as they are and turned by 22.5° (the two side by
    /// side on two cores), keeps the result with most parts within the band, then the
    /// shortest boundary (the unturned one on a tie).
    fn cut(
        &self,
        graph: &SiteGraph,
        nodes: &[usize],
        k: usize,
        target: f64,
        band: f64,
    ) -> Vec<Vec<usize>> {
        let turned = |rotation: f64| cut_turned(graph, nodes, k, target, band, rotation);
        let (plain, turned) = rayon::join(|| turned(0.0), || turned(std::f64::consts::PI / 8.0));
        let best = if turned.0 > plain.0 { turned } else { plain };
        best.1
    }
}

/// Recursive bisection with the cut directions turned by `rotation`, refined; the parts
/// with their score (parts within the band, minus metres of boundary).
fn cut_turned(
    graph: &SiteGraph,
    nodes: &[usize],
    k: usize,
    target: f64,
    band: f64,
    rotation: f64,
) -> ScoredParts {
    let mut parts = Vec::new();
    bisection::recursive_bisection(graph, nodes.to_vec(), k, rotation, &mut parts);
    // Parts aim at their share of the component, with a band narrowed as the share drifts
    // from the target, and must end within the target's own band.
    let per_part = graph.weight_of(nodes) as f64 / parts.len() as f64;
    let inner_band = (band - ((per_part - target).abs() - band / 2.0).max(0.0)).max(1.0);
    let mut refiner = refine::Refiner::new(graph, &parts, per_part, inner_band)
        .within(target - band, target + band);
    refiner.run();
    let parts = refiner.parts();
    let within = parts
        .iter()
        .filter(|p| within_band(graph.weight_of(p) as f64, target, band))
        .count();
    ((within, -(boundary_length(graph, &parts) as i64)), parts)
}

/// Metres of boundary between the parts (each shared cell edge once).
fn boundary_length(graph: &SiteGraph, parts: &[Vec<usize>]) -> f64 {
    let mut part_of = vec![usize::MAX; graph.len()];
    for (p, members) in parts.iter().enumerate() {
        for &n in members {
            part_of[n] = p;
        }
    }
    let mut total = 0.0;
    for members in parts {
        for &n in members {
            for (&m, &len) in graph.adjacency[n].iter().zip(&graph.shared_m[n]) {
                if m > n && part_of[m] != usize::MAX && part_of[m] != part_of[n] {
                    total += len;
                }
            }
        }
    }
    total
}

/// Cuts a component into the grid count around households / target that balances best
/// (building sizes make some counts balance better than others): most parts within the
/// band, then the least total deviation. Time spent in the cutter is added to `cut_ms`.
pub(crate) fn cut_balanced(
    graph: &SiteGraph,
    component: &[usize],
    target: f64,
    band: f64,
    cutter: &dyn Cutter,
    cut_ms: &mut f64,
) -> ScoredParts {
    let households = graph.weight_of(component) as f64;
    let best_k = choose_parts(households, target);
    let mut best: Option<ScoredParts> = None;
    for k in [best_k, best_k + 1, best_k.saturating_sub(1)] {
        if k == 0 || k > component.len() || best.as_ref().is_some_and(|b| b.0.0 == b.1.len()) {
            continue;
        }
        let cut_started = Instant::now();
        let parts = cutter.cut(graph, component, k, target, band);
        *cut_ms += cut_started.elapsed().as_secs_f64() * 1e3;
        let within = parts
            .iter()
            .filter(|p| within_band(graph.weight_of(p) as f64, target, band))
            .count();
        let spread: i64 = parts
            .iter()
            .map(|p| (graph.weight_of(p) as f64 - target).abs() as i64)
            .sum();
        let score = (within, -spread);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, parts));
        }
    }
    best.unwrap_or_else(|| ((0, 0), vec![component.to_vec()]))
}
