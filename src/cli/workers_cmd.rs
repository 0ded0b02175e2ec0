//! `gridmap workers`: list, add, edit and retire workers, and the record of changes. Each
//! change is checked against the grids and communities in the store and recorded as made
//! from the command line by the operating-system user.

use super::{CliResult, WorkerFields, WorkersAction, cli_actor};
use crate::domain::{CommunityCode, DutyStatus, GridCode, Worker, WorkerId, WorkerRole};
use crate::service::worker_roster::{self, GridDirectory, WorkerDraft, WorkerEdit};
use crate::store::{self, LayerQuery, Store};

pub async fn run(action: WorkersAction) -> CliResult {
    match action {
        WorkersAction::List {
            db,
            community,
            retired,
            json,
        } => {
            let store = store::open(&db.database).await?;
            let workers = store.workers(&LayerQuery::default()).await;
            store.close().await;
            let community = community.map(|c| c.parse::<CommunityCode>()).transpose()?;
            let workers = workers?;
            let listed: Vec<&Worker> = workers
                .iter()
                .filter(|w| retired || !w.is_retired())
                .filter(|w| community.as_ref().is_none_or(|c| belongs(w, c)))
                .collect();
            print_workers(&listed, json)
        }
        WorkersAction::Add { db, fields, id } => {
            let draft = WorkerDraft {
                id,
                name: fields.name.clone().ok_or("--name is required")?,
                phone: fields.phone.clone(),
                role: fields.role.as_deref().map(role).transpose()?,
                grids: fields.grids.as_deref().map(grids).transpose()?,
                community: nonempty(&fields.community).map(str::parse).transpose()?,
                duty: fields.duty.as_deref().map(duty).transpose()?,
            };
            with_store(&db.database, async |store, directory| {
                let w =
                    worker_roster::add(store, directory, &cli_actor("workers add"), draft).await?;
                println!("added {}", describe(&w));
                Ok(())
            })
            .await
        }
        WorkersAction::Edit { db, fields, id } => {
            let edit = edit_of(&fields)?;
            with_store(&db.database, async |store, directory| {
                let w = worker_roster::edit(
                    store,
                    directory,
                    &cli_actor("workers edit"),
                    &WorkerId(id),
                    edit,
                )
                .await?;
                println!("now {}", describe(&w));
                Ok(())
            })
            .await
        }
        WorkersAction::Retire { db, id } => {
            with_store(&db.database, async |store, _| {
                let w = worker_roster::retire(store, &cli_actor("workers retire"), &WorkerId(id))
                    .await?;
                println!("retired {} {}", w.id, w.name);
                Ok(())
            })
            .await
        }
        WorkersAction::History {
            db,
            id,
            limit,
            json,
        } => {
            let store = store::open(&db.database).await?;
            let changes = store.worker_changes(id.map(WorkerId).as_ref(), limit).await;
            store.close().await;
            let changes = changes?;
            if json {
                println!("{}", serde_json::to_string_pretty(&changes)?);
                return Ok(());
            }
            for c in &changes {
                println!(
                    "{}  {:<8}  {:<10}  {}  by {} ({})",
                    c.at.format("%Y-%m-%d %H:%M:%S"),
                    c.action.as_str(),
                    c.worker,
                    c.after.name,
                    c.actor.label,
                    c.actor.role.as_str()
                );
            }
            Ok(())
        }
    }
}

/// Opens the store and its grid directory, runs `f`, closes the store whatever happened.
async fn with_store(
    database: &str,
    f: impl AsyncFnOnce(&dyn Store, &GridDirectory) -> CliResult,
) -> CliResult {
    let store = store::open(database).await?;
    let result = match GridDirectory::load(store.as_ref()).await {
        Ok(directory) => f(store.as_ref(), &directory).await,
        Err(e) => Err(e.into()),
    };
    store.close().await;
    result
}

fn belongs(w: &Worker, community: &CommunityCode) -> bool {
    w.community.as_ref() == Some(community) || w.grids.iter().any(|g| &g.community() == community)
}

fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn role(text: &str) -> Result<WorkerRole, String> {
    WorkerRole::from_office_text(text)
        .ok_or_else(|| format!("--role {text:?}: use {}", WorkerRole::office_names()))
}

fn duty(text: &str) -> Result<DutyStatus, String> {
    match text.trim() {
        "在岗" | "on_duty" => Ok(DutyStatus::OnDuty),
        "离岗" | "off_duty" => Ok(DutyStatus::OffDuty),
        other => Err(format!(
            "--duty {other:?}: use 在岗 (on_duty) or 离岗 (off_duty)"
        )),
    }
}

fn grids(text: &str) -> Result<Vec<GridCode>, String> {
    text.split([';', ',', '、', '；', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|g| g.parse().map_err(|e| format!("--grids: {e}")))
        .collect()
}

fn edit_of(fields: &WorkerFields) -> Result<WorkerEdit, Box<dyn std::error::Error + Send + Sync>> {
    Ok(WorkerEdit {
        name: fields.name.clone(),
        phone: fields
            .phone
            .as_ref()
            .map(|_| nonempty(&fields.phone).map(str::to_string)),
        role: fields.role.as_deref().map(role).transpose()?,
        grids: fields.grids.as_deref().map(grids).transpose()?,
        community: match &fields.community {
            None => None,
            Some(_) => Some(nonempty(&fields.community).map(str::parse).transpose()?),
        },
        duty: fields.duty.as_deref().map(duty).transpose()?,
    })
}

fn describe(w: &Worker) -> String {
    format!(
        "{} {} ({}), {} grids{}, {}",
        w.id,
        w.name,
        w.role.chinese(),
        w.grids.len(),
        w.community
            .as_ref()
            .map(|c| format!(" in community {c}"))
            .unwrap_or_default(),
        if w.duty == DutyStatus::OnDuty {
            "在岗"
        } else {
            "离岗"
        }
    )
}

fn print_workers(workers: &[&Worker], json: bool) -> CliResult {
    if json {
        let records: Vec<crate::domain::WorkerRecord> = workers
            .iter()
            .map(|w| crate::domain::WorkerRecord::from(*w))
            .collect();
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    println!("id          name        phone            role        community     grids");
    for w in workers {
        let grids: Vec<&str> = w.grids.iter().map(GridCode::as_str).collect();
        println!(
            "{:<10}  {:<10}  {:<15}  {:<10}  {:<12}  {}{}",
            w.id,
            w.name,
            w.phone.as_deref().unwrap_or("-"),
            w.role.chinese(),
            w.community.as_ref().map_or("-", CommunityCode::as_str),
            grids.join(","),
            if w.is_retired() { "  (retired)" } else { "" }
        );
    }
    Ok(())
}
