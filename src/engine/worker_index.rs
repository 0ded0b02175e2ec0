//! On-duty workers' positions in an R-tree over local metres, updated in place as positions
//! arrive; nearest-worker queries put the incident's own grid workers first.

use crate::domain::{DutyStatus, GridCode, Worker, WorkerId};
use crate::spatial::LocalFrame;
use chrono::{DateTime, Utc};
use geo_types::Point;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use std::collections::HashMap;

type Entry = GeomWithData<[f64; 2], u32>;

/// One answer of a nearest-worker query.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NearestWorker {
    pub worker: WorkerId,
    pub name: String,
    pub role: crate::domain::WorkerRole,
    /// Straight-line distance (m) from the query point.
    pub distance_m: f64,
    /// Whether the worker serves the grid holding the query point.
    pub serves_grid: bool,
    pub position: [f64; 2],
    pub position_at: Option<DateTime<Utc>>,
}

/// Why a position update was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PositionError {
    #[error("unknown worker {0}")]
    UnknownWorker(WorkerId),
}

/// Workers by id, with an R-tree of the on-duty ones that have a position.
#[derive(Debug, Clone)]
pub struct WorkerIndex {
    frame: LocalFrame,
    slots: Vec<Worker>,
    slot_of: HashMap<WorkerId, u32>,
    by_grid: HashMap<GridCode, Vec<u32>>,
    tree: RTree<Entry>,
}

impl WorkerIndex {
    pub fn new(frame: LocalFrame, mut workers: Vec<Worker>) -> Self {
        workers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut index = Self {
            frame,
            slots: Vec::with_capacity(workers.len()),
            slot_of: HashMap::with_capacity(workers.len()),
            by_grid: HashMap::new(),
            tree: RTree::new(),
        };
        let mut entries = Vec::new();
        for w in workers {
            let slot = index.slots.len() as u32;
            index.slot_of.insert(w.id.clone(), slot);
            for g in w.grids.iter().filter(|_| !w.is_retired()) {
                index.by_grid.entry(g.clone()).or_default().push(slot);
            }
            if let Some(e) = index.entry(&w, slot) {
                entries.push(e);
            }
            index.slots.push(w);
        }
        index.tree = RTree::bulk_load(entries);
        index
    }

    fn entry(&self, w: &Worker, slot: u32) -> Option<Entry> {
        (w.duty == DutyStatus::OnDuty && !w.is_retired())
            .then_some(w.position)
            .flatten()
            .map(|p| GeomWithData::new(self.frame.point_metres(p), slot))
    }

    /// The frame distances are measured in.
    pub fn frame(&self) -> LocalFrame {
        self.frame
    }

    pub fn get(&self, id: &WorkerId) -> Option<&Worker> {
        self.slot_of.get(id).map(|&s| &self.slots[s as usize])
    }

    pub fn all(&self) -> &[Worker] {
        &self.slots
    }

    /// The grids a worker serves (none for a worker not known).
    pub fn grids_of(&self, id: &WorkerId) -> &[GridCode] {
        self.get(id).map_or(&[], |w| w.grids.as_slice())
    }

    /// Workers serving a grid.
    pub fn serving(&self, grid: &GridCode) -> impl Iterator<Item = &Worker> {
        self.by_grid
            .get(grid)
            .into_iter()
            .flatten()
            .map(|&s| &self.slots[s as usize])
    }

    /// Replaces (or adds) a worker: duty, grids, position.
    pub fn upsert(&mut self, w: Worker) {
        let slot = match self.slot_of.get(&w.id) {
            Some(&slot) => {
                let old = self.slots[slot as usize].clone();
                if let Some(e) = self.entry(&old, slot) {
                    self.tree.remove(&e);
                }
                for g in &old.grids {
                    if let Some(list) = self.by_grid.get_mut(g) {
                        list.retain(|&s| s != slot);
                    }
                }
                slot
            }
            None => {
                let slot = self.slots.len() as u32;
                self.slot_of.insert(w.id.clone(), slot);
                self.slots.push(w.clone());
                slot
            }
        };
        for g in w.grids.iter().filter(|_| !w.is_retired()) {
            self.by_grid.entry(g.clone()).or_default().push(slot);
        }
        if let Some(e) = self.entry(&w, slot) {
            self.tree.insert(e);
        }
        self.slots[slot as usize] = w;
    }

    /// Moves a worker (position and its time); cheap: one R-tree removal and insertion.
    pub fn set_position(
        &mut self,
        id: &WorkerId,
        position: Point<f64>,
        at: DateTime<Utc>,
    ) -> Result<(), PositionError> {
        let slot = *self
            .slot_of
            .get(id)
            .ok_or_else(|| PositionError::UnknownWorker(id.clone()))?;
        let old = &self.slots[slot as usize];
        if let Some(e) = self.entry(old, slot) {
            self.tree.remove(&e);
        }
        let w = &mut self.slots[slot as usize];
        w.position = Some(position);
        w.position_at = Some(at);
        let w = self.slots[slot as usize].clone();
        if let Some(e) = self.entry(&w, slot) {
            self.tree.insert(e);
        }
        Ok(())
    }

    /// The `k` nearest on-duty workers to `point`: those serving `grid` first (nearest
    /// first), then the others by distance.
    pub fn nearest(
        &self,
        point: Point<f64>,
        grid: Option<&GridCode>,
        k: usize,
    ) -> Vec<NearestWorker> {
        let here = self.frame.point_metres(point);
        let distance = |slot: u32| {
            let w = &self.slots[slot as usize];
            w.position
                .map(|p| {
                    let m = self.frame.point_metres(p);
                    ((m[0] - here[0]).powi(2) + (m[1] - here[1]).powi(2)).sqrt()
                })
                .unwrap_or(f64::INFINITY)
        };
        let answer = |slot: u32, serves_grid: bool| {
            let w = &self.slots[slot as usize];
            NearestWorker {
                worker: w.id.clone(),
                name: w.name.clone(),
                role: w.role,
                distance_m: distance(slot),
                serves_grid,
                position: w.position.map(|p| [p.x(), p.y()]).unwrap_or_default(),
                position_at: w.position_at,
            }
        };
        let mut own: Vec<u32> = grid
            .and_then(|g| self.by_grid.get(g))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&s| {
                let w = &self.slots[s as usize];
                w.duty == DutyStatus::OnDuty && w.position.is_some()
            })
            .collect();
        own.sort_by(|&a, &b| distance(a).total_cmp(&distance(b)).then(a.cmp(&b)));
        own.dedup();
        let mut out: Vec<NearestWorker> = own.iter().take(k).map(|&s| answer(s, true)).collect();
        if out.len() < k {
            for e in self.tree.nearest_neighbor_iter(&here) {
                if own.contains(&e.data) {
                    continue;
                }
                out.push(answer(e.data, false));
                if out.len() == k {
                    break;
                }
            }
        }
        out
    }

    /// On-duty workers with a position.
    pub fn dispatchable(&self) -> usize {
        self.tree.size()
    }
}
