/**
 * The labelled evaluation set of `npm run eval:intent`: system texts (the legacy system's
 * dispatch texts with the variations real data has, and MDW's own status texts) and staff free
 * text, each with the intent a careful reader assigns. Hard negatives are texts that carry an
 * action word but must not become an action: questions, negations, conditionals, hedges, and
 * action words about something else (an appointment cancelled). None of these texts is among
 * the classifier's examples (src/ai/intent/examples.ts); a unit test checks.
 */
import type { Intent } from '../../src/ai/intent/types';

export interface EvalItem {
  text: string;
  intent: Intent;
  kind: 'system' | 'staff';
  hardNegative?: boolean;
}

const sys = (intent: Intent, texts: string[]): EvalItem[] => texts.map((text) => ({ text, intent, kind: 'system' }));
const staff = (intent: Intent, texts: string[]): EvalItem[] => texts.map((text) => ({ text, intent, kind: 'staff' }));
const hard = (intent: Intent, texts: string[]): EvalItem[] => texts.map((text) => ({ text, intent, kind: 'staff', hardNegative: true }));

const DOCTORS = ['Alvarez', 'Maria López', "O'Brien", 'Nguyen', 'Schmidt-Weber', 'Kim'];
const CARRIERS = ['UPS', 'FedEx', 'DHL', 'USPS'];
const TRACKING = ['1Z999AA10123456784', '7489 2231 0098', '420123456789', 'JD014600006281234567'];
const DATES = ['03/14/2021', '2020-11-02', 'March 3, 2022', '12.05.2019'];

export const SYSTEM_TEXTS: EvalItem[] = [
  ...sys('submitted', [
    'Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.',
    'THANK YOU FOR YOUR CASE SUBMISSION.',
    'Thank you for the case submission - our team will be in touch.',
    'thank you for your case submission!  Case #4471',
  ]),
  ...sys('under_review', [
    'Your case has been received and is under review by our clinical team.',
    'Your case has been received and is now under review.',
    'The case has been received and is under review',
    'your case has been received and is under review by Dr. Patel',
  ]),
  ...sys('on_hold', [
    'We need additional records before we can continue: please upload a new lower scan.',
    'We need additional records (panoramic x-ray).',
    'Additional records are required to continue with your case.',
    'Additional records needed: bite registration',
  ]),
  ...sys('resume', ['Records received, resuming your case.', 'Records received – resuming your case', 'Records received. We are resuming work on your case.', 'RECORDS RECEIVED, RESUMING']),
  ...sys('approval_requested', [
    'Your treatment plan is ready for review. Please approve or request changes.',
    'Your treatment plan is ready for your review.',
    'The treatment plan is ready for review',
    'your treatment plan is ready for review (version 2)',
  ]),
  ...sys(
    'approved',
    DOCTORS.map((d, i) => (i % 2 ? `Treatment plan approved by Dr. ${d}.` : `Treatment plan has been approved by Dr ${d}`)),
  ),
  ...sys('in_production', ['Your aligners are now in production.', 'Case sent to manufacturing.', 'Your order is in production', 'Your retainers are now in production.', 'Case sent to production.']),
  ...sys('quality_check', ['Your order is in final quality inspection.', 'Your aligners are in quality control.', 'Your case is now in final quality check.']),
  ...sys(
    'shipped',
    CARRIERS.map((c, i) => (i % 2 ? `Your order has shipped via ${c}, tracking number ${TRACKING[i]}.` : `Your order has been shipped via ${c}; tracking # ${TRACKING[i]}`)),
  ),
  ...sys('delivered', [...DATES.map((d) => `Delivered on ${d}.`), 'Delivery confirmed.', 'Delivery has been confirmed']),
  ...sys('completed', ['Case completed. Thank you for choosing us!', 'Your case has been completed.', 'Case completed.', 'This case is completed']),
  ...sys('cancelled', ["This case has been cancelled at the doctor's request.", 'Case cancelled.', 'Your case was canceled.', 'The case has been cancelled: duplicate submission']),
  // System texts that announce no state change.
  ...sys('none', [
    'A new file has been uploaded to your case.',
    'Invoice 2231 is now available in your portal.',
    'Reminder: 3 cases are waiting for your review.',
    'Task "Records review" is waiting for completion by technician.',
    'Your password was changed.',
  ]),
];

export const STAFF_TEXTS: EvalItem[] = [
  ...staff('approved', [
    'plan approved, send to mfg',
    'Approved. Please go ahead with the aligners.',
    'tx plan ok, proceed',
    "I'm happy with this setup, approved.",
    'approved!',
    'go ahead with production please',
    'This looks good to me - approved',
    'Dr. Weiss approved the plan, proceed with printing',
    'yes go ahead',
    'approve the setup, thanks for the quick work',
    'final positions look good, ok to print',
    'tp approved w/ IPR as shown',
    'all good from my side, proceed',
    'signed off, start production',
    'approved, don\'t forget the attachments on UR3',
    'the revised plan is approved',
    'good to go',
    'Approved, no changes needed.',
    'lgtm, proceed with fabrication',
    'accept plan v2',
  ]),
  ...staff('changes_requested', [
    'please revise, the lower midline is off by 1mm',
    'add more torque on UR1 and UL1',
    'reduce the IPR between LL3 and LL4',
    'please adjust the attachment on LR5',
    'redo the upper staging, it moves too fast',
    'modify the final bite, class II is not corrected',
    'more expansion needed on the lower arch, please revise',
    'the canines need more rotation, change the plan',
  ]),
  ...staff('on_hold', [
    'please hold this case',
    'put the case on hold, patient needs a root canal',
    'Hold please, pt is moving abroad for 3 months',
    'pause everything, insurance issue',
    'on hold until further notice',
    'stop production, the scan was of the wrong patient',
    'hold - patient is pregnant, will revisit',
    'freeze this one please, pt is in hospital',
    'please put on hold, waiting for the perio clearance',
    'case on hold per Dr. Shah',
    'pause printing please',
    'hold pls, missing consent',
    'put it on hold, new records coming',
    'suspend the case, unpaid balance',
    'halt production on this case',
  ]),
  ...staff('resume', [
    'please resume',
    'resume the case, pt is back',
    'ok, take it off hold',
    'insurance sorted, please continue the case',
    'root canal done, resume treatment',
    'remove the hold please, records uploaded',
    'reactivate the case, patient returned',
    'resume production',
    'lift the hold, consent signed',
    'unpause this case please',
    'pt back from abroad, restart the case',
    'we can continue, perio clearance received',
  ]),
  ...staff('cancelled', [
    'please cancel the case',
    'cancel this case, the patient chose braces instead',
    'Cancel - duplicate submission',
    'pt discontinued tx, cancel please',
    'patient withdrew, cancel the case',
    'cancel it please, wrong arch submitted as a new case',
    'discontinue this case',
    'cancel, the patient moved to another clinic',
    'we need to cancel this case, patient request',
    'kindly cancel this order and the case',
    'case to be cancelled, pt declined',
    'terminate the case please, patient deceased',
  ]),
  ...staff('shipped', ['shipped via fedex today, tracking 7722', 'aligners dispatched this morning', 'sent out today with DHL', 'package went out, tracking to follow']),
  ...staff('delivered', ['aligners arrived today', 'we received the retainers, thank you', 'package delivered this morning', 'got the aligners, all looks fine']),
  // Hard negatives: questions.
  ...hard('none', [
    'has this been approved yet?',
    'Has the case been cancelled?',
    'can we approve this today?',
    'should we put the case on hold?',
    'is the case on hold?',
    'did the doctor approve the plan',
    'when will the aligners ship',
    'was this case cancelled or just paused',
    'can you confirm the plan is approved',
    'why was the case put on hold?',
    'any update on the approval?',
    'is it ok to resume now?',
    'who cancelled this case?',
    'how do I approve the plan in the portal',
    'could we resume next week?',
    'should I cancel the duplicate case',
    'approve?',
    'hold or cancel?',
  ]),
  // Hard negatives: negations.
  ...hard('none', [
    'do NOT cancel, keep the case going',
    "don't approve yet, I want to see the new scan",
    'not approved, the midline is still off',
    'please do not put this case on hold',
    'no need to hold the case, the patient is back',
    'the plan is not approved yet',
    "don't cancel, patient changed her mind",
    'I have not approved this plan',
    'never approved this, please check',
    'we will not resume until the balance is paid',
    'no longer on hold? nobody told us',
    'not ready to approve',
    "please don't pause the printing",
    'do not ship yet',
    'cancelling is not an option, the patient paid',
  ]),
  // Hard negatives: conditionals and hedges.
  ...hard('none', [
    'if the scan is fine we can approve',
    'if the patient does not show up, cancel the case',
    'once the new records arrive, resume the case',
    'approve only after the IPR is reduced',
    'we might have to put the case on hold',
    'maybe cancel, waiting for the patient to decide',
    'thinking about pausing this one',
    'unless the doctor objects, approve on Friday',
    'as soon as the extraction heals we can resume',
    'the doctor is considering cancelling this case',
    'provided the bite is corrected, approved',
    'I will approve tomorrow',
    'let\'s discuss the hold at the meeting',
    'in case the patient calls, we can resume the case',
    'we are planning to cancel if payment does not arrive',
    'when the patient is back from holiday we can continue',
    'possibly on hold next month',
  ]),
  // Hard negatives: action words about something else.
  ...hard('none', [
    'the patient cancelled today\'s appointment',
    'cancelled the pickup with UPS, will rebook',
    'insurance approved the pre-authorisation',
    'the attachments hold well',
    'the bracket on UL2 did not hold',
    'patient should continue with aligner 12',
    'resume elastics after the weekend',
    'approval letter uploaded',
    'awaiting approval from the doctor',
    'the plan is ready for approval',
    'patient put her wear on hold during the flu',
    'we cancelled the night guard order, not this case',
    'continue wearing the retainer every night',
    'the approved plan is attached for reference',
    'please keep the patient\'s hold music preferences in mind',
  ]),
  // Plain thread traffic.
  ...staff('none', [
    'new scans uploaded, please check',
    'patient reports pain on the lower left',
    'attached the panoramic x-ray',
    'thanks for your help',
    'call me when you can',
    'the photos are in the files tab',
    'IPR done today, 0.2mm between UR2 and UR3',
    'patient is on aligner 8',
    'noted, thanks',
    'see the notes from today\'s visit',
    'bite registration uploaded',
    'patient moved her appointment to Monday',
  ]),
];

export const EVAL_SET: EvalItem[] = [...SYSTEM_TEXTS, ...STAFF_TEXTS];
