CREATE TABLE `print_copies` (
	`source_sha256` text NOT NULL,
	`version` integer NOT NULL,
	`sha256` text,
	`size` integer,
	`media_type` text,
	`width` integer,
	`height` integer,
	`created_at` text NOT NULL,
	PRIMARY KEY(`source_sha256`, `version`)
);
