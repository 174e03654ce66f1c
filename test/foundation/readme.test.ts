/** The README is the newcomer's one hop to every capability: every script named, every link alive. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
/** Relative links of the README (`[text](path#anchor)`), without anchors; web links left out. */
const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!).filter((l) => l && !/^[a-z]+:/i.test(l));

test('every link in README.md leads to a file of the repository', () => {
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((l) => !existsSync(path.join(root, l)))).toEqual([]);
});

test('every npm script is named in README.md or in a document it links', () => {
  const docs = [readme, ...[...new Set(links)].filter((l) => l.endsWith('.md') && existsSync(path.join(root, l))).map((l) => readFileSync(path.join(root, l), 'utf8'))].join('\n');
  const scripts = Object.keys((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  expect(scripts.length).toBeGreaterThan(10);
  const named = (s: string) => new RegExp(`npm run ${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w:-])`).test(docs) || (s === 'test' && /npm test\b/.test(docs));
  expect(scripts.filter((s) => !named(s))).toEqual([]);
});
