import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_SHOP,
  DEMO_API_SECRET,
  defaultSecret,
  routeForTopic,
  run,
  shopForPayload,
  signWebhookBody,
  topicFromFileName,
  webhookHeaders,
  webhookUrl,
} from "../../cli/commands/webhook";
import { UsageError } from "../../cli/io";

const FIXTURES = path.resolve(__dirname, "../fixtures/webhooks");
const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-webhook-"));
const SECRET = "test-app-secret";

/** The verification an app does: HMAC of the raw bytes, compared in constant time. */
function verify(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(header, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function call(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (s) => (stdout += `${s}\n`), stderr: (s) => (stderr += `${s}\n`), cwd: dir });
  return { code, stdout, stderr };
}

/** What cli/main.ts does with a thrown error: a UsageError is exit 2 with its sentence. */
async function callAsMain(argv: string[]) {
  try {
    return await call(argv);
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout: "", stderr: error.message };
    throw error;
  }
}

describe("signWebhookBody", () => {
  it("is the base64 HMAC-SHA256 of the raw bytes, computed independently", () => {
    const body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"}';
    const expected = createHmac("sha256", "hush").update(Buffer.from(body, "utf8")).digest("base64");
    expect(signWebhookBody(body, "hush")).toBe(expected);
    expect(signWebhookBody(Buffer.from(body), "hush")).toBe(expected);
  });

  it("matches the RFC 4231 HMAC-SHA256 test vector (case 2)", () => {
    const hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(signWebhookBody("what do ya want for nothing?", "Jefe")).toBe(Buffer.from(hex, "hex").toString("base64"));
  });

  it('matches Shopify\'s documented HMAC example (OAuth verification, secret "hush")', () => {
    // https://shopify.dev/tutorials/authenticate-with-oauth#verification: the same HMAC-SHA256
    // primitive Shopify uses for webhooks, published there hex-encoded over a query string.
    const message = "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
    const documented = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf";
    expect(signWebhookBody(message, "hush")).toBe(Buffer.from(documented, "hex").toString("base64"));
  });

  it("signs bytes, not characters: a re-encoded body does not verify", () => {
    const body = '{"city":"Lyon","note":"Merci, c\'était parfait"}';
    const utf8 = signWebhookBody(Buffer.from(body, "utf8"), SECRET);
    expect(signWebhookBody(body, SECRET)).toBe(utf8);
    expect(signWebhookBody(Buffer.from(body, "latin1"), SECRET)).not.toBe(utf8);
    expect(signWebhookBody(JSON.stringify(JSON.parse(body), null, 2), SECRET)).not.toBe(utf8);
  });
});

describe("webhookHeaders", () => {
  it("is the complete set Shopify sends, named and cased as Shopify does", () => {
    const body = Buffer.from('{"id":1}');
    const headers = webhookHeaders({
      topic: "orders/create",
      shop: "rapport-fixtures.myshopify.com",
      body,
      secret: SECRET,
      eventId: "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      webhookId: "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9",
      triggeredAt: new Date("2026-09-07T18:14:52.123Z"),
    });
    expect(headers).toEqual({
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
      "X-Shopify-Shop-Domain": "rapport-fixtures.myshopify.com",
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9",
      "X-Shopify-Event-Id": "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      "X-Shopify-Triggered-At": "2026-09-07T18:14:52.123Z",
      "User-Agent": "Shopify-Captain-Hook",
    });
  });

  it("draws fresh UUIDs for the delivery and the event, and stamps now", () => {
    const before = Date.now();
    const a = webhookHeaders({ topic: "shop/redact", shop: DEFAULT_SHOP, body: "{}", secret: SECRET, apiVersion: "2026-07" });
    const b = webhookHeaders({ topic: "shop/redact", shop: DEFAULT_SHOP, body: "{}", secret: SECRET });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(a["X-Shopify-Webhook-Id"]).toMatch(uuid);
    expect(a["X-Shopify-Event-Id"]).toMatch(uuid);
    expect(a["X-Shopify-Webhook-Id"]).not.toBe(b["X-Shopify-Webhook-Id"]);
    expect(a["X-Shopify-Event-Id"]).not.toBe(b["X-Shopify-Event-Id"]);
    expect(a["X-Shopify-API-Version"]).toBe("2026-07");
    expect(Date.parse(a["X-Shopify-Triggered-At"])).toBeGreaterThanOrEqual(before - 1);
  });
});

describe("routes and defaults", () => {
  it("maps every subscribed topic to its route in shopify.app.toml", () => {
    const expected: Record<string, string> = {
      "orders/create": "/webhooks/orders",
      "orders/updated": "/webhooks/orders",
      "orders/cancelled": "/webhooks/orders",
      "orders/delete": "/webhooks/orders",
      "refunds/create": "/webhooks/refunds",
      "customers/create": "/webhooks/customers",
      "customers/update": "/webhooks/customers",
      "customers/delete": "/webhooks/customers",
      "products/create": "/webhooks/products",
      "products/update": "/webhooks/products",
      "products/delete": "/webhooks/products",
      "checkouts/create": "/webhooks/checkouts",
      "checkouts/update": "/webhooks/checkouts",
      "app/uninstalled": "/webhooks/app/uninstalled",
      "app/scopes_update": "/webhooks/app/scopes_update",
      "shop/update": "/webhooks/shop/update",
      "customers/data_request": "/webhooks/compliance",
      "customers/redact": "/webhooks/compliance",
      "shop/redact": "/webhooks/compliance",
    };
    for (const [topic, route] of Object.entries(expected)) expect(routeForTopic(topic), topic).toBe(route);
    // The toml is the source of truth: every uri in it is one of these routes.
    const toml = readFileSync(path.resolve(__dirname, "../../shopify.app.toml"), "utf8");
    const uris = [...toml.matchAll(/^\s*uri = "([^"]+)"/gm)].map((m) => m[1]);
    expect(new Set(uris)).toEqual(new Set(Object.values(expected)));
  });

  it("refuses topics Rapport has no route for, and malformed topics", () => {
    expect(() => routeForTopic("customers/enable")).toThrow(/no route for the topic customers\/enable/);
    expect(() => routeForTopic("refunds/update")).toThrow(UsageError);
    expect(() => routeForTopic("orders")).toThrow(/not a webhook topic/);
    expect(routeForTopic("orders/paid")).toBe("/webhooks/orders");
  });

  it("builds the URL from --url, SHOPIFY_APP_URL or PORT", () => {
    expect(webhookUrl("orders/create", undefined, {})).toBe("http://localhost:3000/webhooks/orders");
    expect(webhookUrl("orders/create", undefined, { PORT: "4100" })).toBe("http://localhost:4100/webhooks/orders");
    expect(webhookUrl("shop/redact", undefined, { SHOPIFY_APP_URL: "https://rapport.example.com/", PORT: "4100" })).toBe(
      "https://rapport.example.com/webhooks/compliance",
    );
    expect(webhookUrl("app/uninstalled", "http://127.0.0.1:8080", {})).toBe("http://127.0.0.1:8080/webhooks/app/uninstalled");
    expect(webhookUrl("app/uninstalled", "http://127.0.0.1:8080/", {})).toBe("http://127.0.0.1:8080/webhooks/app/uninstalled");
    expect(webhookUrl("orders/create", "http://127.0.0.1:8080/hooks/any?x=1", {})).toBe("http://127.0.0.1:8080/hooks/any?x=1");
    expect(webhookUrl("customers/enable", "http://127.0.0.1:8080/catch-all", {})).toBe("http://127.0.0.1:8080/catch-all");
    expect(() => webhookUrl("orders/create", "localhost:3000", {})).toThrow(/--url must be/);
  });

  it("takes the shop from the payload's shop_domain, and the secret from SHOPIFY_API_SECRET", () => {
    expect(shopForPayload('{"shop_id":1,"shop_domain":"rapport-fixtures.myshopify.com"}')).toBe("rapport-fixtures.myshopify.com");
    expect(shopForPayload('{"id":1}')).toBe("rapport-demo.myshopify.com");
    expect(shopForPayload("not json")).toBe("rapport-demo.myshopify.com");
    expect(defaultSecret({ SHOPIFY_API_SECRET: "k" })).toBe("k");
    expect(defaultSecret({ SHOPIFY_API_SECRET: "" })).toBe(DEMO_API_SECRET);
    expect(DEMO_API_SECRET).toBe("rapport-demo-api-secret");
  });

  it("reads the topic from a file name, with an optional numeric prefix", () => {
    expect(topicFromFileName("orders__create.json")).toBe("orders/create");
    expect(topicFromFileName("01-orders__create.json")).toBe("orders/create");
    expect(topicFromFileName("007_customers__data_request.json")).toBe("customers/data_request");
    expect(topicFromFileName("app__scopes_update.json")).toBe("app/scopes_update");
    expect(topicFromFileName("orders-create.json")).toBeNull();
    expect(topicFromFileName("README.md")).toBeNull();
  });
});

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaderNames: string[];
  body: Buffer;
}

describe("rapport webhook send|replay against a real HTTP server", () => {
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  /** Per path: the status to answer (default: 200 when the signature verifies, else 401). */
  const answers = new Map<string, number>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        received.push({
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
          body,
        });
        const valid = verify(body, req.headers["x-shopify-hmac-sha256"] as string | undefined, SECRET);
        const status = answers.get(req.url ?? "") ?? (valid ? 200 : 401);
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(status < 300 ? { ok: true } : { error: valid ? "boom" : "invalid hmac" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    answers.clear();
  });

  it("sends the fixture's exact bytes, signed, to the topic's route", async () => {
    const file = path.join(FIXTURES, "orders__create.json");
    const res = await call(["send", "--topic", "orders/create", "--file", file, "--url", base, "--secret", SECRET]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("orders/create for rapport-demo.myshopify.com");
    expect(res.stdout).toContain(`${base}/webhooks/orders: 200 OK {"ok":true}`);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/webhooks/orders");
    expect(request.body.equals(readFileSync(file))).toBe(true);
    expect(verify(request.body, request.headers["x-shopify-hmac-sha256"] as string, SECRET)).toBe(true);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["content-length"]).toBe(String(readFileSync(file).length));
    expect(request.headers["x-shopify-topic"]).toBe("orders/create");
    expect(request.headers["x-shopify-shop-domain"]).toBe("rapport-demo.myshopify.com");
    expect(request.headers["x-shopify-api-version"]).toBe("2026-10");
    expect(request.headers["user-agent"]).toBe("Shopify-Captain-Hook");
    expect(request.headers["x-shopify-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers["x-shopify-event-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(request.headers["x-shopify-triggered-at"] as string))).toBe(false);
    expect(request.rawHeaderNames).toEqual(
      expect.arrayContaining([
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Topic",
        "X-Shopify-Shop-Domain",
        "X-Shopify-API-Version",
        "X-Shopify-Webhook-Id",
        "X-Shopify-Event-Id",
        "X-Shopify-Triggered-At",
      ]),
    );
  });

  it("takes the shop from a compliance payload, and keeps --event-id across retries", async () => {
    const file = path.join(FIXTURES, "customers__redact.json");
    const argv = ["send", "--topic", "customers/redact", "--file", file, "--url", base, "--secret", SECRET, "--event-id", "evt-42"];
    expect((await call(argv)).code).toBe(0);
    expect((await call(argv)).code).toBe(0);
    expect(received.map((r) => r.url)).toEqual(["/webhooks/compliance", "/webhooks/compliance"]);
    expect(received.map((r) => r.headers["x-shopify-shop-domain"])).toEqual(["rapport-fixtures.myshopify.com", "rapport-fixtures.myshopify.com"]);
    expect(received.map((r) => r.headers["x-shopify-event-id"])).toEqual(["evt-42", "evt-42"]);
    expect(received[0].headers["x-shopify-webhook-id"]).not.toBe(received[1].headers["x-shopify-webhook-id"]);
  });

  it("honours --shop, --api-version and a --url with a path", async () => {
    const file = path.join(FIXTURES, "products__create.json");
    const res = await call([
      "send",
      "--topic",
      "products/create",
      "--file",
      file,
      "--url",
      `${base}/somewhere/else`,
      "--secret",
      SECRET,
      "--shop",
      "other-shop.myshopify.com",
      "--api-version",
      "2026-07",
    ]);
    expect(res.code).toBe(0);
    expect(received[0].url).toBe("/somewhere/else");
    expect(received[0].headers["x-shopify-shop-domain"]).toBe("other-shop.myshopify.com");
    expect(received[0].headers["x-shopify-api-version"]).toBe("2026-07");
  });

  it("exits 1 and prints the answer when the app refuses the delivery", async () => {
    const file = path.join(FIXTURES, "orders__create.json");
    const res = await call(["send", "--topic", "orders/create", "--file", file, "--url", base, "--secret", "wrong-secret"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${base}/webhooks/orders: 401 Unauthorized {"error":"invalid hmac"}`);
    expect(res.stdout).toBe("");
  });

  it("replays a directory in file-name order, topics from the names", async () => {
    const replayDir = mkdtempSync(path.join(dir, "replay-"));
    const order = [
      "01-products__create.json",
      "02-customers__create.json",
      "03-orders__create.json",
      "04-refunds__create.json",
      "05-shop__redact.json",
    ];
    for (const name of [...order].reverse()) {
      writeFileSync(path.join(replayDir, name), readFileSync(path.join(FIXTURES, name.slice(3))));
    }
    writeFileSync(path.join(replayDir, "notes.txt"), "ignored: not *.json");
    const res = await call(["replay", replayDir, "--url", base, "--secret", SECRET]);
    expect(res.code).toBe(0);
    expect(received.map((r) => r.headers["x-shopify-topic"])).toEqual([
      "products/create",
      "customers/create",
      "orders/create",
      "refunds/create",
      "shop/redact",
    ]);
    expect(received.map((r) => r.url)).toEqual([
      "/webhooks/products",
      "/webhooks/customers",
      "/webhooks/orders",
      "/webhooks/refunds",
      "/webhooks/compliance",
    ]);
    expect(received.every((r) => verify(r.body, r.headers["x-shopify-hmac-sha256"] as string, SECRET))).toBe(true);
    expect(res.stdout.trim().split("\n")).toHaveLength(order.length + 1);
    expect(res.stdout).toContain("01-products__create.json: products/create");
    expect(res.stdout).toContain("All 5 webhooks accepted.");
  });

  it("replays the whole fixture directory, and exits 1 when any delivery fails", async () => {
    answers.set("/webhooks/refunds", 500);
    const res = await call(["replay", FIXTURES, "--url", base, "--secret", SECRET]);
    expect(res.code).toBe(1);
    const names = received.map((r) => r.headers["x-shopify-topic"]);
    expect(names).toHaveLength(19);
    expect(names[0]).toBe("app/scopes_update");
    expect(names).toContain("refunds/create");
    expect(res.stderr).toContain(
      `refunds__create.json: refunds/create for rapport-demo.myshopify.com → ${base}/webhooks/refunds: 500 Internal Server Error`,
    );
    expect(res.stderr).toContain("1 of 19 webhooks were not accepted.");
  });
});

describe("rapport webhook: mistakes and failures as sentences", () => {
  it("names a missing payload file (exit 2)", async () => {
    const res = await callAsMain(["send", "--topic", "orders/create", "--file", "nowhere/orders.json", "--url", "http://127.0.0.1:9"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('cannot read the payload file "nowhere/orders.json": no such file or directory.');
  });

  it("asks for --topic and --file (exit 2)", async () => {
    const res = await callAsMain(["send"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^--topic and --file are required\./);
    expect((await callAsMain(["send", "--topic", "orders/create"])).stderr).toMatch(/^--file is required\./);
    expect((await callAsMain(["send", "--topic", "orders/paid/x", "--file", "f.json"])).stderr).toMatch(/--topic must be a webhook topic/);
    expect((await callAsMain(["send", "--topic", "customers/enable", "--file", "f.json"])).stderr).toMatch(/no route for the topic/);
    expect((await callAsMain(["send", "--topic", "orders/create", "--file", "f.json", "--shop", "example.com"])).stderr).toMatch(/--shop must be/);
    expect((await callAsMain(["send", "--bogus"])).code).toBe(2);
    expect((await callAsMain(["resend"])).stderr).toMatch(/unknown action "resend"/);
  });

  it("says which URL it could not reach (exit 1)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = path.join(FIXTURES, "orders__create.json");
    const res = await callAsMain(["send", "--topic", "orders/create", "--file", file, "--url", `http://127.0.0.1:${port}`, "--secret", SECRET]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`could not reach http://127.0.0.1:${port}/webhooks/orders (connect ECONNREFUSED`);

    const replay = await callAsMain(["replay", FIXTURES, "--url", `http://127.0.0.1:${port}`]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain("app__scopes_update.json: app/scopes_update");
    expect(replay.stderr).toContain("Stopped: 18 more files not sent.");
  });

  it("refuses a replay directory that is missing, empty or has unnamed files (exit 2)", async () => {
    expect((await callAsMain(["replay", "no-such-dir"])).stderr).toBe('cannot read the directory "no-such-dir": no such file or directory.');
    const empty = mkdtempSync(path.join(dir, "empty-"));
    expect((await callAsMain(["replay", empty])).stderr).toMatch(/has no \*\.json files to replay/);
    const odd = mkdtempSync(path.join(dir, "odd-"));
    writeFileSync(path.join(odd, "orders-create.json"), "{}");
    const res = await callAsMain(["replay", odd]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cannot tell the topic of "orders-create.json"');
    expect((await callAsMain(["replay"])).stderr).toMatch(/^replay takes one directory \(got none\)/);
  });

  it("prints its usage with --help", async () => {
    for (const argv of [["--help"], ["send", "--help"], ["replay", "-h"]]) {
      const res = await call(argv);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("rapport webhook send --topic TOPIC --file FILE");
      expect(res.stdout).toContain("rapport webhook replay DIR");
    }
    expect((await call([])).code).toBe(2);
  });
});
