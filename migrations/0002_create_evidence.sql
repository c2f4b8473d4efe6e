CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`owner_type` text NOT NULL,
	`owner_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`media_type` text NOT NULL,
	`filename` text NOT NULL,
	`description` text,
	`captured_at` text,
	`exif` text,
	`uploaded_by` text NOT NULL,
	`uploaded_at` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_owner_idx` ON `attachments` (`owner_type`,`owner_id`);--> statement-breakpoint
CREATE INDEX `attachments_sha_idx` ON `attachments` (`sha256`);--> statement-breakpoint
CREATE TABLE `custody_events` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`occurred_at` text NOT NULL,
	`recorded_at` text NOT NULL,
	`actor_id` text NOT NULL,
	`from_user_id` text,
	`to_user_id` text,
	`location_code` text,
	`seal_number` text,
	`seal_intact` integer,
	`purpose` text,
	`notes` text,
	`authority` text,
	`witness_user_id` text,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `custody_item_seq` ON `custody_events` (`item_id`,`seq`);--> statement-breakpoint
CREATE TABLE `goods_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`seizure_id` text NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`hs_code` text NOT NULL,
	`quantity` real NOT NULL,
	`unit` text NOT NULL,
	`value_amount` text,
	`value_currency` text,
	`controlled` integer NOT NULL,
	`regime` text,
	`control_entry` text,
	`licence_number` text,
	`licence_status` text NOT NULL,
	FOREIGN KEY (`seizure_id`) REFERENCES `seizures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `goods_seizure_idx` ON `goods_lines` (`seizure_id`);--> statement-breakpoint
CREATE INDEX `goods_hs_idx` ON `goods_lines` (`hs_code`);--> statement-breakpoint
CREATE INDEX `goods_entry_idx` ON `goods_lines` (`control_entry`);--> statement-breakpoint
CREATE TABLE `items` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`seizure_id` text NOT NULL,
	`label` text NOT NULL,
	`number` integer NOT NULL,
	`goods_index` integer,
	`category` text NOT NULL,
	`description` text NOT NULL,
	`quantity` real NOT NULL,
	`unit` text NOT NULL,
	`condition` text,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`status` text NOT NULL,
	`custodian_id` text NOT NULL,
	`pending_to_id` text,
	`location_code` text,
	`seal_number` text,
	`seal_broken` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`last_occurred_at` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`seizure_id`) REFERENCES `seizures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`custodian_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_label_unique` ON `items` (`label`);--> statement-breakpoint
CREATE INDEX `items_seizure_idx` ON `items` (`seizure_id`);--> statement-breakpoint
CREATE INDEX `items_location_idx` ON `items` (`agency_id`,`location_code`);--> statement-breakpoint
CREATE TABLE `locations` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `locations_agency_code` ON `locations` (`agency_id`,`code`);--> statement-breakpoint
CREATE TABLE `parties` (
	`id` text PRIMARY KEY NOT NULL,
	`seizure_id` text NOT NULL,
	`position` integer NOT NULL,
	`role` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`country` text,
	`identifier` text,
	`address` text,
	`nationality` text,
	`sex` text,
	`birth_date` text,
	FOREIGN KEY (`seizure_id`) REFERENCES `seizures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `parties_seizure_idx` ON `parties` (`seizure_id`);--> statement-breakpoint
CREATE INDEX `parties_name_idx` ON `parties` (`name`);--> statement-breakpoint
CREATE TABLE `reference_counters` (
	`agency_id` text NOT NULL,
	`kind` text NOT NULL,
	`year` integer NOT NULL,
	`last` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reference_counters_key` ON `reference_counters` (`agency_id`,`kind`,`year`);--> statement-breakpoint
CREATE TABLE `seizure_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`seizure_id` text NOT NULL,
	`version` integer NOT NULL,
	`reason` text,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL,
	`snapshot` text NOT NULL,
	FOREIGN KEY (`seizure_id`) REFERENCES `seizures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seizure_versions_key` ON `seizure_versions` (`seizure_id`,`version`);--> statement-breakpoint
CREATE TABLE `seizures` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`reference` text NOT NULL,
	`version` integer NOT NULL,
	`occurred_at` text NOT NULL,
	`recorded_at` text NOT NULL,
	`recorded_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`place_name` text NOT NULL,
	`place_type` text,
	`locode` text,
	`lat` real,
	`lon` real,
	`direction` text NOT NULL,
	`transport_mode` text NOT NULL,
	`conveyance` text,
	`route_origin` text,
	`route_destination` text,
	`route_transit` text NOT NULL,
	`detection_method` text NOT NULL,
	`concealment` text,
	`legal_basis` text,
	`narrative` text,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seizures_reference_unique` ON `seizures` (`reference`);--> statement-breakpoint
CREATE INDEX `seizures_agency_occurred_idx` ON `seizures` (`agency_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `seizures_locode_idx` ON `seizures` (`locode`);