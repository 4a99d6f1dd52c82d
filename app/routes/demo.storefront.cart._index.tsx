// Demo storefront cart page (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, cartPage } from "~/services/demoStorefront.server";

export async function loader({ request }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return cartPage(request);
}
