-- Optional (--legacy-gfk-index): the composite index Django's documentation recommends for a
-- GenericForeignKey (Meta.indexes = [models.Index(fields=['target_type', 'target_id'])]), which
-- many legacy projects never added. Measures "legacy schema, best indexing" instead of "as built".
CREATE INDEX IF NOT EXISTS dispatch_record_target_type_id_target_id_idx ON legacy.dispatch_record (target_type_id, target_id);
CREATE INDEX IF NOT EXISTS dispatch_file_target_type_id_target_id_idx ON legacy.dispatch_file (target_type_id, target_id);
CREATE INDEX IF NOT EXISTS dispatch_order_target_type_id_target_id_idx ON legacy.dispatch_order (target_type_id, target_id);
ANALYZE legacy.dispatch_record, legacy.dispatch_file, legacy.dispatch_order;
