//! `GET /api/incidents/stream` (worker role and up): server-sent events of incidents as they
//! change — by a step in this process, or committed by another and followed into the
//! engine — so a dispatcher's list and panel, and a worker's tasks, update without a
//! reload. A worker hears of the incidents it works on (assigned to it, or open in its
//! grids); a follower too far behind is told to `reload`.

use super::AppState;
use super::auth::Caller;
use super::dispatch::incident_json;
use super::problem::ApiError;
use crate::domain::{Incident, Role, WorkerId};
use crate::engine::change_log::{Cursor, Since};
use crate::engine::{Engine, read};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;

/// How often a stream looks for changes.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Who a stream is for.
#[derive(Clone)]
enum Audience {
    Staff,
    Worker(WorkerId),
}

impl Audience {
    fn sees(&self, engine: &Engine, incident: &Incident) -> bool {
        match self {
            Self::Staff => true,
            Self::Worker(me) => engine.worker_works_on(me, incident),
        }
    }
}

/// The events since `cursor` for `audience`, and the cursor after them.
fn events_since(state: &AppState, audience: &Audience, cursor: Cursor) -> (Vec<Event>, Cursor) {
    let engine = read(&state.engine);
    match engine.incidents().changed_since(cursor) {
        Since::Unchanged => (Vec::new(), cursor),
        Since::Lost(now) => (vec![Event::default().event("reload").data("{}")], now),
        Since::Changed(ids, now) => {
            let events = ids
                .iter()
                .filter_map(|id| engine.incidents().get(id))
                .filter(|i| audience.sees(&engine, i))
                .map(|i| {
                    Event::default()
                        .event("incident")
                        .id(i.id.to_string())
                        .data(incident_json(i).to_string())
                })
                .collect();
            (events, now)
        }
    }
}

/// `GET /api/incidents/stream`.
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let audience = if caller.has(Role::Dispatcher) {
        Audience::Staff
    } else {
        Audience::Worker(caller.own_worker("incident updates")?)
    };
    let cursor = read(&state.engine).incidents().cursor();
    let ready = Event::default().event("ready").data("{}");
    let changes = futures_util::stream::unfold(
        (state, audience, cursor),
        |(state, audience, cursor)| async move {
            loop {
                tokio::time::sleep(POLL_INTERVAL).await;
                let (events, next) = events_since(&state, &audience, cursor);
                if !events.is_empty() {
                    return Some((events, (state, audience, next)));
                }
                if next != cursor {
                    return Some((Vec::new(), (state, audience, next)));
                }
            }
        },
    )
    .flat_map(futures_util::stream::iter);
    let stream = futures_util::stream::once(async { ready })
        .chain(changes)
        .map(Ok);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
