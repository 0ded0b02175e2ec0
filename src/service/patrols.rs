//! Patrols (巡查): a worker starts one, its phone sends fixes (offline ones later, each with
//! its own time), and stopping it records the length and the grids and buildings passed.

use crate::domain::*;
use crate::engine::{Engine, read};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::sync::RwLock;

/// Most fixes one request sends.
pub const MAX_FIXES_PER_REQUEST: usize = 1_000;

/// Why a patrol request was refused; nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum PatrolError {
    #[error("patrol {0} not found")]
    Unknown(PatrolId),
    #[error("patrol {0} is another worker's")]
    NotYours(PatrolId),
    #[error("at most {MAX_FIXES_PER_REQUEST} fixes a request, got {0}")]
    TooManyFixes(usize),
    #[error("fix {index} is at {at}, before the patrol started or in the future")]
    BadTime { index: usize, at: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Starts a patrol for `worker` (one at a time).
pub async fn start(
    store: &dyn Store,
    worker: &WorkerId,
    now: DateTime<Utc>,
) -> Result<Patrol, PatrolError> {
    let patrol = Patrol {
        id: PatrolId(ids::time_ordered_id('P', now)),
        worker: worker.clone(),
        started_at: now,
        stopped_at: None,
        length_m: None,
        grids: Vec::new(),
        buildings: Vec::new(),
        track: Vec::new(),
    };
    store.start_patrol(&patrol).await?;
    Ok(patrol)
}

/// The patrol, if `worker` (or staff, `None`) may act on it.
async fn owned(
    store: &dyn Store,
    id: &PatrolId,
    worker: Option<&WorkerId>,
) -> Result<Patrol, PatrolError> {
    let patrol = store
        .patrol(id)
        .await?
        .ok_or_else(|| PatrolError::Unknown(id.clone()))?;
    if worker.is_some_and(|w| *w != patrol.worker) {
        return Err(PatrolError::NotYours(id.clone()));
    }
    Ok(patrol)
}

/// Appends fixes, each timed between the start and a minute from now.
pub async fn add_fixes(
    store: &dyn Store,
    id: &PatrolId,
    worker: &WorkerId,
    fixes: &[TrackPoint],
    now: DateTime<Utc>,
) -> Result<(), PatrolError> {
    if fixes.len() > MAX_FIXES_PER_REQUEST {
        return Err(PatrolError::TooManyFixes(fixes.len()));
    }
    let patrol = owned(store, id, Some(worker)).await?;
    if let Some((index, fix)) = fixes
        .iter()
        .enumerate()
        .find(|(_, f)| f.at < patrol.started_at || f.at > now + Duration::minutes(1))
    {
        return Err(PatrolError::BadTime { index, at: fix.at });
    }
    store.add_patrol_points(id, fixes).await?;
    Ok(())
}

/// Stops a patrol: what its track passed is worked out and kept.
pub async fn stop(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    id: &PatrolId,
    worker: &WorkerId,
    now: DateTime<Utc>,
) -> Result<Patrol, PatrolError> {
    let mut patrol = owned(store, id, Some(worker)).await?;
    let fixes: Vec<(geo_types::Point<f64>, f64)> = patrol
        .track
        .iter()
        .map(|p| {
            let seconds = (p.at - patrol.started_at).num_milliseconds() as f64 / 1e3;
            (p.location, seconds)
        })
        .collect();
    let passage = read(engine).track_passage(&fixes);
    store.stop_patrol(id, now, &passage).await?;
    patrol.stopped_at = Some(now);
    patrol.length_m = Some(passage.length_m);
    patrol.grids = passage.grids;
    patrol.buildings = passage.buildings;
    Ok(patrol)
}

/// A patrol with its track, for staff (`None`) or its worker.
pub async fn show(
    store: &dyn Store,
    id: &PatrolId,
    worker: Option<&WorkerId>,
) -> Result<Patrol, PatrolError> {
    owned(store, id, worker).await
}
