/** GET /health: PostgreSQL and Temporal answer (503 when either does not). */
import { sql } from 'kysely';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZCheck = z.enum(['up', 'down']);
export const ZHealth = z.object({ status: z.enum(['ok', 'degraded']), checks: z.object({ database: ZCheck, temporal: ZCheck }) }).openapi('Health');
export type THealth = z.infer<typeof ZHealth>;

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/health',
    tags: ['health'],
    summary: 'Liveness of the API and its dependencies',
    description: 'Answers 503 with the same body when PostgreSQL or Temporal does not answer within 3 s.',
    auth: false,
    response: ZHealth,
    altResponses: { 503: { description: 'A dependency is down.', schema: ZHealth } },
    handler: async ({ res }) => {
      const [database, temporal] = await Promise.all([
        within(sql`select 1`.execute(s.database.system), 3000).then(
          () => 'up' as const,
          () => 'down' as const,
        ),
        // A deadline on the call itself: a call merely raced against a timer would go on
        // retrying in the background after the answer (and after shutdown).
        s.temporal.connection.withDeadline(Date.now() + 3000, () => s.temporal.workflowService.getSystemInfo({})).then(
          () => 'up' as const,
          () => 'down' as const,
        ),
      ]);
      const body: THealth = { status: database === 'up' && temporal === 'up' ? 'ok' : 'degraded', checks: { database, temporal } };
      if (body.status !== 'ok') res.status(503);
      return body;
    },
  });
}
