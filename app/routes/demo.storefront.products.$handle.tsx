// Demo storefront product page (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, productPage } from "~/services/demoStorefront.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return productPage(request, params.handle ?? "");
}
