// Demo storefront account page: the customer's orders with their e-mail survey links (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { accountPage, assertDemoStorefront } from "~/services/demoStorefront.server";

export async function loader({ request }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return accountPage(request);
}
