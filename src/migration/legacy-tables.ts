/**
 * What the tool reads from the legacy database: per table, the columns and the type each is
 * staged as. Timestamps are read as `col::timestamptz` under TimeZone America/Chicago, so naive
 * legacy values (USE_TZ=False) become true instants, DST included, and a timestamptz column
 * stays what it is.
 */
export interface StageColumn {
  name: string;
  type: string;
  /** Expression on the legacy side (default: the quoted column). */
  expr?: string;
}

export interface LegacyTable {
  name: string;
  /** Some legacy databases lack it: the tool runs without and says so. */
  optional?: boolean;
  /** A lookup (content types, groups): read, used, not reconciled row by row. */
  lookup?: boolean;
  columns: StageColumn[];
}

const col = (name: string, type: string, expr?: string): StageColumn => ({ name, type, ...(expr ? { expr } : {}) });
const ts = (name: string): StageColumn => col(name, 'timestamptz', `"${name}"::timestamptz`);

export const LEGACY_TIMEZONE = 'America/Chicago';

export const LEGACY_TABLES: readonly LegacyTable[] = [
  { name: 'django_content_type', lookup: true, columns: [col('id', 'int'), col('app_label', 'text'), col('model', 'text')] },
  { name: 'auth_group', lookup: true, columns: [col('id', 'int'), col('name', 'text')] },
  { name: 'auth_user_groups', lookup: true, columns: [col('id', 'bigint'), col('user_id', 'int'), col('group_id', 'int')] },
  {
    name: 'auth_user',
    columns: [col('id', 'int'), col('username', 'text'), col('first_name', 'text'), col('last_name', 'text'), col('email', 'text'), col('is_staff', 'boolean'), col('is_superuser', 'boolean'), col('is_active', 'boolean'), ts('date_joined')],
  },
  {
    name: 'dispatch_practice',
    columns: [col('id', 'int'), col('name', 'text'), col('address', 'text'), col('phone', 'text'), col('email', 'text'), col('license_number', 'text'), ts('created_at')],
  },
  {
    name: 'dispatch_doctor',
    columns: [col('id', 'int'), col('user_id', 'int'), col('practice_id', 'int'), col('license_number', 'text'), col('specialties', 'text'), col('bio', 'text')],
  },
  { name: 'dispatch_patient', columns: [col('id', 'int'), col('user_id', 'int'), col('birthdate', 'date'), col('sex', 'text'), ts('updated_at')] },
  {
    name: 'dispatch_template',
    optional: true,
    columns: [
      col('id', 'int'), col('workflow_name', 'text'), col('case_type', 'text'), col('task_name', 'text'), col('task_order', 'int'), col('function', 'text'),
      col('is_predefined', 'boolean'), col('action', 'text'), col('text_prompt', 'text'), col('category', 'text'), col('duration_hours', 'int'),
      col('roles', 'text'), col('predecessors', 'text'), col('auto', 'boolean'),
    ],
  },
  { name: 'dispatch_product', columns: [col('id', 'int'), col('name', 'text'), col('sku', 'text'), col('category', 'text'), col('price', 'numeric'), col('options', 'text'), col('active', 'boolean')] },
  {
    name: 'dispatch_case',
    columns: [
      col('id', 'int'), col('patient_id', 'int'), col('doctor_id', 'int'), col('practice_id', 'int'), col('case_number', 'text'), col('title', 'text'), col('description', 'text'),
      col('case_type', 'text'), col('priority', 'int'), col('workflow_name', 'text'), ts('created_at'), ts('updated_at'),
    ],
  },
  {
    name: 'dispatch_record',
    columns: [col('id', 'int'), col('target_type_id', 'int'), col('target_id', 'bigint'), col('author_id', 'int'), col('text', 'text'), ts('created_at')],
  },
  {
    name: 'dispatch_order',
    columns: [
      col('id', 'int'), col('target_type_id', 'int'), col('target_id', 'bigint'), col('number', 'text'), col('status', 'text'), col('subtotal', 'numeric'), col('tax', 'numeric'),
      col('total', 'numeric'), col('currency', 'text'), col('notes', 'text'), ts('created_at'),
    ],
  },
  { name: 'dispatch_orderitem', columns: [col('id', 'int'), col('order_id', 'int'), col('product_id', 'int'), col('quantity', 'int'), col('unit_price', 'numeric'), col('options', 'text')] },
  {
    name: 'dispatch_instruction',
    optional: true,
    columns: [
      col('id', 'int'), col('target_type_id', 'int'), col('target_id', 'bigint'), col('instruction_type', 'text'), col('status', 'int'), col('is_active', 'boolean'),
      col('changed_by_id', 'int'), ts('changed_at'), col('notes', 'text'),
    ],
  },
  {
    name: 'dispatch_file',
    columns: [
      col('id', 'int'), col('target_type_id', 'int'), col('target_id', 'bigint'), col('uploaded_by_id', 'int'), col('name', 'text'), col('path', 'text'), col('size', 'bigint'),
      col('mime', 'text'), col('kind', 'text'), ts('created_at'),
    ],
  },
  {
    name: 'dispatch_project',
    optional: true,
    columns: [
      col('id', 'int'), col('case_id', 'int'), col('practice_id', 'int'), col('creator_id', 'int'), col('name', 'text'), col('project_type', 'text'), col('status', 'text'),
      col('file_size', 'bigint'), col('file_path', 'text'), col('is_public', 'boolean'), col('version', 'int'), col('parent_id', 'int'), ts('created_at'),
    ],
  },
];

/** Tables whose rows are reconciled (read = migrated + merged + skipped + rejected). */
export const RECONCILED_TABLES = LEGACY_TABLES.filter((t) => !t.lookup).map((t) => t.name);

/** Without these the database is not a legacy MDW database. */
export const REQUIRED_TABLES = LEGACY_TABLES.filter((t) => !t.optional).map((t) => t.name);
