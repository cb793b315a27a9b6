CREATE TABLE "import_rows" (
	"tenant_id" bigint NOT NULL,
	"process_id" bigint NOT NULL,
	"line" integer NOT NULL,
	"first_of_client" boolean NOT NULL,
	"document_type" text NOT NULL,
	"document_number" text NOT NULL,
	"name" text,
	"email" text,
	"phone" text,
	"segment" text,
	"status" text,
	"contactability" text,
	"portfolio" text,
	"contact_alerts" text[],
	"payment_code" text NOT NULL,
	"product" text,
	"amount" bigint,
	"interest" bigint,
	"discounts" bigint,
	"issue_date" date,
	"due_date" date,
	"annulled" boolean,
	CONSTRAINT "import_rows_tenant_id_process_id_line_pk" PRIMARY KEY("tenant_id","process_id","line")
);
--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_tenant_id_process_id_file_processes_tenant_id_id_fk" FOREIGN KEY ("tenant_id","process_id") REFERENCES "public"."file_processes"("tenant_id","id") ON DELETE cascade ON UPDATE no action;