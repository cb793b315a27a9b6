DROP INDEX "clients_situation";--> statement-breakpoint
CREATE INDEX "clients_situation" ON "clients" USING btree ("tenant_id","oldest_unpaid_due_date","id") WHERE "clients"."deleted_at" is null;