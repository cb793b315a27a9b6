-- Every word of every client's name, for the search box (decision 0018; src/clients/schema.ts,
-- clientNameWords). Words are what lies between characters other than a-z and 0-9 once the
-- name is folded, the same split as wordsOf() in src/clients/search.ts.
CREATE TABLE "client_name_words" (
	"tenant_id" bigint NOT NULL,
	"deleted" boolean NOT NULL,
	"word" text COLLATE "C" NOT NULL,
	"sort_name" text NOT NULL,
	"client_id" bigint NOT NULL,
	CONSTRAINT "client_name_words_tenant_id_deleted_word_sort_name_client_id_pk" PRIMARY KEY("tenant_id","deleted","word","sort_name","client_id")
);--> statement-breakpoint
-- The words of a name already folded, and of a name as written.
CREATE OR REPLACE FUNCTION saldo_folded_words(text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT w FROM unnest(regexp_split_to_array($1, '[^a-z0-9]+')) AS w WHERE w <> ''
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION saldo_name_words(text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT saldo_folded_words(saldo_fold($1))
$$;--> statement-breakpoint
-- A client's rows in client_name_words, folding the name once (saldo_fold is the dearer half of
-- the work): what every trigger below inserts or deletes.
CREATE OR REPLACE FUNCTION saldo_client_word_rows(c clients) RETURNS SETOF client_name_words LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT c.tenant_id, c.deleted_at IS NOT NULL, w.word, f.name, c.id
    FROM saldo_fold(c.name) AS f(name) CROSS JOIN LATERAL saldo_folded_words(f.name) AS w(word)
$$;--> statement-breakpoint
-- New clients, a whole statement at once (a COPY or a file's insert adds their words in one insert).
CREATE OR REPLACE FUNCTION saldo_client_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO client_name_words SELECT r.* FROM saldo_added_clients n CROSS JOIN LATERAL saldo_client_word_rows(n) AS r;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER clients_name_words_added AFTER INSERT ON clients REFERENCING NEW TABLE AS saldo_added_clients
  FOR EACH STATEMENT EXECUTE FUNCTION saldo_client_words_added();--> statement-breakpoint
-- Removed clients (a tenant's removal cascades here too); the primary key finds their words.
CREATE OR REPLACE FUNCTION saldo_client_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM client_name_words c USING saldo_removed_clients o CROSS JOIN LATERAL saldo_client_word_rows(o) AS r
   WHERE (c.tenant_id, c.deleted, c.word, c.sort_name, c.client_id) = (r.tenant_id, r.deleted, r.word, r.sort_name, r.client_id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER clients_name_words_removed AFTER DELETE ON clients REFERENCING OLD TABLE AS saldo_removed_clients
  FOR EACH STATEMENT EXECUTE FUNCTION saldo_client_words_removed();--> statement-breakpoint
-- A renamed, soft-deleted or restored client; other updates (balances, assignees…) do not call
-- the function, so it is a row trigger: a statement trigger cannot name its columns and see the rows.
CREATE OR REPLACE FUNCTION saldo_client_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM client_name_words c USING saldo_client_word_rows(OLD) AS r
   WHERE (c.tenant_id, c.deleted, c.word, c.sort_name, c.client_id) = (r.tenant_id, r.deleted, r.word, r.sort_name, r.client_id);
  INSERT INTO client_name_words SELECT * FROM saldo_client_word_rows(NEW);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER clients_name_words_changed AFTER UPDATE OF name, deleted_at ON clients
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
  EXECUTE FUNCTION saldo_client_words_changed();--> statement-breakpoint
INSERT INTO client_name_words SELECT r.* FROM clients c CROSS JOIN LATERAL saldo_client_word_rows(c) AS r;--> statement-breakpoint
ANALYZE client_name_words;
