// Demo storefront: /apps/rapport/* signed as Shopify's app proxy signs it, forwarded to /proxy/*.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, forwardToProxy } from "~/services/demoStorefront.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  assertDemoStorefront();
  return forwardToProxy(request, params["*"] ?? "");
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertDemoStorefront();
  return forwardToProxy(request, params["*"] ?? "");
}
