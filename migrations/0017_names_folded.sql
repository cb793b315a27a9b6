-- Names searched and sorted regardless of case and accents: the same table as src/platform/search.ts.
CREATE OR REPLACE FUNCTION saldo_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(lower($1), 'ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýŸÿ', 'aaaaaaaaaaaaeeeeeeeeiiiiiiiioooooooooouuuuuuuunnccyyyy')
$$;--> statement-breakpoint
DROP INDEX "clients_name";--> statement-breakpoint
DROP INDEX "clients_tray_name";--> statement-breakpoint
DROP INDEX "clients_open_claims";--> statement-breakpoint
CREATE INDEX "clients_name" ON "clients" USING btree ("tenant_id",saldo_fold("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_tray_name" ON "clients" USING btree ("tenant_id",saldo_fold("name"),"id","name") WHERE "clients"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "clients_open_claims" ON "clients" USING btree ("tenant_id",saldo_fold("name"),"id") WHERE "clients"."deleted_at" is null and "clients"."open_claims" > 0;