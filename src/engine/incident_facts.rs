//! Every incident as a few numbers (report time, seconds to close and to the deadline, grid,
//! worker, category, status, returns, rating) in one flat array: what evaluation scans — a
//! year of a city's incidents in tens of milliseconds, exact medians included.

use crate::domain::{GridCode, Incident, IncidentStatus, Satisfaction, WorkerId};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::Hash;

/// "None" in a fact's index and duration fields.
const NONE: u32 = u32::MAX;
/// Facts below which a scan is not split across cores (splitting costs a tally per part).
const MIN_FACTS_PER_PART: usize = 200_000;

/// Microseconds since the Unix epoch, saturating (any `DateTime` works as a bound).
pub fn micros_since_epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
        .saturating_mul(1_000_000)
        .saturating_add(i64::from(t.timestamp_subsec_micros()))
}

/// One incident in 32 bytes; durations to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// Report time, microseconds since the Unix epoch (as stored: a report of this very
    /// second is before `now`).
    reported_us: i64,
    /// Seconds from report to closing; [`NONE`] while open.
    close_after_s: u32,
    /// Seconds from report to the deadline; [`NONE`] without one.
    deadline_after_s: u32,
    /// Index into [`IncidentFacts::grids`]; [`NONE`] outside every grid.
    grid: u32,
    /// Index into [`IncidentFacts::workers`]; [`NONE`] when nobody is assigned.
    worker: u32,
    open: bool,
    returned: bool,
    /// 0 unrated, else 1 + the position in [`Satisfaction::ALL`].
    rating: u8,
}

impl Fact {
    /// Reported in `[from, to)` (microseconds since the epoch).
    pub fn reported_in(&self, from_us: i64, to_us: i64) -> bool {
        self.reported_us >= from_us && self.reported_us < to_us
    }

    /// Report time, microseconds since the Unix epoch.
    pub fn reported_us(&self) -> i64 {
        self.reported_us
    }

    pub fn grid(&self) -> Option<u32> {
        (self.grid != NONE).then_some(self.grid)
    }

    pub fn worker(&self) -> Option<u32> {
        (self.worker != NONE).then_some(self.worker)
    }
}

/// Values numbered in the order first seen (grid codes, worker ids).
#[derive(Debug, Clone)]
struct Interner<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + Hash> Interner<T> {
    fn intern(&mut self, value: &T) -> u32 {
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        let i = u32::try_from(self.values.len()).unwrap_or(NONE - 1);
        self.values.push(value.clone());
        self.index.insert(value.clone(), i);
        i
    }

    /// Every value, at its number.
    fn values(&self) -> &[T] {
        &self.values
    }
}

/// What an incident counts for, accumulated over a group of facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub reported: u64,
    pub closed: u64,
    /// Closed by the deadline (or closed without one).
    pub closed_on_time: u64,
    /// Closed, or open past the deadline at `now`: those an on-time rate is over.
    pub due: u64,
    /// Open past the deadline at `now`.
    pub overdue_now: u64,
    /// Sent back at least once after being resolved.
    pub returned: u64,
    /// Ratings in the order of [`Satisfaction::ALL`].
    pub ratings: [u64; 3],
    /// Seconds from report to closing, one per closed incident (for the median).
    pub close_seconds: Vec<u32>,
}

impl Tally {
    fn add(&mut self, fact: &Fact, now_us: i64) {
        self.reported += 1;
        let deadline_us = (fact.deadline_after_s != NONE)
            .then(|| fact.reported_us + i64::from(fact.deadline_after_s) * 1_000_000);
        if fact.open {
            if deadline_us.is_some_and(|d| d < now_us) {
                self.overdue_now += 1;
                self.due += 1;
            }
        } else if fact.close_after_s != NONE {
            self.closed += 1;
            self.due += 1;
            self.close_seconds.push(fact.close_after_s);
            if fact.deadline_after_s == NONE || fact.close_after_s <= fact.deadline_after_s {
                self.closed_on_time += 1;
            }
        }
        if fact.returned {
            self.returned += 1;
        }
        if let Some(r) = fact.rating.checked_sub(1) {
            self.ratings[usize::from(r)] += 1;
        }
    }

    /// Adds another group's counts (the medians' samples too).
    pub fn merge(&mut self, other: &Tally) {
        self.merge_counts(other);
        self.close_seconds.extend_from_slice(&other.close_seconds);
    }

    /// Adds another group's counts, not its samples (see [`median_hours_across`]).
    pub fn merge_counts(&mut self, other: &Tally) {
        self.reported += other.reported;
        self.closed += other.closed;
        self.closed_on_time += other.closed_on_time;
        self.due += other.due;
        self.overdue_now += other.overdue_now;
        self.returned += other.returned;
        for (a, b) in self.ratings.iter_mut().zip(other.ratings) {
            *a += b;
        }
    }

    /// Median hours from report to closing over the closed ones.
    pub fn median_hours_to_close(&mut self) -> Option<f64> {
        let v = &mut self.close_seconds;
        let n = v.len();
        if n == 0 {
            return None;
        }
        let (_, &mut upper, _) = v.select_nth_unstable(n / 2);
        let seconds = if n % 2 == 1 {
            f64::from(upper)
        } else {
            let lower = v[..n / 2].iter().copied().max().unwrap_or(upper);
            (f64::from(lower) + f64::from(upper)) / 2.0
        };
        Some(seconds / 3600.0)
    }
}

/// The exact median hours to close over the samples of all `parts`, without gathering them:
/// a histogram of the samples' high 16 bits finds the bucket of each middle rank, and only
/// the samples of those buckets are selected from (a year of a city's closings is millions).
pub fn median_hours_across(parts: &[Tally]) -> Option<f64> {
    let n: usize = parts.iter().map(|t| t.close_seconds.len()).sum();
    if n == 0 {
        return None;
    }
    let samples = || parts.iter().flat_map(|t| t.close_seconds.iter().copied());
    let mut buckets = vec![0usize; 1 << 16];
    for s in samples() {
        buckets[(s >> 16) as usize] += 1;
    }
    // The rank-th smallest sample: its bucket, then its place among the bucket's samples.
    let nth = |rank: usize| -> u32 {
        let mut below = 0;
        for (bucket, &count) in buckets.iter().enumerate() {
            if below + count > rank {
                let mut inside: Vec<u32> =
                    samples().filter(|s| (s >> 16) as usize == bucket).collect();
                let (_, &mut value, _) = inside.select_nth_unstable(rank - below);
                return value;
            }
            below += count;
        }
        0
    };
    let (lower, upper) = (nth((n - 1) / 2), nth(n / 2));
    Some((f64::from(lower) + f64::from(upper)) / 2.0 / 3600.0)
}

/// All incidents as facts, with the grids and workers they name numbered.
#[derive(Debug, Clone, Default)]
pub struct IncidentFacts {
    facts: Vec<Fact>,
    grids: Interner<GridCode>,
    workers: Interner<WorkerId>,
}

impl IncidentFacts {
    /// Appends an incident's fact; returns its row.
    pub fn push(&mut self, incident: &Incident) -> u32 {
        let fact = self.fact_of(incident);
        self.facts.push(fact);
        u32::try_from(self.facts.len() - 1).unwrap_or(NONE)
    }

    /// Replaces the fact at `row` with the incident's present state.
    pub fn set(&mut self, row: u32, incident: &Incident) {
        let fact = self.fact_of(incident);
        if let Some(slot) = self.facts.get_mut(row as usize) {
            *slot = fact;
        }
    }

    fn fact_of(&mut self, i: &Incident) -> Fact {
        let after = |t: Option<DateTime<Utc>>| {
            t.map_or(NONE, |t| {
                u32::try_from((t - i.reported_at).num_seconds().max(0)).unwrap_or(NONE - 1)
            })
        };
        Fact {
            reported_us: micros_since_epoch(i.reported_at),
            close_after_s: if i.status == IncidentStatus::Closed {
                after(i.closed_at.or(Some(i.reported_at)))
            } else {
                NONE
            },
            deadline_after_s: after(i.deadline_at),
            grid: i.grid.as_ref().map_or(NONE, |g| self.grids.intern(g)),
            worker: i.assignee.as_ref().map_or(NONE, |w| self.workers.intern(w)),
            open: i.status.is_open(),
            returned: i.returned_times > 0,
            rating: i.satisfaction.map_or(0, |s| {
                Satisfaction::ALL
                    .iter()
                    .position(|a| *a == s)
                    .map_or(0, |p| p as u8 + 1)
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The grid codes facts name, at their numbers.
    pub fn grids(&self) -> &[GridCode] {
        self.grids.values()
    }

    /// The workers facts name, at their numbers.
    pub fn workers(&self) -> &[WorkerId] {
        self.workers.values()
    }

    /// Tallies of the incidents reported in `[from, to)` by group: `group` gives a fact's
    /// group number below `groups`, or `None` to leave it out. The facts are scanned in
    /// parallel parts (one per core), whose tallies are then added group by group.
    pub fn tally(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        groups: usize,
        group: impl Fn(&Fact) -> Option<usize> + Sync,
    ) -> Vec<Tally> {
        let micros = micros_since_epoch;
        let (from_us, to_us, now_us) = (micros(from), micros(to), micros(now));
        let part = self
            .facts
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(MIN_FACTS_PER_PART);
        let scan = |facts: &[Fact]| {
            let mut tallies = vec![Tally::default(); groups];
            for fact in facts {
                if !fact.reported_in(from_us, to_us) {
                    continue;
                }
                if let Some(t) = group(fact).and_then(|g| tallies.get_mut(g)) {
                    t.add(fact, now_us);
                }
            }
            tallies
        };
        let mut parts: Vec<Vec<Tally>> = self.facts.par_chunks(part).map(scan).collect();
        let Some(mut tallies) = parts.pop() else {
            return vec![Tally::default(); groups];
        };
        for other in parts {
            for (t, o) in tallies.iter_mut().zip(other) {
                t.merge(&o);
            }
        }
        tallies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{IncidentId, IncidentSource};
    use chrono::{Duration, TimeZone};

    fn incident(hours_to_close: Option<i64>, deadline_hours: i64) -> Incident {
        let reported_at = Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
        Incident {
            id: IncidentId("I1".into()),
            location: geo_types::Point::new(110.0, 39.8),
            category: "环境卫生".into(),
            description: "垃圾".into(),
            source: IncidentSource::Worker,
            status: if hours_to_close.is_some() {
                IncidentStatus::Closed
            } else {
                IncidentStatus::Assigned
            },
            reported_at,
            grid: Some("150602004012001".parse().unwrap()),
            assignee: Some(WorkerId("W1".into())),
            deadline_at: Some(reported_at + Duration::hours(deadline_hours)),
            closed_at: hours_to_close.map(|h| reported_at + Duration::hours(h)),
            returned_times: 0,
            satisfaction: None,
        }
    }

    #[test]
    fn the_median_across_parts_equals_the_median_of_all_samples() {
        let part = |values: &[u32]| Tally {
            close_seconds: values.to_vec(),
            ..Tally::default()
        };
        let parts = [
            part(&[7_200, 300_000, 65_536]),
            part(&[]),
            part(&[65_535, 3_600, 4_000_000, 65_537]),
        ];
        let mut all = Tally::default();
        for p in &parts {
            all.merge(p);
        }
        assert_eq!(median_hours_across(&parts), all.median_hours_to_close());
        assert_eq!(median_hours_across(&parts[..1]), Some(65_536.0 / 3600.0));
        assert_eq!(median_hours_across(&[part(&[3_600, 10_800])]), Some(2.0));
        assert_eq!(median_hours_across(&[]), None);
    }

    #[test]
    fn tallies_on_time_overdue_and_the_median() {
        let mut facts = IncidentFacts::default();
        facts.push(&incident(Some(2), 4)); // on time
        facts.push(&incident(Some(6), 4)); // late
        facts.push(&incident(None, 4)); // open, overdue at `now`
        facts.push(&incident(None, 400)); // open, not due
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
        let mut t = facts.tally(from, to, now, 1, |_| Some(0)).remove(0);
        assert_eq!((t.reported, t.closed, t.closed_on_time), (4, 2, 1));
        assert_eq!((t.due, t.overdue_now), (3, 1));
        assert_eq!(t.median_hours_to_close(), Some(4.0));
        let none = facts.tally(to, to + Duration::days(1), now, 1, |_| Some(0));
        assert_eq!(none[0].reported, 0);
    }
}
