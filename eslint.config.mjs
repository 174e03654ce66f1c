// Lint protects what the compiler cannot: workflow determinism and unawaited promises.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls',
  'timers', 'timers/promises', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', 'src/db/schema.generated.ts', 'web/dist/**', 'web/test-results/**', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // node-postgres emits 'error' on a client whose connection the server ends; unhandled, that
    // kills the process (issue 8). Every pool and client is created inside guardPool/guardClient.
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.object.name='pg'][callee.property.name=/^(Pool|Client)$/]:not(CallExpression[callee.name=/^guard(Pool|Client)$/] > NewExpression)",
          message: 'Wrap it: guardPool(new pg.Pool(...)) / guardClient(new pg.Client(...)) from src/db/connection-errors.ts, so a terminated connection cannot crash the process.',
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and may not do I/O.
    files: ['src/workflows/**/*.ts', 'temporal/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'Workflow code may not use Node built-ins (non-deterministic / I/O).' })),
            { name: 'pg', message: 'Workflow code may not do I/O: use an activity.' },
            { name: 'kysely', message: 'Workflow code may not do I/O: use an activity.' },
            { name: 'openai', message: 'Workflow code may not do I/O: use an activity.' },
            { name: '@temporalio/client', message: 'Use @temporalio/workflow inside workflows.' },
            { name: '@temporalio/worker', message: 'Use @temporalio/workflow inside workflows.' },
            { name: '@temporalio/activity', message: 'Activities are imported as types only.', allowTypeImports: true },
          ],
          patterns: [
            { group: ['**/activities/*', '**/activities'], message: 'Import activities as types only.', allowTypeImports: true },
            { group: ['**/db/*', '**/api/*', '**/services/*', '**/repositories/*'], message: 'Workflow code may not do I/O.', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() / condition() from @temporalio/workflow.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Non-deterministic: use uuid4() from @temporalio/workflow.' }],
    },
  },
);
