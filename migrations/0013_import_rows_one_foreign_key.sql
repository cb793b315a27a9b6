ALTER TABLE "import_rows" DROP CONSTRAINT "import_rows_tenant_id_tenants_id_fk";
