// Demo storefront home (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, homePage } from "~/services/demoStorefront.server";

export async function loader({ request }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return homePage(request);
}
