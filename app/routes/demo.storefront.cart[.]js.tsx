// Demo storefront: Shopify's Ajax Cart API GET /cart.js (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, cartShow } from "~/services/demoStorefront.server";

export async function loader({ request }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return cartShow(request);
}
