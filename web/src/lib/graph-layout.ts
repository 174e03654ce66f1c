/**
 * Lays out a task graph (a template's or a case's plan) in columns: a task's column is the
 * length of the longest chain of predecessors before it, so every edge points right and
 * parallel branches share a column. Pure, for the SVG drawing and its unit tests.
 */
export interface GraphNode {
  id: string;
  after: string[];
}

export interface PlacedNode {
  id: string;
  column: number;
  row: number;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: Array<{ from: string; to: string }>;
  columns: number;
  rows: number;
}

/**
 * @param nodes - in display order; predecessors that are not among the nodes are ignored, and a
 *   cycle (which the compiler refuses, but an edited template can have) is cut where it closes.
 */
export function layoutGraph(nodes: GraphNode[]): Layout {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const n = byId.get(id)!;
    let c = 0;
    for (const p of n.after) if (byId.has(p) && p !== id) c = Math.max(c, depth(p) + 1);
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  for (const n of nodes) depth(n.id);

  const placed = new Map<string, PlacedNode>();
  const perColumn = new Map<number, number>();
  for (const n of nodes) {
    const c = column.get(n.id)!;
    const row = perColumn.get(c) ?? 0;
    perColumn.set(c, row + 1);
    placed.set(n.id, { id: n.id, column: c, row });
  }
  const edges = nodes.flatMap((n) => n.after.filter((p) => byId.has(p) && p !== n.id).map((p) => ({ from: p, to: n.id })));
  return {
    nodes: placed,
    edges,
    columns: nodes.length ? Math.max(...column.values()) + 1 : 0,
    rows: nodes.length ? Math.max(...perColumn.values()) : 0,
  };
}

/** Without explicit predecessors: each task after the one before it (the template's order). */
export function chain<T extends { id: string }>(items: T[]): GraphNode[] {
  return items.map((t, i) => ({ id: t.id, after: i > 0 ? [items[i - 1]!.id] : [] }));
}
