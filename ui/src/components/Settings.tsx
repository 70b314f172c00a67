// The settings view: the core's `Settings` (settings_get / settings_update). Each change is
// sent as a one-field patch; the core merges and saves it (a JSON file in `serve` mode,
// tauri-plugin-store in the desktop shell).
import { memo } from "react";
import type { MatcherSetting, PreviewOptions, Settings as SettingsT, Theme } from "../api/types";

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
      <PreviewSettings options={s.preview} onChange={(preview) => onChange({ preview })} />
    </div>
  );
});

/** The chat preview's options (the core's `SessionOptions`): each preview starts with them. */
function PreviewSettings({ options: o, onChange }: { options: PreviewOptions; onChange: (o: PreviewOptions) => void }) {
  const set = (patch: Partial<PreviewOptions>) => onChange({ ...o, ...patch });
  const whole = (v: string, min: number, max: number) => Math.min(max, Math.max(min, Math.round(Number(v) || 0)));
  return (
    <section data-testid="settings-preview">
      <h3>Chat preview</h3>
      <label className="field">
        Matcher
        <select value={o.matcher} onChange={(e) => set({ matcher: e.target.value as MatcherSetting })} data-testid="setting-matcher">
          <option value="auto">Paraphrase model when installed, else keywords</option>
          <option value="keywords">Keywords only</option>
        </select>
      </label>
      <label className="field">
        Threshold: a transition's condition is taken at this score (0–1; default 0.5)
        <input type="number" min={0} max={1} step={0.05} value={o.threshold} onChange={(e) => set({ threshold: Math.min(1, Math.max(0, Number(e.target.value) || 0)) })} data-testid="setting-threshold" />
      </label>
      <label className="field field-bool">
        <input type="checkbox" checked={o.parlant_pace} onChange={(e) => set({ parlant_pace: e.target.checked })} data-testid="setting-parlant-pace" /> Walk at Parlant's pace (stay until a step is complete, skip answered steps, go back, exit)
      </label>
      <label className="field">
        Answered steps one message may skip (Parlant: 3)
        <input type="number" min={0} max={20} value={o.max_skip} onChange={(e) => set({ max_skip: whole(e.target.value, 0, 20) })} />
      </label>
      <label className="field">
        Tool rounds per message (Parlant: 3)
        <input type="number" min={1} max={100} value={o.max_tool_rounds} onChange={(e) => set({ max_tool_rounds: whole(e.target.value, 1, 100) })} />
      </label>
      <label className="field field-bool">
        <input type="checkbox" checked={o.wait_for_activation} onChange={(e) => set({ wait_for_activation: e.target.checked })} /> Start inactive until a message matches the journey's conditions
      </label>
    </section>
  );
}
