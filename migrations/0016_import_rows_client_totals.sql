ALTER TABLE "import_rows" ADD COLUMN "client_unpaid" integer;--> statement-breakpoint
ALTER TABLE "import_rows" ADD COLUMN "client_oldest" date;--> statement-breakpoint
ALTER TABLE "import_rows" ADD COLUMN "client_balance" bigint;