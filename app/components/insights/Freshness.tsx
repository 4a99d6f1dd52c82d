// "Updated 4 minutes ago": relative to the loader's clock first (server and browser render the
// same text), then to the browser's, refreshed every minute.
import { Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { INTL_LOCALE, useLocale, useT } from "~/i18n";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

export function relativeTime(iso: string, nowMs: number, locale: string): string {
  const diff = new Date(iso).getTime() - nowMs;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return rtf.format(0, "minute");
}

export function Freshness({ computedAt, serverNow }: { computedAt: string; serverNow: string }) {
  const t = useT();
  const locale = useLocale();
  const [now, setNow] = useState(() => new Date(serverNow).getTime());
  useEffect(() => {
    const first = window.setTimeout(() => setNow(Date.now()), 0);
    const timer = window.setInterval(() => setNow(Date.now()), 60_000);
    return () => {
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, []);
  return (
    <Text as="span" tone="subdued">
      {t("dashboard.updated", { when: relativeTime(computedAt, now, INTL_LOCALE[locale]) })}
    </Text>
  );
}
