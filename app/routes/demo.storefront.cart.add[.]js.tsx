// Demo storefront: Shopify's Ajax Cart API POST /cart/add.js (demo mode only).
import type { ActionFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, cartAdd } from "~/services/demoStorefront.server";

export async function action({ request }: ActionFunctionArgs) {
  assertDemoStorefront();
  return cartAdd(request);
}
