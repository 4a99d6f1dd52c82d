// What every admin page shares beyond Polaris: links that keep `?locale=` (demo mode has no
// Shopify admin to pass it on each load), and toasts (App Bridge's in the Shopify admin; in demo
// mode, where App Bridge is not loaded, a polite live region styled like one: Polaris's Toast
// has a close button without an accessible name).
import { isRouteErrorResponse, Link as RemixLink, useLocation } from "@remix-run/react";
import { Banner, Box, Frame, Page, Text } from "@shopify/polaris";
import { useT } from "~/i18n";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

/** The props Polaris gives its link component (AppProvider `linkComponent`). */
interface LinkLikeProps {
  url: string;
  children?: ReactNode;
  external?: boolean;
  [attribute: string]: unknown;
}
/** `url` with the current page's `locale` parameter added when it has none. */
export function withLocale(url: string, search: string): string {
  const locale = new URLSearchParams(search).get("locale");
  if (!locale || /^[a-z]+:/i.test(url) || url.startsWith("#")) return url;
  const [path, query = ""] = url.split("?");
  const params = new URLSearchParams(query);
  if (params.has("locale")) return url;
  params.set("locale", locale);
  return `${path}?${params.toString()}`;
}

export function useLocaleHref() {
  const { search } = useLocation();
  return useCallback((url: string) => withLocale(url, search), [search]);
}

/** Polaris's link component: client-side navigation for app links, locale kept. */
export function PolarisLink({ url, children, external, ...rest }: LinkLikeProps) {
  const href = useLocaleHref();
  if (external || /^[a-z]+:/i.test(url)) {
    return (
      <a href={url} target={external ? "_blank" : undefined} rel={external ? "noopener noreferrer" : undefined} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <RemixLink to={href(url)} {...rest}>
      {children}
    </RemixLink>
  );
}

type ShowToast = (message: string, options?: { error?: boolean }) => void;
const ToastContext = createContext<ShowToast>(() => {});

declare global {
  interface Window {
    shopify?: { toast?: { show(message: string, opts?: { duration?: number; isError?: boolean }): void } };
  }
}

/** Shows a toast: App Bridge's when it is loaded, else the demo frame's. */
export function useToast(): ShowToast {
  const local = useContext(ToastContext);
  return useCallback<ShowToast>(
    (message, options) => {
      if (typeof window !== "undefined" && window.shopify?.toast) window.shopify.toast.show(message, { isError: options?.error });
      else local(message, options);
    },
    [local],
  );
}

/** The demo frame's toast: announced politely, gone after 5 s. */
function DemoToast({ toast, onDismiss }: { toast: { message: string; error?: boolean; key: number } | null; onDismiss: () => void }) {
  useEffect(() => {
    if (!toast) return;
    const timer = window.setTimeout(onDismiss, 5000);
    return () => window.clearTimeout(timer);
  }, [toast, onDismiss]);
  return (
    <div role="status" aria-live="polite" style={{ position: "fixed", bottom: 24, left: "50%", transform: "translateX(-50%)", zIndex: 600 }}>
      {toast ? (
        <Box key={toast.key} background={toast.error ? "bg-fill-critical" : "bg-fill-inverse"} padding="300" borderRadius="200" shadow="400">
          <Text as="p" tone="text-inverse" fontWeight="medium">
            {toast.message}
          </Text>
        </Box>
      ) : null}
    </div>
  );
}

/** Demo mode's frame: the navigation beside the page, and the toasts. */
export function DemoFrame({ navigation, children }: { navigation: ReactNode; children: ReactNode }) {
  const [toast, setToast] = useState<{ message: string; error?: boolean; key: number } | null>(null);
  const show = useCallback<ShowToast>((message, options) => setToast({ message, error: options?.error, key: Date.now() }), []);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      <Frame navigation={navigation}>
        {children}
        <DemoToast toast={toast} onDismiss={() => setToast(null)} />
      </Frame>
    </ToastContext.Provider>
  );
}

/** A route's error boundary: a sentence for the merchant; the error itself goes to the console. */
export function RouteError({ error }: { error: unknown }) {
  const t = useT();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  useEffect(() => {
    if (!notFound) console.error(error);
  }, [error, notFound]);
  return (
    <Page>
      <Banner tone={notFound ? "warning" : "critical"} title={t(notFound ? "nav.notFoundTitle" : "error.title")}>
        <p>{t(notFound ? "nav.notFoundBody" : "error.body")}</p>
      </Banner>
    </Page>
  );
}
