//! Managing the workers list: import a roster, add, edit and retire one worker — each
//! checked against the grids and communities that exist, each change recorded with who
//! made it and when. Shared by the CLI and the API.
//!
//! **The community rule.** A worker named by community (所属社区) but without grids gets
//! them from the community's base grids: grid leaders (网格长) and community workers
//! (社区工作者) serve every base grid of it; grid workers, patrols and building heads serve
//! one each, the grid with the fewest active workers of their role (counting those already
//! stored and those earlier in the same roster), the lowest code among equals. A community
//! not yet partitioned gives no grids; its workers keep the community and get grids when
//! they are edited or re-imported after a partition.

use crate::domain::worker::{MAX_WORKER_ID_CHARS, MAX_WORKER_NAME_CHARS, is_phone_number};
use crate::domain::{
    Actor, CommunityCode, DutyStatus, Grid, GridCode, GridKind, Lines, Worker, WorkerAction,
    WorkerChange, WorkerId, WorkerRole, check_required_text,
};
use crate::store::{LayerQuery, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Why a change to the workers list was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("worker {0} does not exist")]
    UnknownWorker(WorkerId),
    #[error("worker {0} already exists")]
    AlreadyExists(WorkerId),
    #[error("worker {id} retired at {at}; add them again under a new id")]
    Retired { id: WorkerId, at: DateTime<Utc> },
    /// A value that is malformed (a name too long, a phone that is not one).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A well-formed value the data cannot take (a grid or community that does not exist).
    #[error("{field}: {reason}")]
    Unfit { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, reason: impl Into<String>) -> RosterError {
    RosterError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn unfit(field: &'static str, reason: impl Into<String>) -> RosterError {
    RosterError::Unfit {
        field,
        reason: reason.into(),
    }
}

/// The communities that exist and their base grids, in code order.
#[derive(Debug, Clone, Default)]
pub struct GridDirectory {
    base_grids: BTreeMap<CommunityCode, Vec<GridCode>>,
    all_grids: HashMap<GridCode, CommunityCode>,
}

impl GridDirectory {
    /// From the communities and the grids (of any kind) with their community and kind.
    pub fn new<'a>(
        communities: impl IntoIterator<Item = CommunityCode>,
        grids: impl IntoIterator<Item = (&'a GridCode, &'a CommunityCode, GridKind)>,
    ) -> Self {
        let mut directory = Self::default();
        for community in communities {
            directory.base_grids.entry(community).or_default();
        }
        for (grid, community, kind) in grids {
            directory.all_grids.insert(grid.clone(), community.clone());
            if kind == GridKind::Base {
                directory
                    .base_grids
                    .entry(community.clone())
                    .or_default()
                    .push(grid.clone());
            }
        }
        for list in directory.base_grids.values_mut() {
            list.sort();
        }
        directory
    }

    /// Read from the store (for the command line; the server has its engine's).
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let all = LayerQuery::default();
        let communities = store.communities(&all).await?;
        let grids: Vec<Grid> = store.grids(&all).await?;
        Ok(Self::new(
            communities.into_iter().map(|c| c.code),
            grids.iter().map(|g| (&g.code, &g.community, g.kind)),
        ))
    }

    pub fn has_grid(&self, grid: &GridCode) -> bool {
        self.all_grids.contains_key(grid)
    }

    pub fn has_community(&self, community: &CommunityCode) -> bool {
        self.base_grids.contains_key(community)
    }

    /// The community a grid belongs to.
    pub fn community_of(&self, grid: &GridCode) -> Option<&CommunityCode> {
        self.all_grids.get(grid)
    }

    pub fn base_grids(&self, community: &CommunityCode) -> &[GridCode] {
        self.base_grids.get(community).map_or(&[], Vec::as_slice)
    }
}

/// Gives the workers named by community but without grids their grids by the community
/// rule (see the module documentation). `others` are the active workers already serving,
/// counted when choosing the least served grid.
///
/// ```
/// use gridmap::domain::{CommunityCode, DutyStatus, GridCode, GridKind, Worker, WorkerId, WorkerRole};
/// use gridmap::service::worker_roster::{GridDirectory, fill_community_grids};
/// let community: CommunityCode = "150602001001".parse().unwrap();
/// let grids: Vec<GridCode> = ["150602001001001", "150602001001002"]
///     .map(|g| g.parse().unwrap()).to_vec();
/// let directory = GridDirectory::new(
///     [community.clone()],
///     grids.iter().map(|g| (g, &community, GridKind::Base)),
/// );
/// let worker = |id: &str, role| Worker {
///     id: WorkerId(id.into()), name: "张伟".into(), phone: None, role, grids: vec![],
///     community: Some(community.clone()), duty: DutyStatus::OnDuty, position: None,
///     position_at: None, retired_at: None,
/// };
/// let mut roster = vec![
///     worker("W1", WorkerRole::GridWorker),
///     worker("W2", WorkerRole::GridWorker),
///     worker("W3", WorkerRole::GridLeader),
/// ];
/// fill_community_grids(&mut roster, &directory, &[]);
/// assert_eq!(roster[0].grids, [grids[0].clone()]);
/// assert_eq!(roster[1].grids, [grids[1].clone()]);
/// assert_eq!(roster[2].grids, grids);
/// ```
pub fn fill_community_grids(workers: &mut [Worker], directory: &GridDirectory, others: &[Worker]) {
    let mut served: HashMap<(WorkerRole, GridCode), usize> = HashMap::new();
    let count = |w: &Worker, served: &mut HashMap<_, _>| {
        for g in &w.grids {
            *served.entry((w.role, g.clone())).or_insert(0) += 1;
        }
    };
    for w in others.iter().filter(|w| !w.is_retired()) {
        count(w, &mut served);
    }
    for w in workers.iter_mut() {
        if let (true, Some(community)) = (w.grids.is_empty(), &w.community) {
            let base = directory.base_grids(community);
            w.grids = if w.role.serves_whole_community() {
                base.to_vec()
            } else {
                base.iter()
                    .min_by_key(|g| served.get(&(w.role, (*g).clone())).copied().unwrap_or(0))
                    .cloned()
                    .into_iter()
                    .collect()
            };
        }
        count(w, &mut served);
    }
}

/// A new worker as a planner enters it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerDraft {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub role: Option<WorkerRole>,
    #[serde(default)]
    pub grids: Option<Vec<GridCode>>,
    #[serde(default)]
    pub community: Option<CommunityCode>,
    #[serde(default)]
    pub duty: Option<DutyStatus>,
}

/// Changes to one worker: only the fields given change; `phone` and `community` may be set
/// to null to clear them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default)]
    pub role: Option<WorkerRole>,
    #[serde(default)]
    pub grids: Option<Vec<GridCode>>,
    #[serde(default, deserialize_with = "present")]
    pub community: Option<Option<CommunityCode>>,
    #[serde(default)]
    pub duty: Option<DutyStatus>,
}

/// A field that is present (even as null) is `Some`.
fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Checks a worker's fields: id and name as text, phone, grids that exist and belong to
/// the worker's community when one is named.
pub fn check_worker(w: &Worker, directory: &GridDirectory) -> Result<(), RosterError> {
    check_required_text(w.id.as_str(), MAX_WORKER_ID_CHARS, Lines::Single)
        .map_err(|e| invalid("id", e.to_string()))?;
    check_required_text(&w.name, MAX_WORKER_NAME_CHARS, Lines::Single)
        .map_err(|e| invalid("name", e.to_string()))?;
    if let Some(phone) = &w.phone
        && !is_phone_number(phone)
    {
        return Err(invalid(
            "phone",
            format!("{phone:?} is not a phone number (11-digit mobile, or area code and number)"),
        ));
    }
    if let Some(community) = &w.community
        && !directory.has_community(community)
    {
        return Err(unfit(
            "community",
            format!("community {community} does not exist"),
        ));
    }
    for grid in &w.grids {
        let Some(of) = directory.community_of(grid) else {
            return Err(unfit(
                "grids",
                format!("grid {grid} does not exist (partition first, or check the code)"),
            ));
        };
        if let Some(community) = &w.community
            && of != community
        {
            return Err(unfit(
                "grids",
                format!("grid {grid} belongs to community {of}, not {community}"),
            ));
        }
    }
    Ok(())
}

async fn stored(store: &dyn Store, id: &WorkerId) -> Result<Option<Worker>, StoreError> {
    let query = LayerQuery {
        ids: Some(vec![id.to_string()]),
        ..LayerQuery::default()
    };
    Ok(store.workers(&query).await?.into_iter().next())
}

/// Gives one worker named by community only its grids by the rule, counting the other
/// active workers; the workers list is read only when the rule applies.
async fn fill_one(
    store: &dyn Store,
    directory: &GridDirectory,
    worker: &mut Worker,
) -> Result<(), StoreError> {
    if !worker.grids.is_empty() || worker.community.is_none() {
        return Ok(());
    }
    let mut others = store.workers(&LayerQuery::default()).await?;
    others.retain(|w| !w.is_retired() && w.id != worker.id);
    fill_community_grids(std::slice::from_mut(worker), directory, &others);
    Ok(())
}

/// A stored worker that has not retired.
async fn active(store: &dyn Store, id: &WorkerId) -> Result<Worker, RosterError> {
    let worker = stored(store, id)
        .await?
        .ok_or_else(|| RosterError::UnknownWorker(id.clone()))?;
    match worker.retired_at {
        Some(at) => Err(RosterError::Retired { id: id.clone(), at }),
        None => Ok(worker),
    }
}

/// Adds one worker; refused if the id exists (even retired).
pub async fn add(
    store: &dyn Store,
    directory: &GridDirectory,
    actor: &Actor,
    draft: WorkerDraft,
) -> Result<Worker, RosterError> {
    let mut worker = Worker {
        id: WorkerId(draft.id),
        name: draft.name,
        phone: draft.phone.filter(|p| !p.is_empty()),
        role: draft.role.unwrap_or(WorkerRole::GridWorker),
        grids: draft.grids.unwrap_or_default(),
        community: draft.community,
        duty: draft.duty.unwrap_or(DutyStatus::OnDuty),
        position: None,
        position_at: None,
        retired_at: None,
    };
    check_worker(&worker, directory)?;
    if stored(store, &worker.id).await?.is_some() {
        return Err(RosterError::AlreadyExists(worker.id));
    }
    fill_one(store, directory, &mut worker).await?;
    record_one(store, actor, WorkerAction::Added, None, worker).await
}

/// Writes one worker with the record of its change.
async fn record_one(
    store: &dyn Store,
    actor: &Actor,
    action: WorkerAction,
    before: Option<&Worker>,
    after: Worker,
) -> Result<Worker, RosterError> {
    let change = WorkerChange::new(actor, action, before, &after);
    store
        .record_workers(std::slice::from_ref(&after), &[change])
        .await?;
    Ok(after)
}

/// Edits one worker: the fields given change, the rest stay; a new community without grids
/// gives grids by the community rule.
pub async fn edit(
    store: &dyn Store,
    directory: &GridDirectory,
    actor: &Actor,
    id: &WorkerId,
    edit: WorkerEdit,
) -> Result<Worker, RosterError> {
    let before = active(store, id).await?;
    let mut after = before.clone();
    if let Some(name) = edit.name {
        after.name = name;
    }
    if let Some(phone) = edit.phone {
        after.phone = phone.filter(|p| !p.is_empty());
    }
    if let Some(role) = edit.role {
        after.role = role;
    }
    if let Some(community) = edit.community {
        if community != before.community && edit.grids.is_none() {
            // Moving to another community: its grids by the rule.
            after.grids.clear();
        }
        after.community = community;
    }
    if let Some(grids) = edit.grids {
        after.grids = grids;
    }
    if let Some(duty) = edit.duty {
        after.duty = duty;
    }
    check_worker(&after, directory)?;
    fill_one(store, directory, &mut after).await?;
    if after == before {
        return Ok(after);
    }
    record_one(store, actor, WorkerAction::Edited, Some(&before), after).await
}

/// Retires one worker: kept for the record, off duty, serving no grid.
pub async fn retire(
    store: &dyn Store,
    actor: &Actor,
    id: &WorkerId,
) -> Result<Worker, RosterError> {
    let before = active(store, id).await?;
    let after = Worker {
        grids: Vec::new(),
        duty: DutyStatus::OffDuty,
        retired_at: Some(Utc::now()),
        ..before.clone()
    };
    record_one(store, actor, WorkerAction::Retired, Some(&before), after).await
}

/// What a roster import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RosterImport {
    pub added: usize,
    pub updated: usize,
    /// Workers named by community whose community has no grids yet.
    pub without_grids: Vec<WorkerId>,
}

/// Writes an imported roster: each worker added or replaced (keeping a stored worker's last
/// position), grids given by the community rule, one recorded change each, one transaction.
/// The rows must have been checked ([`check_worker`]) by the caller, which names rows.
pub async fn import(
    store: &dyn Store,
    directory: &GridDirectory,
    actor: &Actor,
    mut workers: Vec<Worker>,
) -> Result<RosterImport, RosterError> {
    let stored: HashMap<WorkerId, Worker> = store
        .workers(&LayerQuery::default())
        .await?
        .into_iter()
        .map(|w| (w.id.clone(), w))
        .collect();
    let others: Vec<Worker> = stored
        .values()
        .filter(|w| !workers.iter().any(|n| n.id == w.id))
        .cloned()
        .collect();
    fill_community_grids(&mut workers, directory, &others);
    let mut report = RosterImport::default();
    let mut changes = Vec::with_capacity(workers.len());
    for w in &mut workers {
        let before = stored.get(&w.id);
        if let Some(old) = before {
            w.position = old.position;
            w.position_at = old.position_at;
            report.updated += 1;
        } else {
            report.added += 1;
        }
        if w.grids.is_empty() && w.community.is_some() {
            report.without_grids.push(w.id.clone());
        }
        changes.push(WorkerChange::new(actor, WorkerAction::Imported, before, w));
    }
    store.record_workers(&workers, &changes).await?;
    Ok(report)
}
