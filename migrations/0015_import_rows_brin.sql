ALTER TABLE "import_rows" DROP CONSTRAINT "import_rows_tenant_id_process_id_line_pk";--> statement-breakpoint
CREATE INDEX "import_rows_process" ON "import_rows" USING brin ("tenant_id","process_id");