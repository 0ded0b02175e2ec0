//! The OpenAPI document is exactly as strict as the server: Schemathesis (installed from
//! PyPI into `target/schemathesis-venv`) runs every check on every operation against the
//! real `serve` binary with an admin token — schema-valid requests accepted, schema-invalid
//! ones refused, every status and content type documented, no 5xx. The rules a JSON Schema
//! cannot state are listed in `tests/schemathesis/schemathesis.toml`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Schemathesis release the suite was written against.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// A virtual environment with Schemathesis, made once per target directory.
fn schemathesis() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis-venv");
    let st = venv.join("bin").join("schemathesis");
    if !st.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv");
        let pip = venv.join("bin").join("pip");
        let installed = Command::new(pip)
            .args(["install", "--quiet", SCHEMATHESIS])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install {SCHEMATHESIS}");
    }
    st
}

#[test]
fn the_openapi_document_is_as_strict_as_the_server() {
    let st = schemathesis();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("district.gpkg");
    let db = db.to_str().expect("utf-8 path");
    // A small district (fast partitions under fuzzing), partitioned, with an admin token.
    common::small_district(db, 7, true);
    let token = common::run_gridmap(&["token", "create", "--database", db, "--role", "admin"]);
    let token = token.lines().last().expect("a token").to_string();
    // Limits on public clients off: the fuzzer sends thousands of schema-valid public
    // requests from one address (tests/public_reports.rs tests the limits).
    let server = common::ServeProcess::start(&[
        "--no-demo",
        "--database",
        db,
        "--job-time-limit-s",
        "3",
        "--client-limit-scale",
        "0",
    ]);
    let address = server.address.clone();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis/schemathesis.toml");
    let out = Command::new(st)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &format!("http://{address}/api/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--phases", "examples,coverage,fuzzing", "--workers", "2"])
        .args(["--continue-on-failure", "--seed", "1", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        // Its cache of found crashes goes to the throwaway directory, not the repository.
        .current_dir(dir.path())
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = report.lines().last().unwrap_or_default();
    assert!(
        !summary.contains("failure") && !summary.contains("error"),
        "{report}"
    );
    let cases = report
        .lines()
        .skip_while(|l| !l.starts_with("Test cases:"))
        .nth(1)
        .unwrap_or_default();
    assert!(cases.contains("generated"), "{report}");
    eprintln!("schemathesis: {}; {summary}", cases.trim());
}
