CREATE TABLE "portal_sessions" (
	"tenant_id" bigint NOT NULL,
	"id" text NOT NULL,
	"client_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "portal_sessions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "portal_sessions_kind" CHECK ("portal_sessions"."kind" in ('customer', 'recovery'))
);
--> statement-breakpoint
CREATE TABLE "portal_settings" (
	"tenant_id" bigint PRIMARY KEY NOT NULL,
	"customer_title" text DEFAULT 'Estado de cuenta' NOT NULL,
	"customer_welcome" text DEFAULT 'Consulta tus deudas y paga en línea.' NOT NULL,
	"customer_color" text DEFAULT '#1f4e8c' NOT NULL,
	"customer_logo_key" text,
	"bank_details" text,
	"pay_link_template" text,
	"promises_enabled" boolean DEFAULT true NOT NULL,
	"recovery_active" boolean DEFAULT false NOT NULL,
	"recovery_title" text DEFAULT 'Cancela tu deuda con descuento' NOT NULL,
	"recovery_welcome" text DEFAULT 'Tenemos una oferta especial para ti.' NOT NULL,
	"recovery_color" text DEFAULT '#1f4e8c' NOT NULL,
	"recovery_logo_key" text,
	"recovery_banner_key" text,
	"not_interested_reasons" text[] DEFAULT array['Ya pagué mi deuda', 'No reconozco esta deuda', 'No puedo pagar en este momento', 'Necesito que un asesor me contacte']::text[] NOT NULL,
	"countdown_enabled" boolean DEFAULT false NOT NULL,
	"countdown_hours" integer DEFAULT 48 NOT NULL,
	"captcha_kind" text DEFAULT 'altcha' NOT NULL,
	"recaptcha_site_key" text,
	"recaptcha_secret" text,
	"legal_text" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "portal_settings_colors" CHECK ("portal_settings"."customer_color" ~ '^#[0-9a-f]{6}$' and "portal_settings"."recovery_color" ~ '^#[0-9a-f]{6}$'),
	CONSTRAINT "portal_settings_countdown" CHECK ("portal_settings"."countdown_hours" between 1 and 720),
	CONSTRAINT "portal_settings_captcha" CHECK ("portal_settings"."captcha_kind" in ('altcha', 'recaptcha'))
);
--> statement-breakpoint
ALTER TABLE "portal_sessions" ADD CONSTRAINT "portal_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_sessions" ADD CONSTRAINT "portal_sessions_tenant_id_client_id_clients_tenant_id_id_fk" FOREIGN KEY ("tenant_id","client_id") REFERENCES "public"."clients"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_settings" ADD CONSTRAINT "portal_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "portal_sessions_client" ON "portal_sessions" USING btree ("tenant_id","client_id");--> statement-breakpoint
CREATE INDEX "portal_sessions_expiry" ON "portal_sessions" USING btree ("tenant_id","expires_at");