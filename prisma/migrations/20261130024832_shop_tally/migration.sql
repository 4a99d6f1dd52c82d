-- CreateTable
CREATE TABLE "ShopTally" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "cancelledOrders" INTEGER NOT NULL DEFAULT 0,
    "grossRevenue" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "refunded" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "products" INTEGER NOT NULL DEFAULT 0,
    "checkouts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ShopTally_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ShopTally_shop_idx" ON "ShopTally"("shop");

-- Triggers: each write statement adds one signed row per shop it touched (statement-level, with
-- transition tables, so a bulk insert of a million orders adds one row, and concurrent writers
-- never wait on a shared counter row).
-- The function bodies are E-strings with \073 for each semicolon: the PostgreSQL driver adapter
-- runs a migration statement by statement, splitting the script at every semicolon.
CREATE FUNCTION "rapport_tally_orders"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO "ShopTally" ("shop", "orders", "cancelledOrders", "grossRevenue", "refunded")
    SELECT "shop",
           count(*) FILTER (WHERE NOT "test"),
           count(*) FILTER (WHERE NOT "test" AND "cancelledAt" IS NOT NULL),
           coalesce(sum("totalPrice") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0),
           coalesce(sum("totalRefunded") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0)
    FROM "rapport_new" GROUP BY "shop"\073
  ELSIF TG_OP = ''DELETE'' THEN
    INSERT INTO "ShopTally" ("shop", "orders", "cancelledOrders", "grossRevenue", "refunded")
    SELECT "shop",
           -count(*) FILTER (WHERE NOT "test"),
           -count(*) FILTER (WHERE NOT "test" AND "cancelledAt" IS NOT NULL),
           -coalesce(sum("totalPrice") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0),
           -coalesce(sum("totalRefunded") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0)
    FROM "rapport_old" GROUP BY "shop"\073
  ELSE
    INSERT INTO "ShopTally" ("shop", "orders", "cancelledOrders", "grossRevenue", "refunded")
    SELECT * FROM (
      SELECT "shop",
             coalesce(sum("sign") FILTER (WHERE NOT "test"), 0)::int AS "orders",
             coalesce(sum("sign") FILTER (WHERE NOT "test" AND "cancelledAt" IS NOT NULL), 0)::int AS "cancelledOrders",
             coalesce(sum("sign" * "totalPrice") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0) AS "grossRevenue",
             coalesce(sum("sign" * "totalRefunded") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0) AS "refunded"
      FROM (
        SELECT 1 AS "sign", "shop", "test", "cancelledAt", "totalPrice", "totalRefunded" FROM "rapport_new"
        UNION ALL
        SELECT -1, "shop", "test", "cancelledAt", "totalPrice", "totalRefunded" FROM "rapport_old"
      ) "d" GROUP BY "shop"
    ) "t"
    -- Most updates (fulfilment, tags, …) change none of the figures: nothing to add.
    WHERE "orders" <> 0 OR "cancelledOrders" <> 0 OR "grossRevenue" <> 0 OR "refunded" <> 0\073
  END IF\073
  RETURN NULL\073
END ';

CREATE TRIGGER "Order_tally_insert" AFTER INSERT ON "Order" REFERENCING NEW TABLE AS "rapport_new"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_orders"();
CREATE TRIGGER "Order_tally_update" AFTER UPDATE ON "Order" REFERENCING OLD TABLE AS "rapport_old" NEW TABLE AS "rapport_new"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_orders"();
CREATE TRIGGER "Order_tally_delete" AFTER DELETE ON "Order" REFERENCING OLD TABLE AS "rapport_old"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_orders"();

-- Customers, products and checkouts are counted: their shop never changes, so updates add nothing.
-- TG_ARGV[0] names the column to count into.
CREATE FUNCTION "rapport_tally_rows"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO "ShopTally" ("shop", "customers", "products", "checkouts")
    SELECT "shop",
           CASE WHEN TG_ARGV[0] = ''customers'' THEN count(*) ELSE 0 END,
           CASE WHEN TG_ARGV[0] = ''products'' THEN count(*) ELSE 0 END,
           CASE WHEN TG_ARGV[0] = ''checkouts'' THEN count(*) ELSE 0 END
    FROM "rapport_new" GROUP BY "shop"\073
  ELSE
    INSERT INTO "ShopTally" ("shop", "customers", "products", "checkouts")
    SELECT "shop",
           CASE WHEN TG_ARGV[0] = ''customers'' THEN -count(*) ELSE 0 END,
           CASE WHEN TG_ARGV[0] = ''products'' THEN -count(*) ELSE 0 END,
           CASE WHEN TG_ARGV[0] = ''checkouts'' THEN -count(*) ELSE 0 END
    FROM "rapport_old" GROUP BY "shop"\073
  END IF\073
  RETURN NULL\073
END ';

CREATE TRIGGER "Customer_tally_insert" AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS "rapport_new"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('customers');
CREATE TRIGGER "Customer_tally_delete" AFTER DELETE ON "Customer" REFERENCING OLD TABLE AS "rapport_old"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('customers');
CREATE TRIGGER "Product_tally_insert" AFTER INSERT ON "Product" REFERENCING NEW TABLE AS "rapport_new"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('products');
CREATE TRIGGER "Product_tally_delete" AFTER DELETE ON "Product" REFERENCING OLD TABLE AS "rapport_old"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('products');
CREATE TRIGGER "Checkout_tally_insert" AFTER INSERT ON "Checkout" REFERENCING NEW TABLE AS "rapport_new"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('checkouts');
CREATE TRIGGER "Checkout_tally_delete" AFTER DELETE ON "Checkout" REFERENCING OLD TABLE AS "rapport_old"
  FOR EACH STATEMENT EXECUTE FUNCTION "rapport_tally_rows"('checkouts');

-- The figures of the rows already stored.
INSERT INTO "ShopTally" ("shop", "orders", "cancelledOrders", "grossRevenue", "refunded")
SELECT "shop",
       count(*) FILTER (WHERE NOT "test"),
       count(*) FILTER (WHERE NOT "test" AND "cancelledAt" IS NOT NULL),
       coalesce(sum("totalPrice") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0),
       coalesce(sum("totalRefunded") FILTER (WHERE NOT "test" AND "cancelledAt" IS NULL), 0)
FROM "Order" GROUP BY "shop";
INSERT INTO "ShopTally" ("shop", "customers") SELECT "shop", count(*) FROM "Customer" GROUP BY "shop";
INSERT INTO "ShopTally" ("shop", "products") SELECT "shop", count(*) FROM "Product" GROUP BY "shop";
INSERT INTO "ShopTally" ("shop", "checkouts") SELECT "shop", count(*) FROM "Checkout" GROUP BY "shop";
