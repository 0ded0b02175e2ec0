//! The `gridmap` binary: parses the command line and runs a subcommand.

use clap::Parser;

// Tiles and partitions allocate many small buffers; mimalloc keeps that cheap on every core.
// Built without transparent huge pages (feature `no_thp`): half-used 2 MB pages kept ~100 MB
// of a loaded city resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "gridmap=info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = gridmap::cli::Cli::parse();
    match gridmap::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
