/**
 * A worker process (as `npm run worker` starts it: src/config, Runtime.install, the real worker)
 * whose `manufacture` hook fails its first attempts with an error naming a patient, as an SMTP
 * server or a lab machine's API echoing its input would. test/worker-logs.test.ts reads
 * everything this process writes. MDW_TEST_PHI_NAME / MDW_TEST_PHI_EMAIL: the patient.
 */
import { log } from '@temporalio/activity';
import { config } from '../../src/config';
import { startWorker } from '../../src/worker/worker';

/** The error the hook throws, so that the test can compute the fingerprint an operator would see. */
export function phiError(name: string, email: string): Error {
  return Object.assign(new Error(`550 5.1.1 <${email}>: mailbox of ${name} unavailable`), { code: 'EENVELOPE', responseCode: 550 });
}

async function main(): Promise<void> {
  const cfg = config();
  const [name, email] = [process.env.MDW_TEST_PHI_NAME ?? '', process.env.MDW_TEST_PHI_EMAIL ?? ''];
  let attempts = 0;
  const w = await startWorker({
    config: cfg,
    databaseUrl: cfg.DATABASE_URL!,
    workflowBundlePath: cfg.WORKFLOW_BUNDLE_PATH,
    hooks: {
      manufacture: async () => {
        if (attempts++ < 2) {
          const err = phiError(name, email);
          log.warn('lab machine refused the job', { error: err }); // an activity's own log line
          throw err;
        }
        return { summary: 'Printed' };
      },
    },
  });
  console.log(JSON.stringify({ msg: 'worker started', taskQueue: cfg.TEMPORAL_TASK_QUEUE }));
  process.once('SIGTERM', () => void w.stop());
  await w.done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('phi worker failed', err);
    process.exit(1);
  });
}
