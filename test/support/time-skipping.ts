/**
 * A time-skipping Temporal for tests in which days pass in seconds: the Java test server
 * (scripts/lib/temporal-test-server.ts) with MDW's search attributes registered, and a clock
 * that moves its time forward. Time skipping starts locked: server time follows the wall clock
 * until `sleep`, which lets the server jump over idle time (timers fire in order, the worker runs
 * every task and activity they cause) until `ms` of server time have passed.
 */
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
// The SDK's own TestWorkflowEnvironment connects this way; createTimeSkipping cannot be used
// (it downloads the server, and allows it 5 s to start).
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { searchAttributeKeys } from '../../temporal/search-attributes';
import { startTemporalTestServer } from '../../scripts/lib/temporal-test-server';
import { testEnv } from './env';

export interface TimeSkippingServer {
  address: string;
  /** Server time (ms since the epoch): the time workflows see. */
  now(): Promise<number>;
  /** Lets `ms` of server time pass, skipping what is idle. */
  sleep(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTimeSkippingServer(namespace: string): Promise<TimeSkippingServer> {
  const server = await startTemporalTestServer({ logFile: path.join(testEnv().dir, `temporal-test-server-${process.pid}.log`) });
  const options: InternalConnectionOptions = { address: server.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
  const connection = await Connection.connect(options);
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!])),
  });
  const testService = connection.testService!;
  return {
    address: server.address,
    async now() {
      return tsToMs((await testService.getCurrentTime({})).time);
    },
    async sleep(ms) {
      await testService.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
    },
    async close() {
      await connection.close();
      await server.stop();
    },
  };
}
