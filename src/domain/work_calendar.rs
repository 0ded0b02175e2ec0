//! The working-time calendar (工作时 / 工作日): the working periods of a day, the weekend,
//! public holidays and the weekend days worked instead (调休上班), in the district's time
//! zone; deadlines counted in working hours or working days, and the working time between
//! two instants (countdowns, on-time rates).

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Utc, Weekday,
};
use serde::Deserialize;
use std::collections::BTreeSet;

/// How long a category gives to close an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineSpan {
    /// Hours on the clock, nights and holidays included.
    CalendarHours(u32),
    /// 工作时: hours inside the working periods of working days.
    WorkingHours(u32),
    /// 工作日: to the end of the n-th working day after the day of the report.
    WorkingDays(u32),
}

/// Time left to a deadline in the unit its category counts in; negative once overdue.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TimeLeft {
    pub unit: TimeUnit,
    pub amount: f64,
}

/// The unit of a [`TimeLeft`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// 小时
    Hours,
    /// 工作时
    WorkingHours,
    /// 工作日 (working time divided by a working day's hours)
    WorkingDays,
}

/// Why a calendar file was refused; each names the entry at fault.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("work calendar: {0}")]
    Json(#[from] serde_json::Error),
    #[error("work calendar: timezone {0:?} is not an offset such as +08:00")]
    TimeZone(String),
    #[error("work calendar: hours[{index}]: {reason}")]
    Hours { index: usize, reason: String },
    #[error("work calendar: weekend: {0:?} is not a day of the week (monday … sunday)")]
    Weekday(String),
    #[error("work calendar: {field}: {value:?} is not a date such as 2026-10-01")]
    Date { field: &'static str, value: String },
    #[error("work calendar: {0} is both a holiday and a working day")]
    BothKinds(NaiveDate),
}

/// The calendar file as written (`config/work_calendar.json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    timezone: String,
    hours: Vec<[String; 2]>,
    weekend: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    working_days: Vec<String>,
    /// Where the holidays come from, for the people who keep the file.
    #[serde(default, rename = "source")]
    _source: Option<String>,
}

/// When people work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    offset: FixedOffset,
    /// The working periods of a working day, in order, not overlapping.
    periods: Vec<(NaiveTime, NaiveTime)>,
    /// Days of the week off, Monday first.
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked instead of a holiday (调休上班).
    working_days: BTreeSet<NaiveDate>,
}

/// The default calendar (`config/work_calendar.json`): China's public holidays as published
/// by the State Council, 08:30–12:00 and 13:30–18:00, UTC+8.
const DEFAULT_JSON: &str = include_str!("../../config/work_calendar.json");

/// Days searched for the next working day before giving up (a calendar without any).
const MAX_DAYS_AHEAD: u32 = 3_660;

impl Default for WorkCalendar {
    fn default() -> Self {
        // The embedded file is checked by a test; fall back to the clock rather than panic.
        Self::from_json(DEFAULT_JSON).unwrap_or_else(|_| Self {
            offset: Utc.fix(),
            periods: Vec::new(),
            weekend: [false; 7],
            holidays: BTreeSet::new(),
            working_days: BTreeSet::new(),
        })
    }
}

fn date(field: &'static str, value: &str) -> Result<NaiveDate, CalendarError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| CalendarError::Date {
        field,
        value: value.to_string(),
    })
}

fn weekday(name: &str) -> Result<Weekday, CalendarError> {
    name.to_ascii_lowercase()
        .parse::<Weekday>()
        .map_err(|_| CalendarError::Weekday(name.to_string()))
}

fn periods(hours: &[[String; 2]]) -> Result<Vec<(NaiveTime, NaiveTime)>, CalendarError> {
    let mut periods = Vec::with_capacity(hours.len());
    for (index, [from, to]) in hours.iter().enumerate() {
        let time = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| CalendarError::Hours {
                index,
                reason: format!("{s:?} is not a time such as 08:30"),
            })
        };
        let (from, to) = (time(from)?, time(to)?);
        if to <= from {
            return Err(CalendarError::Hours {
                index,
                reason: "the end is not after the start".into(),
            });
        }
        if periods.last().is_some_and(|&(_, end)| from < end) {
            return Err(CalendarError::Hours {
                index,
                reason: "starts before the previous period ends (list them in order)".into(),
            });
        }
        periods.push((from, to));
    }
    if periods.is_empty() {
        return Err(CalendarError::Hours {
            index: 0,
            reason: "no working period".into(),
        });
    }
    Ok(periods)
}

impl WorkCalendar {
    /// Reads a calendar file: `timezone` ("+08:00"), `hours` (working periods, "08:30" to
    /// "12:00"), `weekend` (day names), `holidays` and `working_days` (dates).
    ///
    /// ```
    /// use gridmap::domain::{DeadlineSpan, WorkCalendar};
    /// use chrono::{TimeZone, Utc};
    /// let c = WorkCalendar::from_json(r#"{"timezone": "+08:00", "hours": [["09:00", "17:00"]],
    ///     "weekend": ["saturday", "sunday"], "holidays": ["2026-10-01"]}"#).unwrap();
    /// // Wednesday 30 September, 16:00 in Beijing, and 2 working hours: 1 h that day, the
    /// // holiday passed, 1 h on Friday.
    /// let start = Utc.with_ymd_and_hms(2026, 9, 30, 8, 0, 0).unwrap();
    /// let due = c.deadline(start, DeadlineSpan::WorkingHours(2));
    /// assert_eq!(due, Utc.with_ymd_and_hms(2026, 10, 2, 2, 0, 0).unwrap());
    /// ```
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile = serde_json::from_str(json)?;
        let offset: FixedOffset = file
            .timezone
            .parse()
            .map_err(|_| CalendarError::TimeZone(file.timezone.clone()))?;
        let mut weekend = [false; 7];
        for name in &file.weekend {
            weekend[weekday(name)?.num_days_from_monday() as usize] = true;
        }
        let holidays: BTreeSet<NaiveDate> = file
            .holidays
            .iter()
            .map(|d| date("holidays", d))
            .collect::<Result<_, _>>()?;
        let working_days: BTreeSet<NaiveDate> = file
            .working_days
            .iter()
            .map(|d| date("working_days", d))
            .collect::<Result<_, _>>()?;
        if let Some(both) = holidays.intersection(&working_days).next() {
            return Err(CalendarError::BothKinds(*both));
        }
        Ok(Self {
            offset,
            periods: periods(&file.hours)?,
            weekend,
            holidays,
            working_days,
        })
    }

    /// Whether people work on `day` (a local date).
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.working_days.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day)
            && !self.weekend[day.weekday().num_days_from_monday() as usize]
    }

    /// Working hours in a working day.
    pub fn hours_per_day(&self) -> f64 {
        self.periods
            .iter()
            .map(|(from, to)| (*to - *from).num_seconds() as f64 / 3600.0)
            .sum()
    }

    /// The instant of a local date and time.
    pub fn instant(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = day.and_time(time);
        self.offset
            .from_local_datetime(&local)
            .single()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The working periods of `day` as instants (none on a day off).
    fn periods_of(&self, day: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(day) {
            return Vec::new();
        }
        self.periods
            .iter()
            .map(|&(from, to)| (self.instant(day, from), self.instant(day, to)))
            .collect()
    }

    /// The calendar's time zone.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset).date_naive()
    }

    /// When a span starting at `start` ends.
    pub fn deadline(&self, start: DateTime<Utc>, span: DeadlineSpan) -> DateTime<Utc> {
        match span {
            DeadlineSpan::CalendarHours(h) => start + Duration::hours(i64::from(h)),
            DeadlineSpan::WorkingHours(h) => {
                self.after_working(start, Duration::hours(i64::from(h)))
            }
            DeadlineSpan::WorkingDays(n) => self.end_of_working_day(start, n),
        }
    }

    /// The instant when `amount` of working time has passed since `start`.
    fn after_working(&self, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        let mut left = amount;
        let mut day = self.local_date(start);
        for _ in 0..MAX_DAYS_AHEAD {
            for (from, to) in self.periods_of(day) {
                let from = from.max(start);
                if to <= from {
                    continue;
                }
                if to - from >= left {
                    return from + left;
                }
                left -= to - from;
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        start + amount // no working day within ten years: the clock
    }

    /// The end of the last working period of the n-th working day after `start`'s date
    /// (n = 0: the end of that day's work, or of the next working day's).
    fn end_of_working_day(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let last_period_end = self.periods.last().map(|&(_, to)| to);
        let mut day = self.local_date(start);
        let mut counted = 0;
        for _ in 0..MAX_DAYS_AHEAD {
            if self.is_working_day(day)
                && (counted == n || n == 0)
                && let Some(end) = last_period_end.map(|end| self.instant(day, end))
                && end > start
            {
                return end;
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        start + Duration::days(i64::from(n))
    }

    /// Time left at `now` to a deadline counted in `span`'s unit (negative past it): a
    /// countdown in 工作时 skips nights, weekends and holidays.
    pub fn time_left(
        &self,
        now: DateTime<Utc>,
        deadline: DateTime<Utc>,
        span: DeadlineSpan,
    ) -> TimeLeft {
        let hours = |d: Duration| d.num_seconds() as f64 / 3600.0;
        let working = || {
            if deadline >= now {
                hours(self.working_time_between(now, deadline))
            } else {
                -hours(self.working_time_between(deadline, now))
            }
        };
        match span {
            DeadlineSpan::CalendarHours(_) => TimeLeft {
                unit: TimeUnit::Hours,
                amount: hours(deadline - now),
            },
            DeadlineSpan::WorkingHours(_) => TimeLeft {
                unit: TimeUnit::WorkingHours,
                amount: working(),
            },
            DeadlineSpan::WorkingDays(_) => TimeLeft {
                unit: TimeUnit::WorkingDays,
                amount: working() / self.hours_per_day().max(f64::EPSILON),
            },
        }
    }

    /// Working time between two instants (zero when `to` is not after `from`).
    pub fn working_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let (mut day, last) = (self.local_date(from), self.local_date(to));
        while day <= last {
            for (start, end) in self.periods_of(day) {
                let (start, end) = (start.max(from), end.min(to));
                if end > start {
                    total += end - start;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beijing time.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_default_calendar_reads() {
        let c = WorkCalendar::from_json(DEFAULT_JSON).unwrap();
        assert_eq!(c, WorkCalendar::default());
        assert!((c.hours_per_day() - 8.0).abs() < 1e-9);
        // 2026: 国庆 1–7 October off, Saturday 10 October worked.
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()));
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 11).unwrap()));
    }

    #[test]
    fn countdowns_count_working_time() {
        let c = WorkCalendar::default();
        // Friday 30 October 2026, 17:00: 4 工作时 end Monday 2 November at 11:30.
        let friday = at(2026, 10, 30, 17, 0);
        let deadline = c.deadline(friday, DeadlineSpan::WorkingHours(4));
        assert_eq!(deadline, at(2026, 11, 2, 11, 30));
        let left = c.time_left(friday, deadline, DeadlineSpan::WorkingHours(4));
        assert_eq!(left.unit, TimeUnit::WorkingHours);
        assert!((left.amount - 4.0).abs() < 1e-9, "{left:?}");
        // Saturday noon: still 3 working hours left (Friday's last hour has gone).
        let left = c.time_left(
            at(2026, 10, 31, 12, 0),
            deadline,
            DeadlineSpan::WorkingHours(4),
        );
        assert!((left.amount - 3.0).abs() < 1e-9, "{left:?}");
        // Monday 14:30: one working hour overdue (the lunch break does not count).
        let left = c.time_left(
            at(2026, 11, 2, 14, 30),
            deadline,
            DeadlineSpan::WorkingHours(4),
        );
        assert!((left.amount + 1.5).abs() < 1e-9, "{left:?}");
        let days = c.time_left(friday, deadline, DeadlineSpan::WorkingDays(1));
        assert!((days.amount - 0.5).abs() < 1e-9, "{days:?}");
        let clock = c.time_left(friday, deadline, DeadlineSpan::CalendarHours(24));
        assert!((clock.amount - 66.5).abs() < 1e-9, "{clock:?}");
    }

    #[test]
    fn working_hours_skip_a_weekend() {
        let c = WorkCalendar::default();
        // Friday 27 November 2026, 16:00: 2 h that afternoon, 2 h on Monday morning.
        let due = c.deadline(at(2026, 11, 27, 16, 0), DeadlineSpan::WorkingHours(4));
        assert_eq!(due, at(2026, 11, 30, 10, 30));
        assert_eq!(
            c.working_time_between(at(2026, 11, 27, 16, 0), due),
            Duration::hours(4)
        );
        // Reported on Saturday: counting starts on Monday, 3.5 h before lunch, 0.5 h after.
        let due = c.deadline(at(2026, 11, 28, 11, 0), DeadlineSpan::WorkingHours(4));
        assert_eq!(due, at(2026, 11, 30, 14, 0));
        // Over lunch: 11:00 + 2 h is 14:30.
        let due = c.deadline(at(2026, 11, 30, 11, 0), DeadlineSpan::WorkingHours(2));
        assert_eq!(due, at(2026, 11, 30, 14, 30));
    }

    #[test]
    fn working_days_skip_a_holiday() {
        let c = WorkCalendar::default();
        // Wednesday 30 September 2026: 1–7 October off; the 1st working day after is
        // Thursday 8 October, the 2nd Friday 9 October.
        let due = c.deadline(at(2026, 9, 30, 17, 0), DeadlineSpan::WorkingDays(2));
        assert_eq!(due, at(2026, 10, 9, 18, 0));
        // 20 working days from Monday 16 November 2026: 14 December.
        let due = c.deadline(at(2026, 11, 16, 9, 0), DeadlineSpan::WorkingDays(20));
        assert_eq!(due, at(2026, 12, 14, 18, 0));
        // Calendar hours run through the holiday.
        let due = c.deadline(at(2026, 9, 30, 17, 0), DeadlineSpan::CalendarHours(24));
        assert_eq!(due, at(2026, 10, 1, 17, 0));
    }

    #[test]
    fn an_adjusted_working_saturday_counts() {
        let c = WorkCalendar::default();
        // Friday 9 October 2026, 17:00: 1 h that day, then Saturday 10 October is worked.
        let due = c.deadline(at(2026, 10, 9, 17, 0), DeadlineSpan::WorkingHours(4));
        assert_eq!(due, at(2026, 10, 10, 11, 30));
        // Friday 9 October + 1 working day is that Saturday's end.
        let due = c.deadline(at(2026, 10, 9, 10, 0), DeadlineSpan::WorkingDays(1));
        assert_eq!(due, at(2026, 10, 10, 18, 0));
        // The holiday week holds no working time.
        assert_eq!(
            c.working_time_between(at(2026, 10, 1, 0, 0), at(2026, 10, 8, 0, 0)),
            Duration::zero()
        );
    }

    #[test]
    fn bad_files_name_the_entry() {
        let bad = |json: &str| WorkCalendar::from_json(json).unwrap_err().to_string();
        let base = r#""timezone": "+08:00", "weekend": ["sunday"]"#;
        assert!(bad(&format!(r#"{{{base}, "hours": [["09:00", "08:00"]]}}"#)).contains("hours[0]"));
        assert!(
            bad(&format!(
                r#"{{{base}, "hours": [["09:00", "12:00"], ["11:00", "13:00"]]}}"#
            ))
            .contains("hours[1]")
        );
        assert!(bad(&format!(r#"{{{base}, "hours": [["9点", "12:00"]]}}"#)).contains("hours[0]"));
        assert!(
            bad(r#"{"timezone": "Beijing", "weekend": [], "hours": [["09:00", "12:00"]]}"#)
                .contains("timezone")
        );
        assert!(
            bad(r#"{"timezone": "+08:00", "weekend": ["周六"], "hours": [["09:00", "12:00"]]}"#)
                .contains("周六")
        );
        assert!(
            bad(&format!(
                r#"{{{base}, "hours": [["09:00", "12:00"]], "holidays": ["2026-13-01"]}}"#
            ))
            .contains("holidays")
        );
        assert!(bad(&format!(r#"{{{base}, "hours": [["09:00", "12:00"]], "holidays": ["2026-10-10"], "working_days": ["2026-10-10"]}}"#)).contains("2026-10-10"));
        assert!(
            bad(&format!(
                r#"{{{base}, "hours": [["09:00", "12:00"]], "extra": 1}}"#
            ))
            .contains("extra")
        );
    }
}
