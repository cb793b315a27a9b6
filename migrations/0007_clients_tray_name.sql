ALTER TABLE "claims" DROP CONSTRAINT "claims_state_slot";--> statement-breakpoint
CREATE INDEX "clients_tray_name" ON "clients" USING btree ("tenant_id",lower("name"),"id") WHERE "clients"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_state_slot" CHECK (("claims"."state" = 'abierto' and "claims"."open_slot" is not null and "claims"."open_slot" in (1, 2) and "claims"."closed_at" is null)
       or ("claims"."state" = 'cerrado' and "claims"."open_slot" is null and "claims"."closed_at" is not null));