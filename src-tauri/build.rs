fn main() {
    // Reads ./tauri.conf.json (a symlink to the repository's top-level tauri.conf.json) and
    // ./capabilities/. Declaring the app's commands makes them subject to the capabilities like
    // plugin commands: the window may call only what capabilities/default.json allows.
    let manifest = tauri_build::AppManifest::new().commands(&["call", "core_version"]);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri-build: {e:#}");
        std::process::exit(1);
    }
}
