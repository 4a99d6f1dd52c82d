// Pages served through the app proxy as `application/liquid`: Shopify renders them as Liquid
// inside the shop's theme (header, footer, fonts). Two rules follow:
// - Nothing a request carries goes into the page unescaped: Liquid would run it (`{{ customer.email }}`
//   typed into a field would print the e-mail: template injection). Text is escaped for HTML AND
//   for Liquid's delimiters; the only Liquid in a page is ours (shop name, URLs, the language).
// - Both languages are in the page and Liquid picks the storefront's (`request.locale`): the
//   language the shopper browses the shop in. A storefront language we do not speak falls back to
//   the viewer's (the proxy's `locale` parameter or Accept-Language).
import { detectLocale, translate, type Locale, type MessageKey, type MessageParams } from "~/i18n";

/** Liquid the pages insert on purpose, by name: kept out of the escaping. */
const LIQUID: Record<string, string> = {
  shop: "{{ shop.name | escape }}",
  email: '<a href="mailto:{{ shop.email | escape }}">{{ shop.email | escape }}</a>',
};
const OPEN = "\uE000";
const CLOSE = "\uE001";

/** A placeholder for one of the Liquid snippets above, to pass as a message parameter. */
export function liquid(name: keyof typeof LIQUID & string): string {
  return `${OPEN}${name}${CLOSE}`;
}

/** HTML-escapes, and escapes Liquid's `{` `}` `%` so that no text can open a tag or an output. */
export function escapeText(text: string): string {
  return text.replace(/[&<>"'{}%\uE000\uE001]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A message in one language, escaped, with its Liquid placeholders put back. */
export function text(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const safeParams = params
    ? Object.fromEntries(
        Object.entries(params).map(([name, value]) => [
          name,
          typeof value === "string" && !value.startsWith(OPEN) ? value.replace(/[\uE000\uE001]/g, "") : value,
        ]),
      )
    : undefined;
  return escapeText(translate(locale, key, safeParams)).replace(/&#57344;(\w+)&#57345;/g, (whole, name: string) => LIQUID[name] ?? "");
}

/** The page in both languages; Liquid shows the storefront's (see above). */
export function bilingual(request: Request, render: (locale: Locale) => string): string {
  const fallback = detectLocale(request);
  return [
    `{%- assign rapport_lang = request.locale.iso_code | slice: 0, 2 -%}`,
    `{%- unless rapport_lang == 'en' or rapport_lang == 'fr' -%}{%- assign rapport_lang = '${fallback}' -%}{%- endunless -%}`,
    `{%- if rapport_lang == 'fr' -%}`,
    render("fr"),
    `{%- else -%}`,
    render("en"),
    `{%- endif -%}`,
  ].join("\n");
}

/**
 * A storefront address under the shop's root (which carries the language, e.g. /fr): `path` is
 * ours (a constant or the signed path prefix), never request input.
 */
export function storefrontUrl(path: string): string {
  if (!/^\/[a-z0-9/_-]*$/i.test(path)) throw new Error(`not a storefront path: ${path}`);
  return `{{ routes.root_url | append: '${path}' | replace: '//', '/' }}`;
}

/** The app proxy's path prefix from the signed query (e.g. /apps/rapport), or the default. */
export function proxyPrefix(url: URL): string {
  const prefix = url.searchParams.get("path_prefix") ?? "";
  return /^\/[a-z0-9/_-]{1,100}$/i.test(prefix) ? prefix.replace(/\/$/, "") : "/apps/rapport";
}

/** The shared look of Rapport's pages; the theme gives fonts and colours. */
export const PAGE_STYLE = `<style>
.rapport-page{max-width:42rem;margin:2rem auto 3rem;padding:0 1rem;line-height:1.5}
.rapport-page fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}
.rapport-page legend{font-weight:600;font-size:1.1em;margin:0 0 .75rem;padding:0}
.rapport-scale{display:flex;flex-wrap:wrap;gap:.375rem}
.rapport-scale label{display:inline-flex;align-items:center;gap:.25rem;min-width:2.75rem;padding:.375rem .5rem;border:1px solid currentColor;border-radius:6px;cursor:pointer}
.rapport-ends{display:flex;justify-content:space-between;gap:1rem;margin-top:.5rem;font-size:.9em}
.rapport-page textarea{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;font:inherit}
.rapport-page button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}
.rapport-notice{padding:.75rem 1rem;border:1px solid currentColor;border-radius:6px}
.rapport-switch{display:flex;gap:.75rem;align-items:flex-start;margin:0 0 1.25rem}
.rapport-switch input{width:1.25rem;height:1.25rem;margin:.2rem 0 0;flex:none}
.rapport-switch p{margin:.25rem 0 0;font-size:.95em}
</style>`;

/** An `application/liquid` answer that no cache keeps (pages are per shopper). */
export function liquidResponse(body: string, status: number): Response {
  return new Response(body, { status, headers: { "Content-Type": "application/liquid", "Cache-Control": "private, no-store" } });
}
