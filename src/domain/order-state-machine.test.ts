import { canTransition, orderStateForCase } from './order-state-machine';

describe('order state machine', () => {
  it('moves forward, also skipping steps when the case drives it', () => {
    expect(canTransition('pending', 'confirmed')).toBe(true);
    expect(canTransition('confirmed', 'shipped')).toBe(true);
    expect(canTransition('shipped', 'in_production')).toBe(false);
  });
  it('sends a failed inspection back to production only', () => {
    expect(canTransition('quality_check', 'in_production')).toBe(true);
    expect(canTransition('shipped', 'quality_check')).toBe(false);
  });
  it('cancels open orders but not shipped or finished ones', () => {
    expect(canTransition('in_production', 'cancelled')).toBe(true);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    expect(canTransition('completed', 'cancelled')).toBe(false);
    expect(canTransition('cancelled', 'confirmed')).toBe(false);
  });
  it('refunds delivered orders', () => {
    expect(canTransition('delivered', 'refunded')).toBe(true);
    expect(canTransition('pending', 'refunded')).toBe(false);
  });
  it('maps case states to order states', () => {
    expect(orderStateForCase('approved')).toBe('confirmed');
    expect(orderStateForCase('planning')).toBeNull();
    expect(orderStateForCase('cancelled')).toBe('cancelled');
  });
});
