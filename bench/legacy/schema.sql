-- Legacy-shaped copy of the MDW data (schema `legacy`), modelled on shared/legacy/models.py:
-- Django's auth_user / auth_group / django_content_type and the `dispatch` app's tables, with
-- integer ids, naive local timestamps (America/Chicago), free-text enumerations, generic foreign
-- keys (target_type_id + target_id, no constraint) and no state column anywhere: a case's state
-- is implied by the latest state-bearing text in dispatch_record.
--
-- Tables only. Indexes and FK constraints are added after the copy (bench/legacy/indexes.sql),
-- exactly those Django creates by default: primary keys, UNIQUE fields, one index per ForeignKey
-- column (plus the varchar_pattern_ops "_like" twin for indexed varchar columns). A
-- GenericForeignKey's target_id gets no index, and there are no composite indexes.

DROP SCHEMA IF EXISTS legacy CASCADE;
CREATE SCHEMA legacy;

CREATE TABLE legacy.django_content_type (
  id         serial PRIMARY KEY,
  app_label  varchar(100) NOT NULL,
  model      varchar(100) NOT NULL,
  CONSTRAINT django_content_type_app_label_model_76bd3d3b_uniq UNIQUE (app_label, model)
);

CREATE TABLE legacy.auth_user (
  id            serial PRIMARY KEY,
  password      varchar(128) NOT NULL,
  last_login    timestamp NULL,
  is_superuser  boolean NOT NULL,
  username      varchar(150) NOT NULL UNIQUE,
  first_name    varchar(150) NOT NULL,
  last_name     varchar(150) NOT NULL,
  email         varchar(254) NOT NULL,
  is_staff      boolean NOT NULL,
  is_active     boolean NOT NULL,
  date_joined   timestamp NOT NULL
);

CREATE TABLE legacy.auth_group (
  id    serial PRIMARY KEY,
  name  varchar(150) NOT NULL UNIQUE
);

CREATE TABLE legacy.auth_user_groups (
  id        bigserial PRIMARY KEY,
  user_id   integer NOT NULL,
  group_id  integer NOT NULL,
  CONSTRAINT auth_user_groups_user_id_group_id_94350c0c_uniq UNIQUE (user_id, group_id)
);

CREATE TABLE legacy.dispatch_practice (
  id              serial PRIMARY KEY,
  name            varchar(255) NOT NULL,
  address         text NOT NULL,
  phone           varchar(64) NOT NULL,
  email           varchar(254) NOT NULL,
  license_number  varchar(64) NULL,
  created_at      timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_doctor (
  id              serial PRIMARY KEY,
  user_id         integer NOT NULL,
  practice_id     integer NULL,
  license_number  varchar(64) NULL,
  specialties     varchar(255) NOT NULL,
  bio             text NOT NULL
);

CREATE TABLE legacy.dispatch_patient (
  id          serial PRIMARY KEY,
  user_id     integer NOT NULL,
  birthdate   date NULL,
  sex         varchar(1) NULL,
  updated_at  timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_template (
  id              serial PRIMARY KEY,
  workflow_name   varchar(255) NOT NULL,
  case_type       varchar(64) NOT NULL,
  task_name       varchar(255) NOT NULL,
  task_order      integer NOT NULL,
  function        varchar(32) NOT NULL,
  is_predefined   boolean NOT NULL,
  action          varchar(255) NOT NULL,
  text_prompt     text NOT NULL,
  category        varchar(32) NOT NULL,
  duration_hours  integer NULL,
  roles           varchar(255) NOT NULL,
  predecessors    varchar(255) NOT NULL,
  auto            boolean NOT NULL
);

CREATE TABLE legacy.dispatch_case (
  id             serial PRIMARY KEY,
  patient_id     integer NOT NULL,
  doctor_id      integer NULL,
  practice_id    integer NULL,
  case_number    varchar(32) NULL,
  title          varchar(255) NOT NULL,
  description    text NOT NULL,
  case_type      varchar(64) NOT NULL,
  priority       integer NOT NULL,
  workflow_name  varchar(255) NOT NULL,
  created_at     timestamp NOT NULL,
  updated_at     timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_product (
  id        serial PRIMARY KEY,
  name      varchar(255) NOT NULL,
  sku       varchar(64) NOT NULL,
  category  varchar(64) NOT NULL,
  price     numeric(10,2) NOT NULL,
  options   text NOT NULL,
  active    boolean NOT NULL
);

CREATE TABLE legacy.dispatch_order (
  id              serial PRIMARY KEY,
  target_type_id  integer NOT NULL,
  target_id       integer NOT NULL CHECK (target_id >= 0),
  number          varchar(32) NOT NULL,
  status          varchar(32) NOT NULL,
  subtotal        numeric(10,2) NULL,
  tax             numeric(10,2) NULL,
  total           numeric(10,2) NULL,
  currency        varchar(3) NOT NULL,
  notes           text NOT NULL,
  created_at      timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_orderitem (
  id          serial PRIMARY KEY,
  order_id    integer NOT NULL,
  product_id  integer NULL,
  quantity    integer NOT NULL,
  unit_price  numeric(10,2) NOT NULL,
  options     text NOT NULL
);

CREATE TABLE legacy.dispatch_record (
  id              serial PRIMARY KEY,
  target_type_id  integer NOT NULL,
  target_id       integer NOT NULL CHECK (target_id >= 0),
  author_id       integer NULL,
  text            text NOT NULL,
  created_at      timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_project (
  id          serial PRIMARY KEY,
  case_id     integer NULL,
  practice_id integer NULL,
  creator_id  integer NOT NULL,
  name        varchar(255) NOT NULL,
  project_type varchar(32) NOT NULL,
  status      varchar(32) NOT NULL,
  file_size   bigint NOT NULL,
  file_path   varchar(1024) NOT NULL,
  is_public   boolean NOT NULL,
  version     integer NOT NULL,
  parent_id   integer NULL,
  created_at  timestamp NOT NULL
);

CREATE TABLE legacy.dispatch_instruction (
  id                serial PRIMARY KEY,
  target_type_id    integer NOT NULL,
  target_id         integer NOT NULL CHECK (target_id >= 0),
  instruction_type  varchar(64) NOT NULL,
  status            integer NOT NULL,
  is_active         boolean NOT NULL,
  changed_by_id     integer NULL,
  changed_at        timestamp NOT NULL,
  notes             text NOT NULL
);

CREATE TABLE legacy.dispatch_file (
  id              serial PRIMARY KEY,
  target_type_id  integer NOT NULL,
  target_id       integer NOT NULL CHECK (target_id >= 0),
  uploaded_by_id  integer NULL,
  name            varchar(255) NOT NULL,
  path            varchar(1024) NOT NULL,
  size            bigint NULL,
  mime            varchar(128) NOT NULL,
  kind            varchar(32) NOT NULL,
  created_at      timestamp NOT NULL
);

-- Id maps new uuid -> legacy integer id (bench bookkeeping, not part of the legacy schema).
CREATE TABLE legacy._map_user (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_practice (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_doctor (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_patient (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_case (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_order (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE legacy._map_product (uid uuid PRIMARY KEY, id integer NOT NULL UNIQUE);
