-- 0002_core_schema.sql
--
-- Enums, tables, constraints and indexes of the MDW design document
-- (shared/seed/000_46df03d2342b437f.txt), created in dependency order, with
-- the document's defects fixed. Functions/triggers are in 0003, views in
-- 0004, row-level security in 0005, grants in 0006, the system profile in 0007.
--
-- Defects of the design document fixed here
-- -----------------------------------------
--  1. Order of creation: the document uses types before defining them
--     (user_role, practice_role, gender_type, ...) and references tables
--     before creating them (practitioners from practice_members,
--     workflow_templates from cases, products from order_items). All enums
--     come first, then tables in FK order.
--  2. performance_alerts is written by log_slow_queries() but never defined:
--     defined here (id, alert_type, message, metadata, created_at,
--     acknowledged_at); the trigger is attached in 0003.
--  3. created_at/updated_at were nullable: NOT NULL DEFAULT now() everywhere
--     (instruction_states.changed_at and practice_members.joined_at too).
--     JSON columns with a default ('{}'/'[]') and booleans/priority with a
--     default are NOT NULL, so code never has to handle NULL and '{}' both.
--  4. Money and quantities were unchecked: order_items.quantity > 0,
--     unit_price/total_price >= 0, orders subtotal/tax/total >= 0, currency is
--     a 3-letter upper-case ISO code, products.base_price >= 0, file sizes >= 0,
--     project version >= 1, completion_rate in [0,100], durations >= 0,
--     execution_time_ms >= 0.
--  5. Cross-tenant references were possible: a case could point at a patient
--     of another practice, an order at a case of another practice, and so on.
--     Parents get UNIQUE (id, practice_id) and children a composite FK
--     (parent_id, practice_id) -> parent(id, practice_id) ON UPDATE CASCADE,
--     so a child's practice_id always equals its parent's. Without this a
--     member of practice B could attach rows to a case of practice A that RLS
--     (which checks practice_id) would then attribute to B.
--  6. Child tables had no practice_id, so every policy had to join up to the
--     case: practice_id (NOT NULL, FK to practices, indexed) is added to
--     case_states, case_messages, case_files, order_items, order_states,
--     instruction_states, state_analytics, workflow_performance and all
--     *_embeddings. Callers may omit it: a BEFORE INSERT trigger (0003)
--     copies it from the parent.
--  7. Embeddings: ivfflat (lists = 100) built on an empty table has useless
--     centroids and poor recall -> HNSW (vector_cosine_ops), same index names.
--     No uniqueness meant re-embedding duplicated rows -> UNIQUE keys for
--     upserts (case_id, content_type) / (patient_id, content_type) /
--     (message_id) / (project_id, content_type), plus model, content_hash
--     (so a job can skip unchanged text) and updated_at.
--  8. Redundant indexes: idx_patients_practice_number, idx_cases_practice_number,
--     idx_orders_practice_number, idx_case_embeddings_case_type and
--     idx_patient_embeddings_patient_type duplicated UNIQUE constraints on the
--     same columns. The UNIQUE constraints now carry those names, so the
--     names exist and each index is built once.
--  9. FKs without an ON DELETE action blocked deleting a case
--     (workflow_performance.case_id, state_analytics.case_id): now CASCADE,
--     as for every other child of cases. Nullable actor columns
--     (state_analytics.actor_id, query_performance_log.user_id) SET NULL.
--     projects.parent_project_id SET NULL (a deleted version must not block).
-- 10. Missing FK/tenant indexes (practice_id everywhere, patient_id, case_id,
--     order_id, profile_id of practice_members -- the RLS helper's lookup).
-- 11. Workflow engine needs: template versioning (version, family_id,
--     superseded_by, UNIQUE (family_id, version)); a nullable
--     workflow_templates.practice_id for practice-private templates; cases get
--     workflow_id (Temporal workflow id), due_at, is_overdue, closed_at and a
--     generated search_text; idempotency_key (UNIQUE) on case_messages,
--     case_states, order_states, state_analytics, instruction_states and
--     workflow_performance, for INSERT ... ON CONFLICT (idempotency_key) DO NOTHING.
-- 12. practitioners.profile_id UNIQUE (one practitioner record per person;
--     the legacy system's duplicate-person problem must not come back);
--     profiles get a case-insensitive UNIQUE on lower(email) and a generated
--     full_name with trigram indexes for patient search.
-- 13. workflow_template_tasks.predecessor_tasks (uuid[]) cannot carry an FK:
--     the application (template compiler) validates it. No GIN index: the
--     compiler loads all tasks of one template (indexed by template id).

-- ---------------------------------------------------------------------------
-- Enumerated types
-- ---------------------------------------------------------------------------
DO $do$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('user_role',              ARRAY['doctor','technician','admin','support']),
      ('practice_role',          ARRAY['owner','doctor','technician','assistant','admin']),
      ('gender_type',            ARRAY['male','female','other','prefer_not_to_say']),
      ('case_type_enum',         ARRAY['initial_consultation','treatment_planning','active_treatment',
                                       'refinement','retention','emergency','follow_up']),
      ('priority_level',         ARRAY['low','medium','high','urgent']),
      ('case_state_enum',        ARRAY['submitted','under_review','planning','approved','in_production',
                                       'quality_check','shipped','delivered','completed','on_hold','cancelled']),
      ('order_state_enum',       ARRAY['pending','confirmed','in_production','quality_check',
                                       'shipped','delivered','completed','cancelled','refunded']),
      ('product_category',       ARRAY['aligners','retainers','appliances','accessories','services']),
      ('message_type_enum',      ARRAY['general','status_update','question','instruction',
                                       'approval_request','system_notification']),
      ('file_type_enum',         ARRAY['scan','photo','xray','document','model','simulation','other']),
      ('embedding_content_type', ARRAY['case_summary','treatment_plan','notes','diagnosis']),
      ('project_type_enum',      ARRAY['scan','model','simulation','treatment_plan','aligner_design',
                                       'impression','xray','photo','document','other']),
      ('project_status_enum',    ARRAY['draft','in_progress','review','approved','archived','deleted']),
      ('task_function_enum',     ARRAY['submit','review','approve','process','notify','archive',
                                       'scan','model','manufacture','quality_check','ship']),
      ('workflow_category_enum', ARRAY['submission','review','production','quality_check','delivery',
                                       'follow_up','scanning','modeling','manufacturing'])
    ) AS v(name, labels)
  LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_type ty
      JOIN pg_catalog.pg_namespace n ON n.oid = ty.typnamespace
      WHERE n.nspname = 'public' AND ty.typname = t.name
    ) THEN
      EXECUTE format('CREATE TYPE public.%I AS ENUM (%s)', t.name,
        (SELECT string_agg(quote_literal(l), ', ' ORDER BY o)
           FROM unnest(t.labels) WITH ORDINALITY AS u(l, o)));
    END IF;
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- 1. Identity
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.profiles (
  id          uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,
  email       text NOT NULL UNIQUE,
  first_name  text NOT NULL,
  last_name   text NOT NULL,
  full_name   text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
  phone       text,
  avatar_url  text,
  role        public.user_role NOT NULL DEFAULT 'technician',  -- GLOBAL role (internal staff); 'admin' = internal admin
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS profiles_email_lower_key ON public.profiles (lower(email));

CREATE TABLE IF NOT EXISTS public.practices (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text NOT NULL,
  address         jsonb,
  phone           text,
  email           text,
  license_number  text,
  settings        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.practitioners (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id      uuid NOT NULL UNIQUE REFERENCES public.profiles(id) ON DELETE CASCADE,
  license_number  text UNIQUE,
  specialties     text[],
  credentials     jsonb NOT NULL DEFAULT '{}'::jsonb,
  bio             text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.practice_members (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id      uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  profile_id       uuid NOT NULL REFERENCES public.profiles(id) ON DELETE CASCADE,
  practitioner_id  uuid REFERENCES public.practitioners(id) ON DELETE SET NULL,
  role             public.practice_role NOT NULL,   -- PRACTICE role; 'owner'/'admin' manage members of this practice only
  permissions      jsonb NOT NULL DEFAULT '{}'::jsonb,
  joined_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (practice_id, profile_id)
);
-- user_practice_ids() looks members up by profile_id: index-only scan.
CREATE INDEX IF NOT EXISTS idx_practice_members_profile ON public.practice_members (profile_id, practice_id, role);
CREATE INDEX IF NOT EXISTS idx_practice_members_practitioner ON public.practice_members (practitioner_id);

-- ---------------------------------------------------------------------------
-- 2. Patients
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.patients (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id         uuid NOT NULL REFERENCES public.profiles(id) ON DELETE CASCADE,
  practice_id        uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  patient_number     text NOT NULL,
  date_of_birth      date,
  gender             public.gender_type,
  medical_history    jsonb NOT NULL DEFAULT '{}'::jsonb,
  preferences        jsonb NOT NULL DEFAULT '{}'::jsonb,
  emergency_contact  jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idx_patients_practice_number UNIQUE (practice_id, patient_number),
  CONSTRAINT patients_practice_id_profile_id_key UNIQUE (practice_id, profile_id),
  CONSTRAINT patients_id_practice_id_key UNIQUE (id, practice_id)
);
CREATE INDEX IF NOT EXISTS idx_patients_profile ON public.patients (profile_id);

-- ---------------------------------------------------------------------------
-- 3. Workflow templates (before cases, which reference them)
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.workflow_templates (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id    uuid REFERENCES public.practices(id) ON DELETE CASCADE,  -- NULL = lab-wide template
  name           text NOT NULL,
  description    text,
  case_type      public.case_type_enum NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  family_id      uuid NOT NULL,  -- shared by all versions; defaults to id (trigger in 0003)
  superseded_by  uuid REFERENCES public.workflow_templates(id) ON DELETE SET NULL,
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_templates_family_id_version_key UNIQUE (family_id, version)
);
CREATE INDEX IF NOT EXISTS idx_workflow_templates_practice ON public.workflow_templates (practice_id);
CREATE INDEX IF NOT EXISTS idx_workflow_templates_case_type_active ON public.workflow_templates (case_type) WHERE active;

CREATE TABLE IF NOT EXISTS public.workflow_steps (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_template_id  uuid NOT NULL REFERENCES public.workflow_templates(id) ON DELETE CASCADE,
  step_order            integer NOT NULL CHECK (step_order >= 0),
  name                  text NOT NULL,
  description           text,
  state                 public.case_state_enum NOT NULL,
  auto_transition       boolean NOT NULL DEFAULT false,
  required_roles        public.practice_role[],
  estimated_duration    interval CHECK (estimated_duration >= interval '0'),
  metadata              jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (workflow_template_id, step_order)
);

CREATE TABLE IF NOT EXISTS public.workflow_template_tasks (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_template_id  uuid NOT NULL REFERENCES public.workflow_templates(id) ON DELETE CASCADE,
  legacy_template_id    integer,
  task_name             text NOT NULL,
  task_order            integer NOT NULL CHECK (task_order >= 0),
  function_type         public.task_function_enum NOT NULL,
  is_predefined         boolean NOT NULL DEFAULT false,
  action_name           text,
  text_prompt           text,
  estimated_duration    interval CHECK (estimated_duration >= interval '0'),
  required_roles        public.practice_role[],
  category              public.workflow_category_enum,
  auto_transition       boolean NOT NULL DEFAULT false,
  predecessor_tasks     uuid[],  -- ids of tasks of the same template; validated by the application
  metadata              jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_template_id, task_order)
);

-- ---------------------------------------------------------------------------
-- 4. Cases
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.cases (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id                uuid NOT NULL REFERENCES public.patients(id) ON DELETE CASCADE,
  practice_id               uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  assigned_practitioner_id  uuid REFERENCES public.practitioners(id) ON DELETE SET NULL,
  case_number               text NOT NULL,
  title                     text NOT NULL,
  description               text,
  case_type                 public.case_type_enum NOT NULL,
  priority                  public.priority_level NOT NULL DEFAULT 'medium',
  current_state             public.case_state_enum NOT NULL DEFAULT 'submitted',
  workflow_template_id      uuid REFERENCES public.workflow_templates(id),  -- exact template version
  workflow_id               text UNIQUE,                                    -- Temporal workflow id
  due_at                    timestamptz,
  is_overdue                boolean NOT NULL DEFAULT false,
  closed_at                 timestamptz,
  metadata                  jsonb NOT NULL DEFAULT '{}'::jsonb,
  search_text               tsvector GENERATED ALWAYS AS (
                              to_tsvector('simple'::regconfig,
                                case_number || ' ' || title || ' ' || coalesce(description, ''))
                            ) STORED,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idx_cases_practice_number UNIQUE (practice_id, case_number),
  CONSTRAINT cases_id_practice_id_key UNIQUE (id, practice_id),
  CONSTRAINT cases_patient_practice_fkey FOREIGN KEY (patient_id, practice_id)
    REFERENCES public.patients (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_cases_practice_patient ON public.cases (practice_id, patient_id);
CREATE INDEX IF NOT EXISTS idx_cases_state_priority ON public.cases (current_state, priority);
CREATE INDEX IF NOT EXISTS idx_cases_practitioner_state ON public.cases (assigned_practitioner_id, current_state);
CREATE INDEX IF NOT EXISTS idx_cases_patient ON public.cases (patient_id);
CREATE INDEX IF NOT EXISTS idx_cases_workflow_template ON public.cases (workflow_template_id);
-- keyset pagination: WHERE practice_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC
CREATE INDEX IF NOT EXISTS idx_cases_practice_created ON public.cases (practice_id, created_at DESC, id DESC);
-- overdue sweeper: open cases by due date
CREATE INDEX IF NOT EXISTS idx_cases_open_due ON public.cases (due_at) WHERE closed_at IS NULL AND due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_cases_search_text ON public.cases USING gin (search_text);

CREATE TABLE IF NOT EXISTS public.case_states (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id          uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id      uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  from_state       public.case_state_enum,
  to_state         public.case_state_enum NOT NULL,
  changed_by       uuid NOT NULL REFERENCES public.profiles(id),
  reason           text,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT case_states_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_case_states_case_created ON public.case_states (case_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_case_states_practice ON public.case_states (practice_id);

-- ---------------------------------------------------------------------------
-- 5. Orders and products
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.products (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL,
  description           text,
  category              public.product_category NOT NULL,
  base_price            numeric(10,2) NOT NULL CHECK (base_price >= 0),
  customizable_options  jsonb NOT NULL DEFAULT '{}'::jsonb,
  active                boolean NOT NULL DEFAULT true,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.orders (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id    uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  order_number   text NOT NULL,
  current_state  public.order_state_enum NOT NULL DEFAULT 'pending',
  subtotal       numeric(10,2) NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
  tax_amount     numeric(10,2) NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
  total_amount   numeric(10,2) NOT NULL DEFAULT 0 CHECK (total_amount >= 0),
  currency       text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  notes          text,
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idx_orders_practice_number UNIQUE (practice_id, order_number),
  CONSTRAINT orders_id_practice_id_key UNIQUE (id, practice_id),
  CONSTRAINT orders_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_orders_case_state ON public.orders (case_id, current_state);

CREATE TABLE IF NOT EXISTS public.order_items (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id        uuid NOT NULL REFERENCES public.orders(id) ON DELETE CASCADE,
  practice_id     uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  product_id      uuid NOT NULL REFERENCES public.products(id),
  quantity        integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
  unit_price      numeric(10,2) NOT NULL CHECK (unit_price >= 0),
  total_price     numeric(10,2) NOT NULL CHECK (total_price >= 0),
  customizations  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT order_items_order_practice_fkey FOREIGN KEY (order_id, practice_id)
    REFERENCES public.orders (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_order_items_order ON public.order_items (order_id);
CREATE INDEX IF NOT EXISTS idx_order_items_product ON public.order_items (product_id);
CREATE INDEX IF NOT EXISTS idx_order_items_practice ON public.order_items (practice_id);

CREATE TABLE IF NOT EXISTS public.order_states (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id         uuid NOT NULL REFERENCES public.orders(id) ON DELETE CASCADE,
  practice_id      uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  from_state       public.order_state_enum,
  to_state         public.order_state_enum NOT NULL,
  changed_by       uuid NOT NULL REFERENCES public.profiles(id),
  reason           text,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT order_states_order_practice_fkey FOREIGN KEY (order_id, practice_id)
    REFERENCES public.orders (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_order_states_order_created ON public.order_states (order_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_order_states_practice ON public.order_states (practice_id);

-- ---------------------------------------------------------------------------
-- 6. Communication and files
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.case_messages (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id          uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id      uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  sender_id        uuid NOT NULL REFERENCES public.profiles(id),
  message_type     public.message_type_enum NOT NULL DEFAULT 'general',
  subject          text,
  content          text NOT NULL,
  attachments      jsonb NOT NULL DEFAULT '[]'::jsonb,
  read_by          jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT case_messages_id_practice_id_key UNIQUE (id, practice_id),
  CONSTRAINT case_messages_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_messages_case_created ON public.case_messages (case_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_case_messages_practice ON public.case_messages (practice_id);
CREATE INDEX IF NOT EXISTS idx_case_messages_sender ON public.case_messages (sender_id);

CREATE TABLE IF NOT EXISTS public.case_files (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id       uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id   uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  uploaded_by   uuid NOT NULL REFERENCES public.profiles(id),
  file_name     text NOT NULL,
  file_type     public.file_type_enum NOT NULL,
  file_size     bigint NOT NULL CHECK (file_size >= 0),
  storage_path  text NOT NULL,
  mime_type     text NOT NULL,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT case_files_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_case_files_case_created ON public.case_files (case_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_case_files_practice ON public.case_files (practice_id);

-- ---------------------------------------------------------------------------
-- 7. 3D projects
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.projects (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  legacy_id          integer UNIQUE,
  practice_id        uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  case_id            uuid REFERENCES public.cases(id) ON DELETE CASCADE,
  creator_id         uuid NOT NULL REFERENCES public.profiles(id),
  name               text NOT NULL,
  project_type       public.project_type_enum NOT NULL,
  status             public.project_status_enum NOT NULL DEFAULT 'draft',
  file_size          bigint NOT NULL DEFAULT 0 CHECK (file_size >= 0),
  storage_path       text,
  storage_bucket     text NOT NULL DEFAULT 'projects',
  is_public          boolean NOT NULL DEFAULT false,
  metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
  version            integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  parent_project_id  uuid REFERENCES public.projects(id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT projects_id_practice_id_key UNIQUE (id, practice_id),
  -- case_id is optional: MATCH SIMPLE skips the check when it is NULL
  CONSTRAINT projects_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_projects_practice ON public.projects (practice_id);
CREATE INDEX IF NOT EXISTS idx_projects_case ON public.projects (case_id);
CREATE INDEX IF NOT EXISTS idx_projects_parent ON public.projects (parent_project_id);

-- ---------------------------------------------------------------------------
-- 8. Embeddings (vector(1536): OpenAI text-embedding-3-small / ada-002)
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.case_embeddings (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id       uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id   uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  content_type  public.embedding_content_type NOT NULL,
  content_text  text NOT NULL,
  embedding     vector(1536),
  model         text,
  content_hash  text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idx_case_embeddings_case_type UNIQUE (case_id, content_type),
  CONSTRAINT case_embeddings_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_case_embeddings_practice ON public.case_embeddings (practice_id);
CREATE INDEX IF NOT EXISTS case_embeddings_vector_idx ON public.case_embeddings
  USING hnsw (embedding vector_cosine_ops);

CREATE TABLE IF NOT EXISTS public.patient_embeddings (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id    uuid NOT NULL REFERENCES public.patients(id) ON DELETE CASCADE,
  practice_id   uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  content_type  public.embedding_content_type NOT NULL,
  content_text  text NOT NULL,
  embedding     vector(1536),
  model         text,
  content_hash  text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idx_patient_embeddings_patient_type UNIQUE (patient_id, content_type),
  CONSTRAINT patient_embeddings_patient_practice_fkey FOREIGN KEY (patient_id, practice_id)
    REFERENCES public.patients (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_patient_embeddings_practice ON public.patient_embeddings (practice_id);
CREATE INDEX IF NOT EXISTS patient_embeddings_vector_idx ON public.patient_embeddings
  USING hnsw (embedding vector_cosine_ops);

CREATE TABLE IF NOT EXISTS public.message_embeddings (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id    uuid NOT NULL UNIQUE REFERENCES public.case_messages(id) ON DELETE CASCADE,
  practice_id   uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  content_text  text NOT NULL,
  embedding     vector(1536),
  model         text,
  content_hash  text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT message_embeddings_message_practice_fkey FOREIGN KEY (message_id, practice_id)
    REFERENCES public.case_messages (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_message_embeddings_practice ON public.message_embeddings (practice_id);
CREATE INDEX IF NOT EXISTS message_embeddings_vector_idx ON public.message_embeddings
  USING hnsw (embedding vector_cosine_ops);

CREATE TABLE IF NOT EXISTS public.project_embeddings (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id    uuid NOT NULL REFERENCES public.projects(id) ON DELETE CASCADE,
  practice_id   uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  content_type  public.embedding_content_type NOT NULL,
  content_text  text NOT NULL,
  embedding     vector(1536),
  model         text,
  content_hash  text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT project_embeddings_project_id_content_type_key UNIQUE (project_id, content_type),
  CONSTRAINT project_embeddings_project_practice_fkey FOREIGN KEY (project_id, practice_id)
    REFERENCES public.projects (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_project_embeddings_practice ON public.project_embeddings (practice_id);
CREATE INDEX IF NOT EXISTS project_embeddings_vector_idx ON public.project_embeddings
  USING hnsw (embedding vector_cosine_ops);

-- ---------------------------------------------------------------------------
-- 9. Workflow analytics and granular state
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.workflow_performance (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_template_id   uuid NOT NULL REFERENCES public.workflow_templates(id),
  case_id                uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id            uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  task_performance       jsonb,
  ai_recommendations     jsonb,
  completion_rate        numeric(5,2) CHECK (completion_rate BETWEEN 0 AND 100),
  average_task_duration  interval CHECK (average_task_duration >= interval '0'),
  bottleneck_tasks       uuid[],
  idempotency_key        text UNIQUE,
  created_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_performance_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_workflow_performance_case ON public.workflow_performance (case_id);
CREATE INDEX IF NOT EXISTS idx_workflow_performance_template ON public.workflow_performance (workflow_template_id);
CREATE INDEX IF NOT EXISTS idx_workflow_performance_practice ON public.workflow_performance (practice_id);

CREATE TABLE IF NOT EXISTS public.instruction_states (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id                uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id            uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  instruction_type       text NOT NULL,
  status_code            integer NOT NULL,  -- legacy codes: 0 pending, 1 in progress, 2 done, 3 rejected, 9 void
  is_active              boolean NOT NULL DEFAULT true,
  changed_by             uuid NOT NULL REFERENCES public.profiles(id),
  changed_at             timestamptz NOT NULL DEFAULT now(),
  metadata               jsonb NOT NULL DEFAULT '{}'::jsonb,
  legacy_instruction_id  integer,
  notes                  text,
  idempotency_key        text UNIQUE,
  CONSTRAINT instruction_states_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_instruction_states_case_changed ON public.instruction_states (case_id, changed_at DESC);
CREATE INDEX IF NOT EXISTS idx_instruction_states_practice ON public.instruction_states (practice_id);

CREATE TABLE IF NOT EXISTS public.state_analytics (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id              uuid NOT NULL REFERENCES public.cases(id) ON DELETE CASCADE,
  practice_id          uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  from_state           text,
  to_state             text NOT NULL,
  duration_minutes     integer CHECK (duration_minutes >= 0),
  actor_id             uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  bottleneck_detected  boolean NOT NULL DEFAULT false,
  ai_recommendations   jsonb,
  idempotency_key      text UNIQUE,
  created_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT state_analytics_case_practice_fkey FOREIGN KEY (case_id, practice_id)
    REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_state_analytics_case_created ON public.state_analytics (case_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_state_analytics_practice ON public.state_analytics (practice_id);

-- ---------------------------------------------------------------------------
-- 10. Monitoring
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.query_performance_log (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  query_type         text NOT NULL,
  execution_time_ms  integer NOT NULL CHECK (execution_time_ms >= 0),
  rows_affected      integer,
  user_id            uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_query_performance_log_created ON public.query_performance_log (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_query_performance_log_user ON public.query_performance_log (user_id);

CREATE TABLE IF NOT EXISTS public.performance_alerts (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_type       text NOT NULL,
  message          text NOT NULL,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz
);
CREATE INDEX IF NOT EXISTS idx_performance_alerts_open ON public.performance_alerts (created_at DESC)
  WHERE acknowledged_at IS NULL;

-- ---------------------------------------------------------------------------
-- Trigram indexes for patient search (only if pg_trgm is installed):
--   WHERE full_name ILIKE '%' || $1 || '%'  or  full_name % $1  /  email ILIKE ...
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS idx_profiles_full_name_trgm ON public.profiles USING gin (full_name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS idx_profiles_email_trgm ON public.profiles USING gin (email gin_trgm_ops);
  END IF;
END
$do$;
