//! Incidents in memory: by id, open ones by grid, and the figures dispatchers ask for
//! (overdue lists, counts per H3 cell, closure rate and time to close per area).

use super::change_log::{ChangeLog, Cursor, Since};
use super::incident_facts::{Fact, IncidentFacts};
use crate::domain::{Incident, IncidentId};
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

/// An incident with its row among the facts.
#[derive(Debug, Clone)]
struct Booked {
    incident: Incident,
    fact: u32,
}

/// All incidents, kept in step with the store; the open ones also in an R-tree (lon/lat).
#[derive(Debug, Clone, Default)]
pub struct IncidentBook {
    by_id: HashMap<IncidentId, Booked>,
    /// Every incident as a fact, for evaluation.
    facts: IncidentFacts,
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
        let mut facts = IncidentFacts::default();
        let by_id = incidents
            .into_iter()
            .map(|incident| {
                let fact = facts.push(&incident);
                (incident.id.clone(), Booked { incident, fact })
            })
            .collect();
        Self {
            by_id,
            facts,
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
        self.by_id.get(id).map(|b| &b.incident)
    }

    /// Every incident as a fact (evaluation).
    pub fn facts(&self) -> &IncidentFacts {
        &self.facts
    }

    pub fn upsert(&mut self, incident: Incident) {
        let booked = self.by_id.get(&incident.id);
        if let Some(old) = booked.and_then(|b| open_entry(&b.incident)) {
            self.open.remove(&old);
        }
        if let Some(new) = open_entry(&incident) {
            self.open.insert(new);
        }
        self.changes.record(incident.id.clone());
        let fact = match booked {
            Some(b) => {
                self.facts.set(b.fact, &incident);
                b.fact
            }
            None => self.facts.push(&incident),
        };
        self.by_id
            .insert(incident.id.clone(), Booked { incident, fact });
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
        self.by_id.values().map(|b| &b.incident)
    }

    pub fn open(&self) -> impl Iterator<Item = &Incident> {
        self.all().filter(|i| i.status.is_open())
    }

    /// Open incidents past their deadline at `now`, most overdue first.
    pub fn overdue(&self, now: DateTime<Utc>) -> Vec<&Incident> {
        let mut list: Vec<&Incident> = self.all().filter(|i| i.is_overdue(now)).collect();
        list.sort_by(|a, b| a.deadline_at.cmp(&b.deadline_at).then(a.id.cmp(&b.id)));
        list
    }

    fn in_window(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = &Incident> {
        self.all().filter(move |i| {
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
        let keys: Vec<&str> = self
            .facts
            .grids()
            .iter()
            .map(|g| level.of(g.as_str()))
            .collect();
        self.grouped_stats(from, to, now, &keys, |f| f.grid())
    }

    /// The same figures per assigned worker (the area is the worker's id); incidents never
    /// assigned are left out.
    pub fn stats_by_worker(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<AreaStats> {
        let keys: Vec<&str> = self.facts.workers().iter().map(|w| w.as_str()).collect();
        self.grouped_stats(from, to, now, &keys, |f| f.worker())
    }

    /// Tallies by key: `keys[n]` names what `key(fact) == Some(n)` counts for.
    fn grouped_stats(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        keys: &[&str],
        key: impl Fn(&Fact) -> Option<u32> + Sync,
    ) -> Vec<AreaStats> {
        let mut names: Vec<&str> = keys.to_vec();
        names.sort_unstable();
        names.dedup();
        let group: Vec<usize> = keys
            .iter()
            .map(|k| names.binary_search(k).unwrap_or(0))
            .collect();
        let from = from.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let to = to.unwrap_or(DateTime::<Utc>::MAX_UTC);
        let tallies = self.facts.tally(from, to, now, names.len(), |f| {
            key(f).map(|k| group[k as usize])
        });
        let tallies = tallies.groups;
        names
            .into_iter()
            .zip(tallies)
            .filter(|(_, t)| t.reported > 0)
            .map(|(area, t)| AreaStats {
                area: area.to_string(),
                reported: t.reported,
                closed: t.closed,
                closure_rate: t.closed as f64 / t.reported as f64,
                median_hours_to_close: t.median_hours_to_close(),
                overdue: t.overdue_now,
            })
            .collect()
    }
}
