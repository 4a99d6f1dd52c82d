import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/services/webhookInbox.server";

// Stored in the inbox, applied by the worker (app/services/webhookProcessor.server.ts).
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request);
export const loader = ({ request }: LoaderFunctionArgs) => receiveWebhook(request);
