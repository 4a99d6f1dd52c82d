// Demo storefront: the theme extension's assets, and the demo theme's own two files (demo mode only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { assertDemoStorefront, demoAsset, extensionAsset } from "~/services/demoStorefront.server";

export async function loader({ params }: LoaderFunctionArgs) {
  assertDemoStorefront();
  const file = params.file ?? "";
  return demoAsset(file) ?? extensionAsset(file);
}
