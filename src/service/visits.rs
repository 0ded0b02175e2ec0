//! Visits (走访): a grid worker records a call on a building of its grids (or a household in
//! it) with a note and photos; dispatchers and up read them all, a worker its own.

use crate::domain::*;
use crate::engine::{Engine, read};
use crate::service::dispatch::{MAX_PHOTOS_PER_STEP, MAX_TEXT_CHARS};
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
    #[error("at most {MAX_PHOTOS_PER_STEP} photos a visit, got {0}")]
    TooManyPhotos(usize),
    #[error("no photo {0}: upload it first (POST /api/photos)")]
    UnknownPhoto(PhotoId),
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
    if new.photos.len() > MAX_PHOTOS_PER_STEP {
        return Err(VisitError::TooManyPhotos(new.photos.len()));
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
    if let Some(missing) = store.missing_photos(&new.photos).await?.into_iter().next() {
        return Err(VisitError::UnknownPhoto(missing));
    }
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
