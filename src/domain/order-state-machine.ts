/**
 * Orders follow their own state machine (order_state_enum), driven by the case's production
 * steps. Pure: used by activities and the API, unit-tested beside it.
 */
import type { CaseState } from '../workflows/plan/plan.types';

export const ORDER_STATES = ['pending', 'confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

const FORWARD: readonly OrderState[] = ['pending', 'confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed'];
const TERMINAL: ReadonlySet<OrderState> = new Set(['completed', 'cancelled', 'refunded']);

/** Whether `from → to` is a legal order transition. */
export function canTransition(from: OrderState, to: OrderState): boolean {
  if (from === to) return false;
  if (to === 'refunded') return from === 'delivered' || from === 'completed' || from === 'shipped';
  if (TERMINAL.has(from)) return false;
  if (to === 'cancelled') return from !== 'shipped' && from !== 'delivered';
  // A failed inspection sends the order back to production.
  if (from === 'quality_check' && to === 'in_production') return true;
  const i = FORWARD.indexOf(from);
  const j = FORWARD.indexOf(to);
  return i >= 0 && j > i;
}

/** The order state a case state implies, if any. */
export function orderStateForCase(state: CaseState): OrderState | null {
  switch (state) {
    case 'approved':
      return 'confirmed';
    case 'in_production':
    case 'quality_check':
    case 'shipped':
    case 'delivered':
    case 'completed':
    case 'cancelled':
      return state;
    default:
      return null;
  }
}

export function isOpen(state: OrderState): boolean {
  return !TERMINAL.has(state);
}
