import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { env } from "~/lib/env.server";

// Shopify opens the app at "/" with ?shop=…; the admin lives under /app.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (env().demo || url.searchParams.get("shop")) throw redirect(`/app${url.search}`);
  throw redirect(`/auth/login${url.search}`);
}
