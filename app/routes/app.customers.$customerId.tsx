import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Card, Divider, InlineGrid, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { RouteError, useLocaleHref } from "~/components/adminShell";
import { segmentText, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { getCustomerProfile, ORDERS_SHOWN } from "~/services/customers.server";

export const meta: MetaFunction = () => [{ title: "Rapport · Customer" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop, demo } = await requireAdmin(request);
  const id = params.customerId ?? "";
  const all = new URL(request.url).searchParams.get("orders") === "all";
  const profile = /^\d{1,20}$/.test(id) ? await getCustomerProfile(shop, id, all ? ORDERS_SHOWN.all : ORDERS_SHOWN.recent) : null;
  if (!profile) throw new Response("Customer not found", { status: 404 });
  // In the Shopify admin, shopify:// opens the customer in the admin itself; outside it, the web admin.
  const store = shop.replace(/\.myshopify\.com$/, "");
  const adminUrl = demo ? `https://admin.shopify.com/store/${store}/customers/${id}` : `shopify://admin/customers/${id}`;
  return { ...profile, adminUrl };
}

const ORDERS_LIMIT = 100;
const riskTone = { high: "critical", medium: "warning", low: "success" } as const;

function Figure({ label, value, help }: { label: string; value: string; help?: string | null }) {
  return (
    <BlockStack gap="050">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {value}
      </Text>
      {help ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      ) : null}
    </BlockStack>
  );
}

export default function CustomerProfile() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const href = useLocaleHref();
  const { shop, customer, metrics: m, outlook, preferences } = data;
  const tz = shop.timeZone;
  const money = (amount: string | null) => (amount === null ? "—" : formatMoney(amount, shop.currency, locale));
  const date = (iso: string) => formatDate(iso, locale, tz);
  const expected = (value: number | null | undefined) =>
    value === null || value === undefined ? "—" : formatNumber(Math.round(value * 100) / 100, locale);
  const title = customer.name ?? customer.email ?? `#${customer.id}`;

  return (
    <Page
      title={title}
      titleMetadata={m ? <Badge tone="info">{segmentText(locale, m.segment)}</Badge> : undefined}
      subtitle={customer.name && customer.email ? customer.email : undefined}
      backAction={{ content: t("customers.profile.back"), url: href("/app/customers") }}
      secondaryActions={[{ content: t("customers.profile.openInShopify"), url: data.adminUrl, external: true }]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {customer.redacted ? <Banner tone="warning">{t("customers.profile.redacted")}</Banner> : null}
            {m ? (
              <>
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      {t("customers.profile.figures")}
                    </Text>
                    <InlineGrid columns={{ xs: 2, md: 3 }} gap="400">
                      <Figure label={t("customers.profile.orders")} value={formatNumber(m.orders, locale)} />
                      <Figure label={t("customers.profile.revenue")} value={money(m.revenue)} />
                      <Figure label={t("customers.profile.aov")} value={money(m.aov)} />
                      <Figure label={t("customers.profile.firstOrder")} value={date(m.firstOrderAt)} />
                      <Figure
                        label={t("customers.profile.lastOrder")}
                        value={date(m.lastOrderAt)}
                        help={t("customers.profile.daysAgo", { days: m.recencyDays })}
                      />
                    </InlineGrid>
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      {t("customers.profile.predictions")}
                    </Text>
                    {m.lowConfidence ? <Banner tone="warning">{t("customers.profile.lowConfidence")}</Banner> : null}
                    {m.pAlive === null ? (
                      <Text as="p" tone="subdued">
                        {t("customers.profile.noPredictions")}
                      </Text>
                    ) : (
                      <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
                        <BlockStack gap="050">
                          <Text as="h3" variant="bodySm" tone="subdued">
                            {t("customers.profile.pAlive")}
                          </Text>
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="p" variant="headingLg">
                              {formatPercent(m.pAlive * 100, locale, 0)}
                            </Text>
                            {m.risk ? <Badge tone={riskTone[m.risk]}>{t(`customers.risk.${m.risk}` as MessageKey)}</Badge> : null}
                          </InlineStack>
                        </BlockStack>
                        <Figure label={t("customers.profile.expected90")} value={expected(outlook?.expected90)} />
                        <Figure label={t("customers.profile.expected365")} value={expected(outlook?.expected365)} />
                        <Figure
                          label={t("customers.profile.clv")}
                          value={money(m.predictedClv)}
                          help={
                            outlook?.clvLow && outlook.clvHigh
                              ? `${t("customers.profile.clvRange", { low: money(outlook.clvLow), high: money(outlook.clvHigh) })}. ${t("customers.profile.clvRangeHelp")}`
                              : null
                          }
                        />
                        <Figure
                          label={t("customers.profile.nextOrder")}
                          value={
                            m.expectedNextOrderAt === null
                              ? t("customers.profile.noNextOrder")
                              : m.overdue
                                ? t("customers.profile.overdue", { date: date(m.expectedNextOrderAt) })
                                : date(m.expectedNextOrderAt)
                          }
                        />
                      </InlineGrid>
                    )}
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("customers.profile.computedAt", { date: formatDate(m.computedAt, locale, tz) })}
                    </Text>
                  </BlockStack>
                </Card>
              </>
            ) : (
              <Banner tone="info">{t("customers.profile.noMetrics")}</Banner>
            )}
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("customers.profile.timeline")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("customers.profile.timelineCount", { shown: data.orders.length, total: data.orderCount })}
                  </Text>
                </InlineStack>
                {data.orders.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.timelineEmpty")}
                  </Text>
                ) : (
                  <BlockStack gap="300">
                    {data.orders.map((o, i) => (
                      <BlockStack key={o.id} gap="150">
                        {i > 0 ? <Divider /> : null}
                        <InlineStack align="space-between" blockAlign="center" gap="200">
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="h3" variant="headingSm">
                              {o.name}
                            </Text>
                            <Text as="span" tone="subdued">
                              {date(o.processedAt)}
                            </Text>
                            {o.cancelledAt ? <Badge tone="critical">{t("customers.profile.cancelled")}</Badge> : null}
                            {o.test ? <Badge>{t("customers.profile.test")}</Badge> : null}
                            {Number(o.refunded) > 0 ? (
                              <Badge tone="warning">{t("customers.profile.refunded", { amount: money(o.refunded) })}</Badge>
                            ) : null}
                          </InlineStack>
                          <Text as="p" fontWeight="semibold" numeric>
                            {money(o.total)}
                          </Text>
                        </InlineStack>
                        {o.lines.length ? (
                          <List type="bullet">
                            {o.lines.map((l) => (
                              <List.Item key={l.id}>
                                {t("customers.profile.line", { quantity: l.quantity, title: l.variant ? `${l.title} (${l.variant})` : l.title })} ·{" "}
                                {money(l.total)}
                              </List.Item>
                            ))}
                          </List>
                        ) : (
                          <Text as="p" variant="bodySm" tone="subdued">
                            {t("customers.profile.noLines")}
                          </Text>
                        )}
                        {o.refunds.map((r) => (
                          <Text key={r.id} as="p" variant="bodySm" tone="caution">
                            {t("customers.profile.refund", { amount: money(r.amount), date: date(r.at) })}
                          </Text>
                        ))}
                      </BlockStack>
                    ))}
                  </BlockStack>
                )}
                {data.orders.length < data.orderCount ? (
                  <Link url={href(`/app/customers/${customer.id}?orders=all`)}>
                    {t("customers.profile.showAll", { total: Math.min(data.orderCount, ORDERS_LIMIT) })}
                  </Link>
                ) : null}
                {/* Later issues add NPS answers and recommendation clicks to this timeline. */}
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("customers.profile.moreActivity")}
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.contact")}
                </Text>
                <Text as="p">{customer.email ? t("customers.profile.email", { value: customer.email }) : t("customers.profile.noEmail")}</Text>
                {customer.phone ? <Text as="p">{t("customers.profile.phone", { value: customer.phone })}</Text> : null}
                <Text as="h3" variant="headingSm">
                  {t("customers.profile.tags")}
                </Text>
                {customer.tags.length ? (
                  <InlineStack gap="100">
                    {customer.tags.map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                  </InlineStack>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.noTags")}
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.choices")}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("customers.profile.choicesHelp")}
                </Text>
                {preferences ? (
                  <>
                    <Text as="p">{t("customers.profile.choicePersonalization", { on: preferences.personalization ? "yes" : "no" })}</Text>
                    <Text as="p">{t("customers.profile.choiceSurveys", { on: preferences.surveys ? "yes" : "no" })}</Text>
                  </>
                ) : (
                  <Text as="p">{t("customers.profile.choicesDefault")}</Text>
                )}
              </BlockStack>
            </Card>
            {m ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.profile.segmentCard")}
                  </Text>
                  <InlineStack gap="200" blockAlign="center">
                    <Badge tone="info" size="large">
                      {segmentText(locale, m.segment)}
                    </Badge>
                    <Text as="span" tone="subdued">
                      {t("customers.profile.since", { date: date(m.segmentChangedAt) })}
                    </Text>
                  </InlineStack>
                  <Text as="p">{segmentText(locale, m.segment, "description")}</Text>
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("customers.profile.scores", { r: m.r, f: m.f, m: m.m })}
                  </Text>
                  <Box paddingBlockStart="200">
                    <BlockStack gap="100">
                      <Text as="h3" variant="headingSm">
                        {t("customers.profile.suggestedAction")}
                      </Text>
                      <Text as="p">{segmentText(locale, m.segment, "action")}</Text>
                    </BlockStack>
                  </Box>
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.history")}
                </Text>
                {data.moves.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.historyEmpty")}
                  </Text>
                ) : (
                  <BlockStack gap="100">
                    {[...data.moves].reverse().map((mv, i) => (
                      <InlineStack key={i} align="space-between" gap="200">
                        <Text as="span">{t("customers.profile.moved", { from: segmentText(locale, mv.from), to: segmentText(locale, mv.to) })}</Text>
                        <Text as="span" tone="subdued">
                          {date(mv.at)}
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
  const error = useRouteError();
  const t = useT();
  const href = useLocaleHref();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title={t("customers.profile.notFoundTitle")} backAction={{ content: t("customers.profile.back"), url: href("/app/customers") }}>
        <Card>
          <BlockStack gap="200">
            <Text as="p">{t("customers.profile.notFoundBody")}</Text>
            <Link url={href("/app/customers")}>{t("customers.profile.back")}</Link>
          </BlockStack>
        </Card>
      </Page>
    );
  }
  return <RouteError error={error} />;
}
