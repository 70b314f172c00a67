//! Tests that need the Parlant venv skip visibly outside CI and fail under `CI=true`: this binary
//! runs itself (one probe test) with and without `CI`, the venv variable unset.

#[path = "common/servers.rs"]
mod servers;

use std::process::Command;

/// Skips like a Parlant-backed test; only does anything when run by the tests below.
#[test]
fn probe_parlant_backed() {
    if std::env::var_os("JS_SKIP_PROBE").is_none() {
        return;
    }
    let Some(_python) = servers::parlant_python() else {
        return;
    };
    panic!("the probe found an interpreter although JOURNEY_STUDIO_PARLANT_PYTHON was removed");
}

fn probe(ci: Option<&str>) -> (bool, String, String) {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", "probe_parlant_backed", "--test-threads", "1"])
        .env("JS_SKIP_PROBE", "1")
        .env_remove("JOURNEY_STUDIO_PARLANT_PYTHON")
        .env_remove("CI");
    if let Some(v) = ci {
        c.env("CI", v);
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_skip_is_summed_up_after_the_run() {
    let (ok, stdout, stderr) = probe(None);
    assert!(ok, "{stdout}\n{stderr}");
    let summary = format!(
        "{} 1 test of skip_summary did not run: {}: probe_parlant_backed",
        servers::SKIP_MARKER,
        servers::NO_VENV
    );
    assert!(
        stderr.lines().any(|l| l == summary),
        "no summary line in:\n{stderr}"
    );
    // After libtest's own result line (the end of the run), not inside a captured test.
    assert!(stdout.contains("test result: ok. 1 passed"), "{stdout}");
}

#[test]
fn under_ci_a_missing_venv_fails() {
    for ci in ["true", "1"] {
        let (ok, stdout, stderr) = probe(Some(ci));
        assert!(!ok, "CI={ci}: the probe passed:\n{stdout}\n{stderr}");
        assert!(
            stdout.contains("under CI=true they fail instead of skipping"),
            "{stdout}"
        );
        assert!(!stderr.contains(servers::SKIP_MARKER), "{stderr}");
    }
}
