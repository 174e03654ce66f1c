import { matchSystemText } from './system-texts';

describe('matchSystemText', () => {
  it.each([
    ['Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.', 'submitted'],
    ['thank you for the case submission!', 'submitted'],
    ['Your case has been received and is under review by our clinical team.', 'under_review'],
    ['We need additional records before we can continue: please upload a new lower scan.', 'on_hold'],
    ['Records received, resuming your case.', 'resume'],
    ['Records received — resuming your case', 'resume'],
    ['Records received; we are resuming.', 'resume'],
    ['Your treatment plan is ready for review. Please approve or request changes.', 'approval_requested'],
    ['Treatment plan approved by Dr. Alvarez.', 'approved'],
    ['Your aligners are now in production.', 'in_production'],
    ['Case sent to manufacturing.', 'in_production'],
    ['Your order is in final quality inspection.', 'quality_check'],
    ['Your order has shipped via UPS, tracking number 1Z999AA10123456784.', 'shipped'],
    ['Delivered on 03/14/2021.', 'delivered'],
    ['Delivery confirmed.', 'delivered'],
    ['Case completed. Thank you for choosing us!', 'completed'],
    ["This case has been cancelled at the doctor's request.", 'cancelled'],
    ['Case cancelled.', 'cancelled'],
  ])('%s → %s', (text, intent) => {
    expect(matchSystemText(text)?.intent ?? null).toBe(intent);
  });

  it.each([
    'Has the case been cancelled?',
    'case cancelled? please confirm',
    'Do not cancel this case, keep it going',
    'plan looks good, approved, send to mfg',
    'pt moved, hold until further notice',
    'Treatment plan not approved by Dr. Smith yet',
    '',
  ])('free text or a question is not a system text: %s', (text) => {
    expect(matchSystemText(text)).toBeNull();
  });

  it('extracts the doctor, the carrier and the tracking number', () => {
    expect(matchSystemText('Treatment plan approved by Dr. Maria  López.')?.details).toEqual({ doctor: 'maria lópez' });
    expect(matchSystemText('Your order has shipped via FedEx; tracking # 7489 ')?.details).toEqual({ carrier: 'FEDEX', trackingNumber: '7489' });
  });
});
