import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { detectLocale, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatDateTime, formatMoney, formatNumber } from "~/lib/format";
import { getDataHealth } from "~/services/dataHealth.server";

export const meta: MetaFunction = () => [{ title: "Rapport" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return { health: await getDataHealth(shop), locale: detectLocale(request) };
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

const inboxTones = { pending: "attention", processing: "info", processed: "success", dead: "critical" } as const;

export default function Home() {
  const { health } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const tz = health.shop.ianaTimezone;
  const money = (amount: string) => formatMoney(amount, health.shop.currency, locale);

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
                help={t("home.ordersHelp", { cancelled: formatNumber(health.cancelledOrders, locale) })}
              />
              <Figure
                label={t("home.netRevenue")}
                value={money(health.netRevenue)}
                help={t("home.netRevenueHelp", { refunded: money(health.refunded) })}
              />
              <Figure label={t("home.products")} value={formatNumber(health.products, locale)} />
            </InlineGrid>
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
