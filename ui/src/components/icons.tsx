// Icons for block types and journey states: a small stroke drawing on the type's colour (Sim's
// `bgColor` from the block registry). Sim's own icon components are not shipped; the registry's
// icon name picks one of these shapes, and any other type shows its initials.
import { memo } from "react";

const PATHS: Record<string, string> = {
  agent: "M12 3l1.8 4.6L18 9l-4.2 1.4L12 15l-1.8-4.6L6 9l4.2-1.4z M18 15l.8 2 2 .8-2 .8-.8 2-.8-2-2-.8 2-.8z",
  condition: "M6 3v6a3 3 0 003 3h6 M15 9l3 3-3 3 M6 21v-9",
  router: "M4 12h6 M10 12l8-6 M10 12l8 6 M15 6h3v3 M15 18h3v-3",
  api: "M3 12h18 M12 3a14 14 0 010 18 M12 3a14 14 0 000 18 M12 3a9 9 0 110 18 9 9 0 010-18",
  function: "M8 4c-2 0-3 1-3 3v2c0 1.5-1 3-2 3 1 0 2 1.5 2 3v2c0 2 1 3 3 3 M16 4c2 0 3 1 3 3v2c0 1.5 1 3 2 3-1 0-2 1.5-2 3v2c0 2-1 3-3 3",
  response: "M9 14l-5-5 5-5 M4 9h10a6 6 0 010 12h-2",
  start: "M7 4l13 8-13 8z",
  loop: "M17 2l4 4-4 4 M3 11V9a3 3 0 013-3h15 M7 22l-4-4 4-4 M21 13v2a3 3 0 01-3 3H3",
  parallel: "M6 4v16 M12 4v16 M18 4v16",
  chat: "M4 5h16v11H9l-5 4z",
  tool: "M14.7 6.3a4 4 0 00-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 005.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z",
  fork: "M6 3v5a4 4 0 004 4h4a4 4 0 014 4v5 M18 3v5a4 4 0 01-4 4 M6 21v-5",
  end: "M6 6h12v12H6z",
  root: "M5 21V4 M5 4h11l-2 4 2 4H5",
  note: "M5 3h10l4 4v14H5z M15 3v4h4",
  wait: "M12 7v5l3 2 M12 3a9 9 0 110 18 9 9 0 010-18",
  human: "M12 3a4 4 0 110 8 4 4 0 010-8 M4 21a8 8 0 0116 0",
  knowledge: "M4 5a2 2 0 012-2h12v16H6a2 2 0 00-2 2z M4 19V5",
  variables: "M7 4c-2 3-2 13 0 16 M17 4c2 3 2 13 0 16 M9 9l6 6 M15 9l-6 6",
  workflow: "M4 4h6v6H4z M14 14h6v6h-6z M10 7h4v10",
  evaluator: "M4 20h16 M7 16V9 M12 16V5 M17 16v-4",
};

/** Sim icon names and kinds to a drawing. */
const BY_NAME: Record<string, string> = {
  AgentIcon: "agent",
  ConditionalIcon: "condition",
  ConnectIcon: "router",
  ApiIcon: "api",
  CodeIcon: "function",
  ResponseIcon: "response",
  StartIcon: "start",
  LoopIcon: "loop",
  Repeat: "loop",
  ParallelIcon: "parallel",
  Split: "parallel",
  CirclePause: "wait",
  NoteIcon: "note",
  HumanInTheLoopIcon: "human",
  WaitIcon: "wait",
  PackageSearchIcon: "knowledge",
  VariableIcon: "variables",
  WorkflowIcon: "workflow",
  ChartBarIcon: "evaluator",
  MessageSquare: "chat",
  Wrench: "tool",
  GitFork: "fork",
  CircleStop: "end",
  Route: "root",
};

const KIND_COLOR: Record<string, string> = {
  agent: "#6f3dfa",
  trigger: "#2f9e44",
  root: "#2f9e44",
  start: "#2f9e44",
  chat: "#3b82f6",
  tool: "#8b5cf6",
  fork: "#f59e0b",
  end: "#64748b",
  condition: "#ff752f",
  router: "#28c43f",
  api: "#2f55ff",
  function: "#ff402f",
  response: "#2f55ff",
  loop: "#2fb3ff",
  parallel: "#fec400",
};

function drawingFor(icon: string | undefined, kind: string): string | undefined {
  if (icon && BY_NAME[icon]) return BY_NAME[icon];
  const k = kind.toLowerCase().replace(/ state$/, "").replace(/\s+/g, "_");
  if (PATHS[k]) return k;
  if (k === "trigger") return "start";
  if (k === "journey_start" || k === "journey") return "root";
  return undefined;
}

/** The colour a type is drawn in (Sim's `var(--brand)` is its purple). */
export function colorFor(color: string | undefined, kind: string): string {
  if (color && !color.startsWith("var(")) return color;
  if (color === "var(--brand)") return "#6f3dfa";
  return KIND_COLOR[kind] ?? "#627d98";
}

export const TypeIcon = memo(function TypeIcon({ icon, kind, color, size = 22 }: { icon?: string; kind: string; color?: string; size?: number }) {
  const drawing = drawingFor(icon, kind);
  const bg = colorFor(color, drawingFor(undefined, kind) ?? kind);
  const initials = (icon ?? kind).replace(/Icon$/, "").replace(/[^A-Za-z]/g, "").slice(0, 2);
  return (
    <span className="type-icon" style={{ background: bg, width: size, height: size }} aria-hidden="true">
      {drawing ? (
        <svg viewBox="0 0 24 24" width={size - 6} height={size - 6} fill="none" stroke="#fff" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
          <path d={PATHS[drawing]} />
        </svg>
      ) : (
        <span className="type-initials">{initials}</span>
      )}
    </span>
  );
});
