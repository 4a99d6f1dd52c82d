// A toast: App Bridge's when the app is embedded (shopify.toast), otherwise a Polaris-styled
// live region (demo mode renders Polaris without App Bridge, and without a Frame).
import { Box, Text } from "@shopify/polaris";
import { useEffect } from "react";

declare global {
  interface Window {
    shopify?: { toast?: { show(message: string, opts?: { duration?: number; isError?: boolean }): void } };
  }
}

export function Toast({ message, onDismiss, error = false }: { message: string | null; onDismiss: () => void; error?: boolean }) {
  const bridge = typeof window !== "undefined" && window.shopify?.toast ? window.shopify.toast : null;
  useEffect(() => {
    if (!message) return;
    if (bridge) {
      bridge.show(message, { duration: 5000, isError: error });
      onDismiss();
      return;
    }
    const timer = window.setTimeout(onDismiss, 5000);
    return () => window.clearTimeout(timer);
  }, [message, bridge, error, onDismiss]);
  return (
    <div role="status" aria-live="polite" style={{ position: "fixed", bottom: 24, left: "50%", transform: "translateX(-50%)", zIndex: 600 }}>
      {message && !bridge ? (
        <Box background={error ? "bg-fill-critical" : "bg-fill-inverse"} padding="300" borderRadius="200" shadow="400">
          <Text as="p" tone="text-inverse" fontWeight="medium">
            {message}
          </Text>
        </Box>
      ) : null}
    </div>
  );
}
