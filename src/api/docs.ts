/**
 * /docs: a self-contained HTML rendering of the OpenAPI document (no scripts, no CDN: the page
 * works offline and under helmet's default content security policy).
 */
const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Op {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}

export function renderDocs(doc: unknown): string {
  const d = doc as { info: { title: string; version: string; description?: string }; paths: Record<string, Record<string, Op>>; components?: { schemas?: Record<string, unknown> } };
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(d.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      const params = (op.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''}) <code>${esc(JSON.stringify(p.schema))}</code></li>`).join('');
      const body = op.requestBody?.content
        ? Object.entries(op.requestBody.content).map(([t, c]) => `<p>Body <code>${esc(t)}</code></p><pre>${esc(JSON.stringify(c.schema, null, 2))}</pre>`).join('')
        : '';
      const responses = Object.entries(op.responses ?? {})
        .map(([s, r]) => `<li><b>${esc(s)}</b> ${esc(r.description)} ${r.content ? Object.entries(r.content).map(([t, c]) => `<code>${esc(t)}</code> <code>${esc(JSON.stringify(c.schema))}</code>`).join(' ') : ''}</li>`)
        .join('');
      const html = `<details><summary><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> ${esc(op.summary)}${op.security?.length ? ' 🔒' : ''}</summary>
<div class="op">${op.description ? `<p>${esc(op.description)}</p>` : ''}${params ? `<p>Parameters</p><ul>${params}</ul>` : ''}${body}<p>Responses</p><ul>${responses}</ul></div></details>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag.entries()].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('\n')}`).join('\n');
  const schemas = Object.entries(d.components?.schemas ?? {})
    .map(([name, s]) => `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(d.info.title)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
summary{cursor:pointer;padding:.3rem 0}code,pre{font-family:ui-monospace,monospace;font-size:12.5px}pre{background:#f6f8fa;padding:.6rem;overflow:auto}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-weight:600;font-size:12px}
.get{background:#2b7bb9}.post{background:#3a9a4a}.patch{background:#c68a12}.put{background:#8a5cc2}.delete{background:#c0392b}.op{margin-left:1.5rem}</style></head>
<body><h1>${esc(d.info.title)} <small>${esc(d.info.version)}</small></h1><p>${esc(d.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). 🔒 = send <code>Authorization: Bearer &lt;token&gt;</code> (from <code>POST /auth/login</code>).</p>
${sections}<h2>Schemas</h2>${schemas}</body></html>`;
}
