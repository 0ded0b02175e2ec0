//! What routing refuses, with the figures that explain it.

/// A routing refusal.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    /// The network has no walkable edge at all.
    #[error("the walking network is empty")]
    EmptyNetwork,
    /// No walkable edge within reach of the point (without crossing a wall).
    #[error("no walkable path within {max_m} m of the point (nearest: {})", nearest_text(*nearest_m))]
    TooFar {
        max_m: f64,
        /// The nearest edge's distance, when one was found beyond the limit.
        nearest_m: Option<f64>,
    },
}

fn nearest_text(nearest_m: Option<f64>) -> String {
    nearest_m.map_or_else(|| "none".into(), |d| format!("{d:.0} m"))
}
