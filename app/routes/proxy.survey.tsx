// /apps/rapport/survey (app proxy → /proxy/survey): the page an order e-mail's survey link opens
// (ADR 012), served as `application/liquid` so Shopify renders it inside the shop's theme.
// GET  ?order=…&customer=…&sig=… → the 0–10 question as a plain HTML form (works without
//      JavaScript); "already answered" (409) or "invalid link" (403) otherwise.
// POST the form (score, comment) to the same signed address → 201 stored with the order and its
//      customer, then thanks; 400 bad answer; 403 forged link or surveys turned off; 409 the
//      order was answered already. Nothing is stored in any refusal.
// Two signatures: Shopify's proxy signature (authenticateProxy, 400 when forged or stale) and
// the link's own (the shop's survey key; only the order and customer it covers are trusted).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { Locale } from "~/i18n";
import { authenticateProxy } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { bilingual, escapeText, liquid, liquidResponse, PAGE_STYLE, proxyPrefix, storefrontUrl, text } from "~/lib/proxyPage.server";
import { NpsError, submitEmailAnswer, verifyEmailLink } from "~/services/nps.server";
import { getShopperPreferences } from "~/services/shopperPreferences.server";

/** Largest form accepted: a 2,000-character comment in any script, percent-encoded, fits. */
const MAX_BODY = 32_768;

type Outcome = "thanks" | "already" | "invalid" | "optedOut";

interface PageState {
  request: Request;
  prefix: string;
  orderName: string | null;
  /** The question again after a refused answer, with the shopper's comment kept (escaped). */
  retry?: { comment: string };
}

function question(locale: Locale, state: PageState): string {
  const t = (key: Parameters<typeof text>[1], params?: Parameters<typeof text>[2]) => text(locale, key, params);
  const radios = Array.from({ length: 11 }, (_, score) => {
    const describedBy = score === 0 ? ' aria-describedby="rapport-nps-low"' : score === 10 ? ' aria-describedby="rapport-nps-high"' : "";
    return `<label><input type="radio" name="score" value="${score}" required${describedBy}> ${score}</label>`;
  }).join("");
  return `<h1>${t("nps.survey.title")}</h1>
${state.orderName ? `<p>${t("nps.survey.order", { order: state.orderName })}</p>` : ""}
${state.retry ? `<p class="rapport-notice" role="alert">${t("nps.survey.error")}</p>` : ""}
<form method="post">
<input type="hidden" name="locale" value="{{ request.locale.iso_code | escape }}">
<fieldset>
<legend>${t("nps.survey.question", { shop: liquid("shop") })}</legend>
<div class="rapport-scale">${radios}</div>
<div class="rapport-ends"><span id="rapport-nps-low">${t("nps.survey.low")}</span><span id="rapport-nps-high">${t("nps.survey.high")}</span></div>
</fieldset>
<p><label for="rapport-nps-comment">${t("nps.survey.why")}</label>
<textarea id="rapport-nps-comment" name="comment" maxlength="2000" rows="4">${escapeText(state.retry?.comment ?? "")}</textarea></p>
<p><button type="submit">${t("nps.survey.send")}</button></p>
</form>`;
}

function outcome(locale: Locale, which: Outcome, state: PageState): string {
  const message = {
    thanks: "nps.survey.thanks",
    already: "nps.survey.already",
    invalid: "nps.survey.invalid",
    optedOut: "nps.survey.optedOut",
  } as const;
  // A refusal is an alert; the thanks a status (read politely by screen readers).
  const role = which === "thanks" ? "status" : "alert";
  const privacy = which === "optedOut" ? ` <a href="${storefrontUrl(`${state.prefix}/privacy`)}">${text(locale, "nps.survey.privacy")}</a>` : "";
  return `<h1>${text(locale, "nps.survey.title")}</h1>
<p class="rapport-notice" role="${role}">${text(locale, message[which])}${privacy}</p>
<p><a href="{{ routes.root_url }}">${text(locale, "nps.survey.home")}</a></p>`;
}

function page(state: PageState, body: (locale: Locale) => string, status: number): Response {
  return liquidResponse(`${PAGE_STYLE}\n<div class="rapport-page">\n${bilingual(state.request, body)}\n</div>`, status);
}

function linkOf(url: URL) {
  return { order: url.searchParams.get("order"), customer: url.searchParams.get("customer"), sig: url.searchParams.get("sig") };
}

/** Surveys allowed for the link's customer (a guest order has no preferences: allowed). */
async function surveysAllowed(shop: string, customerId: string | null) {
  return customerId ? (await getShopperPreferences(prisma(), shop, customerId)).surveys : true;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, url } = await authenticateProxy(request);
  const state: PageState = { request, prefix: proxyPrefix(url), orderName: null };
  let link;
  try {
    link = await verifyEmailLink(prisma(), shop, linkOf(url));
  } catch (error) {
    if (error instanceof NpsError) return page(state, (l) => outcome(l, "invalid", state), 403);
    throw error;
  }
  if (link.answered) return page(state, (l) => outcome(l, "already", state), 409);
  if (!(await surveysAllowed(shop, link.customerId))) return page(state, (l) => outcome(l, "optedOut", state), 200);
  const asked = { ...state, orderName: link.orderName };
  return page(asked, (l) => question(l, asked), 200);
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, url } = await authenticateProxy(request);
  const state: PageState = { request, prefix: proxyPrefix(url), orderName: null };
  if (request.method !== "POST") return page(state, (l) => outcome(l, "invalid", state), 405);
  const raw = await request.text();
  const form =
    raw.length <= MAX_BODY && /^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")
      ? new URLSearchParams(raw)
      : null;
  const link = linkOf(url);
  // Preferences belong to the customer the link's signature covers; checked once the link is.
  let optedOut: boolean;
  try {
    const verified = await verifyEmailLink(prisma(), shop, link);
    state.orderName = verified.orderName;
    optedOut = !(await surveysAllowed(shop, verified.customerId));
  } catch (error) {
    if (error instanceof NpsError) return page(state, (l) => outcome(l, "invalid", state), 403);
    throw error;
  }
  const comment = form?.get("comment") ?? "";
  const locale = form?.get("locale") ?? "";
  try {
    await submitEmailAnswer(prisma(), shop, {
      link,
      body: form ? { score: form.get("score") ?? undefined, comment: form.get("comment") ?? undefined } : null,
      optedOut,
      locale: /^[a-z]{2}(-[A-Za-z]{2,4})?$/.test(locale) ? locale : null,
    });
    return page(state, (l) => outcome(l, "thanks", state), 201);
  } catch (error) {
    if (!(error instanceof NpsError)) throw error;
    if (error.code === "forged_link") return page(state, (l) => outcome(l, "invalid", state), 403);
    if (error.code === "already_answered") return page(state, (l) => outcome(l, "already", state), 409);
    if (error.code === "opted_out") return page(state, (l) => outcome(l, "optedOut", state), 403);
    const retry = { ...state, retry: { comment: comment.slice(0, 2000) } };
    return page(retry, (l) => question(l, retry), 400);
  }
}
