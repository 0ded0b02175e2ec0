//! The README's rule table, checked exhaustively: every endpoint × every kind of caller ×
//! (where an object is someone's) the caller's own object and another's, on both stores. A
//! refusal is 401 (no token, a public token, an unknown token) or 403 (a role too low, or
//! another's object); an allowed call may still fail for other reasons (404, 409, 422),
//! but never with 401 or 403.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::{DutyStatus, Role, Worker};
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    UnknownToken,
    Public,
    /// A worker token bound to no worker.
    UnboundWorker,
    /// The worker token of the worker whose objects are "own".
    Worker,
    Dispatcher,
    Planner,
    Admin,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::UnknownToken,
    Caller::Public,
    Caller::UnboundWorker,
    Caller::Worker,
    Caller::Dispatcher,
    Caller::Planner,
    Caller::Admin,
];

impl Caller {
    /// The role a token of this caller carries (none: public).
    fn role(self) -> Role {
        match self {
            Self::Anonymous | Self::UnknownToken | Self::Public => Role::Public,
            Self::UnboundWorker | Self::Worker => Role::Worker,
            Self::Dispatcher => Role::Dispatcher,
            Self::Planner => Role::Planner,
            Self::Admin => Role::Admin,
        }
    }
}

/// Who may make a call.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Any caller with at least this role.
    AtLeast(Role),
    /// Dispatchers and up, and the worker token whose object it is.
    OwnerOrDispatcher,
    /// Dispatchers and up only (the object is another worker's).
    DispatcherForOthers,
    /// Only a worker token bound to its worker (a worker's own list).
    BoundWorkerOnly,
    /// Everyone, but below dispatchers a finer `resolution` than the public's is a 400
    /// naming it (the public's H3 counts are coarse).
    FineForDispatchers,
}

impl Rule {
    fn allows(self, caller: Caller) -> bool {
        match self {
            Self::AtLeast(role) => caller.role() >= role,
            Self::OwnerOrDispatcher => {
                caller == Caller::Worker || caller.role() >= Role::Dispatcher
            }
            Self::DispatcherForOthers | Self::FineForDispatchers => {
                caller.role() >= Role::Dispatcher
            }
            Self::BoundWorkerOnly => caller == Caller::Worker,
        }
    }
}

/// One call of the table.
struct Call {
    method: &'static str,
    uri: String,
    body: Option<Value>,
    rule: Rule,
}

fn call(method: &'static str, uri: impl Into<String>, body: Option<Value>, rule: Rule) -> Call {
    Call {
        method,
        uri: uri.into(),
        body,
        rule,
    }
}

/// Two on-duty workers with no grid in common.
fn two_workers(workers: &[Worker]) -> (&Worker, &Worker) {
    let serving: Vec<&Worker> = workers
        .iter()
        .filter(|w| w.duty == DutyStatus::OnDuty && !w.grids.is_empty())
        .collect();
    let own = serving[0];
    let other = serving
        .iter()
        .find(|w| w.grids.iter().all(|g| !own.grids.contains(g)))
        .unwrap();
    (own, other)
}

/// An incident inside `worker`'s first grid, assigned to that worker; its id.
async fn incident_of(state: &AppState, store: &dyn Store, worker: &Worker, token: &str) -> String {
    let grid = store
        .grids(&LayerQuery {
            ids: Some(vec![worker.grids[0].to_string()]),
            ..LayerQuery::default()
        })
        .await
        .unwrap()
        .remove(0);
    let at = geo::InteriorPoint::interior_point(&grid.boundary).unwrap();
    let report = json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生",
                        "description": "楼道堆物", "source": "hotline"});
    let (status, _, body) = common::send(
        state,
        "POST",
        "/api/incidents",
        Some(token),
        &[],
        Some(report),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let assign = json!({"action": "assign", "worker": worker.id});
    let steps = format!("/api/incidents/{id}/steps");
    let (status, _, _) = common::send(state, "POST", &steps, Some(token), &[], Some(assign)).await;
    assert_eq!(status, StatusCode::OK);
    id
}

async fn every_endpoint_by_every_caller(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let (own, other) = two_workers(&workers);
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let tokens = [
        (Caller::Anonymous, None),
        (Caller::UnknownToken, Some("not-a-token".to_string())),
        (
            Caller::Public,
            Some(common::token(store.as_ref(), Role::Public, "公众").await),
        ),
        (
            Caller::UnboundWorker,
            Some(common::token(store.as_ref(), Role::Worker, "旧令牌").await),
        ),
        (
            Caller::Worker,
            Some(common::worker_token(store.as_ref(), &own.id).await),
        ),
        (Caller::Dispatcher, Some(dispatcher.clone())),
        (
            Caller::Planner,
            Some(common::token(store.as_ref(), Role::Planner, "规划员").await),
        ),
        (
            Caller::Admin,
            Some(common::token(store.as_ref(), Role::Admin, "管理员").await),
        ),
    ];
    let own_incident = incident_of(&state, store.as_ref(), own, &dispatcher).await;
    let other_incident = incident_of(&state, store.as_ref(), other, &dispatcher).await;
    let community = store.communities(&LayerQuery::default()).await.unwrap()[0]
        .code
        .to_string();
    let head = store.plan_head().await.unwrap();
    let (lon, lat) = (109.98, 39.81);
    let here = format!("lon={lon}&lat={lat}");
    let public = Rule::AtLeast(Role::Public);
    let dispatch = Rule::AtLeast(Role::Dispatcher);
    let plan = Rule::AtLeast(Role::Planner);

    let mut table = vec![
        call("GET", "/", None, public),
        call("GET", "/api/docs", None, public),
        call("GET", "/styles/gridmap.json", None, public),
        call("GET", "/metrics", None, public),
        call("GET", "/api/health", None, public),
        call("GET", "/api/ready", None, public),
        call("GET", "/api/config", None, public),
        call("GET", "/api/me", None, public),
        call("GET", "/api/openapi.json", None, public),
        call("GET", "/api/incident-categories", None, public),
        call("GET", format!("/api/locate?{here}"), None, public),
        call("GET", format!("/api/stations/nearest?{here}"), None, public),
        call(
            "GET",
            format!("/api/stations/nearest?{here}&mode=walk"),
            None,
            public,
        ),
        call("GET", format!("/api/walk/area?{here}"), None, public),
        call("GET", "/api/network?limit=5", None, public),
        call("GET", "/api/walk/network", None, dispatch),
        call("GET", "/api/bbox?bbox=109.9,39.7,110.1,39.9", None, public),
        call("GET", "/api/incidents/h3?resolution=7", None, public),
        call(
            "GET",
            "/api/incidents/h3?resolution=12",
            None,
            Rule::FineForDispatchers,
        ),
        call(
            "GET",
            format!("/api/dispatch/nearest?{here}"),
            None,
            dispatch,
        ),
        call("GET", "/api/incidents/overdue", None, dispatch),
        call("GET", "/api/incidents/queue?status=open", None, dispatch),
        call("GET", "/api/buildings?q=1", None, dispatch),
        call(
            "GET",
            format!("/api/me/buildings?{here}"),
            None,
            Rule::BoundWorkerOnly,
        ),
        call("GET", "/api/me/tasks", None, Rule::BoundWorkerOnly),
        call(
            "POST",
            format!("/api/workers/{}/sign-in-code", own.id),
            None,
            plan,
        ),
        call("GET", "/api/incidents/stats", None, dispatch),
        call("GET", "/api/dashboard?level=street", None, dispatch),
        call("GET", "/api/dashboard/trend?step=week", None, dispatch),
        call("GET", "/api/dashboard/export.xlsx", None, dispatch),
        call("GET", "/api/staffing", None, dispatch),
        call("GET", "/api/coverage?level=street", None, dispatch),
        call(
            "GET",
            "/api/coverage/buildings?kind=service_station&within_m=300",
            None,
            dispatch,
        ),
        call(
            "POST",
            "/api/coverage/suggestions",
            Some(json!({"kind": "service_station", "within_m": 300, "k": 1,
                        "candidates": {"from": "nodes", "spacing_m": 400}})),
            plan,
        ),
        call(
            "GET",
            format!("/api/incidents/{own_incident}"),
            None,
            dispatch,
        ),
        call(
            "POST",
            "/api/incidents",
            Some(json!({"lon": lon, "lat": lat, "category": "环境卫生",
                        "description": "井盖缺失", "source": "worker"})),
            Rule::AtLeast(Role::Worker),
        ),
        call(
            "POST",
            format!("/api/workers/{}/position", own.id),
            Some(json!({"lon": lon, "lat": lat})),
            Rule::OwnerOrDispatcher,
        ),
        call(
            "POST",
            format!("/api/workers/{}/position", other.id),
            Some(json!({"lon": lon, "lat": lat})),
            Rule::DispatcherForOthers,
        ),
        call(
            "POST",
            "/api/workers",
            Some(json!({"id": own.id, "name": "重复的编号"})),
            plan,
        ),
        call(
            "PATCH",
            format!("/api/workers/{}", other.id),
            Some(json!({"duty": other.duty})),
            plan,
        ),
        call("POST", "/api/workers/W-nobody/retire", None, plan),
        call(
            "GET",
            format!("/api/workers/{}/history", own.id),
            None,
            plan,
        ),
        call("GET", "/api/exports/grid-ledger.xlsx", None, dispatch),
        call(
            "GET",
            "/api/exports/incident-statistics.xlsx",
            None,
            dispatch,
        ),
        call("GET", "/api/plan/versions", None, plan),
        call("GET", format!("/api/plan/versions/{head}"), None, plan),
        call(
            "GET",
            format!("/api/plan/diff?from=1&to={head}"),
            None,
            plan,
        ),
        call(
            "POST",
            format!("/api/plan/versions/{head}/restore"),
            Some(json!({"base_version": 999_999})),
            plan,
        ),
        call(
            "POST",
            "/api/rebalance",
            Some(json!({"operation": "adjust", "communities": [community]})),
            plan,
        ),
        call(
            "POST",
            "/api/partition",
            Some(json!({"community": community, "dry_run": true})),
            plan,
        ),
        call("GET", "/tiles/communities/12/3296/1537.mvt", None, public),
        call("GET", "/tiles/stations/12/3296/1537.mvt", None, public),
        call("GET", "/tiles/basemap/12/3296/1537.mvt", None, public),
    ];
    for layer in [
        "districts",
        "streets",
        "communities",
        "grids",
        "roads",
        "stations",
    ] {
        table.push(call("GET", format!("/api/{layer}?limit=1"), None, public));
    }
    for layer in ["buildings", "workers", "incidents"] {
        table.push(call("GET", format!("/api/{layer}?limit=1"), None, dispatch));
    }
    for layer in ["communities", "stations", "basemap"] {
        table.push(call("GET", format!("/tiles/{layer}.json"), None, public));
    }
    for layer in ["grids", "buildings", "incidents", "workers"] {
        let uri = format!("/tiles/{layer}/12/3296/1537.mvt");
        table.push(call("GET", uri, None, dispatch));
        table.push(call("GET", format!("/tiles/{layer}.json"), None, dispatch));
    }
    // Steps: a worker acts on incidents assigned to it (or open in its grids), never on
    // another's; assigning and closing are for dispatchers. Each is sent in an order that
    // keeps the others legal where they are allowed; a 409 is still "past the rules".
    for action in ["start", "resolve", "return"] {
        let body = json!({"action": action, "note": "处理中"});
        let own_steps = format!("/api/incidents/{own_incident}/steps");
        let other_steps = format!("/api/incidents/{other_incident}/steps");
        table.push(call(
            "POST",
            own_steps,
            Some(body.clone()),
            Rule::OwnerOrDispatcher,
        ));
        table.push(call(
            "POST",
            other_steps,
            Some(body),
            Rule::DispatcherForOthers,
        ));
    }
    for body in [
        json!({"action": "assign", "worker": own.id}),
        json!({"action": "close"}),
    ] {
        let steps = format!("/api/incidents/{own_incident}/steps");
        table.push(call("POST", steps, Some(body), dispatch));
    }

    let mut checked = 0;
    for entry in &table {
        for (caller, token) in &tokens {
            let (status, _, bytes) = common::send(
                &state,
                entry.method,
                &entry.uri,
                token.as_deref(),
                &[],
                entry.body.clone(),
            )
            .await;
            let what = format!(
                "{caller:?} {} {}: {status} {}",
                entry.method,
                entry.uri,
                String::from_utf8_lossy(&bytes)
            );
            let refused = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            assert!(!status.is_server_error(), "{what}");
            if entry.rule.allows(*caller) {
                assert!(!refused, "allowed, but refused: {what}");
            } else if let Rule::FineForDispatchers = entry.rule {
                let problem: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
                assert_eq!(problem["invalid-params"][0]["name"], "resolution", "{what}");
            } else {
                assert!(refused, "refused by the rules, but answered: {what}");
                let expected = if caller.role() == Role::Public {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(status, expected, "{what}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * CALLERS.len());
    // Nothing the refused callers sent took effect on another worker.
    let after = gridmap::engine::read(&state.engine)
        .workers()
        .get(&other.id)
        .cloned()
        .unwrap();
    assert_eq!(after.duty, DutyStatus::OnDuty);
}

both_stores!(every_endpoint, every_endpoint_by_every_caller);
