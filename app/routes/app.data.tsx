import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { RouteError, useToast } from "~/components/adminShell";
import { BackfillProgress } from "~/components/BackfillProgress";
import { useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatDateTime, formatMoney, formatNumber } from "~/lib/format";
import { getDataPage, retryDeadEvents } from "~/services/dataPage.server";
import { Figure } from "~/components/insights/Figure";

export const meta: MetaFunction = () => [{ title: "Rapport · Data" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return getDataPage(shop);
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  const id = form.get("id");
  const parsed = typeof id === "string" && /^\d{1,10}$/.test(id) ? Number(id) : undefined;
  if (id !== null && parsed === undefined) return { retried: 0 };
  return { retried: await retryDeadEvents(shop, parsed) };
}

const inboxTones = { pending: "attention", processing: "info", processed: "success", dead: "critical" } as const;
type Status = keyof typeof inboxTones;

type RetryFetcher = ReturnType<typeof useFetcher<typeof action>>;

/** A retry form; the page owns the fetcher, so its answer outlives the row (a retried event leaves the list). */
function RetryButton({ fetcher, id, label }: { fetcher: RetryFetcher; id?: number; label: string }) {
  return (
    <fetcher.Form method="post">
      {id !== undefined ? <input type="hidden" name="id" value={id} /> : null}
      <Button submit size="slim" loading={fetcher.state !== "idle"} accessibilityLabel={id !== undefined ? `${label} #${id}` : label}>
        {label}
      </Button>
    </fetcher.Form>
  );
}

export default function DataPage() {
  const { health, recent, analysedAt, backfill } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const tz = health.shop.ianaTimezone;
  const money = (amount: string | number) => formatMoney(amount, health.shop.currency, locale);
  const status = (s: Status) => <Badge tone={inboxTones[s]}>{t(`data.inbox.${s}` as MessageKey)}</Badge>;
  const retry = useFetcher<typeof action>();
  const toast = useToast();
  useEffect(() => {
    if (retry.state === "idle" && retry.data) {
      toast(retry.data.retried > 0 ? t("data.retried", { count: retry.data.retried }) : t("data.retryMissing"), { error: retry.data.retried === 0 });
    }
    // One toast per answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [retry.state, retry.data]);

  return (
    <Page title={t("data.title")} subtitle={t("data.subtitle", { shop: health.shop.name ?? health.shop.domain })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
              <Figure label={t("data.customers")} value={formatNumber(health.customers, locale)} />
              <Figure
                label={t("data.orders")}
                value={formatNumber(health.orders, locale)}
                help={t("data.ordersHelp", { cancelled: health.cancelledOrders })}
              />
              <Figure
                label={t("data.netRevenue")}
                value={money(health.netRevenue)}
                help={t("data.netRevenueHelp", { refunded: money(health.refunded) })}
              />
              <Figure label={t("data.products")} value={formatNumber(health.products, locale)} />
            </InlineGrid>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("data.dataCard")}
                </Text>
                <Text as="p">
                  {health.firstOrderAt && health.lastOrderAt
                    ? t("data.orderRange", { from: formatDate(health.firstOrderAt, locale, tz), to: formatDate(health.lastOrderAt, locale, tz) })
                    : t("data.noOrders")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("data.checkouts", { value: formatNumber(health.checkouts, locale) })}
                </Text>
                <Text as="p" tone="subdued">
                  {analysedAt ? t("data.analysisAt", { date: formatDateTime(analysedAt, locale, tz) }) : t("data.analysisNever")}
                </Text>
              </BlockStack>
            </Card>
            <BackfillProgress initial={backfill} />
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("data.deadCard")}
                  </Text>
                  {health.deadEvents.length > 1 ? <RetryButton fetcher={retry} label={t("data.retryAll")} /> : null}
                </InlineStack>
                {health.deadEvents.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("data.deadEmpty")}
                  </Text>
                ) : (
                  <>
                    <Text as="p" tone="subdued">
                      {t("data.deadHelp")}
                    </Text>
                    {health.deadEvents.map((event) => (
                      <InlineStack key={event.id} align="space-between" blockAlign="start" gap="300" wrap={false}>
                        <BlockStack gap="050">
                          <Text as="p" fontWeight="semibold">
                            #{event.id} {event.topic} · {formatDateTime(event.receivedAt, locale, tz)} ·{" "}
                            {t("data.attempts", { count: event.attempts })}
                          </Text>
                          <Text as="p" tone="critical" breakWord>
                            {event.lastError ?? "—"}
                          </Text>
                        </BlockStack>
                        <RetryButton fetcher={retry} id={event.id} label={t("data.retry")} />
                      </InlineStack>
                    ))}
                  </>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("data.recentCard")}
                </Text>
                {recent.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("data.recentEmpty")}
                  </Text>
                ) : (
                  <BlockStack gap="200">
                    {recent.map((e) => (
                      <InlineStack key={e.id} gap="200" blockAlign="center" wrap>
                        {status(e.status as Status)}
                        <Text as="span" fontWeight="semibold">
                          #{e.id} {e.topic}
                        </Text>
                        <Text as="span" tone="subdued">
                          {formatDateTime(e.receivedAt, locale, tz)}
                        </Text>
                        {e.lastError ? (
                          <Text as="span" tone="critical" breakWord>
                            {e.lastError}
                          </Text>
                        ) : null}
                      </InlineStack>
                    ))}
                  </BlockStack>
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
                  {t("data.shopCard")}
                </Text>
                <Text as="p" fontWeight="semibold">
                  {health.shop.name ?? health.shop.domain}
                </Text>
                <Text as="p" tone="subdued">
                  {health.shop.domain}
                </Text>
                <Text as="p">{t("data.currency", { value: health.shop.currency })}</Text>
                <Text as="p">{t("data.timezone", { value: tz })}</Text>
                <Text as="p">{t("data.installedAt", { value: formatDate(health.shop.installedAt, locale, tz) })}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("data.inboxCard")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("data.inboxHelp")}
                </Text>
                <InlineGrid columns={2} gap="200">
                  {(Object.keys(inboxTones) as Status[]).map((s) => (
                    <BlockStack key={s} gap="100">
                      {status(s)}
                      <Text as="p" variant="headingLg">
                        {formatNumber(health.inbox[s], locale)}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("data.eventsCard")}
                </Text>
                {health.lastEventPerTopic.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("data.eventsEmpty")}
                  </Text>
                ) : (
                  <BlockStack gap="150">
                    {health.lastEventPerTopic.map((event) => (
                      <InlineStack key={event.topic} align="space-between" gap="200">
                        <Text as="span" fontWeight="semibold">
                          {event.topic}
                        </Text>
                        <Text as="span" tone="subdued">
                          {t("data.topicLine", {
                            count: event.count,
                            date: event.lastReceivedAt ? formatDateTime(event.lastReceivedAt, locale, tz) : "—",
                          })}
                        </Text>
                      </InlineStack>
                    ))}
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} />;
}
