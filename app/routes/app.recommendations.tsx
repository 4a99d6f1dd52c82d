// /app/recommendations: what the storefront block shows and earns, the holdout, a preview and
// the settings (ADR 011, docs/metrics.md "Recommendations").
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { detectLocale, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { prisma } from "~/lib/db.server";
import { formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { PERIODS, PLACEMENTS, STRATEGY_CHOICES } from "~/domain/storefrontOptions";
import { getRecommendationReport, previewRecommendations, saveRecommendationSettingsForm } from "~/services/recommendationReport.server";
import { Figure } from "~/components/insights/Figure";

export const meta: MetaFunction = () => [{ title: "Rapport · Recommendations" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const url = new URL(request.url);
  const wanted = Number(url.searchParams.get("days"));
  const days = (PERIODS as readonly number[]).includes(wanted) ? wanted : 30;
  const now = new Date();
  const report = await getRecommendationReport(prisma(), shop, { days, now });
  const placement = (PLACEMENTS as readonly string[]).includes(url.searchParams.get("previewPlacement") ?? "")
    ? (url.searchParams.get("previewPlacement") as (typeof PLACEMENTS)[number])
    : "product";
  const customer = (url.searchParams.get("previewCustomer") ?? "").trim();
  const product = (url.searchParams.get("previewProduct") ?? "").trim();
  const asked = url.searchParams.has("preview");
  const preview = asked
    ? await previewRecommendations(prisma(), shop, {
        placement,
        strategy: "automatic",
        customerId: /^\d{1,20}$/.test(customer) ? customer : null,
        product: product || null,
        now,
      })
    : null;
  return { report, locale: detectLocale(request), preview, previewInput: { placement, customer, product } };
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const form = Object.fromEntries([...(await request.formData())].map(([k, v]) => [k, String(v)]));
  return saveRecommendationSettingsForm(prisma(), shop, form);
}

type Data = Awaited<ReturnType<typeof loader>>;

export default function Recommendations() {
  const { report, preview, previewInput } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const money = (amount: string | number) => formatMoney(amount, report.currency, locale);
  const pct = (share: number | null) => (share === null ? "—" : formatPercent(share * 100, locale));
  const placementName = (p: string) => t(`recommendations.placement.${p}` as MessageKey);
  const strategyName = (s: string) => t(`recommendations.strategy.${s}` as MessageKey);
  return (
    <Page title={t("recommendations.title")} subtitle={t("recommendations.subtitle")} backAction={{ content: "Rapport", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <ButtonGroup variant="segmented">
            {PERIODS.map((days) => (
              <Button key={days} url={`?days=${days}`} pressed={report.period.days === days}>
                {t("recommendations.periodDays", { days })}
              </Button>
            ))}
          </ButtonGroup>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Figure label={t("recommendations.impressions")} value={formatNumber(report.totals.impressions, locale)} />
            <Figure
              label={t("recommendations.ctr")}
              value={pct(report.totals.impressions ? report.totals.clicks / report.totals.impressions : null)}
            />
            <Figure
              label={t("recommendations.attributedOrders")}
              value={formatNumber(report.totals.orders, locale)}
              help={t("recommendations.attributionHelp", { days: report.settings.tracking.attributionWindowDays })}
            />
            <Figure label={t("recommendations.attributedRevenue")} value={money(report.totals.revenue)} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("recommendations.byPlacement")}
              </Text>
              {report.rows.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                  headings={[
                    t("recommendations.placement"),
                    t("recommendations.strategy"),
                    t("recommendations.impressions"),
                    t("recommendations.ctr"),
                    t("recommendations.addToCarts"),
                    t("recommendations.attributedOrders"),
                    t("recommendations.attributedRevenue"),
                  ]}
                  rows={report.rows.map((r) => [
                    placementName(r.placement),
                    strategyName(r.strategy),
                    formatNumber(r.impressions, locale),
                    pct(r.clickThroughRate),
                    formatNumber(r.addToCarts, locale),
                    formatNumber(r.orders, locale),
                    money(r.revenue),
                  ])}
                />
              ) : (
                <Text as="p" tone="subdued">
                  {t("recommendations.noEvents")}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Holdout report={report} money={money} pct={pct} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("recommendations.topProducts")}
              </Text>
              {report.top.length ? (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                  headings={[
                    t("recommendations.product"),
                    t("recommendations.clicks"),
                    t("recommendations.addToCarts"),
                    t("recommendations.attributedOrders"),
                    t("recommendations.attributedRevenue"),
                  ]}
                  rows={report.top.map((p) => [
                    p.title ?? p.productId,
                    formatNumber(p.clicks, locale),
                    formatNumber(p.addToCarts, locale),
                    formatNumber(p.orders, locale),
                    money(p.revenue),
                  ])}
                />
              ) : (
                <Text as="p" tone="subdued">
                  {t("recommendations.noTopProducts")}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Preview
            preview={preview}
            input={previewInput}
            money={money}
            strategyName={strategyName}
            placementName={placementName}
            days={report.period.days}
          />
        </Layout.Section>
        <Layout.Section>
          <Settings report={report} placementName={placementName} strategyName={strategyName} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Holdout({ report, money, pct }: { report: Data["report"]; money: (a: number) => string; pct: (s: number | null) => string }) {
  const t = useT();
  const locale = useLocale();
  const { holdout } = report;
  const signed = (value: string, negative: boolean) => (negative ? value : `+${value}`);
  const interval = (i: { estimate: number; low: number; high: number } | null, show: (v: number) => string) =>
    i ? t("recommendations.liftValue", { estimate: signed(show(i.estimate), i.estimate < 0), low: show(i.low), high: show(i.high) }) : "—";
  const conv = holdout.conversionLift;
  const verdict = !conv
    ? t("recommendations.liftUnknown")
    : conv.low > 0 || conv.high < 0
      ? t("recommendations.liftSignificant")
      : t("recommendations.liftNotSignificant");
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("recommendations.holdoutTitle")}
        </Text>
        <Text as="p" tone="subdued">
          {t("recommendations.holdoutHelp", { share: formatPercent(report.settings.tracking.holdoutShare * 100, locale) })}
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric"]}
          headings={[
            t("recommendations.arm"),
            t("recommendations.visitors"),
            t("recommendations.conversion"),
            t("recommendations.revenuePerVisitor"),
          ]}
          rows={[
            [
              t("recommendations.armTreatment"),
              formatNumber(holdout.treatment.visitors, locale),
              pct(holdout.treatment.conversionRate),
              holdout.treatment.revenuePerVisitor === null ? "—" : money(holdout.treatment.revenuePerVisitor),
            ],
            [
              t("recommendations.armHoldout"),
              formatNumber(holdout.holdout.visitors, locale),
              pct(holdout.holdout.conversionRate),
              holdout.holdout.revenuePerVisitor === null ? "—" : money(holdout.holdout.revenuePerVisitor),
            ],
            [t("recommendations.lift"), "", interval(conv, (v) => formatPercent(v * 100, locale)), interval(holdout.revenuePerVisitorLift, money)],
          ]}
        />
        <Text as="p">{verdict}</Text>
      </BlockStack>
    </Card>
  );
}

function Preview({
  preview,
  input,
  money,
  strategyName,
  placementName,
  days,
}: {
  preview: Data["preview"];
  input: Data["previewInput"];
  money: (a: string) => string;
  strategyName: (s: string) => string;
  placementName: (p: string) => string;
  days: number;
}) {
  const t = useT();
  const [customer, setCustomer] = useState(input.customer);
  const [product, setProduct] = useState(input.product);
  const [placement, setPlacement] = useState<string>(input.placement);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("recommendations.previewTitle")}
        </Text>
        <Text as="p" tone="subdued">
          {t("recommendations.previewHelp")}
        </Text>
        <Form method="get">
          <input type="hidden" name="days" value={days} />
          <input type="hidden" name="preview" value="1" />
          <FormLayout>
            <FormLayout.Group>
              <Select
                label={t("recommendations.placement")}
                name="previewPlacement"
                options={PLACEMENTS.map((p) => ({ label: placementName(p), value: p }))}
                value={placement}
                onChange={setPlacement}
              />
              <TextField
                label={t("recommendations.previewCustomer")}
                name="previewCustomer"
                value={customer}
                onChange={setCustomer}
                autoComplete="off"
              />
              <TextField label={t("recommendations.previewProduct")} name="previewProduct" value={product} onChange={setProduct} autoComplete="off" />
            </FormLayout.Group>
            <Button submit>{t("recommendations.previewRun")}</Button>
          </FormLayout>
        </Form>
        {preview && "error" in preview ? <Banner tone="warning">{t("recommendations.previewProductNotFound")}</Banner> : null}
        {preview && "answer" in preview && preview.answer ? (
          <BlockStack gap="200">
            <Text as="p" fontWeight="semibold">
              {t("recommendations.previewServed", { strategy: strategyName(preview.answer.strategy) })}
            </Text>
            {preview.answer.products.length ? (
              <DataTable
                columnContentTypes={["numeric", "text", "text", "numeric"]}
                headings={["#", t("recommendations.product"), t("recommendations.productType"), t("recommendations.price")]}
                rows={preview.answer.products.map((p, i) => [i + 1, p.title, p.productType ?? "", money(p.price)])}
              />
            ) : (
              <Text as="p">{t("recommendations.previewEmpty")}</Text>
            )}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Settings({
  report,
  placementName,
  strategyName,
}: {
  report: Data["report"];
  placementName: (p: string) => string;
  strategyName: (s: string) => string;
}) {
  const t = useT();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { engine, tracking } = report.settings;
  const [strategies, setStrategies] = useState<Record<string, string>>(engine.strategies);
  const [excluded, setExcluded] = useState(engine.excludedProductIds.join(", "));
  const [tags, setTags] = useState(engine.excludedTags.join(", "));
  const [pinned, setPinned] = useState(engine.pinnedProductIds.join(", "));
  const [windowDays, setWindowDays] = useState(String(tracking.attributionWindowDays));
  const [holdout, setHoldout] = useState(String(Math.round(tracking.holdoutShare * 1000) / 10));
  const errors = result && !result.ok ? result.errors : {};
  const error = (name: string) => (errors[name] ? t(errors[name] as MessageKey) : undefined);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("recommendations.settingsTitle")}
        </Text>
        {result?.ok ? <Banner tone="success">{t("recommendations.saved")}</Banner> : null}
        {result && !result.ok ? <Banner tone="critical">{t("recommendations.errors.notSaved")}</Banner> : null}
        <Form method="post">
          <FormLayout>
            <FormLayout.Group>
              {PLACEMENTS.map((p) => (
                <Select
                  key={p}
                  label={t("recommendations.strategyFor", { placement: placementName(p) })}
                  name={`strategy_${p}`}
                  options={STRATEGY_CHOICES.map((s) => ({ label: strategyName(s), value: s }))}
                  value={strategies[p]}
                  onChange={(value) => setStrategies({ ...strategies, [p]: value })}
                />
              ))}
            </FormLayout.Group>
            <TextField
              label={t("recommendations.excludedProducts")}
              name="excluded_products"
              value={excluded}
              onChange={setExcluded}
              error={error("excluded_products")}
              autoComplete="off"
            />
            <TextField
              label={t("recommendations.excludedTags")}
              name="excluded_tags"
              value={tags}
              onChange={setTags}
              error={error("excluded_tags")}
              autoComplete="off"
            />
            <TextField
              label={t("recommendations.pinnedProducts")}
              name="pinned_products"
              value={pinned}
              onChange={setPinned}
              error={error("pinned_products")}
              autoComplete="off"
            />
            <FormLayout.Group>
              <TextField
                label={t("recommendations.window")}
                name="attribution_window_days"
                type="number"
                value={windowDays}
                onChange={setWindowDays}
                error={error("attribution_window_days")}
                autoComplete="off"
              />
              <TextField
                label={t("recommendations.holdoutPercent")}
                name="holdout_percent"
                type="number"
                value={holdout}
                onChange={setHoldout}
                error={error("holdout_percent")}
                autoComplete="off"
              />
            </FormLayout.Group>
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              {t("recommendations.save")}
            </Button>
          </FormLayout>
        </Form>
      </BlockStack>
    </Card>
  );
}
