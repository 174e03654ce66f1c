-- Fills schema `legacy` from the new tables (INSERT … SELECT), as the legacy Django system would
-- have stored the same facts. Run after schema.sql, before indexes.sql. Statements are separated
-- by lines holding only `-- step: <name>` so the runner can time them.
--
-- What changes shape on the way back to the legacy model:
--  * uuids -> integer ids (legacy._map_* tables, numbered by creation time);
--  * timestamptz -> naive local time (America/Chicago);
--  * patients have no practice: the practice is only reachable through their cases;
--  * ~30 % of cases have practice_id NULL (the legacy "take the doctor's" rule);
--  * enumerations become hand-typed text (mixed case, trailing spaces, synonyms);
--  * case_messages, case_states AND order_states all become rows of dispatch_record, attached
--    by generic FK (django_content_type + target_id); states survive only as the system texts
--    of shared/legacy/README.md ("Treatment plan approved by Dr. …", "Your order has shipped …");
--  * ~10 % of orders hang off the patient instead of the case (generic FK to dispatch_patient);
--  * ~5 % of orders have NULL money columns.

-- step: content types and groups
INSERT INTO legacy.django_content_type (app_label, model) VALUES
  ('auth', 'user'), ('auth', 'group'), ('contenttypes', 'contenttype'),
  ('dispatch', 'practice'), ('dispatch', 'doctor'), ('dispatch', 'patient'), ('dispatch', 'template'),
  ('dispatch', 'case'), ('dispatch', 'product'), ('dispatch', 'order'), ('dispatch', 'orderitem'),
  ('dispatch', 'record'), ('dispatch', 'project'), ('dispatch', 'instruction'), ('dispatch', 'file'),
  ('dispatch', 'shipment'), ('crm', 'lead');
INSERT INTO legacy.auth_group (name) VALUES ('technician'), ('support'), ('admin'), ('doctor');

-- step: id maps
INSERT INTO legacy._map_practice (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.practices;
INSERT INTO legacy._map_user (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.profiles
WHERE id <> '00000000-0000-0000-0000-000000000001';
INSERT INTO legacy._map_doctor (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.practitioners;
INSERT INTO legacy._map_patient (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.patients;
INSERT INTO legacy._map_case (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.cases;
INSERT INTO legacy._map_order (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.orders;
INSERT INTO legacy._map_product (uid, id)
SELECT id, row_number() OVER (ORDER BY created_at, id) FROM public.products;

-- step: auth_user, groups
INSERT INTO legacy.auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT m.id, 'pbkdf2_sha256$260000$bench$' || md5(p.id::text), NULL, p.role = 'admin',
       -- usernames were the email as typed: mixed case for some
       CASE WHEN m.id % 7 = 0 THEN initcap(split_part(p.email, '@', 1)) || '@' || split_part(p.email, '@', 2) ELSE p.email END,
       p.first_name, CASE WHEN m.id % 23 = 0 THEN p.last_name || ' ' ELSE p.last_name END,
       CASE WHEN m.id % 7 = 0 THEN initcap(p.email) ELSE p.email END,
       EXISTS (SELECT 1 FROM public.practice_members pm WHERE pm.profile_id = p.id), true,
       (p.created_at AT TIME ZONE 'America/Chicago')
FROM public.profiles p JOIN legacy._map_user m ON m.uid = p.id;
INSERT INTO legacy.auth_user_groups (user_id, group_id)
SELECT DISTINCT m.id, g.id
FROM public.practice_members pm JOIN legacy._map_user m ON m.uid = pm.profile_id
JOIN legacy.auth_group g ON g.name = CASE pm.role WHEN 'owner' THEN 'doctor' WHEN 'doctor' THEN 'doctor' WHEN 'admin' THEN 'admin' ELSE 'technician' END;

-- step: practices, doctors, patients, products
INSERT INTO legacy.dispatch_practice (id, name, address, phone, email, license_number, created_at)
SELECT m.id, p.name, coalesce(p.address->>'street', '') || E'\n' || coalesce(p.address->>'city', ''), coalesce(p.phone, ''),
       coalesce(p.email, ''), p.license_number, (p.created_at AT TIME ZONE 'America/Chicago')
FROM public.practices p JOIN legacy._map_practice m ON m.uid = p.id;
INSERT INTO legacy.dispatch_doctor (id, user_id, practice_id, license_number, specialties, bio)
SELECT md.id, mu.id,
       (SELECT mp.id FROM public.practice_members pm JOIN legacy._map_practice mp ON mp.uid = pm.practice_id
        WHERE pm.practitioner_id = pr.id ORDER BY pm.joined_at LIMIT 1),
       pr.license_number, coalesce(array_to_string(pr.specialties, ','), ''), coalesce(pr.bio, '')
FROM public.practitioners pr JOIN legacy._map_doctor md ON md.uid = pr.id JOIN legacy._map_user mu ON mu.uid = pr.profile_id;
INSERT INTO legacy.dispatch_patient (id, user_id, birthdate, sex, updated_at)
SELECT mp.id, mu.id, pt.date_of_birth,
       CASE pt.gender WHEN 'male' THEN 'M' WHEN 'female' THEN 'F' WHEN 'other' THEN 'O' ELSE (CASE WHEN mp.id % 2 = 0 THEN '' END) END,
       (pt.updated_at AT TIME ZONE 'America/Chicago')
FROM public.patients pt JOIN legacy._map_patient mp ON mp.uid = pt.id JOIN legacy._map_user mu ON mu.uid = pt.profile_id;
INSERT INTO legacy.dispatch_product (id, name, sku, category, price, options, active)
SELECT m.id, p.name, 'SKU-' || m.id,
       CASE WHEN m.id % 3 = 0 THEN initcap(p.category::text) WHEN m.id % 3 = 1 THEN p.category::text || ' ' ELSE p.category::text END,
       p.base_price, p.customizable_options::text, p.active
FROM public.products p JOIN legacy._map_product m ON m.uid = p.id;

-- step: cases
INSERT INTO legacy.dispatch_case (id, patient_id, doctor_id, practice_id, case_number, title, description, case_type, priority, workflow_name, created_at, updated_at)
SELECT mc.id, mp.id, md.id,
       CASE WHEN md.id IS NOT NULL AND abs(hashint4(mc.id)) % 10 IN (0, 3, 7) THEN NULL ELSE mpr.id END,  -- ~30 %: "take the doctor's"
       CASE WHEN c.created_at < now() - interval '900 days' AND mc.id % 4 = 0 THEN '' ELSE c.case_number END,
       c.title, coalesce(c.description, ''),
       CASE c.case_type
         WHEN 'initial_consultation' THEN (ARRAY['Initial', 'initial consult', 'New case'])[1 + mc.id % 3]
         WHEN 'treatment_planning' THEN (ARRAY['Planning', 'treatment planning ', 'TP'])[1 + mc.id % 3]
         WHEN 'active_treatment' THEN (ARRAY['Aligners', 'active treatment', 'Active Tx'])[1 + mc.id % 3]
         WHEN 'refinement' THEN (ARRAY['Refinement', 'refinement ', 'Revision'])[1 + mc.id % 3]
         WHEN 'retention' THEN (ARRAY['Retainer', 'retention', 'Retainers '])[1 + mc.id % 3]
         WHEN 'emergency' THEN (ARRAY['Emergency', 'URGENT', 'emergency'])[1 + mc.id % 3]
         ELSE (ARRAY['Follow up', 'follow-up', 'F/U'])[1 + mc.id % 3] END,
       CASE c.priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END,
       CASE WHEN mc.id % 5 = 0 THEN '' ELSE 'Clear aligner standard' END,
       (c.created_at AT TIME ZONE 'America/Chicago'), (c.updated_at AT TIME ZONE 'America/Chicago')
FROM public.cases c
JOIN legacy._map_case mc ON mc.uid = c.id
JOIN legacy._map_patient mp ON mp.uid = c.patient_id
JOIN legacy._map_practice mpr ON mpr.uid = c.practice_id
LEFT JOIN legacy._map_doctor md ON md.uid = c.assigned_practitioner_id;

-- step: orders and items
INSERT INTO legacy.dispatch_order (id, target_type_id, target_id, number, status, subtotal, tax, total, currency, notes, created_at)
SELECT mo.id,
       CASE WHEN mo.id % 10 = 0 THEN (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'patient')
            ELSE (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'case') END,
       CASE WHEN mo.id % 10 = 0 THEN mp.id ELSE mc.id END,
       o.order_number,
       CASE o.current_state
         WHEN 'pending' THEN (ARRAY['Pending', 'pending', 'New'])[1 + mo.id % 3]
         WHEN 'confirmed' THEN (ARRAY['Confirmed', 'confirmed ', 'OK'])[1 + mo.id % 3]
         WHEN 'in_production' THEN (ARRAY['In Production', 'in-production', 'MFG'])[1 + mo.id % 3]
         WHEN 'quality_check' THEN (ARRAY['QC', 'quality check', 'Inspection'])[1 + mo.id % 3]
         WHEN 'shipped' THEN (ARRAY['Shipped ', 'shipped', 'Sent'])[1 + mo.id % 3]
         WHEN 'delivered' THEN (ARRAY['Delivered', 'delivered', 'Received'])[1 + mo.id % 3]
         WHEN 'completed' THEN (ARRAY['Complete', 'completed', 'Done'])[1 + mo.id % 3]
         ELSE (ARRAY['Cancelled', 'canceled', 'VOID'])[1 + mo.id % 3] END,
       CASE WHEN mo.id % 20 = 0 THEN NULL ELSE o.subtotal END,
       CASE WHEN mo.id % 20 = 0 THEN NULL ELSE o.tax_amount END,
       CASE WHEN mo.id % 20 = 0 THEN NULL ELSE o.total_amount END,
       CASE WHEN mo.id % 2 = 0 THEN '' ELSE o.currency END, coalesce(o.notes, ''),
       (o.created_at AT TIME ZONE 'America/Chicago')
FROM public.orders o
JOIN legacy._map_order mo ON mo.uid = o.id
JOIN legacy._map_case mc ON mc.uid = o.case_id
JOIN public.cases c ON c.id = o.case_id
JOIN legacy._map_patient mp ON mp.uid = c.patient_id;
INSERT INTO legacy.dispatch_orderitem (order_id, product_id, quantity, unit_price, options)
SELECT mo.id, mpr.id, i.quantity, i.unit_price, i.customizations::text
FROM public.order_items i JOIN legacy._map_order mo ON mo.uid = i.order_id JOIN legacy._map_product mpr ON mpr.uid = i.product_id
ORDER BY i.created_at, i.id;

-- step: dispatch_record (messages + case states + order states, one log ordered by time)
INSERT INTO legacy.dispatch_record (target_type_id, target_id, author_id, text, created_at)
SELECT target_type_id, target_id, author_id, text, (at AT TIME ZONE 'America/Chicago')
FROM (
  SELECT (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'case') AS target_type_id,
         mc.id AS target_id, mu.id AS author_id, m.content AS text, m.created_at AS at
  FROM public.case_messages m JOIN legacy._map_case mc ON mc.uid = m.case_id LEFT JOIN legacy._map_user mu ON mu.uid = m.sender_id
  UNION ALL
  SELECT (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'case'),
         mc.id, NULL,
         CASE s.to_state
           WHEN 'submitted' THEN 'Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.'
           WHEN 'under_review' THEN 'Your case has been received and is under review by our clinical team.'
           WHEN 'planning' THEN 'Your treatment plan is ready for review. Please approve or request changes.'
           WHEN 'approved' THEN 'Treatment plan approved by Dr. ' || coalesce(dp.last_name, 'Smith') || '.'
           WHEN 'in_production' THEN CASE WHEN mc.id % 2 = 0 THEN 'Your aligners are now in production.' ELSE 'Case sent to manufacturing.' END
           WHEN 'quality_check' THEN 'Your order is in final quality inspection.'
           WHEN 'shipped' THEN CASE WHEN mc.id % 2 = 0 THEN 'Your order has shipped via UPS, tracking number 1Z' || upper(substr(md5(s.id::text), 1, 16)) || '.'
                                    ELSE 'Your order has shipped via FedEx, tracking number ' || (hashint4(mc.id) & 2147483647) || '.' END
           WHEN 'delivered' THEN CASE WHEN mc.id % 2 = 0 THEN 'Delivered on ' || to_char(s.created_at AT TIME ZONE 'America/Chicago', 'Mon DD, YYYY') || '.' ELSE 'Delivery confirmed.' END
           WHEN 'completed' THEN 'Case completed. Thank you for choosing us!'
           WHEN 'on_hold' THEN 'We need additional records before we can continue: please upload a new lower arch scan.'
           WHEN 'cancelled' THEN CASE WHEN mc.id % 2 = 0 THEN 'This case has been cancelled at the doctor''s request.' ELSE 'Case cancelled.' END
         END,
         s.created_at
  FROM public.case_states s
  JOIN legacy._map_case mc ON mc.uid = s.case_id
  JOIN public.cases c ON c.id = s.case_id
  LEFT JOIN public.practitioners pr ON pr.id = c.assigned_practitioner_id
  LEFT JOIN public.profiles dp ON dp.id = pr.profile_id
  UNION ALL
  SELECT (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'order'),
         mo.id, mu.id,
         'Order ' || o.order_number || ' status changed to ' || initcap(replace(os.to_state::text, '_', ' ')) || '.',
         os.created_at
  FROM public.order_states os
  JOIN legacy._map_order mo ON mo.uid = os.order_id
  JOIN public.orders o ON o.id = os.order_id
  LEFT JOIN legacy._map_user mu ON mu.uid = os.changed_by
) r
ORDER BY at;

-- step: dispatch_file
INSERT INTO legacy.dispatch_file (target_type_id, target_id, uploaded_by_id, name, path, size, mime, kind, created_at)
SELECT (SELECT id FROM legacy.django_content_type WHERE app_label = 'dispatch' AND model = 'case'),
       mc.id, mu.id, f.file_name, f.storage_path, f.file_size, f.mime_type,
       CASE f.file_type WHEN 'scan' THEN (ARRAY['scan', 'STL', 'Scan '])[1 + mc.id % 3] WHEN 'document' THEN 'pdf' WHEN 'model' THEN 'stl' ELSE f.file_type::text END,
       (f.created_at AT TIME ZONE 'America/Chicago')
FROM public.case_files f JOIN legacy._map_case mc ON mc.uid = f.case_id LEFT JOIN legacy._map_user mu ON mu.uid = f.uploaded_by
ORDER BY f.created_at;
