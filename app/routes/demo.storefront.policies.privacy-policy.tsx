// Demo storefront privacy policy page (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, policyPage } from "~/services/demoStorefront.server";

export async function loader({ request }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return policyPage(request);
}
