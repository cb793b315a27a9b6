-- Payment codes are kept in capitals, so that one typed in small letters is the same code
-- (decision 0024). A code whose capitals another order of the tenant already holds is left
-- as it is: renaming either would break what debtors were sent.
UPDATE "payment_orders" AS "po" SET "payment_code" = upper("po"."payment_code")
 WHERE "po"."payment_code" <> upper("po"."payment_code")
   AND NOT EXISTS (
     SELECT 1 FROM "payment_orders" AS "other"
      WHERE "other"."tenant_id" = "po"."tenant_id" AND "other"."id" <> "po"."id" AND upper("other"."payment_code") = upper("po"."payment_code")
   );--> statement-breakpoint
-- A campaign's associated code follows its client's order.
UPDATE "campaign_entries" AS "e" SET "payment_code" = upper("e"."payment_code")
 WHERE "e"."payment_code" <> upper("e"."payment_code")
   AND EXISTS (SELECT 1 FROM "payment_orders" AS "po" WHERE "po"."tenant_id" = "e"."tenant_id" AND "po"."client_id" = "e"."client_id" AND "po"."payment_code" = upper("e"."payment_code"));--> statement-breakpoint
-- Rows of an upload checked but not yet applied are read as uploads now read them, so that
-- they find the orders they were checked against.
UPDATE "import_rows" SET "payment_code" = upper("payment_code") WHERE "payment_code" <> upper("payment_code");
