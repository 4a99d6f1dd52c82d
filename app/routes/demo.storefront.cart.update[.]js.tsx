// Demo storefront: Shopify's Ajax Cart API POST /cart/update.js, attributes only (demo mode only).
import type { ActionFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, cartUpdate } from "~/services/demoStorefront.server";

export async function action({ request }: ActionFunctionArgs) {
  assertDemoStorefront();
  return cartUpdate(request);
}
