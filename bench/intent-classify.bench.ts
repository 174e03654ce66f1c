/**
 * `npm run bench:intent-classify -- [--texts 20000] [--batch 1250]`: the migration's intent
 * classifier (lexical encoder, createMigrationClassifier) on the free staff texts of the
 * generated legacy data (one distinct note per case, five phrases repeated), in the batches the
 * records phase hands it. Prints CPU ms per distinct text and an md5 of every result (a change
 * that must not move the answers keeps the md5).
 */
import { createHash } from 'node:crypto';
import { createMigrationClassifier } from '../src/migration/intent';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

const PHRASES = ['plan looks good, approved, send to mfg', 'pt moved, hold until further notice', 'called the office', 'please check the bite', 'thanks!'];

async function main() {
  const n = arg('texts', 20_000);
  const batch = arg('batch', 1250);
  const clf = await createMigrationClassifier(null);
  const texts: string[] = [];
  for (let g = 1; g <= n; g++) texts.push(PHRASES[g % 5]!, `note ${g}`);
  const hash = createHash('md5');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += batch) {
    const out = await clf.classifyMany(texts.slice(i, i + batch));
    hash.update(JSON.stringify(out));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${texts.length} texts (${n + 5} distinct) in ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU = ${(((cpu.user + cpu.system) / 1000 / n) * 1000).toFixed(1)} µs CPU per distinct text; results md5 ${hash.digest('hex')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
