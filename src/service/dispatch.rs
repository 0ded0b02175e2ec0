//! The incidents' closed loop over the engine and the store: report (auto-located, and
//! assigned to the nearest on-duty worker of its grid), then assign, start, resolve, close
//! or return, each step checked, recorded with who and when, and applied to the engine.

use crate::domain::*;
use crate::engine::{Engine, read};
use crate::service::engine_sync;
use crate::service::photo_refs::{PhotoRefError, check_photo_refs};
use crate::store::{Reported, Store, StoreError};
use chrono::{DateTime, Utc};
use geo_types::Point;
use std::sync::RwLock;

/// Why a dispatch request was refused; nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("unknown incident category {0:?}; see GET /api/incident-categories")]
    UnknownCategory(String),
    #[error("incident {0} not found")]
    UnknownIncident(IncidentId),
    #[error("worker {0} not found")]
    UnknownWorker(WorkerId),
    #[error("cannot {action} incident {id}: it is {status}", action = action.as_str(), status = status.as_str())]
    IllegalTransition {
        id: IncidentId,
        status: IncidentStatus,
        action: IncidentAction,
    },
    #[error("cannot assign incident {0}: no worker given and no on-duty worker nearby")]
    NoWorker(IncidentId),
    #[error("this Idempotency-Key was used with another report; send a new key")]
    KeyReused(IncidentId),
    #[error(transparent)]
    Photos(#[from] PhotoRefError),
    #[error("{field} {reason}")]
    BadText {
        field: &'static str,
        reason: TextError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Longest description or step note, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A new report.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub location: Point<f64>,
    pub category: String,
    pub description: String,
    pub source: IncidentSource,
    /// Photos of the scene, uploaded before.
    pub photos: Vec<PhotoId>,
    /// A resident's report: the SHA-256 of its tracking code, stored with it.
    pub tracking_code_sha256: Option<String>,
}

/// A step asked for.
#[derive(Debug, Clone)]
pub struct Step {
    pub action: IncidentAction,
    /// For `assign`: the worker (default: the nearest on-duty worker, own grid first).
    pub worker: Option<WorkerId>,
    pub note: Option<String>,
    /// Photos of the work (before, after), uploaded before.
    pub photos: Vec<PhotoId>,
}

/// Who acts, and when.
#[derive(Debug, Clone)]
pub struct Actor {
    pub who: String,
    pub now: DateTime<Utc>,
}

/// Records a report: located in its grid, given its category's deadline, and assigned to
/// the nearest on-duty worker serving that grid when there is one. Returns the incident
/// and whether it was new (a repeated idempotency key returns the first one).
pub async fn report(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    taxonomy: &Taxonomy,
    new: NewIncident,
    actor: &Actor,
    idempotency_key: Option<&IdempotencyKey>,
) -> Result<(Incident, Reported), DispatchError> {
    if taxonomy.get(&new.category).is_none() {
        return Err(DispatchError::UnknownCategory(new.category.clone()));
    }
    let category = taxonomy
        .get(&new.category)
        .map(|c| c.name.clone())
        .unwrap_or(new.category);
    let deadline_at = taxonomy.deadline_at(&category, actor.now);
    check_required_text(&new.description, MAX_TEXT_CHARS, Lines::Multi).map_err(|reason| {
        DispatchError::BadText {
            field: "description",
            reason,
        }
    })?;
    check_photo_refs(store, &new.photos).await?;
    let id = IncidentId(ids::time_ordered_id('I', actor.now));
    let (grid, assignee) = {
        let engine = read(engine);
        let grid = engine.grids().locate(new.location).cloned();
        let assignee = grid.as_ref().and_then(|g| {
            engine
                .workers()
                .nearest(new.location, Some(g), 1)
                .into_iter()
                .find(|w| w.serves_grid)
                .map(|w| w.worker)
        });
        (grid, assignee)
    };
    let mut incident = Incident {
        id: id.clone(),
        location: new.location,
        category,
        description: new.description,
        source: new.source,
        status: IncidentStatus::Reported,
        reported_at: actor.now,
        grid,
        assignee: None,
        deadline_at,
        closed_at: None,
        returned_times: 0,
        satisfaction: None,
    };
    let mut events = vec![IncidentEvent {
        incident: id.clone(),
        action: IncidentAction::Report,
        status: IncidentStatus::Reported,
        at: actor.now,
        actor: actor.who.clone(),
        worker: None,
        note: None,
        photos: new.photos,
    }];
    if let Some(worker) = assignee {
        incident.status = IncidentStatus::Assigned;
        incident.assignee = Some(worker.clone());
        events.push(IncidentEvent {
            incident: id.clone(),
            action: IncidentAction::Assign,
            status: IncidentStatus::Assigned,
            at: actor.now,
            actor: "auto".into(),
            worker: Some(worker),
            note: Some("nearest on-duty worker of the grid".into()),
            photos: Vec::new(),
        });
    }
    match store
        .report_incident(
            &incident,
            &events,
            idempotency_key,
            new.tracking_code_sha256.as_deref(),
        )
        .await?
    {
        Reported::Created => {
            engine_sync::incident_committed(engine, incident.clone());
            Ok((incident, Reported::Created))
        }
        Reported::KeyReused(first) => Err(DispatchError::KeyReused(first)),
        Reported::Duplicate(first) => {
            let existing = read(engine).incidents().get(&first).cloned();
            let existing = match existing {
                Some(i) => i,
                None => store
                    .incidents(&crate::store::LayerQuery::default())
                    .await?
                    .into_iter()
                    .find(|i| i.id == first)
                    .ok_or(DispatchError::UnknownIncident(first.clone()))?,
            };
            Ok((existing, Reported::Duplicate(first)))
        }
    }
}

/// Moves an incident one step on the closed loop.
pub async fn step(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    id: &IncidentId,
    step: Step,
    actor: &Actor,
) -> Result<Incident, DispatchError> {
    let (before, worker) = {
        let engine = read(engine);
        let before = engine
            .incidents()
            .get(id)
            .cloned()
            .ok_or_else(|| DispatchError::UnknownIncident(id.clone()))?;
        let worker = match (&step.worker, step.action) {
            (Some(w), _) => {
                if engine.workers().get(w).is_none() {
                    return Err(DispatchError::UnknownWorker(w.clone()));
                }
                Some(w.clone())
            }
            (None, IncidentAction::Assign) => Some(
                engine
                    .nearest_workers(before.location, 1)
                    .into_iter()
                    .next()
                    .map(|w| w.worker)
                    .ok_or_else(|| DispatchError::NoWorker(id.clone()))?,
            ),
            (None, _) => None,
        };
        (before, worker)
    };
    let status = before
        .status
        .after(step.action)
        .ok_or(DispatchError::IllegalTransition {
            id: id.clone(),
            status: before.status,
            action: step.action,
        })?;
    check_photo_refs(store, &step.photos).await?;
    let mut after = before.clone();
    after.status = status;
    match step.action {
        IncidentAction::Assign => after.assignee = worker.clone(),
        IncidentAction::Return => {
            after.assignee = None;
            after.returned_times = after.returned_times.saturating_add(1);
        }
        _ => {}
    }
    if status == IncidentStatus::Closed {
        after.closed_at = Some(actor.now);
    }
    let event = IncidentEvent {
        incident: id.clone(),
        action: step.action,
        status,
        at: actor.now,
        actor: actor.who.clone(),
        worker: if step.action == IncidentAction::Assign {
            worker
        } else {
            after.assignee.clone()
        },
        note: step.note,
        photos: step.photos,
    };
    store
        .transition_incident(before.status, &after, &event)
        .await?;
    engine_sync::incident_committed(engine, after.clone());
    Ok(after)
}
