/**
 * Free-text legacy enumerations → MDW enums. Case, whitespace, punctuation and known synonyms are
 * normalised; anything else is `null` (the caller reports it: an unknown value is never mapped
 * silently). Pure, no I/O.
 */

/** Lower case, accents and punctuation removed, runs of spaces/dashes/underscores → one space. */
export function normaliseKey(raw: string | null | undefined): string {
  return (raw ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[-_/.,;:]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function table<T extends string>(entries: Record<T, readonly string[]>): (raw: string | null | undefined) => T | null {
  const map = new Map<string, T>();
  for (const [value, synonyms] of Object.entries(entries) as Array<[T, readonly string[]]>) {
    map.set(normaliseKey(value), value);
    for (const s of synonyms) map.set(normaliseKey(s), value);
  }
  return (raw) => {
    const key = normaliseKey(raw);
    return key === '' ? null : (map.get(key) ?? null);
  };
}

export const CASE_TYPES = ['initial_consultation', 'treatment_planning', 'active_treatment', 'refinement', 'retention', 'emergency', 'follow_up'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

export const caseType = table<CaseType>({
  initial_consultation: ['initial', 'initial consult', 'initial consultation', 'new case', 'new', 'consult', 'consultation'],
  treatment_planning: ['treatment plan', 'planning', 'plan'],
  active_treatment: ['active', 'treatment', 'in treatment', 'aligners', 'aligner'],
  refinement: ['refinements', 'refine', 'mid course correction'],
  retention: ['retainer', 'retainers', 'retention phase'],
  emergency: ['urgent', 'emergency repair', 'broken'],
  follow_up: ['followup', 'follow up visit', 'check up', 'checkup'],
});

export const ORDER_STATES = ['pending', 'confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const orderStatus = table<OrderState>({
  pending: ['new', 'open', 'received', 'waiting'],
  confirmed: ['accepted', 'approved'],
  in_production: ['in production', 'production', 'mfg', 'manufacturing', 'in manufacturing', 'processing'],
  quality_check: ['qc', 'quality control', 'inspection', 'final inspection'],
  shipped: ['sent', 'dispatched', 'in transit'],
  delivered: ['received by practice'],
  completed: ['complete', 'done', 'closed', 'finished'],
  cancelled: ['canceled', 'void', 'voided'],
  refunded: ['refund'],
});

export const PRODUCT_CATEGORIES = ['aligners', 'retainers', 'appliances', 'accessories', 'services'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const productCategory = table<ProductCategory>({
  aligners: ['aligner', 'clear aligners', 'clear aligner'],
  retainers: ['retainer', 'retention'],
  appliances: ['appliance', 'expander', 'expanders'],
  accessories: ['accessory', 'supplies', 'supply', 'kit', 'kits'],
  services: ['service', 'labor', 'labour', 'design', 'fee'],
});

export const PROJECT_TYPES = ['scan', 'model', 'simulation', 'treatment_plan', 'aligner_design', 'impression', 'xray', 'photo', 'document', 'other'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

export const projectType = table<ProjectType>({
  scan: ['intraoral scan', 'ios', '3d scan'],
  model: ['stl', 'models', '3d model', 'ply', 'obj'],
  simulation: ['sim', 'setup', 'clincheck'],
  treatment_plan: ['plan', 'tx plan', 'treatment'],
  aligner_design: ['aligner', 'aligners', 'design'],
  impression: ['impressions', 'pvs'],
  xray: ['x ray', 'radiograph', 'pano', 'ceph'],
  photo: ['photos', 'picture', 'image'],
  document: ['pdf', 'doc', 'report'],
  other: [],
});

export const PROJECT_STATUSES = ['draft', 'in_progress', 'review', 'approved', 'archived', 'deleted'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const projectStatus = table<ProjectStatus>({
  draft: ['new', 'open'],
  in_progress: ['in progress', 'working', 'wip', 'active'],
  review: ['in review', 'pending review', 'review pending'],
  approved: ['accepted', 'final', 'done', 'complete', 'completed'],
  archived: ['archive', 'closed', 'old'],
  deleted: ['removed', 'trash'],
});

export const FILE_TYPES = ['scan', 'photo', 'xray', 'document', 'model', 'simulation', 'other'] as const;
export type FileType = (typeof FILE_TYPES)[number];

export const fileKind = table<FileType>({
  scan: ['intraoral scan', 'ios', 'scans'],
  photo: ['photos', 'picture', 'image', 'jpg', 'jpeg', 'png'],
  xray: ['x ray', 'radiograph', 'pano', 'ceph', 'xrays'],
  document: ['pdf', 'doc', 'docx', 'report', 'rx', 'prescription'],
  model: ['stl', 'ply', 'obj', 'models', '3d model'],
  simulation: ['sim', 'setup', 'video'],
  other: [],
});

export const TASK_FUNCTIONS = ['submit', 'review', 'approve', 'process', 'notify', 'archive', 'scan', 'model', 'manufacture', 'quality_check', 'ship'] as const;
export type TaskFunctionName = (typeof TASK_FUNCTIONS)[number];

export const taskFunction = table<TaskFunctionName>({
  submit: ['submission', 'intake'],
  review: [],
  approve: ['approval'],
  process: [],
  notify: ['notification', 'email'],
  archive: [],
  scan: ['scanning'],
  model: ['modeling', 'modelling', 'design'],
  manufacture: ['manufacturing', 'mfg', 'production', 'print'],
  quality_check: ['qc', 'quality control', 'inspection'],
  ship: ['shipping', 'shipment', 'delivery'],
});

export const WORKFLOW_CATEGORIES = ['submission', 'review', 'production', 'quality_check', 'delivery', 'follow_up', 'scanning', 'modeling', 'manufacturing'] as const;
export type WorkflowCategoryName = (typeof WORKFLOW_CATEGORIES)[number];

export const workflowCategory = table<WorkflowCategoryName>({
  submission: ['intake', 'submit'],
  review: ['approval'],
  production: ['process'],
  quality_check: ['qc', 'inspection'],
  delivery: ['shipping', 'ship'],
  follow_up: ['followup', 'notify'],
  scanning: ['scan'],
  modeling: ['modelling', 'model', 'design'],
  manufacturing: ['manufacture', 'mfg'],
});

/**
 * Legacy Django group names → practice roles (what a template task's `roles` column names).
 * 'support' has no practice role of its own: support staff act as assistants in a practice.
 */
export const practiceRole = table<'owner' | 'doctor' | 'technician' | 'assistant' | 'admin'>({
  owner: [],
  doctor: ['doctors', 'dr', 'dentist', 'orthodontist'],
  technician: ['tech', 'technicians', 'lab'],
  assistant: ['support', 'assistants'],
  admin: ['admins', 'administrator'],
});

/** Currency: '' means USD (the legacy default); otherwise three letters, upper-cased. Null = invalid. */
export function currency(raw: string | null | undefined): string | null {
  const c = (raw ?? '').trim().toUpperCase();
  if (c === '') return 'USD';
  return /^[A-Z]{3}$/.test(c) ? c : null;
}

/** Legacy priority 0..3 → priority_level. */
export function priority(raw: number | null | undefined): 'low' | 'medium' | 'high' | 'urgent' | null {
  return raw === 0 ? 'low' : raw === 1 ? 'medium' : raw === 2 ? 'high' : raw === 3 ? 'urgent' : null;
}

/** dispatch_instruction.status codes the README defines. */
export const INSTRUCTION_STATUS_CODES: ReadonlySet<number> = new Set([0, 1, 2, 3, 9]);
