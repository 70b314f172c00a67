// One memoised component per node look. They read only their own `data`, so moving or
// selecting one node re-renders that node alone.
import { memo } from "react";
import { Handle, NodeResizer, Position, type NodeProps } from "@xyflow/react";
import type { StepNode } from "../lib/flow";
import { hasTargetHandle, sourceHandles, targetHandleId } from "../lib/flow";

function ProblemBadge({ data }: { data: StepNode["data"] }) {
  if (!data.problem) return null;
  return (
    <span className={`badge badge-${data.problem}`} data-testid="problem-badge" title={`${data.problemCount} problem(s)`}>
      {data.problemCount}
    </span>
  );
}

function SourceHandles({ data }: { data: StepNode["data"] }) {
  // The core says which outputs a node has; a node without any (a response, the end) has none.
  const handles = sourceHandles(data.view.handles);
  if (handles.length === 0) return null;
  const n = handles.length;
  return (
    <>
      {handles.map((h, i) => (
        <Handle
          key={h.id}
          id={h.id}
          type="source"
          position={Position.Right}
          className={`handle-${h.kind}`}
          style={n > 1 ? { top: `${((i + 1) / (n + 1)) * 100}%` } : undefined}
          title={h.label ?? h.id}
        />
      ))}
      {n > 1 && (
        <div className="handle-labels">
          {handles.map((h) => (
            <span key={h.id}>{h.label ?? h.id}</span>
          ))}
        </div>
      )}
    </>
  );
}

function StepBody({ data }: { data: StepNode["data"] }) {
  const v = data.view;
  return (
    <>
      {hasTargetHandle(v) && <Handle type="target" id={targetHandleId(v)} position={Position.Left} />}
      <div className="node-head">
        <span className={`kind kind-${v.kind}`}>{v.kind === v.type ? v.kind : `${v.kind} · ${v.type}`}</span>
        <ProblemBadge data={data} />
      </div>
      <div className="node-label">{v.label || v.id}</div>
      {v.detail && <div className="node-detail">{v.detail}</div>}
      <SourceHandles data={data} />
    </>
  );
}

export const StepNodeView = memo(function StepNodeView({ data }: NodeProps<StepNode>) {
  return (
    <div className={`node node-${data.view.kind}${data.view.enabled ? "" : " node-disabled"}`} data-kind={data.view.kind}>
      <StepBody data={data} />
    </div>
  );
});

export const BranchNodeView = memo(function BranchNodeView({ data }: NodeProps<StepNode>) {
  return (
    <div className={`node node-branch node-${data.view.kind}${data.view.enabled ? "" : " node-disabled"}`} data-kind={data.view.kind}>
      <StepBody data={data} />
    </div>
  );
});

export const ContainerNodeView = memo(function ContainerNodeView({ data, selected }: NodeProps<StepNode>) {
  const v = data.view;
  return (
    <div className={`container container-${v.kind}`} data-kind={v.kind}>
      <NodeResizer isVisible={selected} minWidth={200} minHeight={120} />
      {hasTargetHandle(v) && <Handle type="target" id={targetHandleId(v)} position={Position.Left} />}
      <div className="node-head">
        <span className={`kind kind-${v.kind}`}>{v.kind}</span>
        <span className="node-label">{v.label || v.id}</span>
        <ProblemBadge data={data} />
      </div>
      <SourceHandles data={data} />
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
