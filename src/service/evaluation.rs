//! The leaders' evaluation (考核): for a period and a level (district, street, community,
//! grid, worker), each unit's incident figures from the engine's facts, its patrol coverage
//! from the store's patrols, and its staffing; and the same figures over time.

use crate::domain::*;
use crate::engine::{Engine, IncidentFacts, Tally, micros_since_epoch};
use crate::service::staffing::WORKERS_PER_10K_NORM;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many patrols are read for one evaluation (a year of a large district's).
const MAX_PATROLS: u32 = 1_000_000;

/// What is evaluated, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationLevel {
    District,
    Street,
    Community,
    Grid,
    Worker,
}

impl EvaluationLevel {
    pub const ALL: [Self; 5] = [
        Self::District,
        Self::Street,
        Self::Community,
        Self::Grid,
        Self::Worker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::Worker => "worker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Digits of an area code at this level; `None` for workers.
    fn code_len(self) -> Option<usize> {
        match self {
            Self::District => Some(6),
            Self::Street => Some(9),
            Self::Community => Some(12),
            Self::Grid => Some(15),
            Self::Worker => None,
        }
    }
}

/// What an evaluation covers: incidents reported in `[from, to)`, units within an area.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationScope {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub level: EvaluationLevel,
    /// An area code (6, 9, 12 or 15 digits): only units inside it; `None` for all.
    pub within: Option<String>,
    pub now: DateTime<Utc>,
}

/// The incident figures of a group of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentFigures {
    pub reported: u64,
    pub closed: u64,
    /// Closed of reported.
    pub closure_rate: Option<f64>,
    /// Closed by the deadline, of those closed or open past their deadline now.
    pub on_time_rate: Option<f64>,
    pub median_hours_to_close: Option<f64>,
    /// Open past their deadline now.
    pub overdue_now: u64,
    /// Sent back at least once after being resolved, of reported.
    pub returned_share: Option<f64>,
    /// Residents' ratings: 满意, 基本满意, 不满意.
    pub satisfied: u64,
    pub fairly_satisfied: u64,
    pub dissatisfied: u64,
    /// 满意 and 基本满意 of those rated.
    pub satisfaction_rate: Option<f64>,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl IncidentFigures {
    pub fn of(t: Tally) -> Self {
        let rated: u64 = t.ratings.iter().sum();
        Self {
            reported: t.reported,
            closed: t.closed,
            closure_rate: share(t.closed, t.reported),
            on_time_rate: share(t.closed_on_time, t.due),
            median_hours_to_close: t.median_hours_to_close(),
            overdue_now: t.overdue_now,
            returned_share: share(t.returned, t.reported),
            satisfied: t.ratings[0],
            fairly_satisfied: t.ratings[1],
            dissatisfied: t.ratings[2],
            satisfaction_rate: share(t.ratings[0] + t.ratings[1], rated),
        }
    }
}

/// Staffing and patrols of a unit: base grids, those without a grid worker and those
/// patrolled in the period, workers and residents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Coverage {
    pub base_grids: u64,
    pub grids_without_worker: u64,
    pub patrolled_grids: u64,
    /// Patrolled of base grids.
    pub patrol_coverage: Option<f64>,
    /// Workers serving grids of the area (areas only).
    pub workers: Option<u64>,
    pub residents: Option<u64>,
    pub workers_per_10k_residents: Option<f64>,
}

/// One unit's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationRow {
    /// The area code, or the worker's id.
    pub key: String,
    pub name: Option<String>,
    #[serde(flatten)]
    pub incidents: IncidentFigures,
    #[serde(flatten)]
    pub coverage: Coverage,
}

/// An evaluation: every unit of the level within the area, and the whole area's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub level: EvaluationLevel,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub within: Option<String>,
    pub norm_workers_per_10k_residents: f64,
    pub total: EvaluationRow,
    pub rows: Vec<EvaluationRow>,
}

/// How a trend's periods are cut (in the work calendar's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendStep {
    Day,
    Week,
    Month,
}

impl TrendStep {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    /// The first day of the step holding `day` (weeks start on Monday).
    fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Self::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn next(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day + Days::new(1),
            Self::Week => day + Days::new(7),
            Self::Month => day + Months::new(1),
        }
    }
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The period's first local day.
    pub start: NaiveDate,
    #[serde(flatten)]
    pub incidents: IncidentFigures,
}

/// The most periods a trend answers (two years of days).
pub const MAX_TREND_POINTS: usize = 731;

/// Why an evaluation was refused.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error("the period must end after it starts")]
    EmptyPeriod,
    #[error("{0:?} is not an area code of 6, 9, 12 or 15 digits")]
    BadArea(String),
    #[error("a trend of more than {MAX_TREND_POINTS} periods; choose a longer step")]
    TooManyPoints,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check_scope(scope: &EvaluationScope) -> Result<(), EvaluationError> {
    if scope.to <= scope.from {
        return Err(EvaluationError::EmptyPeriod);
    }
    if let Some(w) = scope.within.as_ref().filter(|w| !is_area_code(w)) {
        return Err(EvaluationError::BadArea(w.clone()));
    }
    Ok(())
}

/// A district, street, community or grid code (6, 9, 12 or 15 digits).
fn is_area_code(s: &str) -> bool {
    crate::domain::AreaNumber::parse(s).is_some()
}

/// Evaluates every unit of the scope's level within its area.
pub async fn evaluate(
    engine: &std::sync::RwLock<Engine>,
    store: &dyn Store,
    scope: &EvaluationScope,
) -> Result<Evaluation, EvaluationError> {
    check_scope(scope)?;
    let patrols = store
        .patrols(None, Some(scope.from), Some(scope.to), MAX_PATROLS)
        .await?;
    let engine = crate::engine::read(engine);
    Ok(evaluate_loaded(&engine, &patrols, scope))
}

/// [`evaluate`] on what is loaded.
pub fn evaluate_loaded(engine: &Engine, patrols: &[Patrol], scope: &EvaluationScope) -> Evaluation {
    let units = Units::of(engine, scope);
    let facts = engine.incidents().facts();
    let fact_group = units.fact_groups(facts);
    let worker_group = &fact_group.1;
    let grid_group = &fact_group.0;
    let tallies = facts.tally(
        scope.from,
        scope.to,
        scope.now,
        units.keys.len(),
        |f| match units.level {
            EvaluationLevel::Worker => f.worker().and_then(|w| worker_group[w as usize]),
            _ => f.grid().and_then(|g| grid_group[g as usize]),
        },
    );
    let coverage = units.coverage(engine, patrols);
    let rows = units
        .keys
        .iter()
        .zip(tallies.groups)
        .zip(coverage.per_unit)
        .map(|((key, tally), coverage)| EvaluationRow {
            name: units.name(engine, key),
            key: key.clone(),
            incidents: IncidentFigures::of(tally),
            coverage,
        })
        .collect();
    let total_key = scope.within.clone().unwrap_or_default();
    Evaluation {
        level: scope.level,
        from: scope.from,
        to: scope.to,
        within: scope.within.clone(),
        norm_workers_per_10k_residents: WORKERS_PER_10K_NORM,
        total: EvaluationRow {
            name: engine.area_name(&total_key),
            key: total_key,
            incidents: IncidentFigures::of(tallies.total),
            coverage: coverage.total,
        },
        rows,
    }
}

/// The figures of one unit (an area code or a worker id; `None` for everything) over time,
/// one point per step from the period's first local day.
pub fn trend(
    engine: &Engine,
    calendar: &WorkCalendar,
    scope: &EvaluationScope,
    unit: Option<&str>,
    step: TrendStep,
) -> Result<Vec<TrendPoint>, EvaluationError> {
    check_scope(scope)?;
    let mut starts = Vec::new();
    let mut day = step.start_of(calendar.local_date(scope.from));
    let midnight = NaiveTime::MIN;
    while calendar.instant(day, midnight) < scope.to {
        if starts.len() == MAX_TREND_POINTS {
            return Err(EvaluationError::TooManyPoints);
        }
        starts.push(day);
        day = step.next(day);
    }
    let periods = PeriodStarts::new(
        starts
            .iter()
            .map(|d| micros_since_epoch(calendar.instant(*d, midnight)))
            .collect(),
    );
    let facts = engine.incidents().facts();
    let keep = UnitFilter::new(facts, unit);
    let tallies = facts.tally(scope.from, scope.to, scope.now, starts.len(), |f| {
        keep.keeps(f)
            .then(|| periods.index_of(f.reported_us()))
            .flatten()
    });
    Ok(starts
        .into_iter()
        .zip(tallies.groups)
        .map(|(start, t)| TrendPoint {
            start,
            incidents: IncidentFigures::of(t),
        })
        .collect())
}

/// The periods of a trend by their first instants (microseconds since the epoch, rising):
/// which one an instant falls in, found from the mean step and a step or two either way (a
/// year of a city's incidents is looked up twice per incident).
struct PeriodStarts {
    starts_us: Vec<i64>,
    mean_step_us: i64,
}

impl PeriodStarts {
    fn new(starts_us: Vec<i64>) -> Self {
        let mean_step_us = match (starts_us.first(), starts_us.last()) {
            (Some(first), Some(last)) if starts_us.len() > 1 => {
                (last.saturating_sub(*first) / (starts_us.len() as i64 - 1)).max(1)
            }
            _ => i64::MAX,
        };
        Self {
            starts_us,
            mean_step_us,
        }
    }

    /// The period holding `t_us`: the last starting at or before it.
    fn index_of(&self, t_us: i64) -> Option<usize> {
        let first = *self.starts_us.first()?;
        if t_us < first {
            return None;
        }
        let last = self.starts_us.len() - 1;
        let mut i = usize::try_from(t_us.saturating_sub(first) / self.mean_step_us)
            .unwrap_or(last)
            .min(last);
        while i > 0 && self.starts_us[i] > t_us {
            i -= 1;
        }
        while i < last && self.starts_us[i + 1] <= t_us {
            i += 1;
        }
        Some(i)
    }
}

/// Which facts belong to a unit: everything, grids under an area code, or those assigned to
/// a worker.
enum UnitFilter {
    All,
    /// For each grid the facts name, whether it is under the area.
    Grids(Vec<bool>),
    /// The worker's number among those the facts name (`None`: a worker no fact names).
    Worker(Option<u32>),
}

impl UnitFilter {
    fn new(facts: &IncidentFacts, unit: Option<&str>) -> Self {
        match unit {
            None => Self::All,
            Some(code) if is_area_code(code) => Self::Grids(
                facts
                    .grids()
                    .iter()
                    .map(|g| g.as_str().starts_with(code))
                    .collect(),
            ),
            Some(id) => Self::Worker(
                facts
                    .workers()
                    .iter()
                    .position(|w| w.as_str() == id)
                    .and_then(|p| u32::try_from(p).ok()),
            ),
        }
    }

    fn keeps(&self, fact: &crate::engine::Fact) -> bool {
        match self {
            Self::All => true,
            Self::Grids(inside) => fact.grid().is_some_and(|g| inside[g as usize]),
            Self::Worker(worker) => worker.is_some() && fact.worker() == *worker,
        }
    }
}

/// The units of an evaluation, numbered in key order.
struct Units {
    level: EvaluationLevel,
    keys: Vec<String>,
    index: HashMap<String, usize>,
    within: Option<String>,
}

struct CoverageRows {
    per_unit: Vec<Coverage>,
    total: Coverage,
}

impl Units {
    fn of(engine: &Engine, scope: &EvaluationScope) -> Self {
        let inside = |code: &str| scope.within.as_deref().is_none_or(|w| code.starts_with(w));
        let mut keys = BTreeSet::new();
        match scope.level.code_len() {
            Some(n) => {
                let facts = engine.incidents().facts();
                let codes = engine
                    .grid_info()
                    .iter()
                    .filter(|(_, i)| i.kind == GridKind::Base)
                    .map(|(g, _)| g)
                    .chain(facts.grids());
                for g in codes {
                    if let Some(prefix) = g.as_str().get(..n).filter(|_| inside(g.as_str())) {
                        keys.insert(prefix.to_string());
                    }
                }
            }
            None => {
                for w in engine.workers().all() {
                    let in_scope = w.grids.iter().any(|g| inside(g.as_str()))
                        || w.community.as_ref().is_some_and(|c| inside(c.as_str()))
                        || scope.within.is_none();
                    if in_scope && w.retired_at.is_none() {
                        keys.insert(w.id.to_string());
                    }
                }
            }
        }
        let keys: Vec<String> = keys.into_iter().collect();
        let index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        Self {
            level: scope.level,
            keys,
            index,
            within: scope.within.clone(),
        }
    }

    /// For each grid the facts name, its unit; for each worker the facts name, its unit.
    fn fact_groups(&self, facts: &IncidentFacts) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
        let grids = match self.level.code_len() {
            Some(n) => facts
                .grids()
                .iter()
                .map(|g| {
                    let inside = self
                        .within
                        .as_deref()
                        .is_none_or(|w| g.as_str().starts_with(w));
                    let key = g.as_str().get(..n)?;
                    inside.then(|| self.index.get(key).copied()).flatten()
                })
                .collect(),
            None => Vec::new(),
        };
        let workers = match self.level {
            EvaluationLevel::Worker => facts
                .workers()
                .iter()
                .map(|w| self.index.get(w.as_str()).copied())
                .collect(),
            _ => Vec::new(),
        };
        (grids, workers)
    }

    fn name(&self, engine: &Engine, key: &str) -> Option<String> {
        match self.level {
            EvaluationLevel::Worker => engine
                .workers()
                .get(&WorkerId(key.to_string()))
                .map(|w| w.name.clone()),
            _ => engine.area_name(key),
        }
    }

    /// Base grids, grid workers, patrols, workers and residents per unit and in all.
    fn coverage(&self, engine: &Engine, patrols: &[Patrol]) -> CoverageRows {
        let inside = |g: &GridCode| {
            self.within
                .as_deref()
                .is_none_or(|w| g.as_str().starts_with(w))
        };
        let mut patrolled: BTreeMap<&GridCode, BTreeSet<&WorkerId>> = BTreeMap::new();
        for p in patrols {
            for g in &p.grids {
                patrolled.entry(g).or_default().insert(&p.worker);
            }
        }
        let mut per_unit = vec![Coverage::default(); self.keys.len()];
        let mut total = Coverage::default();
        let mut unit_workers: Vec<BTreeSet<&WorkerId>> = vec![BTreeSet::new(); self.keys.len()];
        let mut all_workers = BTreeSet::new();
        let mut unit_residents = vec![0u64; self.keys.len()];
        let mut all_residents = 0u64;
        for (grid, info) in engine.grid_info() {
            if info.kind != GridKind::Base || !inside(grid) {
                continue;
            }
            let serving: Vec<&Worker> = engine.workers().serving(grid).collect();
            let without = !serving.iter().any(|w| w.role == WorkerRole::GridWorker);
            let was_patrolled = patrolled.contains_key(grid);
            let count = |c: &mut Coverage| {
                c.base_grids += 1;
                c.grids_without_worker += u64::from(without);
                c.patrolled_grids += u64::from(was_patrolled);
            };
            count(&mut total);
            all_residents += u64::from(info.residents);
            all_workers.extend(serving.iter().map(|w| &w.id));
            match self.level.code_len() {
                Some(n) => {
                    let Some(u) = grid.as_str().get(..n).and_then(|k| self.index.get(k)) else {
                        continue;
                    };
                    count(&mut per_unit[*u]);
                    unit_residents[*u] += u64::from(info.residents);
                    unit_workers[*u].extend(serving.iter().map(|w| &w.id));
                }
                None => {
                    for w in &serving {
                        let Some(&u) = self.index.get(w.id.as_str()) else {
                            continue;
                        };
                        let c = &mut per_unit[u];
                        c.base_grids += 1;
                        c.grids_without_worker += u64::from(without);
                        let own = patrolled.get(grid).is_some_and(|ws| ws.contains(&w.id));
                        c.patrolled_grids += u64::from(own);
                    }
                }
            }
        }
        let finish = |c: &mut Coverage, workers: Option<usize>, residents: Option<u64>| {
            c.patrol_coverage = share(c.patrolled_grids, c.base_grids);
            c.workers = workers.map(|w| w as u64);
            c.residents = residents;
            c.workers_per_10k_residents = match (workers, residents) {
                (Some(w), Some(r)) if r > 0 => Some(w as f64 * 10_000.0 / r as f64),
                _ => None,
            };
        };
        let areas = self.level != EvaluationLevel::Worker;
        for (u, c) in per_unit.iter_mut().enumerate() {
            finish(
                c,
                areas.then(|| unit_workers[u].len()),
                areas.then_some(unit_residents[u]),
            );
        }
        finish(&mut total, Some(all_workers.len()), Some(all_residents));
        CoverageRows { per_unit, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_steps_start_on_mondays_and_first_days() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(); // a Thursday
        assert_eq!(
            TrendStep::Week.start_of(d),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        assert_eq!(
            TrendStep::Month.start_of(d),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            TrendStep::Month.next(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
    }

    #[test]
    fn an_instant_falls_in_the_last_period_started_at_or_before_it() {
        let calendar = WorkCalendar::default();
        for step in [TrendStep::Day, TrendStep::Week, TrendStep::Month] {
            let mut day = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
            let mut starts = Vec::new();
            for _ in 0..40 {
                starts.push(micros_since_epoch(calendar.instant(day, NaiveTime::MIN)));
                day = step.next(day);
            }
            let periods = PeriodStarts::new(starts.clone());
            let (first, last) = (starts[0], starts[39]);
            let hour = 3_600_000_000;
            for t in (first - 2 * hour..last + 40 * 24 * hour).step_by(hour as usize / 4) {
                let expected = starts.partition_point(|&b| b <= t).checked_sub(1);
                assert_eq!(periods.index_of(t), expected, "{step:?} at {t}");
            }
            for t in [first, first - 1, last, last - 1, i64::MIN, i64::MAX] {
                let expected = starts.partition_point(|&b| b <= t).checked_sub(1);
                assert_eq!(periods.index_of(t), expected, "{step:?} at {t}");
            }
        }
        assert_eq!(PeriodStarts::new(vec![5]).index_of(4), None);
        assert_eq!(PeriodStarts::new(vec![5]).index_of(i64::MAX), Some(0));
        assert_eq!(PeriodStarts::new(Vec::new()).index_of(0), None);
    }
}
