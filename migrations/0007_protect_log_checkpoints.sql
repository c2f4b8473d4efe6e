-- VERIFIABILITY.md: the log keeps every checkpoint it issued, and rotation keeps every old
-- public key published. Neither is ever edited or removed.
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
--> statement-breakpoint
-- A checkpoint covers entries that exist, with a SHA-256 root.
CREATE TRIGGER checkpoints_within_log BEFORE INSERT ON checkpoints
WHEN NEW.size > (SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries) OR length(NEW.root_hash) != 32
BEGIN SELECT RAISE(ABORT, 'a checkpoint must cover existing audit entries and carry a 32-byte root'); END;
--> statement-breakpoint
CREATE TRIGGER log_keys_no_update BEFORE UPDATE ON log_keys
BEGIN SELECT RAISE(ABORT, 'log keys are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER log_keys_no_delete BEFORE DELETE ON log_keys
BEGIN SELECT RAISE(ABORT, 'log keys are append-only'); END;
