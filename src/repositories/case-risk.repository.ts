/**
 * The seat appointment's risk records (issue 11, part 3; db/migrations/0044). Plain functions
 * whose first argument is the database handle: the caller decides the transaction.
 */
import type { Db, Tx } from '../db/database';
import type { CaseRiskEvent } from '../workflows/case.events';
import { recordCaseRiskNotification } from './notifications.repository';

type Handle = Db | Tx;

/**
 * Records one change of a case's risk level: the event row (once per idempotency key), and, on
 * its first delivery only, the case's seat columns and the inbox flag of its awaiting tasks.
 * Run it in one transaction. Returns whether this call wrote the event (false: a retry).
 */
export async function recordRisk(db: Handle, e: CaseRiskEvent): Promise<boolean> {
  const inserted = await db
    .insertInto('case_risk_events')
    .values({
      case_id: e.caseId,
      practice_id: e.practiceId,
      level: e.level,
      previous_level: e.previousLevel,
      seat_date: e.seatDate,
      transit_days: e.transitDays,
      slack_minutes: e.slackMinutes,
      latest_start: e.latestStart,
      task_ids: e.taskIds,
      notify_roles: e.notifyRoles,
      notify_profiles: e.notifyProfiles,
      created_at: e.at,
      idempotency_key: e.key,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  const atRisk = e.level !== 'on_track';
  await db
    .updateTable('cases')
    .set({ seat_date: e.seatDate, transit_days: e.transitDays, risk_level: e.level, at_risk: atRisk, slack_minutes: e.slackMinutes })
    .where('id', '=', e.caseId)
    .execute();
  await db.updateTable('awaiting_tasks').set({ at_risk: atRisk }).where('case_id', '=', e.caseId).where('at_risk', '!=', atRisk).execute();
  // The email (outbox, issue 11 §4), in the same transaction.
  await recordCaseRiskNotification(db, e);
  return true;
}
