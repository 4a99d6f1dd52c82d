// The backfill panel for /app/data: progress of the history import (a Polaris progress bar,
// polled every 2 s while a job runs), the last reconciliation and the write-back switch. It
// talks to the resource route /app/backfill (loader: the panel's JSON; action: the buttons).
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useLocale, useT, type MessageKey } from "~/i18n";
import { formatDateTime } from "~/lib/format";
import type { BackfillPanel } from "~/services/backfillAdmin.server";
import type { RunView } from "~/services/backfill/runView";

const ROUTE = "/app/backfill";
const POLL_MS = 2000;
const PHASES = ["products", "customers", "orders"] as const;

function isActive(panel: BackfillPanel | undefined) {
  return !!panel && (panel.running || [panel.backfill, panel.reconcile, panel.writeback].some((r) => r?.status === "running"));
}

/** Objects done over all phases with a known total (the bar's fraction). */
function fraction(run: RunView): number {
  let done = 0;
  let total = 0;
  for (const phase of PHASES) {
    const p = run.progress[phase];
    if (!p?.total) continue;
    done += Math.min(p.done, p.total);
    total += p.total;
  }
  if (run.status === "completed") return 1;
  return total ? done / total : 0;
}

/** The last reconciliation's webhook subscriptions check: a warning naming the missing topics. */
function WebhookCheckLine({ check }: { check: RunView["webhookCheck"] }) {
  const t = useT();
  const locale = useLocale();
  if (!check) return null;
  if (check.missing === null) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        {t("backfill.webhooks.appManaged")}
      </Text>
    );
  }
  if (!check.missing.length) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        {t("backfill.webhooks.allPresent", { count: check.listed })}
      </Text>
    );
  }
  const topics = new Intl.ListFormat(locale, { type: "conjunction" }).format(check.missing);
  return <Banner tone="warning">{t("backfill.webhooks.missing", { count: check.missing.length, topics })}</Banner>;
}

export function BackfillProgress({ initial }: { initial?: BackfillPanel }) {
  const t = useT();
  const locale = useLocale();
  const poll = useFetcher<BackfillPanel>();
  const act = useFetcher<{ started: boolean; panel: BackfillPanel }>();
  const panel = act.data?.panel && (!poll.data || act.state !== "idle") ? act.data.panel : (poll.data ?? initial);

  useEffect(() => {
    if (!panel && poll.state === "idle" && !poll.data) poll.load(ROUTE);
  }, [panel, poll]);
  const active = isActive(panel);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (poll.state === "idle") poll.load(ROUTE);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, poll]);

  const submit = (intent: string) => act.submit({ intent }, { method: "post", action: ROUTE });
  const busy = active || act.state !== "idle";
  const date = (iso: string | null) => (iso && panel ? formatDateTime(iso, locale, panel.timeZone) : "—");

  if (!panel) return <Card>{t("backfill.title")}</Card>;
  const run = panel.backfill;
  const phaseLabel = (phase: string) => t(`backfill.phase.${phase}` as MessageKey);
  const repaired = (r: RunView) => PHASES.reduce((sum, p) => sum + (r.counts[p]?.created ?? 0) + (r.counts[p]?.updated ?? 0), 0);
  const wb = panel.writeback?.counts as unknown as Record<string, number> | undefined;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t("backfill.title")}
            </Text>
            {run ? (
              <Badge tone={run.status === "completed" ? "success" : run.status === "failed" ? "critical" : "info"}>
                {t(`backfill.status.${run.status}` as MessageKey)}
              </Badge>
            ) : null}
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("backfill.description")}
          </Text>
          {!run ? <Text as="p">{t("backfill.never")}</Text> : null}
          {run ? (
            <BlockStack gap="200">
              <Text as="p" variant="bodySm">
                {t("backfill.progressLabel", { phase: phaseLabel(run.phase), percent: fraction(run) })}
              </Text>
              <ProgressBar progress={Math.round(fraction(run) * 100)} tone={run.status === "failed" ? "critical" : "primary"} size="small" />
              {PHASES.map((phase) => {
                const p = run.progress[phase];
                const c = run.counts[phase];
                if (!p) return null;
                return (
                  <InlineStack key={phase} gap="200" align="space-between">
                    <Text as="span" variant="bodySm">
                      {phaseLabel(phase)}
                    </Text>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {p.total !== null ? t("backfill.progress", { done: p.done, total: p.total }) : t("backfill.progressUnknown", { done: p.done })}
                      {c ? ` · ${t("backfill.counts", { created: c.created, updated: c.updated, unchanged: c.unchanged })}` : ""}
                    </Text>
                  </InlineStack>
                );
              })}
              {run.status === "completed" ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("backfill.finished", { date: date(run.finishedAt) })}
                </Text>
              ) : null}
            </BlockStack>
          ) : null}
          {run?.ordersLimited ? <Banner tone="warning">{t("backfill.ordersLimited")}</Banner> : null}
          {run?.status === "failed" && run.error ? <Banner tone="critical">{t("backfill.failed", { error: run.error })}</Banner> : null}
          <Text as="p" variant="bodySm" tone="subdued">
            {panel.reconcile
              ? t("backfill.reconcile.last", {
                  count: repaired(panel.reconcile),
                  date: date(panel.reconcile.finishedAt ?? panel.reconcile.startedAt),
                })
              : t("backfill.reconcile.never")}
          </Text>
          <WebhookCheckLine check={panel.reconcile?.webhookCheck ?? null} />
          <InlineStack gap="200">
            {!run ? (
              <Button variant="primary" onClick={() => submit("backfill")} disabled={busy}>
                {t("backfill.start")}
              </Button>
            ) : run.status === "failed" ? (
              <Button variant="primary" onClick={() => submit("resume")} disabled={busy}>
                {t("backfill.resume")}
              </Button>
            ) : (
              <Button onClick={() => submit("backfill")} disabled={busy}>
                {t("backfill.restart")}
              </Button>
            )}
            <Button onClick={() => submit("reconcile")} disabled={busy || run?.status !== "completed"}>
              {t("backfill.reconcile")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t("backfill.writeback.title")}
            </Text>
            <Badge tone={panel.writeBackEnabled ? "success" : undefined}>
              {t(panel.writeBackEnabled ? "backfill.writeback.on" : "backfill.writeback.off")}
            </Badge>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("backfill.writeback.description")}
          </Text>
          {panel.writeback?.status === "running" ? (
            <ProgressBar
              progress={Math.round(
                (((panel.writeback.progress as Record<string, { done: number; total: number | null }>).customers?.done ?? 0) /
                  Math.max(1, (panel.writeback.progress as Record<string, { done: number; total: number | null }>).customers?.total ?? 1)) *
                  100,
              )}
              size="small"
            />
          ) : null}
          {wb && panel.writeback?.status !== "running" ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {t("backfill.writeback.last", {
                changed: wb.changed ?? 0,
                errors: wb.errors ?? 0,
                date: date(panel.writeback!.finishedAt ?? panel.writeback!.startedAt),
              })}
            </Text>
          ) : null}
          {panel.writeback?.error ? <Banner tone="warning">{panel.writeback.error}</Banner> : null}
          <InlineStack gap="200">
            <Button onClick={() => submit(panel.writeBackEnabled ? "writeback-off" : "writeback-on")} disabled={act.state !== "idle"}>
              {t(panel.writeBackEnabled ? "backfill.writeback.disable" : "backfill.writeback.enable")}
            </Button>
            <Button variant="primary" onClick={() => submit("writeback")} disabled={busy || !panel.writeBackEnabled || run?.status !== "completed"}>
              {t("backfill.writeback.now")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}
