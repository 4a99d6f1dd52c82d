// The demo storefront (demo mode only, refused otherwise): a small Online Store for the demo
// shop so that a person (and Chromium) can see the theme extension work offline. Pages render
// the extension's real Liquid block and load its real assets; the block's calls to
// /demo/storefront/apps/rapport/* are signed exactly as Shopify's app proxy signs them and sent
// to /proxy/*; a cart with Shopify's Ajax Cart API shape (/cart/add.js, /cart/update.js,
// /cart.js) lives in this process's memory.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fnv1a } from "~/domain/holdout";
import { detectLocale, INTL_LOCALE, isLocale, translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";
import { DEMO_SHOP } from "~/lib/adminAuth.server";
import { prisma } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { signProxyQuery } from "~/lib/proxySignature";
import {
  customerName,
  customerOrders,
  customersToBrowseAs,
  featuredProducts,
  productByHandle,
  productsByVariantIds,
  shopDisplay,
  type StorefrontProductRow,
} from "~/models/demoStorefront.server";
import { createEngine, defaultSettings, EXTENSION_DIR, readBlockSchema, renderBlock } from "./demoStorefront/liquid.server";
import { surveyLinkQuery } from "./nps.server";

export const ROOT_URL = "/demo/storefront";
const PROXY_PREFIX = "/apps/rapport";
const CUSTOMER_COOKIE = "rapport_demo_customer";
const LOCALE_COOKIE = "rapport_demo_locale";
const CART_COOKIE = "cart";
const CONSENT_COOKIE = "rapport_demo_consent";
// Liquid's `shop.email` on the demo shop's pages (the .example domain is reserved: nobody gets mail).
const DEMO_SHOP_EMAIL = "privacy@rapport-demo.example";

/** Every demo storefront request goes through here first: 404 unless the process is in demo mode. */
export function assertDemoStorefront(): void {
  if (!env().demo) throw new Response("Not Found", { status: 404 });
}

// ---- Request state: the demo's stand-ins for Shopify's session, locale and cart cookies.

function cookies(request: Request): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0) jar.set(part.slice(0, at).trim(), decodeURIComponent(part.slice(at + 1).trim()));
  }
  return jar;
}

function setCookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=${ROOT_URL}; HttpOnly; SameSite=Lax${value ? "" : "; Max-Age=0"}`;
}

interface Visit {
  locale: Locale;
  customerId: string | null;
  cartToken: string | null;
  consent: "yes" | "no" | null;
  setCookies: string[];
}

function visit(request: Request): Visit {
  const url = new URL(request.url);
  const jar = cookies(request);
  const setCookies: string[] = [];
  let customerId = jar.get(CUSTOMER_COOKIE) || null;
  if (url.searchParams.has("customer")) {
    const wanted = url.searchParams.get("customer") ?? "";
    customerId = /^\d{1,20}$/.test(wanted) ? wanted : null;
    setCookies.push(setCookie(CUSTOMER_COOKIE, customerId ?? ""));
  }
  const queryLocale = url.searchParams.get("locale");
  let locale: Locale;
  if (queryLocale && isLocale(queryLocale)) {
    locale = queryLocale;
    setCookies.push(setCookie(LOCALE_COOKIE, locale));
  } else {
    const stored = jar.get(LOCALE_COOKIE);
    locale = stored && isLocale(stored) ? stored : detectLocale(request);
  }
  const consent = jar.get(CONSENT_COOKIE);
  return { locale, customerId, cartToken: jar.get(CART_COOKIE) ?? null, consent: consent === "yes" || consent === "no" ? consent : null, setCookies };
}

// ---- The in-memory cart (Shopify's Ajax Cart API shape, the parts the block uses).

interface CartLine {
  variantId: string;
  quantity: number;
  properties: Record<string, string>;
}
interface Cart {
  lines: CartLine[];
  attributes: Record<string, string>;
}
const carts = new Map<string, Cart>();

function cartOf(token: string | null): Cart {
  return (token && carts.get(token)) || { lines: [], attributes: {} };
}

function ensureCart(v: Visit): { token: string; cart: Cart } {
  let token = v.cartToken && carts.has(v.cartToken) ? v.cartToken : null;
  if (!token) {
    token = randomBytes(12).toString("hex");
    carts.set(token, { lines: [], attributes: {} });
    v.setCookies.push(setCookie(CART_COOKIE, token));
  }
  return { token, cart: carts.get(token)! };
}

function cleanProperties(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => typeof v === "string" && k.length <= 100 && v.length <= 500)
      .slice(0, 10) as [string, string][],
  );
}

async function cartJson(token: string | null) {
  const cart = cartOf(token);
  const products = await productsByVariantIds(
    prisma(),
    DEMO_SHOP,
    cart.lines.map((l) => l.variantId),
  );
  const items = cart.lines.flatMap((line) => {
    const p = products.get(line.variantId);
    if (!p) return [];
    const price = Math.round(Number(p.priceMin ?? 0) * 100);
    return [
      {
        id: Number(line.variantId),
        variant_id: Number(line.variantId),
        product_id: Number(p.shopifyId),
        handle: p.handle,
        title: p.title,
        quantity: line.quantity,
        properties: line.properties,
        price,
        line_price: price * line.quantity,
        url: `/products/${p.handle}`,
      },
    ];
  });
  return {
    token: token ?? "",
    items,
    item_count: items.reduce((sum, i) => sum + i.quantity, 0),
    total_price: items.reduce((sum, i) => sum + i.line_price, 0),
    attributes: cart.attributes,
    currency: products.values().next().value?.currency ?? "EUR",
  };
}

function json(body: unknown, v: Visit, status = 200): Response {
  const headers = new Headers({ "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  for (const c of v.setCookies) headers.append("Set-Cookie", c);
  return new Response(JSON.stringify(body), { status, headers });
}

/** POST /cart/add.js: `{items: [{id, quantity, properties}]}` (or a single `id`), as Shopify's Ajax API. */
export async function cartAdd(request: Request): Promise<Response> {
  const v = visit(request);
  let body: unknown;
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) body = await request.json().catch(() => null);
  else body = Object.fromEntries(await request.formData());
  const raw = body as { items?: unknown[]; id?: unknown; quantity?: unknown; properties?: unknown } | null;
  const items = Array.isArray(raw?.items) ? raw.items : raw?.id !== undefined ? [raw] : [];
  const wanted = items
    .map((i) => i as { id?: unknown; quantity?: unknown; properties?: unknown })
    .filter((i) => /^\d{1,20}$/.test(String(i.id ?? "")));
  const known = await productsByVariantIds(
    prisma(),
    DEMO_SHOP,
    wanted.map((i) => String(i.id)),
  );
  if (!wanted.length || wanted.some((i) => !known.has(String(i.id)))) {
    return json({ status: 422, message: "Cart Error", description: "Cannot find variant" }, v, 422);
  }
  const { token, cart } = ensureCart(v);
  for (const item of wanted) {
    const quantity = Math.max(1, Math.min(99, Number(item.quantity ?? 1) || 1));
    const properties = cleanProperties(item.properties);
    const line = cart.lines.find((l) => l.variantId === String(item.id) && JSON.stringify(l.properties) === JSON.stringify(properties));
    if (line) line.quantity += quantity;
    else cart.lines.push({ variantId: String(item.id), quantity, properties });
  }
  if (!type.includes("application/json")) {
    const headers = new Headers({ Location: `${ROOT_URL}/cart` });
    for (const c of v.setCookies) headers.append("Set-Cookie", c);
    return new Response(null, { status: 303, headers });
  }
  const all = await cartJson(token);
  return json({ items: all.items.filter((i) => wanted.some((w) => String(w.id) === String(i.variant_id))) }, v);
}

/** POST /cart/update.js: cart attributes (the block writes `_rapport_vid` once consent allows). */
export async function cartUpdate(request: Request): Promise<Response> {
  const v = visit(request);
  const body = (await request.json().catch(() => null)) as { attributes?: unknown } | null;
  const { token, cart } = ensureCart(v);
  Object.assign(cart.attributes, cleanProperties(body?.attributes));
  return json(await cartJson(token), v);
}

export async function cartShow(request: Request): Promise<Response> {
  const v = visit(request);
  return json(await cartJson(v.cartToken), v);
}

// ---- The app proxy, as Shopify runs it: sign and forward to /proxy/*.

export async function forwardToProxy(request: Request, subpath: string): Promise<Response> {
  const v = visit(request);
  const url = new URL(request.url);
  if (!/^[a-z0-9_\-/]*$/i.test(subpath)) return new Response("Not Found", { status: 404 });
  const config = env();
  const signed = signProxyQuery(url.searchParams, {
    shop: DEMO_SHOP,
    pathPrefix: PROXY_PREFIX,
    customerId: v.customerId ?? "",
    secret: config.SHOPIFY_API_SECRET,
  });
  const target = new URL(`/proxy/${subpath}?${signed}`, url.origin);
  // Shopify strips cookies from proxied requests; only the body and its type go through.
  const init: RequestInit = { method: request.method, headers: { Accept: request.headers.get("accept") ?? "*/*" } };
  if (request.method !== "GET" && request.method !== "HEAD") {
    init.body = await request.text();
    (init.headers as Record<string, string>)["Content-Type"] = request.headers.get("content-type") ?? "application/octet-stream";
  }
  const answer = await fetch(target, init);
  // An `application/liquid` answer is a page: Shopify renders it as Liquid inside the theme.
  if ((answer.headers.get("content-type") ?? "").startsWith("application/liquid"))
    return proxyPage(request, subpath, answer.status, await answer.text());
  const headers = new Headers();
  for (const name of ["content-type", "cache-control", "vary"]) {
    const value = answer.headers.get(name);
    if (value) headers.set(name, value);
  }
  let body = await answer.arrayBuffer();
  if (answer.ok && subpath === "recommendations")
    body = new TextEncoder().encode(JSON.stringify(localImages(JSON.parse(new TextDecoder().decode(body))))).buffer as ArrayBuffer;
  return new Response(answer.status === 204 ? null : body, { status: answer.status, headers });
}

// The demo shop's product images point at Shopify's CDN, where they do not exist (and which is
// offline here): the demo serves a drawn stand-in for each product instead.
function localImages(answer: { products?: { handle: string; image: string | null }[] }) {
  for (const p of answer.products ?? []) if (p.image) p.image = `${ROOT_URL}/images/${encodeURIComponent(p.handle)}.svg`;
  return answer;
}

// ---- Assets and images

const ASSET_TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

export function extensionAsset(file: string): Response {
  const ext = path.extname(file);
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(file) || !ASSET_TYPES[ext]) return new Response("Not Found", { status: 404 });
  try {
    // Read on each request: an edited asset shows on reload (Shopify's CDN would version it).
    return new Response(readFileSync(path.join(EXTENSION_DIR, "assets", file)), {
      headers: { "Content-Type": ASSET_TYPES[ext], "Cache-Control": "no-cache" },
    });
  } catch {
    return new Response("Not Found", { status: 404 });
  }
}

const PALETTE = [
  ["#6b4f3a", "#efe4d6"],
  ["#2f5d50", "#e2efe9"],
  ["#7a3b3b", "#f4e3e0"],
  ["#3d4f7a", "#e3e8f4"],
  ["#7a6a2f", "#f3efdc"],
  ["#5a3d7a", "#ece3f4"],
];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function productImage(handle: string): Promise<Response> {
  const product = await productByHandle(prisma(), DEMO_SHOP, handle);
  if (!product) return new Response("Not Found", { status: 404 });
  const [ink, paper] = PALETTE[fnv1a(product.productType ?? handle) % PALETTE.length];
  const words = product.title.split(/\s+/);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last && (last + " " + word).length <= 16) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const text = lines
    .slice(0, 4)
    .map((line, i) => `<text x="200" y="${190 + (i - (Math.min(lines.length, 4) - 1) / 2) * 34}" text-anchor="middle">${escapeXml(line)}</text>`)
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><rect width="400" height="400" fill="${paper}"/><circle cx="200" cy="200" r="150" fill="none" stroke="${ink}" stroke-opacity="0.25" stroke-width="2"/><g fill="${ink}" font-family="Georgia, serif" font-size="28">${text}</g><text x="200" y="330" text-anchor="middle" fill="${ink}" fill-opacity="0.7" font-family="Helvetica, Arial, sans-serif" font-size="14" letter-spacing="2">${escapeXml((product.productType ?? "").toUpperCase())}</text></svg>`;
  return new Response(svg, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=3600" } });
}

// ---- Pages

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

interface PageContext {
  v: Visit;
  t: (key: MessageKey, params?: MessageParams) => string;
  money: (amount: unknown, currency: string) => string;
  shopName: string;
  currency: string;
  cartCount: number;
}

async function pageContext(request: Request): Promise<PageContext> {
  const v = visit(request);
  const shop = await shopDisplay(prisma(), DEMO_SHOP);
  const cart = await cartJson(v.cartToken);
  return {
    v,
    t: (key, params) => translate(v.locale, key, params),
    money: (amount, currency) => new Intl.NumberFormat(INTL_LOCALE[v.locale], { style: "currency", currency }).format(Number(amount ?? 0)),
    shopName: shop?.name ?? DEMO_SHOP,
    currency: shop?.currency ?? "EUR",
    cartCount: cart.item_count,
  };
}

const block = readBlockSchemaOnce("recommendations");
const npsBlock = readBlockSchemaOnce("nps-survey");
function readBlockSchemaOnce(name: string) {
  let cached: ReturnType<typeof readBlockSchema> | undefined;
  return () => (cached ??= readBlockSchema(name));
}

/**
 * The "NPS survey" app embed as the demo shop's merchant turned it on: the block's defaults
 * (customers with an order are asked; home, product and collection pages) with a 3-second delay
 * so that a visitor sees it soon. Shopify renders body embeds just before </body>.
 */
async function npsEmbed(ctx: PageContext, pageType: string, pagePath: string): Promise<string> {
  const engine = createEngine({ locale: ctx.v.locale });
  return renderBlock(engine, "nps-survey", {
    block: { id: "demo-nps", settings: { ...defaultSettings(npsBlock()), delay: 3 } },
    request: { page_type: pageType, path: pagePath, locale: { iso_code: ctx.v.locale } },
    shop: { name: ctx.shopName },
    routes: { root_url: ROOT_URL },
  });
}

/** The Liquid objects the block reads, as Shopify would give them for this page. */
async function recommendationsBlock(
  ctx: PageContext,
  pageType: "index" | "product" | "cart",
  extra: { product?: StorefrontProductRow; heading?: string; layout?: string; showAdd?: boolean },
) {
  const schema = block();
  const engine = createEngine({ locale: ctx.v.locale });
  const cart = cartOf(ctx.v.cartToken);
  const cartProducts = await productsByVariantIds(
    prisma(),
    DEMO_SHOP,
    cart.lines.map((l) => l.variantId),
  );
  const settings = {
    ...defaultSettings(schema),
    ...(extra.heading ? { heading: extra.heading } : {}),
    ...(extra.layout ? { layout: extra.layout } : {}),
    ...(extra.showAdd !== undefined ? { show_add_to_cart: extra.showAdd } : {}),
  };
  const html = await renderBlock(engine, "recommendations", {
    block: { id: `demo-${pageType}`, settings },
    request: { page_type: pageType, locale: { iso_code: ctx.v.locale } },
    product: extra.product ? { id: Number(extra.product.shopifyId) } : null,
    cart: { items: cart.lines.map((l) => ({ product_id: Number(cartProducts.get(l.variantId)?.shopifyId ?? 0) })), attributes: cart.attributes },
    shop: { currency: ctx.currency },
    routes: { root_url: ROOT_URL, cart_add_url: `${ROOT_URL}/cart/add`, cart_update_url: `${ROOT_URL}/cart/update` },
  });
  return html;
}

function layout(
  ctx: PageContext,
  title: string,
  body: string,
  customers: { shopifyId: string; name: string; orders: number }[],
  who: string | null,
  extras: { withBlock?: boolean; nps?: string } = {},
): string {
  const { t, v } = ctx;
  const withBlock = extras.withBlock ?? true;
  const nps = extras.nps ?? "";
  const schema = withBlock ? block() : { stylesheet: undefined, javascript: undefined };
  const npsSchema = nps.trim() ? npsBlock() : { stylesheet: undefined, javascript: undefined };
  const other: Locale = v.locale === "fr" ? "en" : "fr";
  const options = [
    `<option value="">${esc(t("storefront.anonymous"))}</option>`,
    ...customers.map(
      (c) =>
        `<option value="${c.shopifyId}"${c.shopifyId === v.customerId ? " selected" : ""}>${esc(t("storefront.customerOption", { name: c.name, orders: c.orders }))}</option>`,
    ),
  ];
  if (v.customerId && !customers.some((c) => c.shopifyId === v.customerId))
    options.push(`<option value="${v.customerId}" selected>${esc(who ?? v.customerId)}</option>`);
  const consent =
    v.consent === null
      ? `<div class="consent" role="region" aria-label="${esc(t("storefront.consentTitle"))}"><p><strong>${esc(t("storefront.consentTitle"))}.</strong> ${esc(t("storefront.consentBody"))}</p><div><button type="button" data-consent="yes">${esc(t("storefront.consentAccept"))}</button> <button type="button" data-consent="no">${esc(t("storefront.consentDecline"))}</button></div></div>`
      : "";
  return `<!doctype html>
<html lang="${v.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} – ${esc(ctx.shopName)}</title>
<meta name="description" content="${esc(ctx.shopName)}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ROOT_URL}/assets/demo-theme.css">
${schema.stylesheet ? `<link rel="stylesheet" href="${ROOT_URL}/assets/${esc(schema.stylesheet)}">` : ""}
<script src="${ROOT_URL}/assets/demo-consent.js" data-consent="${v.consent ?? ""}"></script>
${schema.javascript ? `<script src="${ROOT_URL}/assets/${esc(schema.javascript)}" defer></script>` : ""}
${npsSchema.stylesheet ? `<link rel="stylesheet" href="${ROOT_URL}/assets/${esc(npsSchema.stylesheet)}">` : ""}
${npsSchema.javascript ? `<script src="${ROOT_URL}/assets/${esc(npsSchema.javascript)}" defer></script>` : ""}
</head>
<body>
<div class="demo-bar">
  <p>${esc(t("storefront.demoNotice", { shop: DEMO_SHOP }))}</p>
  <form method="get" action="${ROOT_URL}${v.customerId === undefined ? "" : ""}" class="demo-bar__who">
    <label for="demo-customer">${esc(t("storefront.browsingAs"))}</label>
    <select id="demo-customer" name="customer">${options.join("")}</select>
    <button type="submit">${esc(t("storefront.browse"))}</button>
  </form>
  <a href="?locale=${other}" lang="${other}">${esc(t("storefront.language"))}</a>
</div>
<header class="site-header">
  <a class="site-header__name" href="${ROOT_URL}">${esc(ctx.shopName)}</a>
  <nav aria-label="${esc(ctx.shopName)}"><a href="${ROOT_URL}">${esc(t("storefront.home"))}</a> <a href="${ROOT_URL}/account">${esc(t("storefront.account"))}</a> <a href="${ROOT_URL}/cart">${esc(t("storefront.cart", { count: ctx.cartCount }))}</a></nav>
</header>
<main id="main">
${body}
</main>
<footer class="site-footer"><a href="${ROOT_URL}/apps/rapport/privacy">${esc(t("storefront.privacyChoices"))}</a> <a href="${ROOT_URL}/policies/privacy-policy">${esc(t("storefront.privacyPolicy"))}</a></footer>
${consent}
${nps}
</body>
</html>`;
}

async function browseList(ctx: PageContext) {
  const rows = await customersToBrowseAs(prisma(), DEMO_SHOP, 8);
  const who = ctx.v.customerId ? await customerName(prisma(), DEMO_SHOP, ctx.v.customerId) : null;
  return {
    customers: rows.map((r) => ({
      shopifyId: r.shopifyId,
      name: [r.firstName, r.lastName].filter(Boolean).join(" ") || `#${r.shopifyId}`,
      orders: r.orders,
    })),
    who,
  };
}

function html(page: string, v: Visit, status = 200): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  for (const c of v.setCookies) headers.append("Set-Cookie", c);
  return new Response(page, { status, headers });
}

function productCard(ctx: PageContext, p: StorefrontProductRow): string {
  return `<li class="card"><a href="${ROOT_URL}/products/${esc(p.handle)}"><img src="${ROOT_URL}/images/${esc(encodeURIComponent(p.handle))}.svg" alt="${esc(p.title)}" width="300" height="300" loading="lazy"><span class="card__title">${esc(p.title)}</span></a><span class="card__price">${esc(ctx.money(p.priceMin, p.currency))}</span></li>`;
}

export async function homePage(request: Request): Promise<Response> {
  const ctx = await pageContext(request);
  const featured = await featuredProducts(prisma(), DEMO_SHOP, new Date(Date.now() - 365 * 86_400_000), 8);
  const recs = await recommendationsBlock(ctx, "index", {
    heading: ctx.v.locale === "fr" ? "Sélectionnés pour vous" : "Picked for you",
    layout: "grid",
  });
  const body = `<section class="hero"><h1>${esc(ctx.t("storefront.heroTitle"))}</h1><p>${esc(ctx.t("storefront.heroBody"))}</p></section>
${recs}
<section class="featured"><h2>${esc(ctx.t("storefront.featured"))}</h2><ul class="grid">${featured.map((p) => productCard(ctx, p)).join("")}</ul></section>`;
  const { customers, who } = await browseList(ctx);
  const nps = await npsEmbed(ctx, "index", "/");
  return html(layout(ctx, ctx.t("storefront.home"), body, customers, who, { nps }), ctx.v);
}

export async function productPage(request: Request, handle: string): Promise<Response> {
  const ctx = await pageContext(request);
  // ?block=0: the same page without the Rapport block or its assets (the Lighthouse baseline).
  const withBlock = new URL(request.url).searchParams.get("block") !== "0";
  const { customers, who } = await browseList(ctx);
  const product = await productByHandle(prisma(), DEMO_SHOP, handle);
  if (!product)
    return html(layout(ctx, "404", `<p class="notice">${esc(ctx.t("storefront.notFound"))}</p>`, customers, who, { withBlock: false }), ctx.v, 404);
  const recs = !withBlock
    ? ""
    : await recommendationsBlock(ctx, "product", {
        product,
        heading: ctx.v.locale === "fr" ? "Souvent achetés ensemble" : "Frequently bought together",
        showAdd: true,
      });
  const buy =
    product.available && product.variantId
      ? `<form method="post" action="${ROOT_URL}/cart/add"><input type="hidden" name="id" value="${esc(product.variantId)}"><button type="submit" class="buy">${esc(ctx.t("storefront.addToCart"))}</button></form>`
      : `<p>${esc(ctx.t("storefront.soldOut"))}</p>`;
  const body = `<article class="product">
<img src="${ROOT_URL}/images/${esc(encodeURIComponent(product.handle))}.svg" alt="${esc(product.title)}" width="480" height="480">
<div class="product__info"><h1>${esc(product.title)}</h1>
${product.vendor ? `<p class="product__vendor">${esc(ctx.t("storefront.by", { vendor: product.vendor }))}</p>` : ""}
<p class="product__price">${esc(ctx.money(product.priceMin, product.currency))}</p>
<p>${esc(ctx.t("storefront.productBlurb", { type: product.productType ?? "", vendor: product.vendor ?? ctx.shopName }))}</p>
${buy}</div>
</article>
${recs}`;
  // ?block=0 is the page without any of Rapport's theme extension (the Lighthouse baseline).
  const nps = withBlock ? await npsEmbed(ctx, "product", `/products/${product.handle}`) : "";
  return html(layout(ctx, product.title, body, customers, who, { withBlock, nps }), ctx.v);
}

export async function cartPage(request: Request): Promise<Response> {
  const ctx = await pageContext(request);
  const { customers, who } = await browseList(ctx);
  const cart = await cartJson(ctx.v.cartToken);
  const rows = cart.items
    .map(
      (i) =>
        `<tr><td><a href="${ROOT_URL}${esc(i.url)}">${esc(i.title)}</a></td><td>${i.quantity}</td><td>${esc(ctx.money(i.line_price / 100, cart.currency))}</td></tr>`,
    )
    .join("");
  const lines = cart.items.length
    ? `<table class="cart"><thead><tr><th scope="col">${esc(ctx.t("storefront.cartTitle"))}</th><th scope="col">${esc(ctx.t("storefront.quantity"))}</th><th scope="col">${esc(ctx.t("storefront.total"))}</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><th scope="row" colspan="2">${esc(ctx.t("storefront.total"))}</th><td>${esc(ctx.money(cart.total_price / 100, cart.currency))}</td></tr></tfoot></table><p class="notice">${esc(ctx.t("storefront.checkoutNote"))}</p>`
    : `<p>${esc(ctx.t("storefront.cartEmpty"))}</p>`;
  const recs = cart.items.length
    ? await recommendationsBlock(ctx, "cart", {
        heading: ctx.v.locale === "fr" ? "Pour compléter votre panier" : "Complete your order",
        showAdd: true,
      })
    : "";
  const body = `<h1>${esc(ctx.t("storefront.cartTitle"))}</h1>${lines}<p><a href="${ROOT_URL}">${esc(ctx.t("storefront.continue"))}</a></p>${recs}`;
  // The embed renders nothing on the cart page (never while checking out): rendered all the same.
  const nps = await npsEmbed(ctx, "cart", "/cart");
  return html(layout(ctx, ctx.t("storefront.cartTitle"), body, customers, who, { nps }), ctx.v);
}

/**
 * A page the app proxy answered as `application/liquid` (the survey and privacy pages), rendered
 * as Shopify does: its Liquid with the shop's objects, inside the theme's layout.
 */
async function proxyPage(request: Request, subpath: string, status: number, source: string): Promise<Response> {
  const ctx = await pageContext(request);
  const { customers, who } = await browseList(ctx);
  const engine = createEngine({ locale: ctx.v.locale });
  const body = (await engine.parseAndRender(source, {
    shop: { name: ctx.shopName, email: DEMO_SHOP_EMAIL },
    request: { page_type: "page", path: `/apps/rapport/${subpath}`, locale: { iso_code: ctx.v.locale } },
    routes: { root_url: ROOT_URL, account_login_url: `${ROOT_URL}/account` },
  })) as string;
  const title = subpath === "survey" ? ctx.t("nps.survey.title") : subpath === "privacy" ? ctx.t("privacy.title") : ctx.shopName;
  return html(layout(ctx, title, body, customers, who, { withBlock: false }), ctx.v, status);
}

/**
 * The customer's account (the demo's stand-in for Shopify's): their latest orders, each with the
 * survey link its order e-mail would carry, signed with the shop's survey key as the snippet does.
 */
export async function accountPage(request: Request): Promise<Response> {
  const ctx = await pageContext(request);
  const { customers, who } = await browseList(ctx);
  const { t, v } = ctx;
  let body = `<h1>${esc(t("storefront.accountTitle"))}</h1>`;
  if (!v.customerId) {
    body += `<p>${esc(t("storefront.accountChoose"))}</p>`;
  } else {
    const orders = await customerOrders(prisma(), DEMO_SHOP, v.customerId, 10);
    const rows: string[] = [];
    // One after the other: the first call creates the shop's survey key.
    for (const o of orders) {
      const query = await surveyLinkQuery(prisma(), DEMO_SHOP, o.shopifyId, v.customerId);
      const date = new Intl.DateTimeFormat(INTL_LOCALE[v.locale], { dateStyle: "medium" }).format(o.processedAt);
      rows.push(
        `<tr><th scope="row">${esc(o.name)}</th><td>${esc(date)}</td><td>${esc(ctx.money(o.totalPrice, o.currency))}</td><td><a href="${ROOT_URL}/apps/rapport/survey?${esc(query)}">${esc(t("storefront.surveyLinkOpen", { order: o.name }))}</a></td></tr>`,
      );
    }
    body += `<h2>${esc(t("storefront.orders"))}</h2>`;
    body += rows.length
      ? `<table class="cart"><thead><tr><th scope="col">${esc(t("storefront.order"))}</th><th scope="col">${esc(t("storefront.orderDate"))}</th><th scope="col">${esc(t("storefront.total"))}</th><th scope="col">${esc(t("storefront.surveyLink"))}</th></tr></thead><tbody>${rows.join("")}</tbody></table><p class="notice">${esc(t("storefront.surveyLinkHelp"))}</p>`
      : `<p>${esc(t("storefront.noOrders"))}</p>`;
    body += `<p><a href="${ROOT_URL}/apps/rapport/privacy">${esc(t("storefront.privacyChoices"))}</a></p>`;
  }
  return html(layout(ctx, t("storefront.accountTitle"), body, customers, who, { withBlock: false }), v);
}

/** /policies/privacy-policy: the demo shop has no policy of its own, and says so. */
export async function policyPage(request: Request): Promise<Response> {
  const ctx = await pageContext(request);
  const { customers, who } = await browseList(ctx);
  const body = `<h1>${esc(ctx.t("storefront.policyTitle"))}</h1><p>${esc(ctx.t("storefront.policyBody"))}</p>`;
  return html(layout(ctx, ctx.t("storefront.policyTitle"), body, customers, who, { withBlock: false }), ctx.v);
}

/** The demo's own theme files (not part of the extension): the shop's look and its consent banner. */
export function demoAsset(file: string): Response | null {
  const dir = path.resolve(process.cwd(), "app", "services", "demoStorefront");
  if (file === "demo-theme.css" || file === "demo-consent.js") {
    try {
      return new Response(readFileSync(path.join(dir, file)), {
        headers: { "Content-Type": ASSET_TYPES[path.extname(file)], "Cache-Control": "no-cache" },
      });
    } catch {
      return null;
    }
  }
  return null;
}
