// /apps/rapport/privacy (app proxy → /proxy/privacy): the shopper's privacy page, inside the
// shop's theme (`application/liquid`). For a logged-in customer: in plain words what Rapport
// uses to personalise their visit (their orders and the group they put them in, never the
// segment's name or the scores), two switches (personalised recommendations, surveys), the
// shop's privacy policy and how to ask for one's data or its erasure.
// POST {"personalization": bool, "surveys": bool} (JSON) → 200 {"ok": true, …}; anonymous → 401;
//      a body that is not JSON or not two booleans → 400 with a reason; nothing stored then.
//      The page's switches save this way; without JavaScript the page's form posts
//      (form-encoded) to the same address and the page comes back with "saved".
// Identity: the signed `logged_in_customer_id` only (authenticateProxy); a forged or stale
// signature is refused (400) before anything is read.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ShopperGroup } from "~/domain/shopperGroup";
import type { Locale } from "~/i18n";
import { authenticateProxy, proxyJson } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { bilingual, liquid, liquidResponse, PAGE_STYLE, storefrontUrl, text } from "~/lib/proxyPage.server";
import { getShopperPreferences, setShopperPreferences, shopperSummary, type ShopperPreferences } from "~/services/shopperPreferences.server";

const NO_STORE = "private, no-store";
const MAX_BODY = 4_096;

type Saved = "saved" | "failed" | null;

function customerPage(locale: Locale, prefs: ShopperPreferences, summary: { orders: number; group: ShopperGroup }, saved: Saved): string {
  const t = (key: Parameters<typeof text>[1], params?: Parameters<typeof text>[2]) => text(locale, key, params);
  const shop = liquid("shop");
  const toggle = (name: "personalization" | "surveys") =>
    `<div class="rapport-switch">
<input type="checkbox" role="switch" id="rapport-${name}" name="${name}" value="on" aria-describedby="rapport-${name}-help"${prefs[name] ? " checked" : ""}>
<div><label for="rapport-${name}"><strong>${t(`privacy.${name}.label` as const)}</strong></label>
<p id="rapport-${name}-help">${t(`privacy.${name}.help` as const, { shop })}</p></div>
</div>`;
  const status = saved === "saved" ? t("privacy.saved") : saved === "failed" ? t("privacy.saveFailed") : "";
  return `<h1>${t("privacy.title")}</h1>
<p>${t("privacy.intro", { shop })}</p>
<h2>${t("privacy.uses.title")}</h2>
<ul>
<li>${t("privacy.uses.orders", { count: summary.orders, shop })}</li>
<li>${t("privacy.uses.group", { group: summary.group })}</li>
<li>${t("privacy.uses.clicks")}</li>
<li>${t("privacy.uses.answers")}</li>
</ul>
<h2 id="rapport-choices">${t("privacy.choices.title")}</h2>
<form method="post" id="rapport-privacy" aria-labelledby="rapport-choices" data-saved="${t("privacy.saved")}" data-failed="${t("privacy.saveFailed")}">
<input type="hidden" name="form" value="1">
${toggle("personalization")}
${toggle("surveys")}
<p><button type="submit">${t("privacy.save")}</button></p>
<p role="status" aria-live="polite" id="rapport-privacy-status">${status}</p>
</form>
<h2>${t("privacy.data.title")}</h2>
<p><a href="${storefrontUrl("/policies/privacy-policy")}">${t("privacy.data.policy", { shop })}</a></p>
{%- if shop.email != blank -%}
<p>${t("privacy.data.request", { shop, email: liquid("email") })}</p>
{%- else -%}
<p>${t("privacy.data.requestNoEmail", { shop })}</p>
{%- endif -%}`;
}

// With JavaScript, a switch saves at once (JSON, to the same signed address) and the button goes.
// No Liquid delimiters in here: Shopify renders the whole page as Liquid.
const SCRIPT = `<script>
(function () {
  var form = document.getElementById("rapport-privacy");
  if (!form || !window.fetch) return;
  var status = document.getElementById("rapport-privacy-status");
  form.querySelector("button[type=submit]").hidden = true;
  function save() {
    var body = JSON.stringify({ personalization: form.elements.personalization.checked, surveys: form.elements.surveys.checked });
    fetch(window.location.href, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: body })
      .then(function (r) { status.textContent = r.ok ? form.dataset.saved : form.dataset.failed; })
      .catch(function () { status.textContent = form.dataset.failed; });
  }
  form.addEventListener("change", save);
  form.addEventListener("submit", function (e) { e.preventDefault(); save(); });
})();
</script>`;

function anonymousPage(locale: Locale): string {
  return `<h1>${text(locale, "privacy.title")}</h1>
<p>${text(locale, "privacy.anonymous")}</p>
<p><a href="{{ routes.account_login_url }}">${text(locale, "privacy.login")}</a></p>`;
}

function page(request: Request, body: (locale: Locale) => string, status: number, script = false): Response {
  return liquidResponse(`${PAGE_STYLE}\n<div class="rapport-page">\n${bilingual(request, body)}\n</div>${script ? `\n${SCRIPT}` : ""}`, status);
}

async function customerResponse(request: Request, shop: string, customerId: string, saved: Saved, status: number) {
  const [prefs, summary] = await Promise.all([getShopperPreferences(prisma(), shop, customerId), shopperSummary(prisma(), shop, customerId)]);
  return page(request, (locale) => customerPage(locale, prefs, summary, saved), status, true);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, customerId } = await authenticateProxy(request);
  if (!customerId) return page(request, anonymousPage, 401);
  return customerResponse(request, shop, customerId, null, 200);
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return proxyJson({ error: "method_not_allowed" }, { status: 405, cacheControl: NO_STORE });
  const { shop, customerId } = await authenticateProxy(request);
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "");
  if (!customerId) return isForm ? page(request, anonymousPage, 401) : proxyJson({ error: "not_logged_in" }, { status: 401, cacheControl: NO_STORE });
  const raw = await request.text();
  if (raw.length > MAX_BODY) return proxyJson({ error: "invalid", reason: "body_too_large" }, { status: 400, cacheControl: NO_STORE });

  if (isForm) {
    // The page's form without JavaScript: an unticked checkbox is simply absent.
    const form = new URLSearchParams(raw);
    if (form.get("form") !== "1") return customerResponse(request, shop, customerId, "failed", 400);
    await setShopperPreferences(prisma(), shop, customerId, {
      personalization: form.get("personalization") === "on",
      surveys: form.get("surveys") === "on",
    });
    return customerResponse(request, shop, customerId, "saved", 200);
  }

  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return proxyJson({ error: "invalid", reason: "body_not_json" }, { status: 400, cacheControl: NO_STORE });
  }
  const b = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (!b || typeof b.personalization !== "boolean" || typeof b.surveys !== "boolean") {
    return proxyJson({ error: "invalid", reason: "expected_two_booleans" }, { status: 400, cacheControl: NO_STORE });
  }
  await setShopperPreferences(prisma(), shop, customerId, { personalization: b.personalization, surveys: b.surveys });
  return proxyJson({ ok: true, personalization: b.personalization, surveys: b.surveys }, { cacheControl: NO_STORE });
}
