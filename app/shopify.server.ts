// The only call to shopifyApp(): authentication, webhooks and the Admin API client.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";
import { AdminClient, installAdminOrigin } from "./lib/adminApi.server";
import { logger } from "./lib/logger.server";
import { startBackfillInBackground } from "./services/backfill.server";
import { CachedSessionStorage } from "./lib/cachedSessionStorage.server";
import { prisma } from "./lib/db.server";
import { env } from "./lib/env.server";
import { recordInstall, refreshShopDetails } from "./services/shopSettings.server";

const config = env();
// After the node adapter (which installs its fetch): tests and the simulator reroute the Admin API.
installAdminOrigin(config.SHOPIFY_ADMIN_ORIGIN);

export const API_VERSION = ApiVersion.October26;

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES,
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new CachedSessionStorage(new PrismaSessionStorage(lazyPrisma())),
  distribution: AppDistribution.AppStore,
  // Shopify's library logs every app proxy request at info ("Authenticating app proxy request")
  // straight to the console: 3 % of a storefront request's time, and noise. Its warnings and
  // errors still show; LOG_LEVEL=debug|trace brings back the rest.
  logger: { level: ["debug", "trace"].includes(config.LOG_LEVEL) ? LogSeverity.Debug : LogSeverity.Warning },
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await recordInstall(session.shop, session.scope ?? null);
      await refreshShopDetails(admin, session.shop);
      // The shop's history, once (a finished backfill is not run again on re-authentication).
      await startBackfillInBackground(prisma(), session.shop, {
        admin: new AdminClient({ shop: session.shop, accessToken: session.accessToken ?? "", origin: config.SHOPIFY_ADMIN_ORIGIN }),
      }).catch((error) =>
        logger.error({ shop: session.shop, err: error instanceof Error ? error.message : String(error) }, "could not start the backfill"),
      );
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;

// The session storage resolves the database on each call instead of at import: the process
// database is opened (and migrated) by the server before the first request, and tests swap it.
function lazyPrisma(): PrismaClient {
  return new Proxy({} as PrismaClient, {
    get: (_, property) => Reflect.get(prisma(), property),
  });
}
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
