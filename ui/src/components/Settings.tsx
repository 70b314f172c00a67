// The settings view: the core's `Settings` (settings_get / settings_update). Each change is
// sent as a one-field patch; the core merges and saves it (a JSON file in `serve` mode,
// tauri-plugin-store in the desktop shell).
import { memo } from "react";
import type { Settings as SettingsT, Theme } from "../api/types";

export interface SettingsProps {
  settings: SettingsT | null;
  onChange: (patch: Partial<SettingsT>) => void;
}

export const Settings = memo(function Settings({ settings: s, onChange }: SettingsProps) {
  if (!s) return <p className="muted">Loading settings…</p>;
  return (
    <div className="settings" data-testid="settings">
      <label className="field">
        Theme
        <select value={s.theme} onChange={(e) => onChange({ theme: e.target.value as Theme })} data-testid="setting-theme">
          <option value="system">System</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <label className="field field-bool">
        <input type="checkbox" checked={s.autosave} onChange={(e) => onChange({ autosave: e.target.checked })} data-testid="setting-autosave" /> Autosave every edit
      </label>
      <label className="field">
        Autosave delay (ms)
        <input type="number" min={100} max={60000} value={s.autosave_delay_ms} onChange={(e) => onChange({ autosave_delay_ms: Math.max(0, Number(e.target.value) || 0) })} />
      </label>
      <label className="field field-bool">
        <input type="checkbox" checked={s.show_minimap} onChange={(e) => onChange({ show_minimap: e.target.checked })} data-testid="setting-minimap" /> Show the minimap
      </label>
      <label className="field field-bool">
        <input type="checkbox" checked={s.snap_to_grid} onChange={(e) => onChange({ snap_to_grid: e.target.checked })} /> Snap to grid
      </label>
    </div>
  );
});
