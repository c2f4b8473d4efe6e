CREATE TABLE `checkpoints` (
	`size` integer PRIMARY KEY NOT NULL,
	`root_hash` blob NOT NULL,
	`note` text NOT NULL,
	`created_at` text NOT NULL,
	`key_id` text NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `log_keys`(`kid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `log_keys` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kid` text NOT NULL,
	`origin` text NOT NULL,
	`public_key` text NOT NULL,
	`file` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `log_keys_kid_unique` ON `log_keys` (`kid`);