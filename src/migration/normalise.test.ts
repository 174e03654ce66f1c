import * as N from './normalise';

describe('free-text enumerations', () => {
  test.each([
    ['Initial', 'initial_consultation'],
    ['initial consult', 'initial_consultation'],
    ['New case', 'initial_consultation'],
    [' INITIAL ', 'initial_consultation'],
    ['Retainer', 'retention'],
    ['retention ', 'retention'],
    ['active treatment', 'active_treatment'],
    ['follow-up', 'follow_up'],
    ['Active_Treatment', 'active_treatment'],
  ])('case type %p → %p', (raw, value) => expect(N.caseType(raw)).toBe(value));

  test('unknown or blank values are null (reported by the caller), never guessed', () => {
    expect(N.caseType('alien abduction')).toBeNull();
    expect(N.caseType('')).toBeNull();
    expect(N.caseType(null)).toBeNull();
    expect(N.orderStatus('lost in space')).toBeNull();
    expect(N.productCategory('gizmos')).toBeNull();
    expect(N.fileKind('hologram')).toBeNull();
  });

  test.each([
    ['In Production', 'in_production'],
    ['in-production', 'in_production'],
    ['MFG', 'in_production'],
    ['Shipped ', 'shipped'],
    ['Pending', 'pending'],
    ['canceled', 'cancelled'],
  ])('order status %p → %p', (raw, value) => expect(N.orderStatus(raw)).toBe(value));

  test('products, projects, files, template functions and roles', () => {
    expect(N.productCategory('retainer ')).toBe('retainers');
    expect(N.productCategory('Accessory')).toBe('accessories');
    expect(N.projectType('Scan ')).toBe('scan');
    expect(N.projectType('stl')).toBe('model');
    expect(N.projectStatus('In Progress')).toBe('in_progress');
    expect(N.fileKind('x-ray')).toBe('xray');
    expect(N.fileKind('STL')).toBe('model');
    expect(N.taskFunction('QC')).toBe('quality_check');
    expect(N.practiceRole('support')).toBe('assistant');
    expect(N.practiceRole('Technician')).toBe('technician');
  });

  test('currency: blank means USD, lower case is upper-cased, anything else is invalid', () => {
    expect(N.currency('')).toBe('USD');
    expect(N.currency('usd')).toBe('USD');
    expect(N.currency(' eur ')).toBe('EUR');
    expect(N.currency('US$')).toBeNull();
  });

  test('accents and case do not matter', () => {
    expect(N.normaliseKey('  Émergency_Repair ')).toBe('emergency repair');
  });
});
