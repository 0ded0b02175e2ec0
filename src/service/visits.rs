//! Visits (走访): a grid worker records a call on a building of its grids (or a household in
//! it) with a note and photos; dispatchers and up read them all, a worker its own.

use crate::domain::*;
use crate::engine::{Engine, read};
use crate::service::dispatch::MAX_TEXT_CHARS;
use crate::service::photo_refs::{PhotoRefError, check_photo_refs};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::sync::RwLock;

/// Why a visit was refused; nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error("no building {0}")]
    UnknownBuilding(BuildingId),
    #[error("building {building} is in grid {grid:?}, not one of this worker's grids")]
    NotYourGrid {
        building: BuildingId,
        grid: Option<GridCode>,
    },
    #[error("{field} {reason}")]
    BadText {
        field: &'static str,
        reason: TextError,
    },
    #[error(transparent)]
    Photos(#[from] PhotoRefError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A visit asked for.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub building: BuildingId,
    pub household: Option<String>,
    pub note: String,
    pub photos: Vec<PhotoId>,
}

/// Records a visit by `worker` (who must serve the building's grid) at `now`.
pub async fn record(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    worker: &WorkerId,
    new: NewVisit,
    now: DateTime<Utc>,
) -> Result<Visit, VisitError> {
    check_required_text(&new.note, MAX_TEXT_CHARS, Lines::Multi).map_err(|reason| {
        VisitError::BadText {
            field: "note",
            reason,
        }
    })?;
    if let Some(household) = &new.household {
        check_required_text(household, MAX_HOUSEHOLD_CHARS, Lines::Single).map_err(|reason| {
            VisitError::BadText {
                field: "household",
                reason,
            }
        })?;
    }
    let grid = {
        let engine = read(engine);
        let info = engine
            .building_info()
            .get(&new.building)
            .ok_or_else(|| VisitError::UnknownBuilding(new.building.clone()))?;
        let grid = engine.grids().locate(info.anchor).cloned();
        let serves = engine
            .workers()
            .get(worker)
            .is_some_and(|w| grid.as_ref().is_some_and(|g| w.grids.contains(g)));
        if !serves {
            return Err(VisitError::NotYourGrid {
                building: new.building,
                grid,
            });
        }
        grid
    };
    check_photo_refs(store, &new.photos).await?;
    let visit = Visit {
        id: VisitId(ids::time_ordered_id('V', now)),
        worker: worker.clone(),
        building: new.building,
        grid,
        household: new.household,
        note: new.note,
        photos: new.photos,
        at: now,
    };
    store.record_visit(&visit).await?;
    Ok(visit)
}
