import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineGrid, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import { detectLocale, segmentText, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getLatestKpis, getSegmentSummary } from "~/services/analyticsReads.server";
import { getDataHealth } from "~/services/dataHealth.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const [health, kpis, segments] = await Promise.all([getDataHealth(shop), getLatestKpis(shop), getSegmentSummary(shop, { days: 1 })]);
  const last30 = kpis?.ranges.find((r) => r.rangeKind === "last_30_days") ?? null;
  return {
    health,
    locale: detectLocale(request),
    analysis: kpis ? { date: kpis.date, lowConfidence: kpis.lowConfidence, last30 } : null,
    segments: segments?.segments ?? [],
  };
}

function Figure({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** NPS in points with its sign (+27.3), "—" without answers. */
function npsPoints(value: number | null, locale: "en" | "fr"): string {
  return value === null
    ? "—"
    : new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(value);
}

type Last30 = NonNullable<NonNullable<Awaited<ReturnType<typeof loader>>["analysis"]>["last30"]>;

/** The analysis date is a calendar day of the shop: shown as such, without a time zone shift. */
function KpiCard({ last30, date, money }: { last30: Last30; date: string; money: (amount: string | number) => string }) {
  const t = useT();
  const locale = useLocale();
  const pct = (value: number | null) => (value === null ? "—" : formatPercent(value, locale));
  // The stored KPIs are numbers in major units: Intl rounds them to the currency's decimals.
  const optionalMoney = (value: number | null) => (value === null ? "—" : money(value));
  const { current, previous } = last30;
  const rows: [string, string, string][] = [
    [t("home.netRevenue"), money(current.netRevenue), money(previous.netRevenue)],
    [t("home.orders"), formatNumber(current.orders, locale), formatNumber(previous.orders, locale)],
    [t("home.aov"), optionalMoney(current.averageOrderValue), optionalMoney(previous.averageOrderValue)],
    [t("home.newCustomers"), formatNumber(current.newCustomers, locale), formatNumber(previous.newCustomers, locale)],
    [t("home.repeatRate"), pct(current.repeatPurchaseRate), pct(previous.repeatPurchaseRate)],
    [t("home.abandonment"), pct(current.cartAbandonmentRate), pct(previous.cartAbandonmentRate)],
    [t("nps.home.label"), npsPoints(current.nps, locale), npsPoints(previous.nps, locale)],
  ];
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("home.kpiCard")}
        </Text>
        <Text as="p" tone="subdued">
          {t("home.kpiHelp", { date: formatDate(`${date}T12:00:00Z`, locale, "UTC") })}
        </Text>
        <DataTable columnContentTypes={["text", "numeric", "numeric"]} headings={["", t("home.last30"), t("home.previous30")]} rows={rows} />
        <Link url="/app/nps">{t("nps.home.link")}</Link>
      </BlockStack>
    </Card>
  );
}

const inboxTones = { pending: "attention", processing: "info", processed: "success", dead: "critical" } as const;

export default function Home() {
  const { health, analysis, segments } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const tz = health.shop.ianaTimezone;
  const money = (amount: string | number) => formatMoney(amount, health.shop.currency, locale);

  return (
    <Page title={t("home.title")} subtitle={t("home.subtitle", { shop: health.shop.name ?? health.shop.domain })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
              <Figure label={t("home.customers")} value={formatNumber(health.customers, locale)} />
              <Figure
                label={t("home.orders")}
                value={formatNumber(health.orders, locale)}
                help={t("home.ordersHelp", { cancelled: health.cancelledOrders })}
              />
              <Figure
                label={t("home.netRevenue")}
                value={money(health.netRevenue)}
                help={t("home.netRevenueHelp", { refunded: money(health.refunded) })}
              />
              <Figure label={t("home.products")} value={formatNumber(health.products, locale)} />
            </InlineGrid>
            {analysis?.last30 ? <KpiCard last30={analysis.last30} date={analysis.date} money={money} /> : null}
            {segments.length ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("home.segmentsCard")}
                  </Text>
                  {segments
                    .filter((segment) => segment.customers > 0)
                    .sort((a, b) => b.customers - a.customers)
                    .map((segment) => {
                      return (
                        <BlockStack key={segment.segment} gap="050">
                          <InlineStack align="space-between" blockAlign="center" gap="200">
                            <Text as="h3" variant="headingSm">
                              {segmentText(locale, segment.segment)}
                            </Text>
                            <Text as="p" tone="subdued">
                              {t("home.segmentFigures", { customers: segment.customers, revenue: money(segment.revenue) })}
                            </Text>
                          </InlineStack>
                          <Text as="p" variant="bodySm">
                            {segmentText(locale, segment.segment, "action")}
                          </Text>
                        </BlockStack>
                      );
                    })}
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("home.dataCard")}
                </Text>
                <Text as="p">
                  {health.firstOrderAt && health.lastOrderAt
                    ? t("home.orderRange", { from: formatDate(health.firstOrderAt, locale, tz), to: formatDate(health.lastOrderAt, locale, tz) })
                    : t("home.noOrders")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("home.checkouts", { value: formatNumber(health.checkouts, locale) })}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("home.eventsCard")}
                </Text>
                {health.lastEventPerTopic.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("home.eventsEmpty")}
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric"]}
                    headings={[t("home.topic"), t("home.lastReceived"), t("home.eventCount")]}
                    rows={health.lastEventPerTopic.map((event) => [
                      event.topic,
                      event.lastReceivedAt ? formatDateTime(event.lastReceivedAt, locale, tz) : "—",
                      formatNumber(event.count, locale),
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("home.shopCard")}
                </Text>
                <Text as="p" fontWeight="semibold">
                  {health.shop.name ?? health.shop.domain}
                </Text>
                <Text as="p" tone="subdued">
                  {health.shop.domain}
                </Text>
                <Text as="p">{t("home.currency", { value: health.shop.currency })}</Text>
                <Text as="p">{t("home.timezone", { value: tz })}</Text>
                <Text as="p">{t("home.installedAt", { value: formatDate(health.shop.installedAt, locale, tz) })}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("home.inboxCard")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("home.inboxHelp")}
                </Text>
                <InlineGrid columns={2} gap="200">
                  {(Object.keys(inboxTones) as (keyof typeof inboxTones)[]).map((status) => (
                    <BlockStack key={status} gap="100">
                      <Badge tone={inboxTones[status]}>{t(`inbox.${status}` as MessageKey)}</Badge>
                      <Text as="p" variant="headingLg">
                        {formatNumber(health.inbox[status], locale)}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>
            {health.deadEvents.length > 0 ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("home.deadCard")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("home.deadHelp")}
                  </Text>
                  {health.deadEvents.map((event) => (
                    <BlockStack key={event.id} gap="050">
                      <Text as="p" fontWeight="semibold">
                        #{event.id} {event.topic} · {formatDateTime(event.receivedAt, locale, tz)}
                      </Text>
                      <Text as="p" tone="critical" breakWord>
                        {event.lastError ?? "—"}
                      </Text>
                    </BlockStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
