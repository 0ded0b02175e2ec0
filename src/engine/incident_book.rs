//! Incidents in memory: by id, open ones by grid, and the figures dispatchers ask for
//! (overdue lists, counts per H3 cell, closure rate and time to close per area).

use super::change_log::{ChangeLog, Cursor, Since};
use crate::domain::{Incident, IncidentId, IncidentStatus};
use chrono::{DateTime, Utc};
use h3o::{LatLng, Resolution};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// H3 resolution for incident heat maps when none is asked: resolution 9 cells (~0.1 km²,
/// ~200 m across) are about the size of a base grid in a dense district.
pub const DEFAULT_H3_RESOLUTION: u8 = 9;

/// Which areas statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    Grid,
    Community,
    Street,
}

impl AreaLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "grid" => Some(Self::Grid),
            "community" => Some(Self::Community),
            "street" => Some(Self::Street),
            _ => None,
        }
    }

    /// The area code of a grid code at this level (grid 15, community 12, street 9 digits).
    fn of(self, grid: &str) -> &str {
        let n = match self {
            Self::Grid => 15,
            Self::Community => 12,
            Self::Street => 9,
        };
        grid.get(..n).unwrap_or(grid)
    }
}

/// Closed-loop figures of one area over a time window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaStats {
    pub area: String,
    /// Incidents reported in the window.
    pub reported: u64,
    /// Of those, closed.
    pub closed: u64,
    pub closure_rate: f64,
    /// Median hours from report to closing, over the closed ones.
    pub median_hours_to_close: Option<f64>,
    /// Of those, open past their deadline now.
    pub overdue: u64,
}

type OpenEntry = GeomWithData<[f64; 2], IncidentId>;

/// All incidents, kept in step with the store; the open ones also in an R-tree (lon/lat).
#[derive(Debug, Clone, Default)]
pub struct IncidentBook {
    by_id: HashMap<IncidentId, Incident>,
    open: RTree<OpenEntry>,
    /// Which incidents changed, in order, for followers (`GET /api/incidents/stream`).
    changes: ChangeLog<IncidentId>,
}

fn open_entry(i: &Incident) -> Option<OpenEntry> {
    i.status
        .is_open()
        .then(|| GeomWithData::new([i.location.x(), i.location.y()], i.id.clone()))
}

impl IncidentBook {
    pub fn new(incidents: Vec<Incident>) -> Self {
        let open = RTree::bulk_load(incidents.iter().filter_map(open_entry).collect());
        Self {
            by_id: incidents.into_iter().map(|i| (i.id.clone(), i)).collect(),
            open,
            changes: ChangeLog::default(),
        }
    }

    /// Open incidents inside a lon/lat box, by id.
    pub fn open_in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<IncidentId> {
        let mut ids: Vec<IncidentId> = self
            .open
            .locate_in_envelope(&AABB::from_corners(min, max))
            .map(|e| e.data.clone())
            .collect();
        ids.sort();
        ids
    }

    pub fn get(&self, id: &IncidentId) -> Option<&Incident> {
        self.by_id.get(id)
    }

    pub fn upsert(&mut self, incident: Incident) {
        if let Some(old) = self.by_id.get(&incident.id).and_then(open_entry) {
            self.open.remove(&old);
        }
        if let Some(new) = open_entry(&incident) {
            self.open.insert(new);
        }
        self.changes.record(incident.id.clone());
        self.by_id.insert(incident.id.clone(), incident);
    }

    /// Where a follower that has seen every change so far stands.
    pub fn cursor(&self) -> Cursor {
        self.changes.cursor()
    }

    /// The incidents changed since `cursor` (or that the follower must reload).
    pub fn changed_since(&self, cursor: Cursor) -> Since<IncidentId> {
        self.changes.since(cursor)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &Incident> {
        self.by_id.values()
    }

    pub fn open(&self) -> impl Iterator<Item = &Incident> {
        self.by_id.values().filter(|i| i.status.is_open())
    }

    /// Open incidents past their deadline at `now`, most overdue first.
    pub fn overdue(&self, now: DateTime<Utc>) -> Vec<&Incident> {
        let mut list: Vec<&Incident> = self.by_id.values().filter(|i| i.is_overdue(now)).collect();
        list.sort_by(|a, b| a.deadline_at.cmp(&b.deadline_at).then(a.id.cmp(&b.id)));
        list
    }

    fn in_window(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = &Incident> {
        self.by_id.values().filter(move |i| {
            from.is_none_or(|f| i.reported_at >= f) && to.is_none_or(|t| i.reported_at < t)
        })
    }

    /// Incidents reported in the window per H3 cell (hex string → count).
    pub fn per_h3_cell(
        &self,
        resolution: Resolution,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for i in self.in_window(from, to) {
            if let Ok(ll) = LatLng::new(i.location.y(), i.location.x()) {
                *counts
                    .entry(ll.to_cell(resolution).to_string())
                    .or_insert(0) += 1;
            }
        }
        counts
    }

    /// Closed-loop figures per area for incidents reported in the window; incidents
    /// outside every grid are left out.
    pub fn stats(
        &self,
        level: AreaLevel,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<AreaStats> {
        self.grouped_stats(from, to, now, |i| {
            i.grid.as_ref().map(|g| level.of(g.as_str()).to_string())
        })
    }

    /// The same figures per assigned worker (the area is the worker's id); incidents never
    /// assigned are left out.
    pub fn stats_by_worker(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<AreaStats> {
        self.grouped_stats(from, to, now, |i| {
            i.assignee.as_ref().map(|w| w.to_string())
        })
    }

    fn grouped_stats(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        key: impl Fn(&Incident) -> Option<String>,
    ) -> Vec<AreaStats> {
        let mut groups: BTreeMap<String, (u64, u64, Vec<f64>, u64)> = BTreeMap::new();
        for i in self.in_window(from, to) {
            let Some(area) = key(i) else { continue };
            let g = groups.entry(area).or_default();
            g.0 += 1;
            if i.status == IncidentStatus::Closed {
                g.1 += 1;
                if let Some(closed) = i.closed_at {
                    g.2.push((closed - i.reported_at).num_seconds() as f64 / 3600.0);
                }
            }
            if i.is_overdue(now) {
                g.3 += 1;
            }
        }
        groups
            .into_iter()
            .map(|(area, (reported, closed, mut hours, overdue))| AreaStats {
                area,
                reported,
                closed,
                closure_rate: if reported == 0 {
                    0.0
                } else {
                    closed as f64 / reported as f64
                },
                median_hours_to_close: median(&mut hours),
                overdue,
            })
            .collect()
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}
