import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { startEmbeddedWorker } from "./jobs/embedded.server";
import { prisma } from "./lib/db.server";
import { env } from "./lib/env.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

// Under `remix vite:dev` (npm run dev) there is no server/app.ts: start the embedded worker
// here, once. With `npm start` or `npm run demo` the server has already started it.
if (process.env.NODE_ENV === "development") startEmbeddedWorker(prisma());

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  // Shopify's headers (CSP frame-ancestors for the admin) only make sense for an embedded app.
  if (!env().demo) addDocumentResponseHeaders(request, responseHeaders);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
