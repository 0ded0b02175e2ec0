//! Every incident as a few numbers (report time, seconds to close and to the deadline, grid,
//! worker, category, status, returns, rating) in one flat array: what evaluation scans — a
//! year of a city's incidents in tens of milliseconds, exact medians included.

use super::middle_buckets::{BUCKETS, MiddleBuckets, bucket_of};
use crate::domain::{GridCode, Incident, IncidentStatus, Satisfaction, WorkerId};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::Hash;

/// "None" in a fact's index and duration fields.
const NONE: u32 = u32::MAX;
/// Facts below which a scan is not split across cores (splitting costs a tally per part;
/// tests split small sets to check the parts add up).
const MIN_FACTS_PER_PART: usize = if cfg!(test) { 16 } else { 200_000 };

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

    /// Seconds from report to closing, once closed.
    fn closed_after_s(&self) -> Option<u32> {
        (!self.open && self.close_after_s != NONE).then_some(self.close_after_s)
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
    /// The exact median of the seconds from report to closing over the closed ones.
    pub median_seconds_to_close: Option<f64>,
}

impl Tally {
    /// Median hours from report to closing over the closed ones.
    pub fn median_hours_to_close(&self) -> Option<f64> {
        self.median_seconds_to_close.map(|s| s / 3600.0)
    }
}

/// A [`Tally`]'s counts as a scan adds them: every fact is added without a branch (which of
/// them counts where is unpredictable), its rating at 1 + its place (0: unrated).
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    reported: u64,
    closed: u64,
    closed_on_time: u64,
    due: u64,
    overdue_now: u64,
    returned: u64,
    ratings: [u64; 4],
}

impl Counts {
    fn add(&mut self, fact: &Fact, now_us: i64) {
        let closed = fact.closed_after_s().is_some();
        let has_deadline = fact.deadline_after_s != NONE;
        let deadline_us = fact.reported_us + i64::from(fact.deadline_after_s) * 1_000_000;
        let overdue = fact.open & has_deadline & (deadline_us < now_us);
        let on_time = closed & (!has_deadline | (fact.close_after_s <= fact.deadline_after_s));
        self.reported += 1;
        self.closed += u64::from(closed);
        self.closed_on_time += u64::from(on_time);
        self.due += u64::from(closed | overdue);
        self.overdue_now += u64::from(overdue);
        self.returned += u64::from(fact.returned);
        self.ratings[usize::from(fact.rating & 3)] += 1;
    }

    fn merge(&mut self, other: &Counts) {
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

    fn tally(&self) -> Tally {
        Tally {
            reported: self.reported,
            closed: self.closed,
            closed_on_time: self.closed_on_time,
            due: self.due,
            overdue_now: self.overdue_now,
            returned: self.returned,
            ratings: [self.ratings[1], self.ratings[2], self.ratings[3]],
            median_seconds_to_close: None,
        }
    }
}

/// Tallies by group, and of every fact in a group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tallies {
    pub groups: Vec<Tally>,
    pub total: Tally,
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

    /// Tallies of the incidents reported in `[from, to)` by group (`group` gives a fact's
    /// group number below `groups`, or `None` to leave it out) and of them all, with exact
    /// medians. The facts are looked at twice, in parallel parts (one per core): first for
    /// the counts and a histogram of closing times per group, then for the closing times in
    /// the buckets that hold each median ([`MiddleBuckets`]).
    pub fn tally(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        groups: usize,
        group: impl Fn(&Fact) -> Option<usize> + Sync,
    ) -> Tallies {
        let micros = micros_since_epoch;
        let (from_us, to_us, now_us) = (micros(from), micros(to), micros(now));
        let part = self
            .facts
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(MIN_FACTS_PER_PART);
        let in_scope = |fact: &Fact| {
            fact.reported_in(from_us, to_us)
                .then(|| group(fact))
                .flatten()
                .filter(|&g| g < groups)
        };
        let count = |facts: &[Fact]| {
            let mut part = PartCounts::new(groups);
            for fact in facts {
                if let Some(g) = in_scope(fact) {
                    part.counts[g].add(fact, now_us);
                    let closed = fact.closed_after_s().is_some();
                    part.histograms[g][bucket_of(fact.close_after_s)] += u32::from(closed);
                }
            }
            part
        };
        let counted = self
            .facts
            .par_chunks(part)
            .map(count)
            .reduce(|| PartCounts::new(groups), PartCounts::add);
        let mut total = Counts::default();
        let mut total_histogram = [0u32; BUCKETS];
        for (c, histogram) in counted.counts.iter().zip(&counted.histograms) {
            total.merge(c);
            for (a, b) in total_histogram.iter_mut().zip(histogram) {
                *a += b;
            }
        }
        let mut tallies: Vec<Tally> = counted.counts.iter().map(Counts::tally).collect();
        let mut total = total.tally();
        let Some(total_middle) = MiddleBuckets::of(&total_histogram) else {
            return Tallies {
                groups: tallies,
                total,
            };
        };
        let middles: Vec<Option<MiddleBuckets>> = counted
            .histograms
            .iter()
            .map(|h| MiddleBuckets::of(h))
            .collect();
        let spans: Vec<BucketSpan> = middles.iter().map(|m| BucketSpan::of(m.as_ref())).collect();
        let total_span = BucketSpan::of(Some(&total_middle));
        let gather = |facts: &[Fact]| {
            let mut part = PartMiddles::new(groups);
            for fact in facts {
                let Some((s, g)) = fact.closed_after_s().zip(in_scope(fact)) else {
                    continue;
                };
                let bucket = bucket_of(s);
                if spans[g].holds(bucket) {
                    part.groups[g].push(s);
                }
                if total_span.holds(bucket) {
                    part.total.push(s);
                }
            }
            part
        };
        let mut gathered = self
            .facts
            .par_chunks(part)
            .map(gather)
            .reduce(|| PartMiddles::new(groups), PartMiddles::add);
        tallies
            .par_iter_mut()
            .zip(gathered.groups.par_iter_mut())
            .zip(middles.par_iter())
            .for_each(|((t, samples), middle)| {
                t.median_seconds_to_close = middle.and_then(|m| m.median(samples));
            });
        total.median_seconds_to_close = total_middle.median(&mut gathered.total);
        Tallies {
            groups: tallies,
            total,
        }
    }
}

/// A part's counts and histogram of closing times per group.
struct PartCounts {
    counts: Vec<Counts>,
    histograms: Vec<[u32; BUCKETS]>,
}

impl PartCounts {
    fn new(groups: usize) -> Self {
        Self {
            counts: vec![Counts::default(); groups],
            histograms: vec![[0; BUCKETS]; groups],
        }
    }

    fn add(mut self, other: Self) -> Self {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            a.merge(b);
        }
        for (a, b) in self.histograms.iter_mut().zip(&other.histograms) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self
    }
}

/// The buckets a group's median lies in, as two bytes (none: first after last).
#[derive(Debug, Clone, Copy)]
struct BucketSpan {
    first: u8,
    last: u8,
}

impl BucketSpan {
    fn of(middle: Option<&MiddleBuckets>) -> Self {
        middle.map_or(Self { first: 1, last: 0 }, |m| Self {
            first: byte_of(m.first()),
            last: byte_of(m.last()),
        })
    }

    fn holds(self, bucket: usize) -> bool {
        let b = byte_of(bucket);
        self.first <= b && b <= self.last
    }
}

/// A bucket number as a byte ([`BUCKETS`] is below 256).
fn byte_of(bucket: usize) -> u8 {
    u8::try_from(bucket).unwrap_or(u8::MAX)
}

/// A part's closing times in the middle buckets, per group and of the total.
struct PartMiddles {
    groups: Vec<Vec<u32>>,
    total: Vec<u32>,
}

impl PartMiddles {
    fn new(groups: usize) -> Self {
        Self {
            groups: vec![Vec::new(); groups],
            total: Vec::new(),
        }
    }

    fn add(mut self, other: Self) -> Self {
        for (a, b) in self.groups.iter_mut().zip(other.groups) {
            a.extend(b);
        }
        self.total.extend(other.total);
        self
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
    fn medians_by_group_and_in_all_equal_those_of_the_sorted_samples() {
        let mut facts = IncidentFacts::default();
        let mut by_group: [Vec<i64>; 3] = Default::default();
        for n in 0..1_000i64 {
            let minutes = (n * 7_919) % 5_003 + n % 7;
            let mut closed = incident(None, 4);
            closed.status = IncidentStatus::Closed;
            closed.closed_at = Some(closed.reported_at + Duration::minutes(minutes));
            closed.grid = Some(format!("150602004012{:03}", 1 + n % 3).parse().unwrap());
            facts.push(&closed);
            by_group[(n % 3) as usize].push(minutes * 60);
            facts.push(&incident(None, 4)); // open: not a sample
        }
        let median = |v: &mut Vec<i64>| {
            v.sort_unstable();
            (v[(v.len() - 1) / 2] + v[v.len() / 2]) as f64 / 2.0
        };
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let grids = facts.grids().to_vec();
        let tallies = facts.tally(from, to, to, 3, |f| {
            f.grid()
                .map(|g| grids[g as usize].as_str()[12..].parse::<usize>().unwrap() - 1)
        });
        for (t, samples) in tallies.groups.iter().zip(by_group.iter_mut()) {
            assert_eq!(t.closed, samples.len() as u64);
            assert_eq!(t.median_seconds_to_close, Some(median(samples)));
        }
        let mut all: Vec<i64> = by_group.concat();
        assert_eq!(tallies.total.reported, 2_000);
        assert_eq!(
            tallies.total.median_seconds_to_close,
            Some(median(&mut all))
        );
        // Groups left out count nowhere, the total included.
        let two = facts.tally(from, to, to, 2, |f| {
            f.grid()
                .map(|g| grids[g as usize].as_str()[12..].parse::<usize>().unwrap() - 1)
        });
        let mut kept: Vec<i64> = by_group[..2].concat();
        assert_eq!(two.total.closed, kept.len() as u64);
        assert_eq!(two.total.median_seconds_to_close, Some(median(&mut kept)));
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
        let t = facts.tally(from, to, now, 1, |_| Some(0)).groups.remove(0);
        assert_eq!((t.reported, t.closed, t.closed_on_time), (4, 2, 1));
        assert_eq!((t.due, t.overdue_now), (3, 1));
        assert_eq!(t.median_hours_to_close(), Some(4.0));
        let none = facts.tally(to, to + Duration::days(1), now, 1, |_| Some(0));
        assert_eq!(none.groups[0].reported, 0);
        assert_eq!(none.total.median_seconds_to_close, None);
    }
}
