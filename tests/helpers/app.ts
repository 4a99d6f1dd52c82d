// Runs app code in-process against a test database: sets the environment the app validates
// at start-up, and points the process database (app/lib/db.server.ts) at the test database.
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { TEST_SECRET } from "../factories/shopify";

export function useTestEnvironment() {
  process.env.NODE_ENV = "test";
  process.env.SHOPIFY_API_KEY = "rapport-test-key";
  process.env.SHOPIFY_API_SECRET = TEST_SECRET;
  process.env.SHOPIFY_APP_URL = "https://rapport.example.com";
  delete process.env.RAPPORT_DEMO;
}

export function useDatabase(db: Database | undefined) {
  setDatabase(db);
}
