import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link as RemixLink, useFetcher, useLoaderData, useNavigate, useRevalidator, useRouteError, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
  Tooltip,
} from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useEffect, useState } from "react";
import { useToast } from "~/components/adminShell";
import { Chart } from "~/components/charts/Chart";
import { dayText } from "~/components/insights/dayText";
import { Freshness } from "~/components/insights/Freshness";
import { NoAnalysisYet } from "~/components/insights/PageState";
import { segmentText, useLocale, useT, type Locale, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getDashboard, PeriodError, requestRecompute } from "~/services/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const params = new URL(request.url).searchParams;
  try {
    return { ...(await getDashboard(shop, params)), periodError: null, serverNow: new Date().toISOString() };
  } catch (error) {
    if (!(error instanceof PeriodError)) throw error;
    // A bad custom range: say why, and show the last 30 days meanwhile.
    const fallback = new URLSearchParams({ period: "30", compare: params.get("compare") ?? "previous" });
    return { ...(await getDashboard(shop, fallback)), periodError: error.reason, serverNow: new Date().toISOString() };
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  if (form.get("intent") !== "recompute") return Response.json({ ok: false }, { status: 400 });
  return { ok: requestRecompute(shop) };
}

type Data = Extract<Awaited<ReturnType<typeof loader>>, { state: "ready" }>;
type Kpi = Data["kpis"][number];

function formatKpi(kpi: Pick<Kpi, "format">, value: number | null, locale: Locale, currency: string) {
  if (value === null) return "—";
  if (kpi.format === "money") return formatMoney(value, currency, locale);
  if (kpi.format === "percent") return formatPercent(value, locale);
  if (kpi.format === "ratio") return `${formatNumber(Math.round(value * 10) / 10, locale)} : 1`;
  if (kpi.format === "score") return formatNumber(Math.round(value), locale);
  return formatNumber(value, locale);
}

function KpiCard({ kpi, currency, compare }: { kpi: Kpi; currency: string; compare: "previous" | "year" }) {
  const t = useT();
  const locale = useLocale();
  const label = t(`dashboard.kpi.${kpi.key}` as MessageKey);
  const value = formatKpi(kpi, kpi.value, locale, currency);
  let change: React.ReactNode = (
    <Text as="span" variant="bodySm" tone="subdued">
      {t("dashboard.noComparison")}
    </Text>
  );
  if (kpi.change !== null && kpi.previous !== null) {
    const good = kpi.change === 0 ? null : kpi.change > 0 === (kpi.better === "up");
    const text =
      kpi.format === "percent"
        ? t("dashboard.changePoints", { value: `${kpi.change > 0 ? "+" : ""}${formatNumber(Math.round(kpi.change * 10) / 10, locale)}` })
        : kpi.previous === 0
          ? "—"
          : `${kpi.change > 0 ? "+" : ""}${formatPercent((kpi.change / Math.abs(kpi.previous)) * 100, locale)}`;
    change = (
      <InlineStack gap="100" blockAlign="center" wrap={false}>
        <Badge tone={good === null ? undefined : good ? "success" : "critical"}>{text}</Badge>
        <Text as="span" variant="bodySm" tone="subdued">
          {t(compare === "year" ? "dashboard.vsYear" : "dashboard.vsPrevious", { value: formatKpi(kpi, kpi.previous, locale, currency) })}
        </Text>
      </InlineStack>
    );
  }
  return (
    <Card>
      <BlockStack gap="150">
        <Tooltip content={t(`dashboard.def.${kpi.key}` as MessageKey)} preferredPosition="above" width="wide">
          <button
            type="button"
            style={{
              background: "none",
              border: 0,
              padding: 0,
              cursor: "help",
              textDecoration: "underline dotted",
              textUnderlineOffset: 3,
              color: "inherit",
            }}
          >
            <Text as="h3" variant="headingSm" tone="subdued">
              {label}
            </Text>
          </button>
        </Tooltip>
        {kpi.key === "nps" && kpi.value === null ? (
          <Text as="p" variant="headingLg" tone="subdued">
            {t("dashboard.npsEmpty")}
          </Text>
        ) : (
          <Text as="p" variant="headingXl">
            {value}
          </Text>
        )}
        {kpi.key === "nps" ? <Link url="/app/nps">{t("dashboard.npsLink")}</Link> : null}
        {kpi.key === "cac" && kpi.value === null ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {t("dashboard.cacEmpty")}
          </Text>
        ) : (
          change
        )}
        {kpi.spark.length > 1 ? (
          <Chart
            kind="spark"
            title={t("dashboard.sparkTitle", { kpi: label })}
            data={[{ name: label, points: kpi.spark.map((v, i) => ({ key: String(i), value: v })) }]}
            height={36}
            table={{ headings: [], rows: [] }}
          />
        ) : (
          <div style={{ height: 36 }} />
        )}
      </BlockStack>
    </Card>
  );
}

function PeriodPicker({ period }: { period: Data["period"] }) {
  const t = useT();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) next.set(k, v);
    if (next.get("period") !== "custom") {
      next.delete("from");
      next.delete("to");
    }
    navigate(`?${next.toString()}`);
  };
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <Select
        label={t("dashboard.period")}
        options={(["30", "90", "365", "custom"] as const).map((p) => ({ value: p, label: t(`dashboard.period.${p}` as MessageKey) }))}
        value={period.period}
        onChange={(value) => (value === "custom" ? go({ period: "custom", from: period.from, to: period.to }) : go({ period: value }))}
      />
      {period.period === "custom" ? (
        <>
          <TextField label={t("dashboard.from")} type="date" value={from} onChange={setFrom} autoComplete="off" />
          <TextField label={t("dashboard.to")} type="date" value={to} onChange={setTo} autoComplete="off" />
          <Button onClick={() => go({ period: "custom", from, to })}>{t("dashboard.apply")}</Button>
        </>
      ) : null}
      <Select
        label={t("dashboard.compare")}
        options={[
          { value: "previous", label: t("dashboard.compare.previous") },
          { value: "year", label: t("dashboard.compare.year") },
        ]}
        value={period.compare}
        onChange={(value) => go({ compare: value })}
      />
    </InlineStack>
  );
}

function Recompute({ computedAt, serverNow, initial }: { computedAt: string; serverNow: string; initial: Data["status"] }) {
  const t = useT();
  const action = useFetcher<{ ok: boolean }>();
  const status = useFetcher<{ state: string; since: string | null; computedAt: string | null; available: boolean }>();
  const revalidator = useRevalidator();
  // The analysis the page showed when it was opened: a newer one means the recompute finished.
  const [baseline] = useState(computedAt);
  const toast = useToast();
  const requested = action.data?.ok === true || initial.state !== "idle";
  const finished = status.data?.state === "idle" ? status.data : null;
  const watching = requested && !finished;
  const state = status.data?.state ?? (action.data?.ok ? "queued" : initial.state);

  useEffect(() => {
    if (!watching) return;
    const timer = window.setInterval(() => status.load("/app/analysis-status"), 1500);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [watching]);
  const fresh = finished?.computedAt && finished.computedAt !== baseline ? finished.computedAt : null;
  useEffect(() => {
    if (fresh) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fresh]);
  useEffect(() => {
    if (fresh) toast(t("dashboard.recomputeDone"));
  }, [fresh, toast, t]);
  const unavailable = action.state === "idle" && action.data?.ok === false;
  useEffect(() => {
    if (unavailable) toast(t("dashboard.recomputeUnavailable"), { error: true });
  }, [unavailable, toast, t]);

  const busy = watching || action.state !== "idle";
  return (
    <InlineStack gap="300" blockAlign="center">
      <Freshness computedAt={computedAt} serverNow={serverNow} />
      {busy ? (
        <Box minWidth="160px">
          <BlockStack gap="100">
            <Text as="span" variant="bodySm">
              {t(state === "running" ? "dashboard.recomputeRunning" : "dashboard.recomputeQueued")}
            </Text>
            <ProgressBar progress={state === "running" ? 60 : 15} size="small" animated />
          </BlockStack>
        </Box>
      ) : (
        <action.Form method="post">
          <input type="hidden" name="intent" value="recompute" />
          <Button submit>{t("dashboard.recompute")}</Button>
        </action.Form>
      )}
    </InlineStack>
  );
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  if (data.state === "empty") return <NoAnalysisYet title={t("dashboard.title")} />;
  const { shop, period, kpis, series, comparisonSeries, segments, attention, analysis } = data;
  const money = (v: number | string) => formatMoney(v, shop.currency, locale);
  const short = (label: string) => dayText(label, locale, "short");
  const compareName = t(period.compare === "year" ? "dashboard.series.year" : "dashboard.series.previous");
  const currentName = t("dashboard.series.current");
  const totalCustomers = segments.reduce((s, x) => s + x.customers, 0);
  const sortedSegments = [...segments].filter((s) => s.customers > 0).sort((a, b) => b.customers - a.customers);

  return (
    <Page
      title={t("dashboard.title")}
      subtitle={t("dashboard.subtitle", { from: dayText(period.from, locale), to: dayText(period.to, locale), shop: shop.name ?? shop.domain })}
    >
      <BlockStack gap="400">
        <Card>
          <InlineStack align="space-between" blockAlign="end" gap="400" wrap>
            <PeriodPicker key={`${period.period}${period.from}${period.to}`} period={period} />
            <Recompute computedAt={analysis.computedAt} serverNow={data.serverNow} initial={data.status} />
          </InlineStack>
        </Card>
        {data.periodError ? (
          <Banner tone="warning" title={t("dashboard.periodErrorTitle")}>
            <p>{t(`dashboard.periodError.${data.periodError}` as MessageKey)}</p>
          </Banner>
        ) : null}
        {analysis.lowConfidence ? (
          <Banner tone="info" title={t("dashboard.lowConfidenceTitle")}>
            <p>
              {t("dashboard.lowConfidenceBody")} <Link url="/app/predictions">{t("dashboard.seePredictions")}</Link>
            </p>
          </Banner>
        ) : null}
        <Text as="p" tone="subdued">
          {t("dashboard.comparedWith", { from: dayText(period.comparisonFrom, locale), to: dayText(period.comparisonTo, locale) })}
        </Text>
        <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 4 }} gap="300">
          {kpis.map((kpi) => (
            <KpiCard key={kpi.key} kpi={kpi} currency={shop.currency} compare={period.compare} />
          ))}
        </InlineGrid>
        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.revenueChart")}
                </Text>
                <Chart
                  kind="line"
                  title={t("dashboard.revenueChart")}
                  height={260}
                  xFormat={short}
                  yFormat={(v) => money(v)}
                  data={[
                    { name: currentName, points: series.map((p) => ({ key: p.date, value: p.netRevenue })) },
                    {
                      name: compareName,
                      comparison: true,
                      points: comparisonSeries.map((p, i) => ({ key: series[i]?.date ?? p.date, value: p.netRevenue })),
                    },
                  ]}
                  table={{
                    headings: [t("dashboard.day"), currentName, compareName],
                    rows: series.map((p, i) => [
                      dayText(p.date, locale),
                      money(p.netRevenue),
                      comparisonSeries[i] ? money(comparisonSeries[i].netRevenue) : "—",
                    ]),
                  }}
                />
                <Text as="h2" variant="headingMd">
                  {t("dashboard.ordersChart")}
                </Text>
                <Chart
                  kind="line"
                  title={t("dashboard.ordersChart")}
                  height={200}
                  xFormat={short}
                  yFormat={(v) => formatNumber(v, locale)}
                  data={[
                    { name: currentName, points: series.map((p) => ({ key: p.date, value: p.orders })) },
                    {
                      name: compareName,
                      comparison: true,
                      points: comparisonSeries.map((p, i) => ({ key: series[i]?.date ?? p.date, value: p.orders })),
                    },
                  ]}
                  table={{
                    headings: [t("dashboard.day"), currentName, compareName],
                    rows: series.map((p, i) => [
                      dayText(p.date, locale),
                      formatNumber(p.orders, locale),
                      comparisonSeries[i] ? formatNumber(comparisonSeries[i].orders, locale) : "—",
                    ]),
                  }}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("dashboard.attention")}
                  </Text>
                  {attention.slippingCount === 0 && attention.shrank.length === 0 && attention.atRisk === 0 ? (
                    <Text as="p" tone="subdued">
                      {t("dashboard.attentionNone")}
                    </Text>
                  ) : null}
                  {attention.atRisk > 0 ? (
                    <BlockStack gap="100">
                      <Text as="p">{t("dashboard.atRiskValuable", { count: attention.atRisk })}</Text>
                      <Link url="/app/predictions#at-risk">{t("dashboard.seeAtRisk")}</Link>
                    </BlockStack>
                  ) : null}
                  {attention.slippingCount > 0 ? (
                    <BlockStack gap="100">
                      <Text as="p">{t("dashboard.slipping", { count: attention.slippingCount, since: dayText(attention.sinceDate, locale) })}</Text>
                      {attention.slipping.map((c) => (
                        <Text as="p" variant="bodySm" key={c.shopifyId}>
                          <Link url={`/app/customers/${c.shopifyId}`}>{c.name ?? t("dashboard.customerNumber", { id: c.shopifyId })}</Link>
                          {" · "}
                          {t("dashboard.moved", { from: segmentText(locale, c.from), to: segmentText(locale, c.to) })}
                        </Text>
                      ))}
                    </BlockStack>
                  ) : null}
                  {attention.shrank.map((s) => (
                    <Text as="p" key={s.segment}>
                      {t("dashboard.shrank", { segment: segmentText(locale, s.segment), before: s.before, now: s.now })}{" "}
                      <Link url={`/app/customers?segment=${s.segment}`}>{t("dashboard.seeCustomers")}</Link>
                    </Text>
                  ))}
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between">
                    <Text as="h2" variant="headingMd">
                      {t("dashboard.segments")}
                    </Text>
                    <RemixLink to="/app/segments">{t("dashboard.allSegments")}</RemixLink>
                  </InlineStack>
                  {sortedSegments.map((s) => (
                    <BlockStack gap="050" key={s.segment}>
                      <InlineStack align="space-between" gap="200">
                        <Link url={`/app/customers?segment=${s.segment}`}>{segmentText(locale, s.segment)}</Link>
                        <Text as="span" variant="bodySm" tone="subdued">
                          {t("dashboard.segmentCustomers", {
                            count: s.customers,
                            share: formatPercent(totalCustomers ? (s.customers / totalCustomers) * 100 : 0, locale, 0),
                          })}
                        </Text>
                      </InlineStack>
                      <ProgressBar progress={totalCustomers ? (s.customers / totalCustomers) * 100 : 0} size="small" tone="primary" />
                    </BlockStack>
                  ))}
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("dashboard.analysedOn", { date: formatDate(`${analysis.date}T12:00:00Z`, locale, "UTC") })}
                  </Text>
                </BlockStack>
              </Card>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
