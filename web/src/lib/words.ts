/**
 * What the console says in words: refusals from the API by their machine-readable code, states,
 * roles and due times. Pure (unit-tested); pages add the API's own message where it says more.
 */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Array<{ field?: string; message: string }> | null };
}

const REFUSALS: Record<string, string> = {
  wrong_role: 'Your role cannot do this step.',
  task_not_awaiting_decision: 'This step is not waiting for a decision any more — someone may have acted on it already.',
  unknown_task: 'This step is not part of the case’s plan.',
  case_on_hold: 'The case is on hold: resume it first.',
  case_not_on_hold: 'The case is not on hold.',
  case_finished: 'The case is finished; nothing more can be done on it.',
  case_closed: 'The case is closed.',
  reason_required: 'Give a reason for this decision.',
  task_assigned: 'Someone else holds this task.',
  task_not_assigned: 'Nobody holds this task.',
  proposal_not_pending: 'This proposal was already decided.',
  forbidden: 'You are not allowed to do this.',
  not_found: 'Not found — it does not exist or is not yours to see.',
  duplicate_patient: 'This looks like a patient you already have.',
  validation_failed: 'Some fields need fixing.',
  too_many_requests: 'Too many attempts; wait a minute and try again.',
  invalid_credentials: 'Wrong email or password.',
  service_unavailable: 'The service is busy or restarting; try again in a moment.',
  template_invalid: 'The template has errors.',
  conflict: 'Someone changed this at the same time; reload and try again.',
};

/** One sentence for a refused request: the code's words, then the API's own message if it adds to them. */
export function refusal(body: unknown, status?: number): string {
  const e = (body as Partial<ApiErrorBody> | null | undefined)?.error;
  if (!e || typeof e.code !== 'string') return status ? `The request failed (HTTP ${status}).` : 'The request failed.';
  const words = REFUSALS[e.code];
  const fields = (e.details ?? []).filter((d) => d.field).map((d) => `${d.field}: ${d.message}`);
  const extra = fields.length ? ` (${fields.join('; ')})` : '';
  if (!words) return `${e.message}${extra}`;
  return e.message && !sameMeaning(words, e.message) ? `${words} ${e.message}${extra}` : `${words}${extra}`;
}

const sameMeaning = (a: string, b: string) => a.toLowerCase().replace(/\W/g, '') === b.toLowerCase().replace(/\W/g, '');

/** `under_review` → `Under review`. */
export function label(code: string): string {
  const s = code.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export type DueStatus = 'overdue' | 'at_risk' | 'on_time' | 'none';

/** Overdue when past due (or the API says so); at risk within `riskHours` of it. */
export function dueStatus(dueAt: string | null | undefined, overdue: boolean, now: number, riskHours = 24): DueStatus {
  if (overdue) return 'overdue';
  if (!dueAt) return 'none';
  const ms = Date.parse(dueAt) - now;
  if (ms < 0) return 'overdue';
  return ms <= riskHours * 3_600_000 ? 'at_risk' : 'on_time';
}

/** "in 3 h", "2 d ago" — short, for lists. */
export function relative(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const unit = abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  return ms >= 0 ? `in ${unit[0]} ${unit[1]}` : `${unit[0]} ${unit[1]} ago`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
