//! METIS k-way as a [`Cutter`], for benchmarks that compare our cut with it on the same
//! graphs (the `metis` crate is a dev-dependency).

use gridmap::partition::{Cutter, SiteGraph};
use metis::{Graph, Idx, option};
use std::collections::HashMap;

/// METIS k-way with contiguous parts, vertex weights = households, edge weights = metres of
/// shared cell boundary (so it minimises the grids' perimeter, like our refinement).
pub struct Metis;

impl Cutter for Metis {
    fn cut(
        &self,
        graph: &SiteGraph,
        nodes: &[usize],
        k: usize,
        _target: f64,
        _band: f64,
    ) -> Vec<Vec<usize>> {
        if k <= 1 || nodes.len() <= k {
            return if k <= 1 {
                vec![nodes.to_vec()]
            } else {
                nodes.iter().map(|&n| vec![n]).collect()
            };
        }
        let local: HashMap<usize, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let (mut xadj, mut adjncy, mut adjwgt) = (vec![0 as Idx], Vec::new(), Vec::new());
        for &n in nodes {
            for (m, len) in graph.adjacency[n].iter().zip(&graph.shared_m[n]) {
                if let Some(&j) = local.get(m) {
                    adjncy.push(j as Idx);
                    adjwgt.push((len.round() as Idx).max(1));
                }
            }
            xadj.push(adjncy.len() as Idx);
        }
        let vwgt: Vec<Idx> = nodes.iter().map(|&n| graph.weight[n] as Idx).collect();
        let mut part = vec![0 as Idx; nodes.len()];
        let run = |contig: bool, part: &mut [Idx]| {
            Graph::new(1, k as Idx, &xadj, &adjncy)
                .map(|g| {
                    g.set_vwgt(&vwgt)
                        .set_adjwgt(&adjwgt)
                        .set_option(option::Contig(contig))
                        .set_option(option::Seed(1))
                })
                .map_err(|e| e.to_string())
                .and_then(|g| g.part_kway(part).map_err(|e| e.to_string()))
        };
        if run(true, &mut part).is_err() {
            run(false, &mut part).expect("metis");
        }
        let mut parts = vec![Vec::new(); k];
        for (i, &p) in part.iter().enumerate() {
            parts[p as usize].push(nodes[i]);
        }
        parts.retain(|p| !p.is_empty());
        parts
    }
}
