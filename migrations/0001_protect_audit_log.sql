-- VERIFIABILITY.md: the database refuses UPDATE and DELETE on audit entries.
-- Merkle subtree hashes are derived from entries and just as final once written.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
--> statement-breakpoint
-- Entries are numbered 0, 1, 2, ... without gaps: the index is the leaf index.
CREATE TRIGGER audit_entries_gapless BEFORE INSERT ON audit_entries
WHEN NEW.idx IS NOT (SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries)
BEGIN SELECT RAISE(ABORT, 'audit entry index must follow the last one'); END;
--> statement-breakpoint
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'merkle tree nodes are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'merkle tree nodes are append-only'); END;
