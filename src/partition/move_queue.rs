//! The refiner's candidate moves (a site to a part) or swaps (two sites trading parts) in a
//! heap, best gain first, as Fiduccia–Mattheyses keeps its gain buckets. A candidate is
//! stale once a site it names has been re-scored (a version per site), so after each move
//! only the sites around the parts it touched are scored again: picking the best move costs
//! a logarithm instead of a scan of the whole community.
//!
//! ```
//! # use gridmap::partition::MoveQueue;
//! let mut queue = MoveQueue::new(4);
//! queue.push_move(2, 0, 1.5);
//! queue.push_move(1, 0, 1.5); // the same gain: the lower site first
//! queue.push_move(3, 1, 0.5);
//! queue.touch(1); // site 1 was re-scored: its old candidate is stale
//! assert_eq!(queue.pop(), Some((2, 0)));
//! assert_eq!(queue.pop(), Some((3, 1)));
//! assert_eq!(queue.pop(), None);
//! ```

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One candidate: `site` moves to part `other`, or trades parts with site `other`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    gain: f64,
    site: usize,
    other: usize,
    /// Versions of `site` and (for a swap) of the site `other` when scored.
    versions: (u32, Option<u32>),
}

impl Ord for Candidate {
    /// Higher gain first; among equal gains the lower site, then the lower other: the
    /// first best a scan in site order would find.
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.site.cmp(&self.site))
            .then_with(|| other.other.cmp(&self.other))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// Candidates best first, with the version of each site of the graph.
#[derive(Debug, Default)]
pub struct MoveQueue {
    heap: BinaryHeap<Candidate>,
    version: Vec<u32>,
}

impl MoveQueue {
    /// An empty queue for a graph of `sites` sites.
    pub fn new(sites: usize) -> Self {
        Self {
            heap: BinaryHeap::new(),
            version: vec![0; sites],
        }
    }

    /// Site `site` moving to part `part` gains `gain`.
    pub fn push_move(&mut self, site: usize, part: usize, gain: f64) {
        self.heap.push(Candidate {
            gain,
            site,
            other: part,
            versions: (self.version[site], None),
        });
    }

    /// Sites `a` and `b` trading parts gains `gain`.
    pub fn push_swap(&mut self, a: usize, b: usize, gain: f64) {
        self.heap.push(Candidate {
            gain,
            site: a,
            other: b,
            versions: (self.version[a], Some(self.version[b])),
        });
    }

    /// Makes every candidate naming `site` stale (it is about to be scored again).
    pub fn touch(&mut self, site: usize) {
        self.version[site] = self.version[site].wrapping_add(1);
    }

    /// The best candidate still current: (site, part) for a move, (a, b) for a swap.
    pub fn pop(&mut self) -> Option<(usize, usize)> {
        while let Some(c) = self.heap.pop() {
            let current = c.versions.0 == self.version[c.site]
                && c.versions.1.is_none_or(|v| v == self.version[c.other]);
            if current {
                return Some((c.site, c.other));
            }
        }
        None
    }
}
