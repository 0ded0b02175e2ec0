//! Identifier newtypes for entities that have no administrative code.

use serde::{Deserialize, Serialize};
use std::fmt;

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
