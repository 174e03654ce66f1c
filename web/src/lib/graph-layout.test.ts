import { chain, layoutGraph } from './graph-layout';

describe('layoutGraph', () => {
  test('columns follow the longest chain of predecessors; parallel branches share a column', () => {
    const l = layoutGraph([
      { id: 'intake', after: [] },
      { id: 'approval', after: ['intake'] },
      { id: 'print', after: ['approval'] },
      { id: 'attachments', after: ['approval'] },
      { id: 'inspection', after: ['print', 'attachments'] },
    ]);
    expect([...l.nodes.values()].map((n) => [n.id, n.column, n.row])).toEqual([
      ['intake', 0, 0],
      ['approval', 1, 0],
      ['print', 2, 0],
      ['attachments', 2, 1],
      ['inspection', 3, 0],
    ]);
    expect(l.columns).toBe(4);
    expect(l.rows).toBe(2);
    expect(l.edges).toContainEqual({ from: 'attachments', to: 'inspection' });
    expect(l.edges).toHaveLength(5);
  });

  test('a task after a long and a short branch sits after the long one', () => {
    const l = layoutGraph([
      { id: 'a', after: [] },
      { id: 'b', after: ['a'] },
      { id: 'c', after: ['b'] },
      { id: 'd', after: ['a', 'c'] },
    ]);
    expect(l.nodes.get('d')!.column).toBe(3);
  });

  test('unknown predecessors, self-loops and cycles (an edited template can have them) do not hang or throw', () => {
    const l = layoutGraph([
      { id: 'a', after: ['b'] },
      { id: 'b', after: ['a'] },
      { id: 'c', after: ['c', 'nowhere'] },
    ]);
    expect(l.nodes.size).toBe(3);
    expect(l.edges).toEqual([
      { from: 'b', to: 'a' },
      { from: 'a', to: 'b' },
    ]);
    expect(l.nodes.get('c')!.column).toBe(0);
  });

  test('empty graph', () => {
    expect(layoutGraph([])).toMatchObject({ columns: 0, rows: 0, edges: [] });
  });

  test('chain: each after the one before', () => {
    expect(chain([{ id: 'x' }, { id: 'y' }, { id: 'z' }])).toEqual([
      { id: 'x', after: [] },
      { id: 'y', after: ['x'] },
      { id: 'z', after: ['y'] },
    ]);
  });
});
