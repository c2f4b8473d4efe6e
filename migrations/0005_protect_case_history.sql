-- Investigative actions and status changes are history: never edited, never deleted.
CREATE TRIGGER case_actions_no_update BEFORE UPDATE ON case_actions
BEGIN SELECT RAISE(ABORT, 'case actions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER case_actions_no_delete BEFORE DELETE ON case_actions
BEGIN SELECT RAISE(ABORT, 'case actions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER case_status_changes_no_update BEFORE UPDATE ON case_status_changes
BEGIN SELECT RAISE(ABORT, 'case status changes are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER case_status_changes_no_delete BEFORE DELETE ON case_status_changes
BEGIN SELECT RAISE(ABORT, 'case status changes are append-only'); END;
--> statement-breakpoint
CREATE VIRTUAL TABLE cases_fts USING fts5(
  case_id UNINDEXED, reference, title, summary, offences, actions,
  tokenize = 'unicode61 remove_diacritics 2'
);
