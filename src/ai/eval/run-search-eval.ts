/**
 * `npm run eval:search`: nDCG@10 and recall@10 of lexical-only, vector-only and hybrid search,
 * per local model, on the labelled set in search-set.ts. Runs the production code paths (the
 * pipeline's chunking/expansion/embedding and the search service's legs and fusion) on an
 * ephemeral embedded PostgreSQL. Prints a table and writes bench/results/eval-search-*.json.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../../../scripts/lib/embedded-postgres';
import { ensureEmbeddingModel } from '../../../scripts/lib/embedding-models';
import { loadConfig } from '../../config';
import { createDatabase } from '../../db/database';
import { migrate } from '../../db/migrate';
import { createPatient, createPractice, createProfile } from '../../repositories/identity.repository';
import * as repo from '../../repositories/embeddings.repository';
import { createSearchService } from '../../services/search.service';
import type { FusionOptions } from '../fusion';
import { LOCAL_MODEL_NAMES, localModelRoot } from '../models';
import { embedSources } from '../pipeline';
import { LocalEmbeddingProvider } from '../providers/local';
import type { EmbeddingProvider } from '../providers/types';
import { relevance, SEARCH_DOCS, SEARCH_QUERIES } from './search-set';

const K = 10;

function ndcg(grades: number[], ideal: number[]): number {
  const dcg = (g: number[]) => g.slice(0, K).reduce((s, r, i) => s + (2 ** r - 1) / Math.log2(i + 2), 0);
  const best = dcg([...ideal].sort((a, b) => b - a));
  return best === 0 ? 0 : dcg(grades) / best;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-eval-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_eval', ephemeral: true });
  const database = createDatabase(pg.url, 4);
  const db = database.system;
  try {
    await migrate(pg.url);
    const practiceId = await createPractice(db, { name: 'Eval practice' });
    const sender = await createProfile(db, { email: 'eval-doctor@eval.mdw', firstName: 'Eval', lastName: 'Doctor', role: 'doctor' });
    const patient = await createPatient(db, { practiceId, email: 'eval-patient@eval.mdw', firstName: 'Eval', lastName: 'Patient' });
    const host = await db
      .insertInto('cases')
      .values({ practice_id: practiceId, patient_id: patient.id, case_number: 'HOST', title: 'Message thread', case_type: 'active_treatment' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const idOf = new Map<string, string>();
    let n = 0;
    for (const d of SEARCH_DOCS) {
      if (d.kind === 'case') {
        const r = await db
          .insertInto('cases')
          .values({ practice_id: practiceId, patient_id: patient.id, case_number: `E${++n}`, title: d.title ?? d.text.slice(0, 40), description: d.text, case_type: 'active_treatment' })
          .returning('id')
          .executeTakeFirstOrThrow();
        idOf.set(r.id, d.key);
      } else {
        const r = await db.insertInto('case_messages').values({ case_id: host.id, practice_id: practiceId, sender_id: sender, content: d.text }).returning('id').executeTakeFirstOrThrow();
        idOf.set(r.id, d.key);
      }
    }
    const docByKey = new Map(SEARCH_DOCS.map((d) => [d.key, d]));
    const sources = [
      ...(await repo.loadSources(db, 'case', [...idOf.keys()])),
      ...(await repo.loadSources(db, 'message', [...idOf.keys()])),
    ];
    console.log(`labelled set: ${SEARCH_DOCS.length} documents (${SEARCH_DOCS.filter((d) => d.kind === 'case').length} cases, ${SEARCH_DOCS.filter((d) => d.kind === 'message').length} messages), ${SEARCH_QUERIES.length} queries`);

    const methods: Array<{ name: string; fusion?: FusionOptions; lexicalOnly?: boolean }> = [
      { name: 'lexical (OR + ts_rank)', lexicalOnly: true },
      { name: 'vector', fusion: { method: 'weighted', semanticWeight: 1, k: 60 } },
      { name: 'hybrid rrf 0.5', fusion: { method: 'rrf', semanticWeight: 0.5, k: 60 } },
      { name: 'hybrid rrf 0.7', fusion: { method: 'rrf', semanticWeight: 0.7, k: 60 } },
      { name: 'hybrid weighted 0.5', fusion: { method: 'weighted', semanticWeight: 0.5, k: 60 } },
      { name: 'hybrid weighted 0.6', fusion: { method: 'weighted', semanticWeight: 0.6, k: 60 } },
      { name: 'hybrid weighted 0.7', fusion: { method: 'weighted', semanticWeight: 0.7, k: 60 } },
      { name: 'hybrid weighted 0.8', fusion: { method: 'weighted', semanticWeight: 0.8, k: 60 } },
    ];
    // Tuning (fusion weights, RRF k, rankings) may only look at the even-numbered queries; the
    // odd-numbered ones are held out, and both figures are reported.
    const report: Array<{ model: string; method: string; ndcg10: number; recall10: number; ndcg10Tune: number; ndcg10HeldOut: number; embedMs: number }> = [];
    for (const name of LOCAL_MODEL_NAMES) {
      await ensureEmbeddingModel(name);
      const provider = new LocalEmbeddingProvider(name, localModelRoot(config));
      await sql`DELETE FROM embedding_models`.execute(db);
      await sql`INSERT INTO embedding_models (model, dimensions, state) VALUES (${provider.model}, ${provider.dimensions}, 'active')`.execute(db);
      await repo.ensureModelIndexes(db, provider.model, provider.dimensions);
      const t0 = Date.now();
      await embedSources({ db, providers: () => provider }, sources, [{ model: provider.model, dimensions: provider.dimensions }]);
      const embedMs = Date.now() - t0;
      const failing: EmbeddingProvider = { model: provider.model, dimensions: provider.dimensions, embed: () => Promise.reject(new Error('lexical only')) };
      for (const m of methods) {
        const svc = createSearchService({ system: db, providers: () => (m.lexicalOnly ? failing : provider), embedTimeoutMs: 60_000, fusion: m.fusion });
        let sumN = 0;
        let sumR = 0;
        const split = { tune: 0, heldOut: 0 };
        for (const [qi, q] of SEARCH_QUERIES.entries()) {
          const res = await svc.search((fn) => db.transaction().execute(fn), { q: q.q, kinds: ['case', 'message'], limit: K });
          const keys = res.results.map((r) => idOf.get(r.id)).filter((k): k is string => !!k);
          const grades = keys.map((k) => relevance(q, docByKey.get(k)!));
          const ideal = SEARCH_DOCS.map((d) => relevance(q, d)).filter((g) => g > 0);
          const one = ndcg(grades, ideal);
          sumN += one;
          split[qi % 2 === 0 ? 'tune' : 'heldOut'] += one;
          sumR += grades.filter((g) => g > 0).length / Math.min(K, ideal.length);
        }
        const tuneN = Math.ceil(SEARCH_QUERIES.length / 2);
        const row = {
          model: provider.model,
          method: m.name,
          ndcg10: sumN / SEARCH_QUERIES.length,
          recall10: sumR / SEARCH_QUERIES.length,
          ndcg10Tune: split.tune / tuneN,
          ndcg10HeldOut: split.heldOut / (SEARCH_QUERIES.length - tuneN),
          embedMs,
        };
        report.push(row);
        console.log(
          `${row.model.padEnd(28)} ${row.method.padEnd(24)} nDCG@10 ${row.ndcg10.toFixed(3)}  recall@10 ${row.recall10.toFixed(3)}  (tune ${row.ndcg10Tune.toFixed(3)} / held-out ${row.ndcg10HeldOut.toFixed(3)})`,
        );
      }
      await provider.close();
    }
    const out = path.resolve(__dirname, '../../../bench/results', `eval-search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ docs: SEARCH_DOCS.length, queries: SEARCH_QUERIES.length, k: K, report }, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    await database.destroy();
    pg.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
