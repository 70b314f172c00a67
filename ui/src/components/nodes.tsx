// One memoised component per node look. They read only their own `data`, so moving or
// selecting one node re-renders that node alone. A step shows its type's icon and name, its own
// name, and the one or two key fields the core picked (an agent's model and prompt, a
// condition's branches, an API call, a chat state's action); branches and routes are rows, each
// with its own connection point.
import { memo } from "react";
import { Handle, NodeResizer, Position, type NodeProps } from "@xyflow/react";
import type { ViewHandle } from "../api/types";
import type { StepNode } from "../lib/flow";
import { hasTargetHandle, sourceHandles, targetHandleId } from "../lib/flow";
import { TypeIcon, colorFor } from "./icons";

function ProblemBadge({ data }: { data: StepNode["data"] }) {
  if (!data.problem) return null;
  return (
    <span className={`badge badge-${data.problem}`} data-testid="problem-badge" title={`${data.problemCount} problem(s)`}>
      {data.problemCount}
    </span>
  );
}

/** How the block fared in the run drawn on the canvas: its place in the run, how often it ran. */
function RunBadge({ data }: { data: StepNode["data"] }) {
  const r = data.run;
  if (!r || r.state === "dead" || r.state === "pending") return null;
  const times = r.runs > 1 && r.iterations == null ? ` ×${r.runs}` : "";
  const text = r.state === "paused" ? "paused" : `#${r.order ?? "?"}${times}`;
  return (
    <span className={`run-badge run-badge-${r.state}`} data-testid="run-badge" title={`${r.state}, ran ${r.runs} time(s)`}>
      {text}
    </span>
  );
}

/** A loop's iterations or a parallel's branches in the run drawn on the canvas. */
function IterationBadge({ data }: { data: StepNode["data"] }) {
  const n = data.run?.iterations;
  if (n == null) return null;
  const what = data.view.kind === "parallel" ? "branch" : "iteration";
  return (
    <span className="run-iterations" data-testid="run-iterations">
      {n} {what}
      {n === 1 ? "" : what === "branch" ? "es" : "s"}
    </span>
  );
}

/** Ports: the main output on the right; branches and routes as labelled rows; `error` last. */
function Ports({ data }: { data: StepNode["data"] }) {
  const v = data.view;
  const handles = sourceHandles(v.handles);
  if (handles.length === 0) return null;
  const error = handles.find((h) => h.kind === "error");
  const main = handles.filter((h) => h.kind !== "error");
  const rows = main.length > 1 || main.some((h) => h.kind === "condition" || h.kind === "router");
  // A condition's rows carry its branch expressions (the core's key fields, in branch order).
  const branchText = (h: ViewHandle, i: number) => (h.kind === "condition" ? v.fields?.[i]?.value : undefined);
  return (
    <>
      {!rows && main.map((h) => <Handle key={h.id} id={h.id} type="source" position={Position.Right} className={`handle-${h.kind}`} title={h.label ?? h.id} />)}
      {rows && (
        <div className="ports">
          {main.map((h, i) => (
            <div className={`port port-${h.kind}`} key={h.id} data-handle={h.id}>
              <span className="port-label">{h.label ?? h.id}</span>
              {branchText(h, i) && branchText(h, i) !== "otherwise" && <span className="port-text">{branchText(h, i)}</span>}
              <Handle id={h.id} type="source" position={Position.Right} className={`handle-${h.kind}`} title={h.label ?? h.id} />
            </div>
          ))}
        </div>
      )}
      {error && (
        <div className="port port-error" data-handle={error.id}>
          <span className="port-label">error</span>
          <Handle id={error.id} type="source" position={Position.Right} className="handle-error" title="error" />
        </div>
      )}
    </>
  );
}

function StepBody({ data }: { data: StepNode["data"] }) {
  const v = data.view;
  const showFields = v.kind !== "condition" && (v.fields?.length ?? 0) > 0;
  return (
    <>
      {hasTargetHandle(v) && <Handle type="target" id={targetHandleId(v)} position={Position.Left} />}
      <div className="node-head">
        <TypeIcon icon={v.icon ?? undefined} kind={v.kind} color={v.color ?? undefined} />
        <span className={`kind kind-${v.kind}`}>{v.type_name ?? (v.kind === v.type ? v.kind : `${v.kind} · ${v.type}`)}</span>
        <RunBadge data={data} />
        <ProblemBadge data={data} />
      </div>
      <div className="node-label" title={v.label}>{v.label || v.id}</div>
      {showFields && (
        <div className="node-fields">
          {v.fields?.map((f) => (
            <div className="node-field" key={f.label}>
              <span className="k">{f.label}</span> <span className="v">{f.value}</span>
            </div>
          ))}
        </div>
      )}
      {!showFields && v.kind !== "condition" && v.detail && <div className="node-detail">{v.detail}</div>}
      <Ports data={data} />
    </>
  );
}

export const StepNodeView = memo(function StepNodeView({ data }: NodeProps<StepNode>) {
  const v = data.view;
  return (
    <div
      className={`node node-${v.kind}${v.enabled ? "" : " node-disabled"}`}
      data-kind={v.kind}
      data-type={v.type}
      style={{ borderLeftColor: colorFor(v.color ?? undefined, v.kind) }}
    >
      <StepBody data={data} />
    </div>
  );
});

export const BranchNodeView = memo(function BranchNodeView({ data }: NodeProps<StepNode>) {
  const v = data.view;
  return (
    <div
      className={`node node-branch node-${v.kind}${v.enabled ? "" : " node-disabled"}`}
      data-kind={v.kind}
      data-type={v.type}
      style={{ borderLeftColor: colorFor(v.color ?? undefined, v.kind) }}
    >
      <StepBody data={data} />
    </div>
  );
});

export const ContainerNodeView = memo(function ContainerNodeView({ data, selected }: NodeProps<StepNode>) {
  const v = data.view;
  return (
    <div className={`container container-${v.kind}`} data-kind={v.kind} data-type={v.type}>
      <NodeResizer isVisible={selected} minWidth={200} minHeight={120} />
      {hasTargetHandle(v) && <Handle type="target" id={targetHandleId(v)} position={Position.Left} />}
      <div className="node-head">
        <TypeIcon icon={v.icon ?? undefined} kind={v.kind} color={v.color ?? undefined} />
        <span className={`kind kind-${v.kind}`}>{v.type_name ?? v.kind}</span>
        <span className="node-label">{v.label || v.id}</span>
        <IterationBadge data={data} />
        <ProblemBadge data={data} />
      </div>
      <div className="container-ports">
        {sourceHandles(v.handles).map((h) => (
          <div className={`port port-${h.kind}`} key={h.id} data-handle={h.id}>
            <span className="port-label">{h.label ?? h.id}</span>
            <Handle id={h.id} type="source" position={Position.Right} className={`handle-${h.kind}`} title={h.label ?? h.id} />
          </div>
        ))}
      </div>
    </div>
  );
});

export const NoteNodeView = memo(function NoteNodeView({ data }: NodeProps<StepNode>) {
  return (
    <div className="note" data-kind="note">
      <div className="node-label">{data.view.label}</div>
      {data.view.detail && <div className="node-detail">{data.view.detail}</div>}
    </div>
  );
});

export const nodeTypes = {
  step: StepNodeView,
  branch: BranchNodeView,
  container: ContainerNodeView,
  note: NoteNodeView,
};
