-- The tallies (ShopTally) are Rapport's own bookkeeping of its rows, never a consistency check:
-- they must move whatever the session's replication role. The backfill's COPY of new orders runs
-- with session_replication_role = replica, which turns ordinary triggers off, so that the
-- foreign keys are checked once per batch instead of once per row (ADR 010, "Fourth round").
ALTER TABLE "Order" ENABLE ALWAYS TRIGGER "Order_tally_insert";
ALTER TABLE "Order" ENABLE ALWAYS TRIGGER "Order_tally_update";
ALTER TABLE "Order" ENABLE ALWAYS TRIGGER "Order_tally_delete";
ALTER TABLE "Customer" ENABLE ALWAYS TRIGGER "Customer_tally_insert";
ALTER TABLE "Customer" ENABLE ALWAYS TRIGGER "Customer_tally_delete";
ALTER TABLE "Product" ENABLE ALWAYS TRIGGER "Product_tally_insert";
ALTER TABLE "Product" ENABLE ALWAYS TRIGGER "Product_tally_delete";
ALTER TABLE "Checkout" ENABLE ALWAYS TRIGGER "Checkout_tally_insert";
ALTER TABLE "Checkout" ENABLE ALWAYS TRIGGER "Checkout_tally_delete";
