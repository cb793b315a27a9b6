DROP INDEX "clients_tray_name";--> statement-breakpoint
CREATE INDEX "clients_tray_name" ON "clients" USING btree ("tenant_id",lower("name"),"id","name") WHERE "clients"."deleted_at" is null;