//! Changes one process commits, as other processes on the same database hear of them.

/// A layer whose rows changed, as other processes on the same database hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedLayer {
    Grids,
    Workers,
    Incidents,
    Buildings,
    Stations,
    /// Roads and land areas (the basemap).
    Roads,
    /// Communities and streets (imports; splits and merges come with `Grids`).
    Communities,
}

/// A committed change, announced by the process that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub layer: ChangedLayer,
    /// The keys written; `None` when too many to list (reload the layer).
    pub ids: Option<Vec<String>>,
    /// The store instance that wrote it (a process skips its own changes).
    pub origin: String,
}
