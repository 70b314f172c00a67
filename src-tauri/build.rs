fn main() {
    // Reads ./tauri.conf.json, a symlink to the repository's top-level tauri.conf.json, and
    // ./capabilities/.
    tauri_build::build()
}
