DROP INDEX `goods_hs_idx`;--> statement-breakpoint
DROP INDEX `goods_entry_idx`;--> statement-breakpoint
CREATE INDEX `goods_controlled_idx` ON `goods_lines` (`seizure_id`,`regime`,`control_entry`) WHERE "goods_lines"."controlled" = 1;--> statement-breakpoint
CREATE INDEX `goods_hs_idx` ON `goods_lines` ("hs_code" COLLATE NOCASE,`seizure_id`);--> statement-breakpoint
CREATE INDEX `goods_entry_idx` ON `goods_lines` ("control_entry" COLLATE NOCASE,`seizure_id`);--> statement-breakpoint
DROP INDEX `items_seizure_idx`;--> statement-breakpoint
CREATE INDEX `items_seizure_idx` ON `items` (`seizure_id`,`status`);--> statement-breakpoint
DROP INDEX `seizures_agency_occurred_idx`;--> statement-breakpoint
CREATE INDEX `seizures_agency_occurred_idx` ON `seizures` (`agency_id`,`occurred_at`,`id`,`detection_method`,`transport_mode`,`direction`);