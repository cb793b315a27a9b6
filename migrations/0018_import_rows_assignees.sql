ALTER TABLE "import_rows" ADD COLUMN "supervisor_id" bigint;--> statement-breakpoint
ALTER TABLE "import_rows" ADD COLUMN "advisor_id" bigint;