-- AI layer, storage side (issue 10): embeddings that carry their model, full-text columns,
-- the embedding queue that the Temporal pipeline drains, the model registry that `mdw ai reindex`
-- switches, and patient consent (ai_processing withdrawn -> embeddings deleted, none new).
--
-- Model changes. The design's vector(1536) fixed ada-002's length into the schema. Now the
-- column is an unconstrained halfvec (half the storage; cosine recall unchanged at these
-- lengths), every row names its model, and each model gets its own partial HNSW index
-- `(embedding::halfvec(<dims>)) WHERE model = '<model>'`, created when the model is registered
-- (src/repositories/embeddings.repository.ts). An index therefore never mixes models, and a
-- query can only use it by naming the model: vectors of two models are never compared.

ALTER TABLE public.patients ADD COLUMN IF NOT EXISTS clinical_summary text;

-- The old indexes mixed every model in one vector(1536) graph, and the design's search
-- functions took a vector(1536): both go (src/repositories/search.repository.ts replaces them).
DROP INDEX IF EXISTS public.case_embeddings_vector_idx;
DROP INDEX IF EXISTS public.patient_embeddings_vector_idx;
DROP INDEX IF EXISTS public.message_embeddings_vector_idx;
DROP INDEX IF EXISTS public.project_embeddings_vector_idx;
DROP FUNCTION IF EXISTS public.search_cases_semantic(vector, uuid, double precision, integer);
DROP FUNCTION IF EXISTS public.search_messages_semantic(vector, uuid, double precision, integer);
DROP FUNCTION IF EXISTS public.search_patients_semantic(vector, uuid, double precision, integer);

DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_embeddings', 'patient_embeddings', 'message_embeddings', 'project_embeddings'] LOOP
    IF (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = format('public.%I', t)::regclass AND a.attname = 'embedding') <> 'halfvec' THEN
      EXECUTE format('ALTER TABLE public.%I ALTER COLUMN embedding TYPE halfvec USING embedding::halfvec', t);
    END IF;
    -- Long texts are split into chunks, one row each (chunk 0 first).
    EXECUTE format('ALTER TABLE public.%I ADD COLUMN IF NOT EXISTS chunk integer NOT NULL DEFAULT 0', t);
    -- Rows without a model cannot be searched safely: they predate this migration.
    EXECUTE format('DELETE FROM public.%I WHERE model IS NULL OR embedding IS NULL', t);
    EXECUTE format('ALTER TABLE public.%I ALTER COLUMN model SET NOT NULL', t);
    EXECUTE format('ALTER TABLE public.%I ALTER COLUMN embedding SET NOT NULL', t);
    EXECUTE format('ALTER TABLE public.%I ALTER COLUMN content_hash SET NOT NULL', t);
  END LOOP;
END
$do$;

-- One row per (text, model, chunk): during a reindex both models' rows coexist. The document's
-- constraint names are kept where it named them.
DO $do$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
      ('case_embeddings', 'idx_case_embeddings_case_type', 'idx_case_embeddings_case_type', '(case_id, content_type, model, chunk)'),
      ('patient_embeddings', 'idx_patient_embeddings_patient_type', 'idx_patient_embeddings_patient_type', '(patient_id, content_type, model, chunk)'),
      ('message_embeddings', 'message_embeddings_message_id_key', 'message_embeddings_source_key', '(message_id, model, chunk)'),
      ('project_embeddings', 'project_embeddings_project_id_content_type_key', 'project_embeddings_source_key', '(project_id, content_type, model, chunk)')
    ) AS v(tbl, old_name, new_name, cols)
  LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = format('public.%I', c.tbl)::regclass
                AND k.conname = c.old_name AND pg_get_constraintdef(k.oid) NOT LIKE '%model%') THEN
      EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', c.tbl, c.old_name);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = format('public.%I', c.tbl)::regclass AND k.conname = c.new_name) THEN
      EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I UNIQUE %s', c.tbl, c.new_name, c.cols);
    END IF;
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Full text: the lexical leg of hybrid search. English stemming ("aligners" = "aligner");
-- titles and subjects weigh more than bodies. Queries use OR semantics with ranking
-- (AND found nothing for most natural-language queries).
-- ---------------------------------------------------------------------------
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
  setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')) STORED;
ALTER TABLE public.case_messages ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, coalesce(subject, '')), 'A') ||
  setweight(to_tsvector('english'::regconfig, content), 'B')) STORED;
ALTER TABLE public.projects ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, name), 'A') ||
  setweight(to_tsvector('english'::regconfig, coalesce(metadata ->> 'notes', '')), 'B')) STORED;
ALTER TABLE public.patients ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS (
  to_tsvector('english'::regconfig, coalesce(clinical_summary, ''))) STORED;
CREATE INDEX IF NOT EXISTS idx_cases_fts ON public.cases USING gin (fts);
CREATE INDEX IF NOT EXISTS idx_case_messages_fts ON public.case_messages USING gin (fts);
CREATE INDEX IF NOT EXISTS idx_projects_fts ON public.projects USING gin (fts);
CREATE INDEX IF NOT EXISTS idx_patients_fts ON public.patients USING gin (fts);

-- ---------------------------------------------------------------------------
-- Models. One row per model ever registered: `active` is searched and kept current, `building`
-- is being filled by `mdw ai reindex` (new texts are embedded for both), `retired` is gone.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.embedding_models (
  model        text PRIMARY KEY CHECK (model ~ '^[a-z0-9][a-z0-9._/@-]*$'),
  dimensions   integer NOT NULL CHECK (dimensions BETWEEN 1 AND 4000),
  state        text NOT NULL CHECK (state IN ('building', 'active', 'retired')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  retired_at   timestamptz,
  -- `mdw ai reindex` progress: texts to embed and texts done.
  reindex_total integer NOT NULL DEFAULT 0,
  reindex_done  integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS embedding_models_one_active ON public.embedding_models (state) WHERE state = 'active';
CREATE UNIQUE INDEX IF NOT EXISTS embedding_models_one_building ON public.embedding_models (state) WHERE state = 'building';

-- ---------------------------------------------------------------------------
-- The queue: a text to (re-)embed. Filled by triggers, so every writer (API, seeds, the legacy
-- migration) enqueues without waiting; drained by the embedding pipeline workflow. The key makes
-- an edit during a pending job one job, and a job is only removed when the text it embedded is
-- still the current one (queued_at unchanged), so no edit is lost.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.embedding_queue (
  kind        text NOT NULL CHECK (kind IN ('case', 'message', 'project', 'patient')),
  source_id   uuid NOT NULL,
  practice_id uuid NOT NULL,
  queued_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (kind, source_id)
);
CREATE INDEX IF NOT EXISTS idx_embedding_queue_order ON public.embedding_queue (queued_at);
ALTER TABLE public.embedding_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.embedding_queue FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.embedding_queue FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.embedding_queue TO service_role;
ALTER TABLE public.embedding_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.embedding_models FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS embedding_models_read ON public.embedding_models;
CREATE POLICY embedding_models_read ON public.embedding_models FOR SELECT TO authenticated USING (true);
REVOKE ALL ON public.embedding_models FROM anon, authenticated;
GRANT SELECT ON public.embedding_models TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.embedding_models TO service_role;

CREATE OR REPLACE FUNCTION public.enqueue_embedding()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  INSERT INTO public.embedding_queue (kind, source_id, practice_id)
  VALUES (TG_ARGV[0], NEW.id, NEW.practice_id)
  ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp(), practice_id = EXCLUDED.practice_id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.enqueue_embedding() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.cases
  FOR EACH ROW EXECUTE FUNCTION public.enqueue_embedding('case');
CREATE OR REPLACE TRIGGER enqueue_embedding_upd AFTER UPDATE OF title, description ON public.cases
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION public.enqueue_embedding('case');
CREATE OR REPLACE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.case_messages
  FOR EACH ROW EXECUTE FUNCTION public.enqueue_embedding('message');
CREATE OR REPLACE TRIGGER enqueue_embedding_upd AFTER UPDATE OF subject, content ON public.case_messages
  FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.content IS DISTINCT FROM NEW.content)
  EXECUTE FUNCTION public.enqueue_embedding('message');
CREATE OR REPLACE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.projects
  FOR EACH ROW EXECUTE FUNCTION public.enqueue_embedding('project');
CREATE OR REPLACE TRIGGER enqueue_embedding_upd AFTER UPDATE OF name, metadata ON public.projects
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.metadata ->> 'notes' IS DISTINCT FROM NEW.metadata ->> 'notes')
  EXECUTE FUNCTION public.enqueue_embedding('project');
CREATE OR REPLACE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.patients
  FOR EACH ROW WHEN (NEW.clinical_summary IS NOT NULL)
  EXECUTE FUNCTION public.enqueue_embedding('patient');
CREATE OR REPLACE TRIGGER enqueue_embedding_upd AFTER UPDATE OF clinical_summary ON public.patients
  FOR EACH ROW WHEN (OLD.clinical_summary IS DISTINCT FROM NEW.clinical_summary)
  EXECUTE FUNCTION public.enqueue_embedding('patient');

-- ---------------------------------------------------------------------------
-- Consent. A versioned, time-stamped, append-only record per patient and kind, naming who
-- recorded it; the latest version is in force. No record for ai_processing means allowed
-- (the practice's general treatment agreement covers on-premises processing); a withdrawal
-- deletes the patient's embeddings at once, in the same transaction, and stops new ones.
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_namespace n ON n.oid = ty.typnamespace
                  WHERE n.nspname = 'public' AND ty.typname = 'consent_kind') THEN
    CREATE TYPE public.consent_kind AS ENUM ('treatment', 'lab_sharing', 'ai_processing', 'communications');
  END IF;
END
$do$;

CREATE TABLE IF NOT EXISTS public.patient_consents (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id     uuid NOT NULL,
  practice_id    uuid NOT NULL,
  kind           public.consent_kind NOT NULL,
  granted        boolean NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),     -- 1, 2, ... per patient and kind
  policy_version text,                                       -- the consent text the patient was shown
  recorded_by    uuid NOT NULL REFERENCES public.profiles(id),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  note           text,
  CONSTRAINT patient_consents_version_key UNIQUE (patient_id, kind, version),
  CONSTRAINT patient_consents_patient_practice_fkey FOREIGN KEY (patient_id, practice_id)
    REFERENCES public.patients (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE OR REPLACE FUNCTION public.patient_consent_defaults()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- Serialises with the embedding pipeline (which takes FOR SHARE on the patient before it writes).
  SELECT p.practice_id INTO NEW.practice_id FROM public.patients p WHERE p.id = NEW.patient_id FOR UPDATE;
  SELECT coalesce(max(c.version), 0) + 1 INTO NEW.version
    FROM public.patient_consents c WHERE c.patient_id = NEW.patient_id AND c.kind = NEW.kind;
  NEW.recorded_at := now();
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER patient_consent_defaults BEFORE INSERT ON public.patient_consents
  FOR EACH ROW EXECUTE FUNCTION public.patient_consent_defaults();

/** Whether the patient's texts may be embedded: the latest ai_processing record, default yes. */
CREATE OR REPLACE FUNCTION public.ai_processing_allowed(p_patient_id uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce((SELECT c.granted FROM public.patient_consents c
                    WHERE c.patient_id = p_patient_id AND c.kind = 'ai_processing'
                    ORDER BY c.version DESC LIMIT 1), true)
$$;

CREATE OR REPLACE FUNCTION public.apply_ai_consent()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NEW.kind <> 'ai_processing' THEN
    RETURN NULL;
  END IF;
  IF NOT NEW.granted THEN
    DELETE FROM public.patient_embeddings WHERE patient_id = NEW.patient_id;
    DELETE FROM public.case_embeddings e USING public.cases c WHERE c.id = e.case_id AND c.patient_id = NEW.patient_id;
    DELETE FROM public.message_embeddings e USING public.case_messages m, public.cases c
     WHERE m.id = e.message_id AND c.id = m.case_id AND c.patient_id = NEW.patient_id;
    DELETE FROM public.project_embeddings e USING public.projects pr, public.cases c
     WHERE pr.id = e.project_id AND c.id = pr.case_id AND c.patient_id = NEW.patient_id;
    DELETE FROM public.embedding_queue q WHERE (q.kind = 'patient' AND q.source_id = NEW.patient_id)
       OR (q.kind = 'case' AND q.source_id IN (SELECT c.id FROM public.cases c WHERE c.patient_id = NEW.patient_id))
       OR (q.kind = 'message' AND q.source_id IN (SELECT m.id FROM public.case_messages m JOIN public.cases c ON c.id = m.case_id WHERE c.patient_id = NEW.patient_id))
       OR (q.kind = 'project' AND q.source_id IN (SELECT pr.id FROM public.projects pr JOIN public.cases c ON c.id = pr.case_id WHERE c.patient_id = NEW.patient_id));
  ELSE
    -- Granted (again): queue everything of the patient; unchanged texts cost nothing (content hash).
    INSERT INTO public.embedding_queue (kind, source_id, practice_id)
      SELECT 'patient', p.id, p.practice_id FROM public.patients p WHERE p.id = NEW.patient_id AND p.clinical_summary IS NOT NULL
      UNION ALL SELECT 'case', c.id, c.practice_id FROM public.cases c WHERE c.patient_id = NEW.patient_id
      UNION ALL SELECT 'message', m.id, m.practice_id FROM public.case_messages m JOIN public.cases c ON c.id = m.case_id WHERE c.patient_id = NEW.patient_id
      UNION ALL SELECT 'project', pr.id, pr.practice_id FROM public.projects pr JOIN public.cases c ON c.id = pr.case_id WHERE c.patient_id = NEW.patient_id
    ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp();
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER apply_ai_consent AFTER INSERT ON public.patient_consents
  FOR EACH ROW EXECUTE FUNCTION public.apply_ai_consent();
REVOKE EXECUTE ON FUNCTION public.apply_ai_consent() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION public.patient_consent_defaults() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.ai_processing_allowed(uuid) TO authenticated, service_role;

CREATE INDEX IF NOT EXISTS idx_patient_consents_patient ON public.patient_consents (patient_id, kind, version DESC);
CREATE INDEX IF NOT EXISTS idx_patient_consents_practice ON public.patient_consents (practice_id);
ALTER TABLE public.patient_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patient_consents FORCE ROW LEVEL SECURITY;
-- Append-only: members read and record; nobody updates or deletes a record.
DROP POLICY IF EXISTS patient_consents_select ON public.patient_consents;
CREATE POLICY patient_consents_select ON public.patient_consents FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_internal_admin()));
DROP POLICY IF EXISTS patient_consents_insert ON public.patient_consents;
CREATE POLICY patient_consents_insert ON public.patient_consents FOR INSERT TO authenticated
  WITH CHECK ((practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_internal_admin()))
              AND recorded_by = (SELECT auth.uid()));
REVOKE ALL ON public.patient_consents FROM anon, authenticated;
GRANT SELECT, INSERT ON public.patient_consents TO authenticated;
GRANT SELECT, INSERT ON public.patient_consents TO service_role;
