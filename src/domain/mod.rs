//! The domain model: administrative areas, grids, buildings, workers, incidents and stations.
//! Pure data and validation, no I/O.

pub mod area;
pub mod audience;
pub mod barrier;
pub mod building;
pub mod codes;
pub mod dataset;
pub mod grid;
pub mod idempotency;
pub mod ids;
pub mod incident;
pub mod land;
pub mod patrol;
pub mod photo;
pub mod plan;
pub mod public_report;
pub mod road;
pub mod role;
pub mod station;
pub mod taxonomy;
pub mod text;
pub mod visit;
pub mod work_calendar;
pub mod worker;
pub mod worker_change;

pub use area::{Community, District, Street};
pub use audience::Audience;
pub use barrier::{Gate, GateKind, Wall, WallKind};
pub use building::{Building, BuildingKind};
pub use codes::{AreaNumber, CodeError, CommunityCode, DistrictCode, GridCode, StreetCode};
pub use dataset::{Dataset, RosterEntry, RosterKey};
pub use grid::{Grid, GridFlag, GridKind};
pub use idempotency::IdempotencyKey;
pub use ids::{
    BuildingId, GateId, IncidentId, LandAreaId, PatrolId, RoadId, StationId, VisitId, WallId,
    WorkerId,
};
pub use incident::{Incident, IncidentAction, IncidentEvent, IncidentSource, IncidentStatus};
pub use land::{LandArea, LandClass};
pub use patrol::{Patrol, PatrolView, TrackPoint};
pub use photo::{Photo, PhotoFormat, PhotoId, PhotoInfo, PhotoRendition, THUMBNAIL_EDGE_PX};
pub use plan::{GridSnapshot, PlanCommit, PlanState, PlanVersion};
pub use public_report::{PublicReport, Satisfaction, TRACKING_CODE_CHARS, TrackingCode};
pub use road::{FootAccess, Road, RoadClass, WayLevel};
pub use role::Role;
pub use station::{Station, StationKind};
pub use taxonomy::{Category, Taxonomy, TaxonomyError};
pub use text::{Lines, TextError, check_required_text, check_text};
pub use visit::{MAX_HOUSEHOLD_CHARS, Visit};
pub use work_calendar::{CalendarError, DeadlineSpan, TimeLeft, TimeUnit, WorkCalendar};
pub use worker::{DutyStatus, Worker, WorkerRole};
pub use worker_change::{Actor, WorkerAction, WorkerChange, WorkerRecord};
