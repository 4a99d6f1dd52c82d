// The HTTP server: migrations first, then the Remix build behind Express. One process holds
// the web server and (in embedded mode) the worker, because PGlite allows one connection.
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Readable } from "node:stream";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { getDatabase } from "../app/lib/db.server";
import { describeTarget } from "../app/lib/database.server";
import { env } from "../app/lib/env.server";
import { logger } from "../app/lib/logger.server";
import { applyMigrations } from "../prisma/migrator";
import { startEmbeddedWorker, stopEmbeddedWorker } from "../app/jobs/embedded.server";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const BUILD_DIR = path.join(ROOT, "build");

function toFetchRequest(req: express.Request): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.originalUrl, `http://${req.headers.host ?? "localhost"}`), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function sendResponse(res: express.Response, response: Response, method: string): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()));
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function migrateOnStart(): Promise<void> {
  const db = getDatabase();
  const applied = await applyMigrations(db.migrationAdapter);
  logger.info({ database: describeTarget(db.target), applied }, applied.length ? "migrations applied" : "database schema up to date");
}

export async function startServer(options: { port?: number; beforeListen?: () => Promise<void> } = {}): Promise<RunningServer> {
  const config = env();
  await migrateOnStart();
  await options.beforeListen?.();

  const serverBuildPath = path.join(BUILD_DIR, "server", "index.js");
  if (!existsSync(serverBuildPath)) {
    throw new Error(`The app is not built (${path.relative(ROOT, serverBuildPath)} is missing). Run \`npm run build\` first.`);
  }
  const build = (await import(pathToFileURL(serverBuildPath).href)) as ServerBuild;

  const app = express();
  app.disable("x-powered-by");
  // Webhooks skip Remix's request pipeline: the route's action is called directly (same
  // module, same code as under `remix vite:dev`), since Shopify measures our answer time.
  const webhookAction = build.routes["routes/webhooks.orders"]?.module.action;
  app.all("/webhooks/*", async (req, res, next) => {
    if (!webhookAction) return next();
    try {
      const response = (await webhookAction({ request: toFetchRequest(req), params: {}, context: {} })) as Response;
      await sendResponse(res, response, req.method);
    } catch (error) {
      next(error);
    }
  });
  // The storefront's hot routes (ADR 011) skip it too: at 200 requests/s Remix's route matching,
  // the static-file lookups and compressing a 2 KB JSON were a third of a request's time. Their
  // loader and action are called directly, and a thrown Response (a refused signature) is sent.
  for (const [urlPath, routeId] of [
    ["/proxy/recommendations", "routes/proxy.recommendations"],
    ["/proxy/events", "routes/proxy.events"],
  ]) {
    const route = build.routes[routeId]?.module;
    if (!route) continue;
    app.all(urlPath, async (req, res, next) => {
      const handler = req.method === "GET" || req.method === "HEAD" ? route.loader : route.action;
      if (!handler) return next();
      try {
        let response: Response;
        try {
          response = (await handler({ request: toFetchRequest(req), params: {}, context: {} })) as Response;
        } catch (thrown) {
          if (!(thrown instanceof Response)) throw thrown;
          response = thrown;
        }
        await sendResponse(res, response, req.method);
      } catch (error) {
        next(error);
      }
    });
  }
  app.use(compression());
  app.use("/assets", express.static(path.join(BUILD_DIR, "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(BUILD_DIR, "client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: config.NODE_ENV }));

  const port = options.port ?? config.PORT;
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, () => resolve(s));
    s.once("error", reject);
  });
  // PGlite allows one connection: in embedded mode the worker lives in this process.
  const worker = startEmbeddedWorker(getDatabase().prisma);

  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://localhost:${actualPort}`;
  logger.info({ url, demo: config.demo, worker: worker?.workerId ?? "off" }, "Rapport is listening");
  return {
    url,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await stopEmbeddedWorker();
    },
  };
}
