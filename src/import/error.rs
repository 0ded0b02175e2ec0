//! Import errors, naming the file and the feature index or line at fault.

use std::path::PathBuf;

/// Why an import was refused. Nothing is written when any of these occurs.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid GeoJSON: {reason}")]
    NotGeoJson { path: PathBuf, reason: String },
    #[error("{path}: feature #{index}{id}: {reason}", id = id.as_ref().map(|i| format!(" (id {i})")).unwrap_or_default())]
    Feature {
        path: PathBuf,
        /// 0-based index in the `features` array.
        index: usize,
        id: Option<String>,
        reason: String,
    },
    #[error("{path}: line {line}: {reason}")]
    Line {
        path: PathBuf,
        /// 1-based line number (the header is line 1).
        line: usize,
        reason: String,
    },
    /// A cell (or, with column `-`, a row) of a table: a workbook's sheet or a CSV file.
    #[error("{path}: {sheet}row {row}, column {column}: {reason}", sheet = sheet.as_ref().map(|s| format!("sheet {s}, ")).unwrap_or_default())]
    Cell {
        path: PathBuf,
        sheet: Option<String>,
        /// 1-based, the header being row 1.
        row: usize,
        /// The letter and the header's name, e.g. `C (户数)`.
        column: String,
        reason: String,
    },
    #[error("{path}: OSM PBF: {reason}")]
    Pbf { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Unsupported { path: PathBuf, reason: String },
}
