import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, DataTable, InlineGrid, Link, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Chart } from "~/components/charts/Chart";
import { dayText } from "~/components/insights/dayText";
import { NoAnalysisYet } from "~/components/insights/PageState";
import { noteText, segmentText, useLocale, useT } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getPredictionsPage } from "~/services/predictionsPage.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return getPredictionsPage(shop);
}

const num = (v: number, digits: number, locale: "en" | "fr") =>
  new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);

export default function Predictions() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  if (data.state === "empty") return <NoAnalysisYet title={t("predictions.title")} />;
  const { shop, analysis, model, histogram, next90, backtest, atRisk } = data;
  const money = (v: number | string | null) => (v === null ? "—" : formatMoney(v, shop.currency, locale));
  const binLabel = (b: (typeof histogram)[number]) =>
    b.to === null ? t("predictions.binOpen", { from: money(b.from) }) : t("predictions.bin", { from: money(b.from), to: money(b.to) });
  const bg = model.bgnbd;
  const gg = model.gammaGamma;
  const se = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : num(v, 4, locale));
  const paramRows: string[][] = [];
  if (bg)
    for (const k of ["r", "alpha", "a", "b"] as const)
      paramRows.push([t("predictions.purchaseModel"), k === "alpha" ? "α" : k, num(bg[k], 4, locale), se(bg.standardErrors?.[k])]);
  if (gg)
    for (const k of ["p", "q", "gamma"] as const)
      paramRows.push([t("predictions.spendModel"), k === "gamma" ? "γ" : k, num(gg[k], 4, locale), se(gg.standardErrors?.[k])]);
  const error =
    backtest && backtest.actualPurchases > 0 ? ((backtest.predictedPurchases - backtest.actualPurchases) / backtest.actualPurchases) * 100 : null;

  return (
    <Page
      title={t("predictions.title")}
      subtitle={t("predictions.subtitle", { date: dayText(analysis.date, locale) })}
      backAction={{ content: t("dashboard.title"), url: "/app" }}
    >
      <BlockStack gap="400">
        {analysis.lowConfidence ? (
          <Banner tone="warning" title={t("predictions.lowConfidenceTitle")}>
            <BlockStack gap="100">
              <p>{t("predictions.lowConfidenceBody", { customers: analysis.customers, repeat: analysis.repeatCustomers })}</p>
              {analysis.confidenceNotes.map((note, i) => (
                <p key={i}>{noteText(locale, note)}</p>
              ))}
            </BlockStack>
          </Banner>
        ) : null}
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
          <Card>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm" tone="subdued">
                {t("predictions.next90Orders")}
              </Text>
              <Text as="p" variant="headingXl">
                {next90 ? formatNumber(Math.round(next90.purchases), locale) : "—"}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("predictions.next90Help", { count: next90?.customers ?? 0 })}
              </Text>
            </BlockStack>
          </Card>
          <Card>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm" tone="subdued">
                {t("predictions.next90Revenue")}
              </Text>
              <Text as="p" variant="headingXl">
                {money(next90?.revenue ?? null)}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("predictions.next90RevenueHelp")}
              </Text>
            </BlockStack>
          </Card>
          <Card>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm" tone="subdued">
                {t("predictions.confidence")}
              </Text>
              <div>
                <Badge tone={analysis.lowConfidence ? "warning" : "success"}>
                  {t(analysis.lowConfidence ? "predictions.confidenceLow" : "predictions.confidenceOk")}
                </Badge>
              </div>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("predictions.fittedOn", { customers: analysis.customers, repeat: analysis.repeatCustomers })}
              </Text>
            </BlockStack>
          </Card>
        </InlineGrid>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("predictions.histogram")}
            </Text>
            {histogram.length ? (
              <Chart
                kind="bar"
                title={t("predictions.histogram")}
                height={260}
                yFormat={(v) => formatNumber(v, locale)}
                data={[{ name: t("predictions.customers"), points: histogram.map((b) => ({ key: binLabel(b), value: b.customers })) }]}
                table={{
                  headings: [t("predictions.clvRange"), t("predictions.customers")],
                  rows: histogram.map((b) => [binLabel(b), formatNumber(b.customers, locale)]),
                }}
              />
            ) : (
              <Text as="p" tone="subdued">
                {t("predictions.noPredictions")}
              </Text>
            )}
          </BlockStack>
        </Card>
        <Card padding="0">
          <div id="at-risk" style={{ padding: 16 }}>
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                {t("predictions.atRisk")}
              </Text>
              <Text as="p" tone="subdued">
                {t("predictions.atRiskHelp")}
              </Text>
            </BlockStack>
          </div>
          {atRisk.length ? (
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
              headings={[
                t("predictions.customer"),
                t("predictions.segment"),
                t("predictions.orders"),
                t("predictions.spent"),
                t("predictions.pAlive"),
                t("predictions.clv"),
                t("predictions.lastOrder"),
              ]}
              rows={atRisk.map((c) => [
                <Link key="n" url={`/app/customers/${c.shopifyId}`}>
                  {c.name ?? t("predictions.customerNumber", { id: c.shopifyId })}
                </Link>,
                c.segment ? segmentText(locale, c.segment) : "—",
                formatNumber(c.orders, locale),
                money(c.monetary),
                formatPercent(c.pAlive * 100, locale, 0),
                money(c.predictedClv12m),
                c.lastOrderAt ? dayText(c.lastOrderAt.slice(0, 10), locale) : "—",
              ])}
            />
          ) : (
            <div style={{ padding: 16 }}>
              <Text as="p" tone="subdued">
                {t("predictions.atRiskNone")}
              </Text>
            </div>
          )}
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("predictions.backtest")}
            </Text>
            {backtest ? (
              <>
                <Text as="p">
                  {t("predictions.backtestSummary", {
                    cutoff: dayText(backtest.cutoff, locale),
                    end: dayText(backtest.end, locale),
                    customers: backtest.customers,
                    predicted: formatNumber(Math.round(backtest.predictedPurchases), locale),
                    actual: formatNumber(backtest.actualPurchases, locale),
                  })}{" "}
                  {error !== null
                    ? t("predictions.backtestError", { error: formatPercent(Math.abs(error), locale), direction: error < 0 ? "under" : "over" })
                    : null}
                </Text>
                {backtest.predictedRevenue !== null ? (
                  <Text as="p" tone="subdued">
                    {t("predictions.backtestRevenue", { predicted: money(backtest.predictedRevenue), actual: money(backtest.actualRevenue) })}
                  </Text>
                ) : null}
                <Chart
                  kind="line"
                  title={t("predictions.backtestChart")}
                  height={260}
                  xFormat={(v) => t("predictions.weekN", { n: Number(v) })}
                  yFormat={(v) => formatNumber(v, locale)}
                  data={[
                    { name: t("predictions.actual"), points: backtest.weeks.map((w) => ({ key: String(w.week), value: w.actualCumulative })) },
                    {
                      name: t("predictions.predicted"),
                      comparison: true,
                      points: backtest.weeks.map((w) => ({ key: String(w.week), value: w.predictedCumulative })),
                    },
                  ]}
                  table={{
                    headings: [t("predictions.week"), t("predictions.predicted"), t("predictions.actual")],
                    rows: backtest.weeks.map((w) => [
                      t("predictions.weekN", { n: w.week }),
                      num(w.predictedCumulative, 1, locale),
                      formatNumber(w.actualCumulative, locale),
                    ]),
                  }}
                />
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={[t("predictions.repeatBefore"), t("predictions.customers"), t("predictions.predictedMean"), t("predictions.actualMean")]}
                  rows={backtest.byRepeatPurchases.map((b) => [
                    b.repeatPurchases,
                    formatNumber(b.customers, locale),
                    num(b.predictedMean, 2, locale),
                    num(b.actualMean, 2, locale),
                  ])}
                />
              </>
            ) : (
              <Text as="p" tone="subdued">
                {t(data.backtestSkipped === "no_fit" ? "predictions.backtestNoFit" : "predictions.backtestTooShort")}
              </Text>
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("predictions.fit")}
            </Text>
            <Text as="p" tone="subdued">
              {t("predictions.fitHelp")}
            </Text>
            {paramRows.length ? (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric"]}
                headings={[t("predictions.model"), t("predictions.parameter"), t("predictions.estimate"), t("predictions.standardError")]}
                rows={paramRows}
              />
            ) : (
              <Text as="p">{t("predictions.noPredictions")}</Text>
            )}
            {bg ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {t("predictions.fitQuality", {
                  ll: num(bg.logLikelihood, 1, locale),
                  converged: bg.converged ? "yes" : "no",
                  degenerate: bg.degenerate ? "yes" : "no",
                })}
              </Text>
            ) : null}
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
