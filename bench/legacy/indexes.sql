-- What Django creates for models.py by default, added after the bulk copy:
-- an index per ForeignKey column (named like Django's <table>_<column>_<hash>), the
-- varchar_pattern_ops "_like" twins of indexed varchar columns, and the FK constraints
-- (DEFERRABLE INITIALLY DEFERRED, as Django declares them). A GenericForeignKey gets an index on
-- target_type_id (it is a ForeignKey to ContentType) but none on target_id, and nothing composite.

CREATE INDEX auth_user_username_6821ab7c_like ON legacy.auth_user (username varchar_pattern_ops);
CREATE INDEX auth_group_name_a6ea08ec_like ON legacy.auth_group (name varchar_pattern_ops);
CREATE INDEX auth_user_groups_user_id_6a12ed8b ON legacy.auth_user_groups (user_id);
CREATE INDEX auth_user_groups_group_id_97559544 ON legacy.auth_user_groups (group_id);

CREATE INDEX dispatch_doctor_user_id_0e1a4f3b ON legacy.dispatch_doctor (user_id);
CREATE INDEX dispatch_doctor_practice_id_5b0c1d2e ON legacy.dispatch_doctor (practice_id);
CREATE INDEX dispatch_patient_user_id_7a3c9e01 ON legacy.dispatch_patient (user_id);
CREATE INDEX dispatch_case_patient_id_1f2e3d4c ON legacy.dispatch_case (patient_id);
CREATE INDEX dispatch_case_doctor_id_2a3b4c5d ON legacy.dispatch_case (doctor_id);
CREATE INDEX dispatch_case_practice_id_3b4c5d6e ON legacy.dispatch_case (practice_id);
CREATE INDEX dispatch_order_target_type_id_4c5d6e7f ON legacy.dispatch_order (target_type_id);
CREATE INDEX dispatch_orderitem_order_id_5d6e7f80 ON legacy.dispatch_orderitem (order_id);
CREATE INDEX dispatch_orderitem_product_id_6e7f8091 ON legacy.dispatch_orderitem (product_id);
CREATE INDEX dispatch_record_target_type_id_7f8091a2 ON legacy.dispatch_record (target_type_id);
CREATE INDEX dispatch_record_author_id_8091a2b3 ON legacy.dispatch_record (author_id);
CREATE INDEX dispatch_project_case_id_91a2b3c4 ON legacy.dispatch_project (case_id);
CREATE INDEX dispatch_project_practice_id_a2b3c4d5 ON legacy.dispatch_project (practice_id);
CREATE INDEX dispatch_project_creator_id_b3c4d5e6 ON legacy.dispatch_project (creator_id);
CREATE INDEX dispatch_project_parent_id_c4d5e6f7 ON legacy.dispatch_project (parent_id);
CREATE INDEX dispatch_instruction_target_type_id_d5e6f708 ON legacy.dispatch_instruction (target_type_id);
CREATE INDEX dispatch_instruction_changed_by_id_e6f70819 ON legacy.dispatch_instruction (changed_by_id);
CREATE INDEX dispatch_file_target_type_id_f708192a ON legacy.dispatch_file (target_type_id);
CREATE INDEX dispatch_file_uploaded_by_id_08192a3b ON legacy.dispatch_file (uploaded_by_id);

ALTER TABLE legacy.auth_user_groups
  ADD CONSTRAINT auth_user_groups_user_id_6a12ed8b_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES legacy.auth_user (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT auth_user_groups_group_id_97559544_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES legacy.auth_group (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_doctor
  ADD CONSTRAINT dispatch_doctor_user_id_fk FOREIGN KEY (user_id) REFERENCES legacy.auth_user (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_doctor_practice_id_fk FOREIGN KEY (practice_id) REFERENCES legacy.dispatch_practice (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_patient
  ADD CONSTRAINT dispatch_patient_user_id_fk FOREIGN KEY (user_id) REFERENCES legacy.auth_user (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_case
  ADD CONSTRAINT dispatch_case_patient_id_fk FOREIGN KEY (patient_id) REFERENCES legacy.dispatch_patient (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_case_doctor_id_fk FOREIGN KEY (doctor_id) REFERENCES legacy.dispatch_doctor (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_case_practice_id_fk FOREIGN KEY (practice_id) REFERENCES legacy.dispatch_practice (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_order
  ADD CONSTRAINT dispatch_order_target_type_id_fk FOREIGN KEY (target_type_id) REFERENCES legacy.django_content_type (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_orderitem
  ADD CONSTRAINT dispatch_orderitem_order_id_fk FOREIGN KEY (order_id) REFERENCES legacy.dispatch_order (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_orderitem_product_id_fk FOREIGN KEY (product_id) REFERENCES legacy.dispatch_product (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_record
  ADD CONSTRAINT dispatch_record_target_type_id_fk FOREIGN KEY (target_type_id) REFERENCES legacy.django_content_type (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_record_author_id_fk FOREIGN KEY (author_id) REFERENCES legacy.auth_user (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE legacy.dispatch_file
  ADD CONSTRAINT dispatch_file_target_type_id_fk FOREIGN KEY (target_type_id) REFERENCES legacy.django_content_type (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT dispatch_file_uploaded_by_id_fk FOREIGN KEY (uploaded_by_id) REFERENCES legacy.auth_user (id) DEFERRABLE INITIALLY DEFERRED;
