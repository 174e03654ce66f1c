/**
 * What ORTHO_GLOSSARY costs the embedding pipeline: the labelled set's texts as the pipeline
 * embeds them (chunkText + expandOrtho), with and without the glossary, through the default
 * local model, interleaved (3 rounds each, warm) so that the machine's load hits both alike.
 * `flock /tmp/mdw-bench.lock npx tsx bench/embed-input.bench.ts [--rounds 3] [--model bge-small-en-v1.5-q]`
 */
import { ensureEmbeddingModel } from '../scripts/lib/embedding-models';
import { SEARCH_DOCS } from '../src/ai/eval/search-set';
import { LOCAL_MODEL_NAMES, localModelRoot, type LocalModelName } from '../src/ai/models';
import { LocalEmbeddingProvider } from '../src/ai/providers/local';
import { chunkText, expandOrtho, setOrthoGlossary } from '../src/ai/text';
import { loadConfig } from '../src/config';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const model = (arg('model') ?? config.LOCAL_EMBEDDING_MODEL) as LocalModelName;
  if (!LOCAL_MODEL_NAMES.includes(model)) throw new Error(`--model: unknown model ${model}`);
  const rounds = Number(arg('rounds') ?? 3);
  await ensureEmbeddingModel(model);
  const provider = new LocalEmbeddingProvider(model, localModelRoot(config));
  const inputs = (on: boolean) => {
    setOrthoGlossary(on);
    return SEARCH_DOCS.flatMap((d) => chunkText(d.text).map((c) => expandOrtho(c)));
  };
  const sets = { off: inputs(false), on: inputs(true) };
  setOrthoGlossary(true);
  const words = (xs: string[]) => xs.reduce((s, x) => s + x.split(/\s+/).length, 0) / xs.length;
  try {
    await provider.embed(sets.off.slice(0, 16)); // load the model
    const secs = { off: 0, on: 0 };
    for (let r = 0; r < rounds; r++) {
      for (const k of (r % 2 ? ['on', 'off'] : ['off', 'on']) as Array<'on' | 'off'>) {
        const t = performance.now();
        await provider.embed(sets[k]);
        secs[k] += (performance.now() - t) / 1000;
      }
    }
    const rate = (k: 'on' | 'off') => (sets[k].length * rounds) / secs[k];
    console.log(`${provider.model}: ${sets.off.length} texts, mean words ${words(sets.off).toFixed(1)} without the glossary, ${words(sets.on).toFixed(1)} with it`);
    console.log(`texts/s without ${rate('off').toFixed(1)}, with ${rate('on').toFixed(1)} (ratio ${(rate('on') / rate('off')).toFixed(2)}), ${rounds} interleaved rounds`);
  } finally {
    await provider.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
