//! The incident taxonomy: categories with their names and deadlines, configurable per city.

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// One incident category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The category as recorded (Chinese, e.g. 环境卫生).
    pub name: String,
    /// English name.
    pub en: String,
    /// Hours from report to the deadline for closing it.
    pub deadline_hours: u32,
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
    #[error("taxonomy: category {name:?} has a deadline of 0 hours")]
    ZeroDeadline { name: String },
    #[error("taxonomy: no categories")]
    Empty,
}

/// The categories incidents may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    categories: Vec<Category>,
}

/// The default taxonomy (`config/incident_categories.json`).
const DEFAULT_JSON: &str = include_str!("../../config/incident_categories.json");

impl Default for Taxonomy {
    fn default() -> Self {
        // The embedded file is checked by a test; fall back to nothing rather than panic.
        Self::from_json(DEFAULT_JSON).unwrap_or(Self {
            categories: Vec::new(),
        })
    }
}

impl Taxonomy {
    /// Reads a JSON array of `{name, en, deadline_hours}`.
    ///
    /// ```
    /// use gridmap::domain::Taxonomy;
    /// let t = Taxonomy::from_json(r#"[{"name":"井盖缺失","en":"Missing manhole cover","deadline_hours":2}]"#).unwrap();
    /// assert_eq!(t.deadline("井盖缺失").map(|d| d.num_hours()), Some(2));
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
            if c.deadline_hours == 0 {
                return Err(TaxonomyError::ZeroDeadline {
                    name: c.name.clone(),
                });
            }
        }
        Ok(Self { categories })
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

    /// Time allowed to close an incident of this category.
    pub fn deadline(&self, name: &str) -> Option<Duration> {
        self.get(name)
            .map(|c| Duration::hours(i64::from(c.deadline_hours)))
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
