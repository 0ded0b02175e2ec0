//! The incident taxonomy: categories with their names and deadlines, configurable per city.

use super::incident::Incident;
use super::work_calendar::{DeadlineSpan, TimeLeft, WorkCalendar};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One incident category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The category as recorded (Chinese, e.g. 环境卫生).
    pub name: String,
    /// English name.
    pub en: String,
    /// The deadline for closing it, exactly one of: hours on the clock (urgent matters)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_hours: Option<u32>,
    /// …working hours (工作时) of the work calendar…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_working_hours: Option<u32>,
    /// …or working days (工作日): to the end of the n-th working day after the report's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_working_days: Option<u32>,
    /// Whether residents may report it on the public map (随手拍): problems of shared
    /// spaces, not disputes between people.
    #[serde(default)]
    pub public: bool,
}

/// Why a taxonomy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("taxonomy: {0}")]
    Json(#[from] serde_json::Error),
    #[error("taxonomy: category #{index} has an empty name")]
    EmptyName { index: usize },
    #[error("taxonomy: category {name:?} appears twice")]
    Duplicate { name: String },
    #[error("taxonomy: category {name:?} has a deadline of 0")]
    ZeroDeadline { name: String },
    #[error(
        "taxonomy: category {name:?} needs exactly one of deadline_hours, deadline_working_hours, deadline_working_days"
    )]
    DeadlineKinds { name: String },
    #[error("taxonomy: no categories")]
    Empty,
}

/// The categories incidents may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    categories: Vec<Category>,
    /// When working hours and days are counted.
    calendar: WorkCalendar,
}

impl Category {
    /// The category's deadline as a span (checked to be exactly one when read).
    pub fn span(&self) -> Option<DeadlineSpan> {
        match (
            self.deadline_hours,
            self.deadline_working_hours,
            self.deadline_working_days,
        ) {
            (Some(h), None, None) => Some(DeadlineSpan::CalendarHours(h)),
            (None, Some(h), None) => Some(DeadlineSpan::WorkingHours(h)),
            (None, None, Some(d)) => Some(DeadlineSpan::WorkingDays(d)),
            _ => None,
        }
    }
}

/// The default taxonomy (`config/incident_categories.json`).
const DEFAULT_JSON: &str = include_str!("../../config/incident_categories.json");

impl Default for Taxonomy {
    fn default() -> Self {
        // The embedded file is checked by a test; fall back to nothing rather than panic.
        Self::from_json(DEFAULT_JSON).unwrap_or(Self {
            categories: Vec::new(),
            calendar: WorkCalendar::default(),
        })
    }
}

impl Taxonomy {
    /// Reads a JSON array of `{name, en, deadline_hours | deadline_working_hours |
    /// deadline_working_days, public?}`; deadlines count on the default work calendar
    /// until [`with_calendar`](Self::with_calendar).
    ///
    /// ```
    /// use gridmap::domain::Taxonomy;
    /// let t = Taxonomy::from_json(r#"[{"name":"井盖缺失","en":"Missing manhole cover","deadline_hours":2}]"#).unwrap();
    /// let at = chrono::Utc::now();
    /// assert_eq!(t.deadline_at("井盖缺失", at), Some(at + chrono::Duration::hours(2)));
    /// assert!(t.get("unknown").is_none());
    /// ```
    pub fn from_json(json: &str) -> Result<Self, TaxonomyError> {
        let categories: Vec<Category> = serde_json::from_str(json)?;
        if categories.is_empty() {
            return Err(TaxonomyError::Empty);
        }
        let mut seen = std::collections::HashSet::new();
        for (index, c) in categories.iter().enumerate() {
            if c.name.trim().is_empty() {
                return Err(TaxonomyError::EmptyName { index });
            }
            if !seen.insert(c.name.as_str()) {
                return Err(TaxonomyError::Duplicate {
                    name: c.name.clone(),
                });
            }
            match c.span() {
                None => {
                    return Err(TaxonomyError::DeadlineKinds {
                        name: c.name.clone(),
                    });
                }
                Some(
                    DeadlineSpan::CalendarHours(0)
                    | DeadlineSpan::WorkingHours(0)
                    | DeadlineSpan::WorkingDays(0),
                ) => {
                    return Err(TaxonomyError::ZeroDeadline {
                        name: c.name.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(Self {
            categories,
            calendar: WorkCalendar::default(),
        })
    }

    /// The same categories counted on `calendar`.
    pub fn with_calendar(self, calendar: WorkCalendar) -> Self {
        Self { calendar, ..self }
    }

    /// The work calendar deadlines are counted on.
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The categories' names, as incidents record them.
    pub fn names(&self) -> Vec<String> {
        self.categories.iter().map(|c| c.name.clone()).collect()
    }

    /// The category of a name (Chinese or English).
    pub fn get(&self, name: &str) -> Option<&Category> {
        self.categories
            .iter()
            .find(|c| c.name == name || c.en.eq_ignore_ascii_case(name))
    }

    /// Time left at `now` to an open incident's deadline, in its category's unit (clock
    /// hours for a category not known).
    pub fn time_left(&self, incident: &Incident, now: DateTime<Utc>) -> Option<TimeLeft> {
        let deadline = incident.deadline_at.filter(|_| incident.status.is_open())?;
        let span = self
            .get(&incident.category)
            .and_then(Category::span)
            .unwrap_or(DeadlineSpan::CalendarHours(0));
        Some(self.calendar.time_left(now, deadline, span))
    }

    /// When an incident of this category reported at `reported_at` must be closed.
    pub fn deadline_at(&self, name: &str, reported_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let span = self.get(name)?.span()?;
        Some(self.calendar.deadline(reported_at, span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_taxonomy_loads_and_bad_files_are_refused() {
        let t = Taxonomy::default();
        assert!(t.categories().len() >= 10);
        assert_eq!(
            t.get("Sanitation").map(|c| c.name.as_str()),
            Some("环境卫生")
        );
        assert!(matches!(
            Taxonomy::from_json("[]"),
            Err(TaxonomyError::Empty)
        ));
        assert!(matches!(
            Taxonomy::from_json(
                r#"[{"name":"a","en":"A","deadline_hours":4,"deadline_working_days":1}]"#
            ),
            Err(TaxonomyError::DeadlineKinds { .. })
        ));
        assert!(matches!(
            Taxonomy::from_json(r#"[{"name":"a","en":"A"}]"#),
            Err(TaxonomyError::DeadlineKinds { .. })
        ));
        assert!(matches!(
            Taxonomy::from_json(r#"[{"name":"a","en":"A","deadline_working_days":0}]"#),
            Err(TaxonomyError::ZeroDeadline { .. })
        ));
        assert!(matches!(
            Taxonomy::from_json(
                r#"[{"name":"a","en":"A","deadline_hours":1},{"name":"a","en":"B","deadline_hours":1}]"#
            ),
            Err(TaxonomyError::Duplicate { .. })
        ));
        assert!(matches!(
            Taxonomy::from_json(r#"[{"name":"a","en":"A","deadline_hours":0}]"#),
            Err(TaxonomyError::ZeroDeadline { .. })
        ));
        assert!(Taxonomy::from_json("{").is_err());
    }
}
