//! Residents' reports (随手拍、随手报): a problem reported on the public map without signing
//! in — a public category, inside a grid — recorded as an incident of source `resident` and
//! answered with a tracking code; the status of a code (status and times only, nothing
//! personal); a rating of a closed report, once.

use crate::domain::*;
use crate::engine::{Engine, read};
use crate::service::dispatch::{self, Actor, DispatchError, NewIncident};
use crate::service::engine_sync;
use crate::store::{Rated, Store, StoreError};
use chrono::{DateTime, Utc};
use geo_types::Point;
use serde::Serialize;
use std::sync::RwLock;

/// Who reported, in incident histories.
pub const RESIDENT_ACTOR: &str = "居民";

/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// Why a resident's request was refused; nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum PublicReportError {
    #[error("residents may report {0:?} only through the hotline; see GET /api/public/categories")]
    NotPublic(String),
    #[error("the point is outside every grid of this district")]
    OutsideGrids,
    #[error("no report has this tracking code")]
    UnknownCode,
    #[error("the report is not closed yet; rate it once it is")]
    NotClosed,
    #[error("the report was rated before")]
    AlreadyRated,
    #[error("comment {0}")]
    BadComment(TextError),
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A resident's report.
#[derive(Debug, Clone)]
pub struct ResidentReport {
    pub location: Point<f64>,
    pub category: String,
    pub description: String,
    /// A photo, stored before.
    pub photo: Option<PhotoId>,
}

/// What a resident sees of a report: where it stands and when each step happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicStatus {
    pub status: IncidentStatus,
    pub reported_at: DateTime<Utc>,
    /// By when it should be closed.
    pub deadline_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Each step's status and time, oldest first (no names, notes or photos).
    pub steps: Vec<PublicStep>,
    pub rating: Option<Satisfaction>,
    pub rated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicStep {
    pub status: IncidentStatus,
    pub at: DateTime<Utc>,
}

/// Checks a report before anything is written (a photo with it included): the category is
/// one residents may report, and the point is inside a grid. The description is checked
/// with the report.
pub fn check(
    engine: &RwLock<Engine>,
    taxonomy: &Taxonomy,
    report: &ResidentReport,
) -> Result<(), PublicReportError> {
    match taxonomy.get(&report.category) {
        Some(c) if c.public => {}
        _ => return Err(PublicReportError::NotPublic(report.category.clone())),
    }
    if read(engine).grids().locate(report.location).is_none() {
        return Err(PublicReportError::OutsideGrids);
    }
    Ok(())
}

/// Records a checked report as an incident (located, given its deadline, assigned to the
/// grid's nearest on-duty worker) with a new tracking code, whose hash only is stored.
pub async fn submit(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    taxonomy: &Taxonomy,
    report: ResidentReport,
    now: DateTime<Utc>,
) -> Result<(TrackingCode, Incident), PublicReportError> {
    check(engine, taxonomy, &report)?;
    let code = TrackingCode::generate();
    let (incident, _) = dispatch::report(
        engine,
        store,
        taxonomy,
        NewIncident {
            location: report.location,
            category: report.category,
            description: report.description,
            source: IncidentSource::Resident,
            photos: report.photo.into_iter().collect(),
            tracking_code_sha256: Some(code.sha256()),
        },
        &Actor {
            who: RESIDENT_ACTOR.into(),
            now,
        },
        None,
    )
    .await?;
    Ok((code, incident))
}

/// Where a report stands.
pub async fn status(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    code: &TrackingCode,
) -> Result<PublicStatus, PublicReportError> {
    let report = store
        .public_report(&code.sha256())
        .await?
        .ok_or(PublicReportError::UnknownCode)?;
    let incident = read(engine)
        .incidents()
        .get(&report.incident)
        .cloned()
        .ok_or(PublicReportError::UnknownCode)?;
    let steps = store
        .incident_events(&report.incident)
        .await?
        .into_iter()
        .map(|e| PublicStep {
            status: e.status,
            at: e.at,
        })
        .collect();
    Ok(PublicStatus {
        status: incident.status,
        reported_at: incident.reported_at,
        deadline_at: incident.deadline_at,
        closed_at: incident.closed_at,
        steps,
        rating: report.rating,
        rated_at: report.rated_at,
    })
}

/// Rates a closed report, once.
pub async fn rate(
    engine: &RwLock<Engine>,
    store: &dyn Store,
    code: &TrackingCode,
    rating: Satisfaction,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), PublicReportError> {
    if let Some(comment) = comment {
        check_text(comment, MAX_COMMENT_CHARS, Lines::Multi)
            .map_err(PublicReportError::BadComment)?;
    }
    let hash = code.sha256();
    let Some(report) = store.public_report(&hash).await? else {
        return Err(PublicReportError::UnknownCode);
    };
    match store
        .rate_public_report(&hash, rating, comment, now)
        .await?
    {
        Rated::Now => {
            let rated = read(engine)
                .incidents()
                .get(&report.incident)
                .map(|i| Incident {
                    satisfaction: Some(rating),
                    ..i.clone()
                });
            if let Some(incident) = rated {
                engine_sync::incident_committed(engine, incident);
            }
            Ok(())
        }
        Rated::NotClosed => Err(PublicReportError::NotClosed),
        Rated::AlreadyRated => Err(PublicReportError::AlreadyRated),
    }
}
