-- PRODUCT.md: nobody, admin included, edits or deletes a custody event, an attachment
-- or a recorded seizure version; VERIFIABILITY.md: the database itself refuses it.
CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER custody_events_no_delete BEFORE DELETE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER seizure_versions_no_update BEFORE UPDATE ON seizure_versions
BEGIN SELECT RAISE(ABORT, 'seizure versions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER seizure_versions_no_delete BEFORE DELETE ON seizure_versions
BEGIN SELECT RAISE(ABORT, 'seizure versions are append-only'); END;
--> statement-breakpoint
-- Free-text search over the current version of each seizure (kept by seizure-service.ts).
CREATE VIRTUAL TABLE seizures_fts USING fts5(
  seizure_id UNINDEXED, reference, place, conveyance, concealment, narrative, parties, goods,
  tokenize = 'unicode61 remove_diacritics 2'
);
