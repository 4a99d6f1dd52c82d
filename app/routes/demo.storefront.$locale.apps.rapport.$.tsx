// Demo storefront: /fr/apps/rapport/*, the app proxy under a locale prefix, as a storefront in
// another language calls it (the block's endpoint is `{{ routes.root_url }}/apps/rapport`, and
// Shopify proxies the prefixed path too): signed and forwarded like /apps/rapport/*.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { isLocale } from "~/i18n";
import { assertDemoStorefront, forwardToProxy } from "~/services/demoStorefront.server";

function assertLocale(locale: string | undefined) {
  if (!locale || !isLocale(locale)) throw new Response("Not Found", { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  assertDemoStorefront();
  assertLocale(params.locale);
  return forwardToProxy(request, params["*"] ?? "");
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertDemoStorefront();
  assertLocale(params.locale);
  return forwardToProxy(request, params["*"] ?? "");
}
