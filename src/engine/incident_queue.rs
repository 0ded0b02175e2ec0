//! The dispatcher's queue: incidents filtered by status, deadline, category, area, source and
//! id, soonest deadline first, with the counts per status of what the other filters leave.

use super::incident_book::IncidentBook;
use crate::domain::{Incident, IncidentSource, IncidentStatus};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Whether the queue keeps only incidents past their deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeadlineFilter {
    #[default]
    Any,
    /// Open and past the deadline.
    Overdue,
}

/// What the dispatcher asked to see; every field left empty keeps everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// Any of these statuses (empty: any status).
    pub statuses: Vec<IncidentStatus>,
    pub deadline: DeadlineFilter,
    pub category: Option<String>,
    /// A district, street, community or grid code (the incident's grid code starts so).
    pub area: Option<String>,
    pub source: Option<IncidentSource>,
    /// Part of the incident's id, as read out or copied.
    pub id_contains: Option<String>,
}

impl IncidentFilter {
    /// Whether `incident` passes every filter but the status.
    fn matches_besides_status(&self, incident: &Incident, now: DateTime<Utc>) -> bool {
        (self.deadline == DeadlineFilter::Any || incident.is_overdue(now))
            && self
                .category
                .as_ref()
                .is_none_or(|c| &incident.category == c)
            && self.area.as_ref().is_none_or(|prefix| {
                incident
                    .grid
                    .as_ref()
                    .is_some_and(|g| g.as_str().starts_with(prefix.as_str()))
            })
            && self.source.is_none_or(|s| incident.source == s)
            && self.id_contains.as_ref().is_none_or(|part| {
                // Case-insensitive, without a lowercased copy of every id.
                incident
                    .id
                    .as_str()
                    .as_bytes()
                    .windows(part.len().max(1))
                    .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
            })
    }

    fn status_matches(&self, status: IncidentStatus) -> bool {
        self.statuses.is_empty() || self.statuses.contains(&status)
    }
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage<'a> {
    /// How many incidents pass every filter.
    pub total: usize,
    /// Per status, how many pass every filter but the status (the badges of status tabs).
    pub per_status: BTreeMap<&'static str, usize>,
    /// Of those, how many are overdue.
    pub overdue: usize,
    /// The page: soonest deadline first.
    pub incidents: Vec<&'a Incident>,
}

impl IncidentBook {
    /// The incidents passing `filter` at `now`, soonest deadline first, `limit` of them from
    /// `offset`.
    ///
    /// ```
    /// use gridmap::engine::{DeadlineFilter, IncidentBook, IncidentFilter};
    /// use gridmap::domain::*;
    /// use chrono::{Duration, Utc};
    /// let now = Utc::now();
    /// let incident = |id: &str, status, hours_left: i64| Incident {
    ///     id: IncidentId(id.into()), location: geo_types::Point::new(116.0, 40.0),
    ///     category: "环境卫生".into(), description: String::new(),
    ///     source: IncidentSource::Hotline, status, reported_at: now - Duration::hours(1),
    ///     grid: GridCode::new("110101001001001").ok(), assignee: None,
    ///     deadline_at: Some(now + Duration::hours(hours_left)), closed_at: None,
    ///     returned_times: 0, satisfaction: None,
    /// };
    /// let book = IncidentBook::new(vec![
    ///     incident("a", IncidentStatus::Reported, 5),
    ///     incident("b", IncidentStatus::Assigned, -1),
    ///     incident("c", IncidentStatus::Reported, 2),
    /// ]);
    /// let page = book.queue(&IncidentFilter { statuses: vec![IncidentStatus::Reported], ..Default::default() }, now, 0, 10);
    /// let ids: Vec<&str> = page.incidents.iter().map(|i| i.id.as_str()).collect();
    /// assert_eq!(ids, ["c", "a"]);
    /// assert_eq!(page.per_status["assigned"], 1); // what the status tabs show
    /// assert_eq!(page.overdue, 0); // the overdue one is assigned, not on this page
    /// let late = book.queue(&IncidentFilter { deadline: DeadlineFilter::Overdue, ..Default::default() }, now, 0, 10);
    /// assert_eq!(late.total, 1);
    /// ```
    pub fn queue(
        &self,
        filter: &IncidentFilter,
        now: DateTime<Utc>,
        offset: usize,
        limit: usize,
    ) -> QueuePage<'_> {
        let mut per_status: BTreeMap<&'static str, usize> = IncidentStatus::ALL
            .iter()
            .map(|s| (s.as_str(), 0))
            .collect();
        let mut overdue = 0;
        let mut kept: Vec<&Incident> = Vec::new();
        for incident in self.all() {
            if !filter.matches_besides_status(incident, now) {
                continue;
            }
            *per_status.entry(incident.status.as_str()).or_default() += 1;
            if filter.status_matches(incident.status) {
                overdue += usize::from(incident.is_overdue(now));
                kept.push(incident);
            }
        }
        kept.sort_by(|a, b| a.by_deadline(b));
        let total = kept.len();
        let incidents = kept.into_iter().skip(offset).take(limit).collect();
        QueuePage {
            total,
            per_status,
            overdue,
            incidents,
        }
    }
}
