// rapport webhook send | webhook replay: deliver webhook payloads to the app signed and addressed
// exactly as Shopify does, to try the webhook routes locally without a store.
import { readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError, type CliIO } from "../io";
import { defaultSecret, isWebhookTopic, shopForPayload, topicFromFileName, webhookHeaders, webhookUrl } from "../webhookSigning";

export {
  DEFAULT_API_VERSION,
  DEFAULT_SHOP,
  DEMO_API_SECRET,
  defaultSecret,
  isWebhookTopic,
  routeForTopic,
  shopForPayload,
  signWebhookBody,
  topicFromFileName,
  webhookHeaders,
  webhookUrl,
  type Env,
  type WebhookHeaderInput,
} from "../webhookSigning";

const HELP = `Usage:
  rapport webhook send --topic TOPIC --file FILE [--shop DOMAIN] [--url URL] [--secret KEY]
                       [--event-id ID] [--api-version VERSION]
      POSTs the bytes of FILE to the app as Shopify delivers a webhook: Content-Type
      application/json, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the app
      secret), X-Shopify-Topic, -Shop-Domain, -API-Version (2026-10), a fresh -Webhook-Id, an
      -Event-Id (fresh unless --event-id: Shopify repeats it on retries), -Triggered-At (now).
  rapport webhook replay DIR [--shop DOMAIN] [--url URL] [--secret KEY] [--api-version VERSION]
      Sends every *.json file of DIR in file-name order, the topic taken from the name:
      orders__create.json is orders/create; a numeric prefix (01-orders__create.json) fixes the
      order. tests/fixtures/webhooks holds one payload per topic.

Defaults: --shop is the payload's shop_domain, else rapport-demo.myshopify.com; --secret is
SHOPIFY_API_SECRET, else the demo secret; --url is SHOPIFY_APP_URL, else http://localhost:$PORT
(3000), plus the topic's route (/webhooks/orders, /webhooks/refunds, /webhooks/customers,
/webhooks/products, /webhooks/checkouts, /webhooks/app/uninstalled, /webhooks/app/scopes_update,
/webhooks/compliance). A --url with a path is used as is.
Exit status: 0 when every delivery got a 2xx answer, 1 otherwise, 2 for a mistake in the call.`;

const options = {
  topic: { type: "string" },
  file: { type: "string" },
  shop: { type: "string" },
  url: { type: "string" },
  secret: { type: "string" },
  "event-id": { type: "string" },
  "api-version": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Shopify gives up on a delivery after 5 s; we wait longer but say so. */
const SHOPIFY_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;
const BODY_PREVIEW_CHARS = 200;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "--help" || action === "-h") {
    io.stdout(HELP);
    return action ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: action === "replay", strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (action === "send") return send(values, io);
  if (action === "replay") return replay(positionals, values, io);
  throw new UsageError(`unknown action "${action}" (expected send or replay).\n${HELP}`);
}

type Values = Partial<Record<"topic" | "file" | "shop" | "url" | "secret" | "event-id" | "api-version", string>> & { help?: boolean };

interface Common {
  shop?: string;
  url?: string;
  secret: string;
  apiVersion?: string;
}

function commonFlags(values: Values): Common {
  const shop = values.shop;
  if (shop !== undefined && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new UsageError(`--shop must be a *.myshopify.com domain (got "${shop}").`);
  }
  const apiVersion = values["api-version"];
  if (apiVersion !== undefined && !/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) {
    throw new UsageError(`--api-version must look like 2026-10 (got "${apiVersion}").`);
  }
  if (values.secret === "") throw new UsageError("--secret must not be empty.");
  return { shop, url: values.url, secret: values.secret ?? defaultSecret(), apiVersion };
}

async function send(values: Values, io: CliIO): Promise<number> {
  const missing = (["topic", "file"] as const).filter((name) => !values[name]);
  if (missing.length) {
    throw new UsageError(`${missing.map((name) => `--${name}`).join(" and ")} ${missing.length > 1 ? "are" : "is"} required.\n${HELP}`);
  }
  const topic = values.topic as string;
  const file = values.file as string;
  const common = commonFlags(values);
  const eventId = values["event-id"];
  if (eventId === "") throw new UsageError("--event-id must not be empty.");
  if (!isWebhookTopic(topic)) throw new UsageError(`--topic must be a webhook topic such as orders/create (got "${topic}").`);
  const url = webhookUrl(topic, common.url);
  const body = readPayload(file, io.cwd);
  const result = await deliver({ ...common, topic, body, url, eventId });
  report(result, io);
  return result.ok ? 0 : 1;
}

async function replay(positionals: string[], values: Values, io: CliIO): Promise<number> {
  if (positionals.length !== 1) {
    throw new UsageError(`replay takes one directory (got ${positionals.length ? positionals.map((p) => `"${p}"`).join(", ") : "none"}).\n${HELP}`);
  }
  const dir = path.resolve(io.cwd, positionals[0]);
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("it is not a directory");
    names = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch (error) {
    throw new UsageError(`cannot read the directory "${positionals[0]}": ${reason(error)}.`);
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new UsageError(`"${positionals[0]}" has no *.json files to replay.`);
  const unnamed = names.filter((name) => topicFromFileName(name) === null);
  if (unnamed.length) {
    throw new UsageError(
      `cannot tell the topic of ${unnamed.map((name) => `"${name}"`).join(", ")}: name files after their topic, e.g. orders__create.json or 01-orders__create.json.`,
    );
  }
  const common = commonFlags(values);
  // Check every topic and read every file before sending anything.
  const deliveries = names.map((name) => {
    const topic = topicFromFileName(name) as string;
    return { name, topic, url: webhookUrl(topic, common.url), body: readPayload(path.join(dir, name), io.cwd) };
  });
  let failed = 0;
  for (const [index, delivery] of deliveries.entries()) {
    const result = await deliver({ ...common, ...delivery });
    report(result, io, delivery.name);
    if (!result.ok) failed += 1;
    if (result.status === undefined) {
      const left = deliveries.length - index - 1;
      if (left > 0) io.stderr(`Stopped: ${left} more file${left > 1 ? "s" : ""} not sent.`);
      return 1;
    }
  }
  if (failed) {
    io.stderr(`${failed} of ${deliveries.length} webhooks were not accepted.`);
    return 1;
  }
  io.stdout(`All ${deliveries.length} webhooks accepted.`);
  return 0;
}

function readPayload(file: string, cwd: string): Buffer {
  try {
    return readFileSync(path.resolve(cwd, file));
  } catch (error) {
    throw new UsageError(`cannot read the payload file "${file}": ${reason(error)}.`);
  }
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return error instanceof Error ? error.message : String(error);
}

interface Delivery {
  topic: string;
  body: Buffer;
  url: string;
  secret: string;
  shop?: string;
  eventId?: string;
  apiVersion?: string;
}

interface DeliveryResult {
  topic: string;
  url: string;
  shop: string;
  ok: boolean;
  /** Undefined when no HTTP answer came back. */
  status?: number;
  statusText?: string;
  body?: string;
  error?: string;
  ms: number;
}

async function deliver(delivery: Delivery): Promise<DeliveryResult> {
  const shop = delivery.shop ?? shopForPayload(delivery.body);
  const headers = webhookHeaders({
    topic: delivery.topic,
    shop,
    body: delivery.body,
    secret: delivery.secret,
    eventId: delivery.eventId,
    apiVersion: delivery.apiVersion,
  });
  const started = Date.now();
  const base = { topic: delivery.topic, url: delivery.url, shop };
  try {
    const response = await post(delivery.url, headers, delivery.body);
    const ok = response.status >= 200 && response.status < 300;
    return { ...base, ok, status: response.status, statusText: response.statusText, body: response.body, ms: Date.now() - started };
  } catch (error) {
    return { ...base, ok: false, error: reason(error), ms: Date.now() - started };
  }
}

function report(result: DeliveryResult, io: CliIO, fileName?: string): void {
  const what = `${fileName ? `${fileName}: ` : ""}${result.topic} for ${result.shop}`;
  if (result.status === undefined) {
    io.stderr(`${what}: could not reach ${result.url} (${result.error}). Is the app running there?`);
    return;
  }
  const preview = (result.body ?? "").replace(/\s+/g, " ").trim();
  const shown = preview.length > BODY_PREVIEW_CHARS ? `${preview.slice(0, BODY_PREVIEW_CHARS)}…` : preview;
  const slow = result.ms > SHOPIFY_TIMEOUT_MS ? ` (${result.ms} ms: Shopify would have given up after 5 s)` : "";
  const line = `${what} → ${result.url}: ${result.status} ${result.statusText ?? ""}`.trimEnd() + `${shown ? ` ${shown}` : ""}${slow}`;
  if (result.ok) io.stdout(line);
  else io.stderr(line);
}

interface PostResponse {
  status: number;
  statusText: string;
  body: string;
}

/** One POST with exactly these headers, on a connection of its own (nothing keeps the CLI alive). */
function post(url: string, headers: Record<string, string>, body: Buffer): Promise<PostResponse> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      { method: "POST", headers: { ...headers, "Content-Length": String(body.length) }, agent: false, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 64 * 1024) chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on("error", reject);
    request.end(body);
  });
}
