/**
 * A task graph drawn as SVG: columns by dependency depth (lib/graph-layout), edges left to right.
 * Each task shows its status (done / active / pending, by colour AND by word, so it does not rely
 * on colour alone) and who holds it; template errors mark the task they concern.
 */
import { layoutGraph, type GraphNode } from '../lib/graph-layout';

export interface DrawnTask extends GraphNode {
  name: string;
  status?: 'done' | 'active' | 'pending';
  holder?: string | null;
  error?: string | null;
}

const W = 170;
const H = 58;
const GX = 40;
const GY = 18;

export function PlanGraph({ tasks, label }: { tasks: DrawnTask[]; label: string }) {
  const layout = layoutGraph(tasks);
  const width = Math.max(1, layout.columns) * (W + GX);
  const height = Math.max(1, layout.rows) * (H + GY);
  const pos = (id: string) => {
    const p = layout.nodes.get(id)!;
    return { x: p.column * (W + GX) + 4, y: p.row * (H + GY) + 4 };
  };
  return (
    // Focusable: a graph wider than its column scrolls, and keyboard users must be able to scroll it.
    <div className="graph" role="group" aria-label={label} tabIndex={0}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
        {layout.edges.map((e) => {
          const a = pos(e.from);
          const b = pos(e.to);
          return <path key={`${e.from}-${e.to}`} className="edge" d={`M${a.x + W},${a.y + H / 2} C${a.x + W + GX / 2},${a.y + H / 2} ${b.x - GX / 2},${b.y + H / 2} ${b.x},${b.y + H / 2}`} />;
        })}
        {tasks.map((t) => {
          const p = pos(t.id);
          return (
            <g key={t.id} transform={`translate(${p.x},${p.y})`} className={`node ${t.status ?? ''} ${t.error ? 'has-error' : ''}`}>
              <rect width={W} height={H} rx={6} />
              <text x={8} y={18} className="name">
                {t.name.length > 24 ? `${t.name.slice(0, 23)}…` : t.name}
              </text>
              <text x={8} y={36} className="sub">
                {t.error ? '⚠ error' : t.status ? t.status : ''}
              </text>
              {t.holder ? (
                <text x={8} y={51} className="sub">
                  {t.holder}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {/* The same graph as a list, for screen readers and keyboard users. */}
      <ol className="sr-only">
        {tasks.map((t) => (
          <li key={t.id}>
            {t.name}
            {t.status ? `: ${t.status}` : ''}
            {t.holder ? `, held by ${t.holder}` : ''}
            {t.after.length ? `, after ${t.after.map((a) => tasks.find((x) => x.id === a)?.name ?? a).join(' and ')}` : ''}
            {t.error ? `. Error: ${t.error}` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
