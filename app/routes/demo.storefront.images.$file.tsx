// Demo storefront: a drawn stand-in for each product's image (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, productImage } from "~/services/demoStorefront.server";

export async function loader({ params }: LoaderFunctionArgs) {
  assertDemoStorefront();
  const file = params.file ?? "";
  if (!file.endsWith(".svg")) return new Response("Not Found", { status: 404 });
  return productImage(decodeURIComponent(file.slice(0, -4)));
}
