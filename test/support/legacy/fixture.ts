/**
 * A small legacy database with every kind of mess that shared/legacy/README.md lists, and the
 * outcome each row must have (written by hand, next to the row, in `EXPECTED`). Built with the
 * DDL Django creates from models.py (django-ddl.ts). Used by test/migration/*.test.ts.
 */
import pg from 'pg';
import { guardClient } from '../../../src/db/connection-errors';
import { CORE_DDL, OPTIONAL_DDL } from './django-ddl';

type Row = Record<string, unknown>;

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return pg.escapeLiteral(String(v));
}

export function insertSql(table: string, rows: Row[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const values = rows.map((r) => `(${cols.map((c) => literal(r[c])).join(', ')})`).join(',\n');
  return `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) OVERRIDING SYSTEM VALUE VALUES\n${values};\n`;
}

// Content-type ids deliberately differ from a fresh installation's: the tool must use natural keys.
export const CT = { user: 3, practice: 7, patient: 11, case: 17, order: 19, shipment: 23, lead: 29, contenttype: 31 } as const;

const SUBMITTED = 'Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.';
const UNDER_REVIEW = 'Your case has been received and is under review by our clinical team.';

const user = (id: number, username: string, first: string, last: string, email: string, extra: Row = {}): Row => ({
  id,
  password: 'pbkdf2_sha256$260000$legacy$hash',
  last_login: null,
  is_superuser: false,
  username,
  first_name: first,
  last_name: last,
  email,
  is_staff: false,
  is_active: true,
  date_joined: '2023-01-02 09:00:00',
  ...extra,
});

const kase = (id: number, patient: number, doctor: number | null, practice: number | null, number: string | null, type: string, workflow: string, created: string, extra: Row = {}): Row => ({
  id,
  case_number: number,
  title: `Case ${id}`,
  description: '',
  case_type: type,
  priority: 1,
  workflow_name: workflow,
  created_at: created,
  updated_at: created,
  doctor_id: doctor,
  patient_id: patient,
  practice_id: practice,
  ...extra,
});

let recordId = 1000;
const rec = (target: number, text: string, at: string, author: number | null = null, ct: number = CT.case, id?: number): Row => ({
  id: id ?? recordId++,
  target_id: target,
  text,
  created_at: at,
  author_id: author,
  target_type_id: ct,
});

export const DATA = {
  django_content_type: [
    { id: CT.user, app_label: 'auth', model: 'user' },
    { id: CT.practice, app_label: 'dispatch', model: 'practice' },
    { id: CT.patient, app_label: 'dispatch', model: 'patient' },
    { id: CT.case, app_label: 'dispatch', model: 'case' },
    { id: CT.order, app_label: 'dispatch', model: 'order' },
    { id: CT.shipment, app_label: 'dispatch', model: 'shipment' }, // model removed long ago
    { id: CT.lead, app_label: 'crm', model: 'lead' }, // app removed long ago
    { id: CT.contenttype, app_label: 'contenttypes', model: 'contenttype' },
  ],
  auth_group: [
    { id: 1, name: 'technician' },
    { id: 2, name: 'support' },
    { id: 3, name: 'admin' },
    { id: 4, name: 'doctor' },
  ],
  auth_user: [
    user(1, 'root', 'Rita', 'Root', 'rita@lab.example', { is_superuser: true, is_staff: true }),
    user(2, 'tech', 'Tom', 'Tech', 'tom@lab.example', { is_staff: true }),
    user(3, 'help', 'Sue', 'Support', 'sue@lab.example', { is_staff: true }),
    user(10, 'drwong', 'Alice', 'Wong', 'alice@lakeside.example'),
    user(11, 'drortiz', 'Ben', 'Ortiz', 'ben@prairie.example'),
    user(12, 'drdiaz', 'Carla', 'Diaz', 'carla@nowhere.example'),
    user(20, 'sgreen', 'Sierra', 'Green', 'sierra.green@example.com'),
    user(21, 'sgreen2', 'sierra', 'green ', ' Sierra.Green@Example.com '),
    user(22, 'sgreen3', 'Sierra', 'Green', 'sierra.green@example.com'),
    user(23, 'tnolen', 'Tori', 'Nolen', 'tori@example.com'),
    user(24, 'tnolen2', 'Tori', 'Nolen', 'TORI@example.com'),
    user(25, 'tnolen3', 'Tori', 'Nolen', 'tori@example.com '),
    user(26, 'test1', 'Test', 'Test', 'test@test.com'),
    user(27, 'test2', 'Test', 'Test', 'test@test.com'),
    user(28, 'test3', 'test', 'test', 'TEST@test.com'),
    user(29, 'akim', 'Alex', 'Kim', 'alex.kim@example.com'),
    user(30, 'akim2', 'Alex', 'Kim', 'akim@other.example'),
    user(31, 'mlopez', 'María', 'López', 'maria@example.com'),
    user(32, 'jpark', 'Jo', 'Park', 'jo@example.com'),
    user(40, 'ghost', 'Gus', 'Ghost', ''),
  ],
  auth_user_groups: [
    { id: 1, user_id: 2, group_id: 1 },
    { id: 2, user_id: 3, group_id: 2 },
    { id: 3, user_id: 10, group_id: 4 },
  ],
  dispatch_practice: [
    { id: 1, name: 'Lakeside Orthodontics', address: '1 Lake St\nSuite 2\nChicago, IL', phone: '312-555-0100', email: 'front@lakeside.example', license_number: 'IL-1', created_at: '2022-05-01 08:00:00' },
    { id: 2, name: 'Prairie Smiles', address: '', phone: '', email: '', license_number: null, created_at: '2022-06-01 08:00:00' },
  ],
  dispatch_doctor: [
    { id: 10, user_id: 10, practice_id: 1, license_number: 'D-10', specialties: 'orthodontics, aligners', bio: '' },
    { id: 11, user_id: 11, practice_id: 2, license_number: 'D-11', specialties: '', bio: '' },
    { id: 12, user_id: 12, practice_id: null, license_number: null, specialties: '', bio: '' },
  ],
  dispatch_patient: [
    { id: 100, user_id: 20, birthdate: '1990-04-12', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 101, user_id: 21, birthdate: '1990-04-12', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 102, user_id: 22, birthdate: null, sex: '', updated_at: '2023-01-01 00:00:00' },
    { id: 103, user_id: 23, birthdate: '1985-07-30', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 104, user_id: 24, birthdate: '1985-07-30', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 105, user_id: 25, birthdate: '1985-07-03', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 106, user_id: 26, birthdate: null, sex: null, updated_at: '2023-01-01 00:00:00' },
    { id: 107, user_id: 27, birthdate: '2000-01-01', sex: 'M', updated_at: '2023-01-01 00:00:00' },
    { id: 108, user_id: 28, birthdate: null, sex: null, updated_at: '2023-01-01 00:00:00' },
    { id: 109, user_id: 29, birthdate: '1992-01-01', sex: 'M', updated_at: '2023-01-01 00:00:00' },
    { id: 110, user_id: 30, birthdate: '1975-09-15', sex: 'M', updated_at: '2023-01-01 00:00:00' },
    { id: 111, user_id: 31, birthdate: '1988-02-29', sex: 'F', updated_at: '2023-01-01 00:00:00' },
    { id: 112, user_id: 32, birthdate: '1999-09-09', sex: 'O', updated_at: '2023-01-01 00:00:00' },
  ],
  dispatch_template: [
    // "Standard aligner": valid; predecessors name dispatch_template ids.
    { id: 900, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Intake', task_order: 1, function: 'submit', auto: true, roles: '', predecessors: '', duration_hours: null },
    { id: 901, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Records review', task_order: 2, function: 'review', auto: false, roles: 'technician', predecessors: '900', duration_hours: 4 },
    { id: 902, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Plan design', task_order: 3, function: 'model', auto: false, roles: 'technician', predecessors: '901', duration_hours: 24 },
    { id: 903, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Doctor approval', task_order: 4, function: 'approve', auto: false, roles: 'doctor', predecessors: '902', duration_hours: 48 },
    { id: 904, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Manufacturing', task_order: 5, function: 'manufacture', auto: false, roles: 'technician', predecessors: '903', duration_hours: 48 },
    { id: 905, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Inspection', task_order: 6, function: 'QC', auto: false, roles: 'technician', predecessors: '904', duration_hours: 8 },
    { id: 906, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Shipping', task_order: 7, function: 'ship', auto: false, roles: 'technician, support', predecessors: '905', duration_hours: 24 },
    { id: 907, workflow_name: 'Standard aligner', case_type: 'Active Treatment', task_name: 'Closing', task_order: 8, function: 'notify', auto: true, roles: '', predecessors: '906', duration_hours: null },
    // "Broken flow": two tasks waiting for each other → the compiler refuses it → rejected, not half-imported.
    { id: 910, workflow_name: 'Broken flow', case_type: 'retention', task_name: 'A', task_order: 1, function: 'review', auto: false, roles: 'technician', predecessors: '911', duration_hours: null },
    { id: 911, workflow_name: 'Broken flow', case_type: 'retention', task_name: 'B', task_order: 2, function: 'review', auto: false, roles: 'technician', predecessors: '910', duration_hours: null },
    // "Retention basic": valid.
    { id: 920, workflow_name: 'Retention basic', case_type: 'Retainer', task_name: 'Intake', task_order: 1, function: 'submit', auto: true, roles: '', predecessors: '', duration_hours: null },
    { id: 921, workflow_name: 'Retention basic', case_type: 'Retainer', task_name: 'Review', task_order: 2, function: 'review', auto: false, roles: 'technician', predecessors: '920', duration_hours: 4 },
    { id: 922, workflow_name: 'Retention basic', case_type: 'Retainer', task_name: 'Make retainer', task_order: 3, function: 'manufacture', auto: false, roles: 'technician', predecessors: '921', duration_hours: 24 },
    { id: 923, workflow_name: 'Retention basic', case_type: 'Retainer', task_name: 'Ship', task_order: 4, function: 'ship', auto: false, roles: 'technician', predecessors: '922', duration_hours: 24 },
  ].map((t) => ({ is_predefined: false, action: '', text_prompt: '', category: '', ...t })),
  dispatch_case: [
    kase(200, 100, 10, 1, 'A-100', 'Initial', 'Standard aligner', '2024-03-08 09:00:00'),
    kase(201, 101, 10, null, '', 'active treatment', 'Standard aligner', '2024-04-01 09:00:00'), // practice from doctor; blank number
    kase(202, 102, 11, 2, 'B-1', 'retention', 'Broken flow', '2023-01-05 09:00:00'),
    kase(203, 103, 11, 2, 'B-1', 'New case', '', '2023-06-01 09:00:00'), // number repeats in practice 2
    kase(204, 104, 11, 2, 'B-2', 'Retainer ', 'Retention basic', '2024-01-10 09:00:00'),
    kase(205, 106, 10, 1, 'T-1', 'Initial', '', '2024-01-10 09:00:00'), // test data patient
    kase(206, 109, 10, 1, 'A-101', 'refinement', '', '2024-02-01 09:00:00'),
    kase(207, 110, 12, null, 'X-1', 'Initial', '', '2024-02-01 09:00:00'), // no practice anywhere
    kase(208, 111, 10, 1, 'A-102', 'alien abduction', '', '2024-02-01 09:00:00'), // unknown case type
    kase(209, 111, 10, 1, 'A-100', 'initial consult', '', '2024-02-15 09:00:00'), // repeats 200's number
    kase(211, 105, 11, 2, 'B-3', 'Initial', 'Standard aligner', '2024-05-01 09:00:00'),
  ],
  dispatch_record: [
    // Case 200: the whole life of a case, across the 2024 spring-forward gap (02:00 CST → 03:00 CDT).
    rec(200, SUBMITTED, '2024-03-08 09:05:00'),
    rec(200, UNDER_REVIEW, '2024-03-10 01:30:00'),
    rec(200, 'plan looks good, approved, send to mfg', '2024-03-10 03:30:00', 2),
    rec(200, 'Your treatment plan is ready for review. Please approve or request changes.', '2024-03-11 10:00:00'),
    rec(200, 'Treatment plan approved by Dr. Alice Wong.', '2024-03-12 10:00:00', 10),
    rec(200, 'Case sent to manufacturing.', '2024-03-13 10:00:00'),
    rec(200, 'Your order is in final quality inspection.', '2024-03-15 10:00:00'),
    rec(200, 'Your order has shipped via UPS, tracking number 1Z999AA10123456784', '2024-03-16 10:00:00'),
    rec(200, 'Delivered on 2024-03-20.', '2024-03-20 15:00:00'),
    rec(200, 'Case completed. Thank you for choosing us!', '2024-03-21 10:00:00'),
    // Case 201: waiting for the doctor's approval (planning).
    rec(201, 'Thank you for the case submission!', '2024-04-01 09:01:00'),
    rec(201, 'Your treatment plan is ready for your review.', '2024-04-03 09:00:00'),
    // Case 202: cancelled.
    rec(202, SUBMITTED, '2023-01-05 09:01:00'),
    rec(202, "This case has been cancelled at the doctor's request.", '2023-01-09 09:00:00', 11),
    // Case 203: completed.
    rec(203, SUBMITTED, '2023-06-01 09:01:00'),
    rec(203, 'Case completed.', '2023-09-01 09:00:00'),
    // Case 204: in production, held for records, resumed: back in production.
    rec(204, SUBMITTED, '2024-01-10 09:01:00'),
    rec(204, 'Treatment plan approved by Dr Ben Ortiz', '2024-01-12 09:00:00', 11),
    rec(204, 'Your aligners are now in production.', '2024-01-13 09:00:00'),
    rec(204, 'We need additional records before we can continue: please upload a new bite scan.', '2024-01-14 09:00:00'),
    rec(204, 'pt moved, hold until further notice', '2024-01-14 10:00:00', 2),
    rec(204, 'Records received, resuming your case.', '2024-01-20 09:00:00'),
    // Case 206: on hold.
    rec(206, SUBMITTED, '2024-02-01 09:01:00'),
    rec(206, 'We need additional records before we can continue: please upload a panoramic x-ray.', '2024-02-02 09:00:00'),
    // Case 211: under review.
    rec(211, UNDER_REVIEW, '2024-05-02 09:00:00'),
    // Not migrated, each for its reason:
    rec(9999, SUBMITTED, '2022-01-01 09:00:00'), // 1025: case deleted long ago
    rec(5, 'Shipment left the dock', '2022-01-01 09:00:00', null, CT.shipment), // 1026: model gone
    rec(7, 'Lead called back', '2022-01-01 09:00:00', 3, CT.lead), // 1027: app gone
    rec(100, 'Patient prefers morning appointments', '2022-01-01 09:00:00', 3, CT.patient), // 1028: not a case
    rec(205, SUBMITTED, '2024-01-10 09:01:00'), // 1029: test-data case
    rec(207, SUBMITTED, '2024-02-01 09:01:00'), // 1030: rejected case
  ],
  dispatch_product: [
    { id: 300, name: 'Clear aligner set', sku: 'AL-1', category: 'Aligners', price: '1200.00', options: '{"arches": 2}', active: true },
    { id: 301, name: 'Retainer', sku: 'RT-1', category: 'retainer ', price: '150.00', options: '', active: true },
    { id: 302, name: 'Widget', sku: 'W-1', category: 'gizmos', price: '10.00', options: '', active: false },
    { id: 303, name: 'Attachment kit', sku: 'AK-1', category: 'Accessory', price: '25.00', options: '{bad json', active: true },
  ],
  dispatch_order: [
    { id: 400, target_type_id: CT.case, target_id: 200, number: 'O-1', status: 'Shipped ', subtotal: '1200.00', tax: '0.00', total: '1200.00', currency: '', notes: '', created_at: '2024-03-12 11:00:00' },
    { id: 401, target_type_id: CT.case, target_id: 201, number: 'O-2', status: 'in production', subtotal: null, tax: null, total: null, currency: 'usd', notes: '', created_at: '2024-04-02 11:00:00' },
    { id: 402, target_type_id: CT.patient, target_id: 111, number: 'O-3', status: 'Pending', subtotal: '99.00', tax: '0.00', total: '99.00', currency: 'USD', notes: '', created_at: '2024-03-01 11:00:00' },
    { id: 403, target_type_id: CT.patient, target_id: 103, number: 'O-4', status: 'Pending', subtotal: null, tax: null, total: null, currency: '', notes: '', created_at: '2024-06-01 11:00:00' }, // 204 and 211 both open
    { id: 404, target_type_id: CT.case, target_id: 9999, number: 'O-5', status: 'Pending', subtotal: null, tax: null, total: null, currency: '', notes: '', created_at: '2022-01-01 11:00:00' },
    { id: 405, target_type_id: CT.case, target_id: 200, number: 'O-1', status: 'MFG', subtotal: '25.00', tax: '2.00', total: '27.00', currency: 'usd', notes: 'refinement kit', created_at: '2024-03-14 11:00:00' },
    { id: 406, target_type_id: CT.case, target_id: 201, number: 'O-7', status: 'lost in space', subtotal: '0.00', tax: '0.00', total: '0.00', currency: '', notes: '', created_at: '2024-04-02 12:00:00' },
  ],
  dispatch_orderitem: [
    { id: 500, order_id: 400, product_id: 300, quantity: 1, unit_price: '1200.00', options: '' },
    { id: 501, order_id: 401, product_id: 300, quantity: 1, unit_price: '1200.00', options: '' },
    { id: 502, order_id: 401, product_id: 301, quantity: 2, unit_price: '150.00', options: '{"color": "clear"}' },
    { id: 503, order_id: 402, product_id: 303, quantity: 1, unit_price: '25.00', options: '' },
    { id: 504, order_id: 405, product_id: 303, quantity: 1, unit_price: '25.00', options: '' },
    { id: 505, order_id: 405, product_id: 302, quantity: 1, unit_price: '10.00', options: '' }, // product rejected
    { id: 506, order_id: 405, product_id: null, quantity: 1, unit_price: '5.00', options: '' }, // product deleted
    { id: 507, order_id: 404, product_id: 300, quantity: 1, unit_price: '1200.00', options: '' }, // order skipped
  ],
  dispatch_instruction: [
    { id: 600, target_type_id: CT.case, target_id: 200, instruction_type: 'IPR', status: 2, is_active: false, changed_by_id: 2, changed_at: '2024-03-12 12:00:00', notes: '' },
    { id: 601, target_type_id: CT.case, target_id: 201, instruction_type: 'attachments', status: 1, is_active: true, changed_by_id: null, changed_at: '2024-04-02 12:00:00', notes: '' },
    { id: 602, target_type_id: CT.case, target_id: 204, instruction_type: 'extraction', status: 0, is_active: true, changed_by_id: 11, changed_at: '2024-01-11 12:00:00', notes: 'upper 4s' },
    { id: 603, target_type_id: CT.case, target_id: 204, instruction_type: 'bite ramp', status: 3, is_active: false, changed_by_id: 11, changed_at: '2024-01-11 12:00:00', notes: '' },
    { id: 604, target_type_id: CT.case, target_id: 200, instruction_type: 'refinement scan', status: 9, is_active: false, changed_by_id: null, changed_at: '2024-03-12 12:00:00', notes: '' },
    { id: 605, target_type_id: CT.case, target_id: 9999, instruction_type: 'IPR', status: 0, is_active: true, changed_by_id: null, changed_at: '2022-01-01 12:00:00', notes: '' },
    { id: 606, target_type_id: CT.case, target_id: 201, instruction_type: 'IPR', status: 7, is_active: true, changed_by_id: null, changed_at: '2024-04-02 12:00:00', notes: '' },
  ],
  dispatch_file: [
    { id: 700, target_type_id: CT.case, target_id: 200, uploaded_by_id: 10, name: 'upper.stl', path: 'legacy/200/upper.stl', size: 123456, mime: 'model/stl', kind: 'STL', created_at: '2024-03-08 09:10:00' },
    { id: 701, target_type_id: CT.case, target_id: 201, uploaded_by_id: null, name: 'smile.jpg', path: 'legacy/201/smile.jpg', size: null, mime: '', kind: 'Photo', created_at: '2024-04-01 09:10:00' },
    { id: 702, target_type_id: CT.case, target_id: 204, uploaded_by_id: 11, name: 'pano.png', path: 'legacy/204/pano.png', size: 2048, mime: 'image/png', kind: 'x-ray', created_at: '2024-01-10 09:10:00' },
    { id: 703, target_type_id: CT.lead, target_id: 7, uploaded_by_id: 3, name: 'lead.pdf', path: 'legacy/crm/lead.pdf', size: 10, mime: 'application/pdf', kind: 'pdf', created_at: '2022-01-01 09:10:00' },
    { id: 704, target_type_id: CT.case, target_id: 201, uploaded_by_id: 2, name: 'thing.bin', path: 'legacy/201/thing.bin', size: 1, mime: '', kind: 'hologram', created_at: '2024-04-01 09:10:00' },
  ],
  dispatch_project: [
    { id: 800, case_id: 200, practice_id: null, creator_id: 2, name: 'Upper arch scan', project_type: 'scan', status: 'approved', file_size: 1000, file_path: 'p/800', is_public: false, version: 1, parent_id: null, created_at: '2024-03-09 09:00:00' },
    { id: 801, case_id: 200, practice_id: null, creator_id: 2, name: 'Upper arch scan', project_type: 'Scan ', status: 'approved', file_size: 1100, file_path: 'p/801', is_public: false, version: 2, parent_id: 800, created_at: '2024-03-10 09:00:00' },
    { id: 802, case_id: 200, practice_id: 1, creator_id: 2, name: 'Upper arch scan', project_type: 'scan', status: 'In Progress', file_size: 1200, file_path: 'p/802', is_public: false, version: 3, parent_id: 801, created_at: '2024-03-11 09:00:00' },
    { id: 803, case_id: null, practice_id: null, creator_id: 10, name: 'Loose model', project_type: 'model', status: '', file_size: 0, file_path: '', is_public: false, version: 1, parent_id: null, created_at: '2024-03-11 09:00:00' },
    { id: 804, case_id: 201, practice_id: null, creator_id: 2, name: 'Hologram', project_type: 'hologram', status: 'draft', file_size: 5, file_path: 'p/804', is_public: true, version: 1, parent_id: null, created_at: '2024-04-02 09:00:00' },
  ],
};

/** Creates the legacy database's tables and fills them. `withOptional: false` leaves out the three optional tables. */
export async function buildLegacyFixture(url: string, opts: { withOptional?: boolean } = {}): Promise<void> {
  const withOptional = opts.withOptional ?? true;
  const client = guardClient(new pg.Client({ connectionString: url }));
  await client.connect();
  try {
    let sql = CORE_DDL + (withOptional ? OPTIONAL_DDL : '');
    for (const [table, rows] of Object.entries(DATA)) {
      if (!withOptional && ['dispatch_template', 'dispatch_project', 'dispatch_instruction'].includes(table)) continue;
      sql += insertSql(table, rows as Row[]);
    }
    await client.query(`BEGIN; ${sql} COMMIT;`);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database on the same server and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = guardClient(new pg.Client({ connectionString: adminUrl }));
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
