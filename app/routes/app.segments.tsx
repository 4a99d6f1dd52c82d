import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useRouteError } from "@remix-run/react";
import { BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Link, Page, Text, TextField } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { Chart } from "~/components/charts/Chart";
import { dayText } from "~/components/insights/dayText";
import { heat } from "~/components/insights/heat";
import { NoAnalysisYet } from "~/components/insights/PageState";
import { useToast } from "~/components/adminShell";
import { segmentText, useLocale, useT } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getSegmentsPage } from "~/services/segmentsPage.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return getSegmentsPage(shop, new URL(request.url).searchParams);
}

type Data = Extract<Awaited<ReturnType<typeof loader>>, { state: "ready" }>;

function RfmGrid({ grid }: { grid: Data["grid"] }) {
  const t = useT();
  const locale = useLocale();
  const max = Math.max(1, ...grid.customers.flat());
  const cell = { padding: 0, border: "1px solid var(--p-color-border-secondary)", textAlign: "center" as const, minWidth: 40 };
  return (
    <table style={{ borderCollapse: "collapse", width: "100%" }}>
      <caption style={{ textAlign: "start", paddingBottom: 8 }}>
        <Text as="span" variant="bodySm" tone="subdued">
          {t("segments.gridCaption")}
        </Text>
      </caption>
      <thead>
        <tr>
          <th scope="col" style={{ textAlign: "start" }}>
            <Text as="span" variant="bodySm">
              {t("segments.gridCorner")}
            </Text>
          </th>
          {[1, 2, 3, 4, 5].map((f) => (
            <th scope="col" key={f}>
              <Text as="span" variant="bodySm">
                F{f}
              </Text>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {[5, 4, 3, 2, 1].map((r) => (
          <tr key={r}>
            <th scope="row" style={{ textAlign: "start", paddingRight: 8 }}>
              <Text as="span" variant="bodySm">
                R{r}
              </Text>
            </th>
            {[1, 2, 3, 4, 5].map((f) => {
              const n = grid.customers[r - 1][f - 1];
              const style = heat(n / max);
              return (
                <td key={f} style={cell}>
                  <a
                    href={`/app/customers?r=${r}&f=${f}`}
                    aria-label={t("segments.gridCell", { r, f, count: n })}
                    style={{ display: "block", padding: "10px 4px", textDecoration: "none", ...style }}
                  >
                    {formatNumber(n, locale)}
                  </a>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MovesForm({ from, to }: { from: string; to: string }) {
  const t = useT();
  const [a, setA] = useState(from);
  const [b, setB] = useState(to);
  return (
    <Form method="get">
      <InlineStack gap="300" blockAlign="end">
        <TextField label={t("segments.movesFrom")} type="date" name="from" value={a} onChange={setA} autoComplete="off" />
        <TextField label={t("segments.movesTo")} type="date" name="to" value={b} onChange={setB} autoComplete="off" />
        <Button submit>{t("segments.movesApply")}</Button>
      </InlineStack>
    </Form>
  );
}

function MoveMatrix({ moves, segments }: { moves: Data["moves"]; segments: string[] }) {
  const t = useT();
  const locale = useLocale();
  const keys = segments.filter((s) => moves.counts.some((m) => m.from === s || m.to === s));
  if (!moves.counts.length) {
    return (
      <Text as="p" tone="subdued">
        {t("segments.movesNone")}
      </Text>
    );
  }
  const max = Math.max(1, ...moves.counts.map((m) => m.customers));
  const count = (from: string, to: string) => moves.counts.find((m) => m.from === from && m.to === to)?.customers ?? 0;
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "collapse", fontSize: 13 }}>
        <caption style={{ textAlign: "start", paddingBottom: 8 }}>
          <Text as="span" variant="bodySm" tone="subdued">
            {t("segments.movesCaption", { from: dayText(moves.from, locale), to: dayText(moves.to, locale) })}
          </Text>
        </caption>
        <thead>
          <tr>
            <th scope="col" style={{ textAlign: "start", padding: 4 }}>
              {t("segments.fromTo")}
            </th>
            {keys.map((k) => (
              <th scope="col" key={k} style={{ padding: 4, maxWidth: 90 }}>
                {segmentText(locale, k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((from) => (
            <tr key={from}>
              <th scope="row" style={{ textAlign: "start", padding: 4 }}>
                {segmentText(locale, from)}
              </th>
              {keys.map((to) => {
                const n = count(from, to);
                return (
                  <td
                    key={to}
                    style={{ textAlign: "center", padding: 6, border: "1px solid var(--p-color-border-secondary)", ...(n ? heat(n / max) : {}) }}
                  >
                    {n ? formatNumber(n, locale) : from === to ? "·" : ""}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExportButton({ segment }: { segment: string }) {
  const t = useT();
  const locale = useLocale();
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  // fetch, not a plain link: inside the Shopify admin App Bridge adds the session token to fetch.
  const run = async () => {
    setBusy(true);
    try {
      const response = await fetch(`/app/segments/export?segment=${encodeURIComponent(segment)}`);
      if (!response.ok) throw new Error(String(response.status));
      const blob = await response.blob();
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? `${segment}.csv`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.click();
      URL.revokeObjectURL(url);
      toast(t("segments.exported", { segment: segmentText(locale, segment) }));
    } catch {
      toast(t("segments.exportFailed"), { error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button size="slim" onClick={run} loading={busy} accessibilityLabel={t("segments.exportLabel", { segment: segmentText(locale, segment) })}>
        {t("segments.export")}
      </Button>
    </>
  );
}

export default function Segments() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  if (data.state === "empty") return <NoAnalysisYet title={t("segments.title")} />;
  const { shop, segments, grid, trend, moves, total } = data;
  const money = (v: number | null) => (v === null ? "—" : formatMoney(v, shop.currency, locale));
  const shown = segments.filter((s) => s.customers > 0);
  return (
    <Page
      title={t("segments.title")}
      subtitle={t("segments.subtitle", { count: total, date: dayText(data.analysis.date, locale) })}
      backAction={{ content: t("dashboard.title"), url: "/app" }}
    >
      <BlockStack gap="400">
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "text", "text"]}
            headings={[
              t("segments.segment"),
              t("segments.customers"),
              t("segments.share"),
              t("segments.revenue"),
              t("segments.aov"),
              t("segments.recency"),
              t("segments.action"),
              "",
            ]}
            rows={shown.map((s) => [
              <div key={s.segment} style={{ whiteSpace: "normal", minWidth: 150, maxWidth: 200 }}>
                <BlockStack gap="050">
                  <Link url={`/app/customers?segment=${s.segment}`}>{segmentText(locale, s.segment)}</Link>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {segmentText(locale, s.segment, "description")}
                  </Text>
                </BlockStack>
              </div>,
              formatNumber(s.customers, locale),
              formatPercent(s.share, locale),
              money(s.revenue),
              money(s.averageOrderValue),
              s.medianRecencyDays === null ? "—" : t("segments.days", { count: Math.round(s.medianRecencyDays) }),
              <div key="a" style={{ whiteSpace: "normal", minWidth: 240, maxWidth: 340 }}>
                <Text as="span" variant="bodySm">
                  {segmentText(locale, s.segment, "action")}
                </Text>
              </div>,
              <ExportButton segment={s.segment} key="e" />,
            ])}
            verticalAlign="top"
          />
        </Card>
        <InlineGrid columns={{ xs: 1, lg: ["oneHalf", "oneHalf"] }} gap="400">
          <Box>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("segments.grid")}
                </Text>
                <RfmGrid grid={grid} />
              </BlockStack>
            </Card>
          </Box>
          <Box>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("segments.trend")}
                </Text>
                {trend.dates.length < 2 ? (
                  <Text as="p" tone="subdued">
                    {t("segments.trendOnePoint")}
                  </Text>
                ) : null}
                <Chart
                  kind="stackedArea"
                  title={t("segments.trend")}
                  height={280}
                  xFormat={(v) => dayText(v, locale, "short")}
                  yFormat={(v) => formatNumber(v, locale)}
                  data={trend.series
                    .filter((s) => s.points.some((p) => p.customers > 0))
                    .map((s) => ({ name: segmentText(locale, s.segment), points: s.points.map((p) => ({ key: p.date, value: p.customers })) }))}
                  table={{
                    headings: [t("segments.date"), ...trend.series.map((s) => segmentText(locale, s.segment))],
                    rows: trend.dates.map((date, i) => [
                      dayText(date, locale),
                      ...trend.series.map((s) => formatNumber(s.points[i].customers, locale)),
                    ]),
                  }}
                />
              </BlockStack>
            </Card>
          </Box>
        </InlineGrid>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("segments.moves")}
            </Text>
            <MovesForm key={`${moves.from}${moves.to}`} from={moves.from} to={moves.to} />
            <MoveMatrix moves={moves} segments={segments.map((s) => s.segment)} />
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
