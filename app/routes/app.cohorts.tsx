import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRouteError } from "@remix-run/react";
import { BlockStack, Card, InlineStack, Page, Tabs, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { Chart } from "~/components/charts/Chart";
import { dayText } from "~/components/insights/dayText";
import { heat } from "~/components/insights/heat";
import { NoAnalysisYet } from "~/components/insights/PageState";
import { useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getCohortsPage } from "~/services/cohortsPage.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return getCohortsPage(shop);
}

const METRICS = ["retentionRate", "revenuePerCustomer", "cumulativeRevenuePerCustomer"] as const;
type Metric = (typeof METRICS)[number];
/** Months since the first order shown in the heat map and the curves. */
const MAX_MONTHS = 12;
const CURVES = 6;

export default function Cohorts() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const [tab, setTab] = useState(0);
  if (data.state === "empty") return <NoAnalysisYet title={t("cohorts.title")} />;
  const { cohorts, shop } = data;
  const metric: Metric = METRICS[tab];
  const format = (v: number) => (metric === "retentionRate" ? formatPercent(v, locale, 0) : formatMoney(v, shop.currency, locale));
  const months = Array.from({ length: MAX_MONTHS + 1 }, (_, i) => i);
  // Colour scale per metric, month 0 of retention (always 100 %) left out of the maximum.
  const values = cohorts.flatMap((c) =>
    c.months.filter((m) => m.monthsSinceFirst <= MAX_MONTHS && !(metric === "retentionRate" && m.monthsSinceFirst === 0)).map((m) => m[metric]),
  );
  const max = Math.max(1e-9, ...values);
  const recent = cohorts.filter((c) => c.months.length > 1).slice(-CURVES);
  const rows = [...cohorts].reverse();

  return (
    <Page
      title={t("cohorts.title")}
      subtitle={t("cohorts.subtitle", { count: cohorts.length })}
      backAction={{ content: t("dashboard.title"), url: "/app" }}
    >
      <BlockStack gap="400">
        <Card padding="0">
          <Tabs tabs={METRICS.map((m) => ({ id: m, content: t(`cohorts.metric.${m}` as MessageKey) }))} selected={tab} onSelect={setTab} />
          <div style={{ overflowX: "auto", padding: 16 }}>
            <table style={{ borderCollapse: "collapse", fontSize: 13, width: "100%" }}>
              <caption style={{ textAlign: "start", paddingBottom: 8 }}>
                <Text as="span" variant="bodySm" tone="subdued">
                  {t(`cohorts.caption.${metric}` as MessageKey)}
                </Text>
              </caption>
              <thead>
                <tr>
                  <th scope="col" style={{ textAlign: "start", padding: 4 }}>
                    {t("cohorts.cohort")}
                  </th>
                  <th scope="col" style={{ textAlign: "end", padding: 4 }}>
                    {t("cohorts.size")}
                  </th>
                  {months.map((m) => (
                    <th scope="col" key={m} style={{ padding: 4 }}>
                      {t("cohorts.monthN", { n: m })}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.cohort}>
                    <th scope="row" style={{ textAlign: "start", padding: 4, whiteSpace: "nowrap" }}>
                      {dayText(c.cohort, locale, "month")}
                    </th>
                    <td style={{ textAlign: "end", padding: 4 }}>{formatNumber(c.customers, locale)}</td>
                    {months.map((m) => {
                      const cell = c.months.find((x) => x.monthsSinceFirst === m);
                      if (!cell) return <td key={m} />;
                      const v = cell[metric];
                      const colours = heat(Math.min(1, v / max));
                      return (
                        <td
                          key={m}
                          title={cell.partial ? t("cohorts.partial") : undefined}
                          style={{
                            textAlign: "center",
                            padding: "6px 4px",
                            border: "1px solid var(--p-color-border-secondary)",
                            ...colours,
                            fontStyle: cell.partial ? "italic" : undefined,
                            whiteSpace: "nowrap",
                          }}
                        >
                          {format(v)}
                          {cell.partial ? "*" : ""}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
            <Text as="p" variant="bodySm" tone="subdued">
              {t("cohorts.partialNote")}
            </Text>
          </div>
        </Card>
        <Card>
          <BlockStack gap="300">
            <InlineStack align="space-between">
              <Text as="h2" variant="headingMd">
                {t("cohorts.curves")}
              </Text>
            </InlineStack>
            <Text as="p" tone="subdued">
              {t("cohorts.curvesHelp")}
            </Text>
            <Chart
              kind="line"
              title={t("cohorts.curves")}
              height={300}
              xFormat={(v) => t("cohorts.monthN", { n: Number(v) })}
              yFormat={(v) => formatMoney(v, shop.currency, locale)}
              data={recent.map((c) => ({
                name: dayText(c.cohort, locale, "month"),
                points: c.months
                  .filter((m) => m.monthsSinceFirst <= MAX_MONTHS)
                  .map((m) => ({ key: String(m.monthsSinceFirst), value: m.cumulativeRevenuePerCustomer })),
              }))}
              table={{
                headings: [t("cohorts.cohort"), ...months.map((m) => t("cohorts.monthN", { n: m }))],
                rows: recent.map((c) => [
                  dayText(c.cohort, locale, "month"),
                  ...months.map((m) => {
                    const cell = c.months.find((x) => x.monthsSinceFirst === m);
                    return cell ? formatMoney(cell.cumulativeRevenuePerCustomer, shop.currency, locale) : "—";
                  }),
                ]),
              }}
            />
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
