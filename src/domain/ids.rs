//! Identifier newtypes for entities that have no administrative code.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A time-ordered, unique id for records made as people work (incidents `I…`, visits `V…`,
/// patrols `P…`): the prefix, UTC time to the microsecond, 4 random hex digits.
///
/// ```
/// use gridmap::domain::ids::time_ordered_id;
/// let at = chrono::DateTime::parse_from_rfc3339("2026-12-02T08:00:00.000001Z").unwrap();
/// let id = time_ordered_id('V', at.into());
/// assert!(id.starts_with("V20261202080000000001") && id.len() == 25);
/// ```
pub fn time_ordered_id(prefix: char, now: DateTime<Utc>) -> String {
    format!(
        "{prefix}{}{:04x}",
        now.format("%Y%m%d%H%M%S%6f"),
        rand::random::<u16>()
    )
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }
    };
}

text_id!(
    /// A building's id as imported (OSM `w123`/`r456`, or the file's own `id`).
    BuildingId
);
text_id!(
    /// A road's id as imported.
    RoadId
);
text_id!(
    /// A wall or fence line's id as imported or generated.
    WallId
);
text_id!(
    /// A gate's or entrance's id as imported or generated.
    GateId
);
text_id!(
    /// A land cover area's id as imported or generated.
    LandAreaId
);
text_id!(
    /// A service station's id as imported or generated.
    StationId
);
text_id!(
    /// A grid worker's id (staff number).
    WorkerId
);
text_id!(
    /// An incident's id.
    IncidentId
);
text_id!(
    /// A patrol's id: `P` + UTC time to the microsecond + 4 random hex.
    PatrolId
);
text_id!(
    /// A visit's id: `V` + UTC time to the microsecond + 4 random hex.
    VisitId
);
