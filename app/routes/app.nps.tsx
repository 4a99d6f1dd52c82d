// /app/nps: the Net Promoter Score of a period against the previous one, its trend, the 0–10
// distribution, NPS by RFM segment and by predicted-CLV band with the value at stake, the
// answers, the detractor follow-up and the survey link for order e-mails.
// Charts: simple accessible tables with bars for now; switch to the shared chart components
// (app/components/charts, @shopify/polaris-viz) when they land on main.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link as RemixLink, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import {
  FOLLOW_UP_STATUSES,
  isFollowUpStatus,
  NO_SEGMENT,
  type AnswerFilter,
  type FollowUpStatus,
  type NpsGroup,
  type NpsInterval,
} from "~/domain/nps";
import { detectLocale, segmentText, translate, useLocale, useT, type Locale, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { loadNpsPage, moveFollowUpOfShop, NpsError } from "~/services/nps.server";

export const meta: MetaFunction = () => [{ title: "NPS · Rapport" }];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FILTERS: AnswerFilter[] = ["all", "promoter", "passive", "detractor"];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const locale = detectLocale(request);
  const url = new URL(request.url);
  const from = url.searchParams.get("from");
  const to = url.searchParams.get("to");
  const validPeriod = from && to && DAY.test(from) && DAY.test(to) && from <= to;
  const filter = url.searchParams.get("group") as AnswerFilter | null;
  const page = Number(url.searchParams.get("page") ?? "1");
  const followUps = url.searchParams.get("followUps");
  const data = await loadNpsPage(
    shop,
    {
      ...(validPeriod ? { from, to } : {}),
      filter: filter && FILTERS.includes(filter) ? filter : "all",
      search: url.searchParams.get("q"),
      page: Number.isInteger(page) && page > 0 ? page : 1,
      followUps: isFollowUpStatus(followUps) ? followUps : "open",
    },
    translate(locale, "nps.link.text"),
  );
  return { ...data, locale, periodError: Boolean((from || to) && !validPeriod) };
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  const id = Number(form.get("id"));
  try {
    if (!Number.isInteger(id) || id <= 0) throw new NpsError("not_found", "follow_up_not_found");
    const moved = await moveFollowUpOfShop(shop, id, { to: form.get("to"), note: form.get("note") ?? undefined });
    return { ok: true as const, id: moved.id, to: moved.to };
  } catch (error) {
    if (error instanceof NpsError) return { ok: false as const, id, reason: error.reason };
    throw error;
  }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

const groupTone = { promoter: "success", passive: "info", detractor: "critical" } as const;
const statusTone = { open: "attention", contacted: "info", resolved: "success" } as const;

function signedPoints(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(value);
}

function npsText(value: number | null, locale: Locale): string {
  return value === null ? "—" : signedPoints(value, locale);
}

function intervalText(interval: NpsInterval | null, locale: Locale, t: ReturnType<typeof useT>): string {
  return interval ? t("nps.trend.intervalValue", { low: signedPoints(interval.low, locale), high: signedPoints(interval.high, locale) }) : "—";
}

/** A horizontal bar inside a table cell: its value is in the cell's text, the bar is decoration. */
function Bar({ share, tone = "var(--p-color-bg-fill-info)" }: { share: number; tone?: string }) {
  return (
    <div aria-hidden="true" style={{ background: "var(--p-color-bg-surface-secondary)", borderRadius: 4, height: 12, width: 160 }}>
      <div style={{ background: tone, borderRadius: 4, height: 12, width: `${Math.max(0, Math.min(100, share))}%` }} />
    </div>
  );
}

/** NPS from −100 to +100 drawn from the middle: right (green) when positive, left (red) when negative. */
function NpsBar({ value }: { value: number | null }) {
  if (value === null) return null;
  const half = Math.min(100, Math.abs(value)) / 2;
  return (
    <div
      aria-hidden="true"
      style={{ position: "relative", background: "var(--p-color-bg-surface-secondary)", borderRadius: 4, height: 12, width: 160 }}
    >
      <div
        style={{
          position: "absolute",
          top: 0,
          height: 12,
          borderRadius: 4,
          left: value >= 0 ? "50%" : `${50 - half}%`,
          width: `${half}%`,
          background: value >= 0 ? "var(--p-color-bg-fill-success)" : "var(--p-color-bg-fill-critical)",
        }}
      />
      <div style={{ position: "absolute", left: "50%", top: -2, width: 1, height: 16, background: "var(--p-color-border)" }} />
    </div>
  );
}

function ScoreCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const { current, previous, period } = data;
  const date = (d: string) => formatDate(`${d}T12:00:00Z`, locale, "UTC");
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("nps.score.card")}
        </Text>
        <Text as="p" variant="heading2xl" id="nps-score">
          {current.nps === null ? t("nps.score.none") : npsText(current.nps, locale)}
        </Text>
        {current.interval ? (
          <Text as="p" id="nps-interval">
            {t("nps.score.interval", { low: signedPoints(current.interval.low, locale), high: signedPoints(current.interval.high, locale) })}
          </Text>
        ) : null}
        <Text as="p" id="nps-answers">
          {t("nps.score.answers", { count: current.answers })}
        </Text>
        <Text as="p" tone="subdued" id="nps-previous">
          {previous.nps === null
            ? t("nps.score.previousNone", { from: date(period.previousFrom), to: date(period.previousTo) })
            : t("nps.score.previous", { from: date(period.previousFrom), to: date(period.previousTo), value: npsText(previous.nps, locale) })}
        </Text>
        {current.nps !== null && previous.nps !== null ? <Text as="p">{t("nps.score.change", { value: current.nps - previous.nps })}</Text> : null}
        <Text as="p" tone="subdued" variant="bodySm">
          {t("nps.score.target")}
        </Text>
      </BlockStack>
    </Card>
  );
}

function GroupsCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const c = data.current;
  const rows: [NpsGroup, number, number | null][] = [
    ["promoter", c.promoters, c.promoterShare],
    ["passive", c.passives, c.passiveShare],
    ["detractor", c.detractors, c.detractorShare],
  ];
  const tones = { promoter: "var(--p-color-bg-fill-success)", passive: "var(--p-color-bg-fill-info)", detractor: "var(--p-color-bg-fill-critical)" };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("nps.groups.card")}
        </Text>
        {rows.map(([group, count, share]) => (
          <BlockStack key={group} gap="100">
            <InlineStack align="space-between">
              <Text as="h3" variant="headingSm">
                {t(`nps.group.${group}` as MessageKey)}
              </Text>
              <Text as="p">{t("nps.group.share", { share: share === null ? "—" : formatPercent(share, locale), count })}</Text>
            </InlineStack>
            <Bar share={share ?? 0} tone={tones[group]} />
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}

function DistributionCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const total = data.current.answers;
  const max = Math.max(1, ...data.current.distribution);
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd" id="nps-distribution-title">
          {t("nps.distribution.card")}
        </Text>
        <table aria-labelledby="nps-distribution-title" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              <th scope="col" style={{ textAlign: "left" }}>
                {t("nps.distribution.score")}
              </th>
              <th scope="col" style={{ textAlign: "right" }}>
                {t("nps.distribution.answers")}
              </th>
              <th scope="col" style={{ textAlign: "right" }}>
                {t("nps.distribution.share")}
              </th>
              <th scope="col">
                <span style={{ position: "absolute", left: -10000 }}>{t("nps.distribution.share")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.current.distribution.map((n, score) => (
              <tr key={score} data-score={score}>
                <th scope="row" style={{ textAlign: "left", fontWeight: 500 }}>
                  {score}
                </th>
                <td style={{ textAlign: "right" }}>{formatNumber(n, locale)}</td>
                <td style={{ textAlign: "right", paddingRight: 12 }}>{total ? formatPercent((n / total) * 100, locale) : "—"}</td>
                <td>
                  <Bar
                    share={(n / max) * 100}
                    tone={
                      score >= 9 ? "var(--p-color-bg-fill-success)" : score >= 7 ? "var(--p-color-bg-fill-info)" : "var(--p-color-bg-fill-critical)"
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </BlockStack>
    </Card>
  );
}

function TrendCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const monthName = (m: string) =>
    new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(
      new Date(`${m}-15T12:00:00Z`),
    );
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd" id="nps-trend-title">
          {t("nps.trend.card")}
        </Text>
        <table aria-labelledby="nps-trend-title" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              <th scope="col" style={{ textAlign: "left" }}>
                {t("nps.trend.month")}
              </th>
              <th scope="col" style={{ textAlign: "right" }}>
                {t("nps.trend.answers")}
              </th>
              <th scope="col" style={{ textAlign: "right" }}>
                {t("nps.trend.nps")}
              </th>
              <th scope="col" style={{ textAlign: "right", paddingRight: 12 }}>
                {t("nps.trend.interval")}
              </th>
              <th scope="col">
                <span style={{ position: "absolute", left: -10000 }}>{t("nps.trend.nps")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.trend.map((m) => (
              <tr key={m.month} data-month={m.month}>
                <th scope="row" style={{ textAlign: "left", fontWeight: 500 }}>
                  {monthName(m.month)}
                </th>
                <td style={{ textAlign: "right" }}>{formatNumber(m.answers, locale)}</td>
                <td style={{ textAlign: "right" }}>{npsText(m.nps, locale)}</td>
                <td style={{ textAlign: "right", paddingRight: 12 }}>{intervalText(m.interval, locale, t)}</td>
                <td>
                  <NpsBar value={m.nps} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </BlockStack>
    </Card>
  );
}

type Summary = Data["bySegment"][number];

function BreakdownCard({
  title,
  help,
  heading,
  rows,
}: {
  title: string;
  help: string;
  heading: string;
  rows: { label: string; s: Omit<Summary, "segment"> }[];
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <Text as="p" tone="subdued">
          {help}
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
          headings={[
            heading,
            t("nps.table.answers"),
            t("nps.table.nps"),
            t("nps.table.interval"),
            t("nps.table.promoters"),
            t("nps.table.detractors"),
          ]}
          rows={rows.map(({ label, s }) => [
            label,
            formatNumber(s.answers, locale),
            npsText(s.nps, locale),
            intervalText(s.interval, locale, t),
            s.promoterShare === null ? "—" : formatPercent(s.promoterShare, locale),
            s.detractorShare === null ? "—" : formatPercent(s.detractorShare, locale),
          ])}
        />
      </BlockStack>
    </Card>
  );
}

function bandLabel(band: string, q: Data["clvQuartiles"], money: (v: number) => string, t: ReturnType<typeof useT>): string {
  if (band === "none") return t("nps.band.none");
  if (!q) return t(`nps.band.${band}Plain` as MessageKey);
  const params: Record<string, Record<string, string>> = {
    top: { from: money(q.q3) },
    upper: { from: money(q.q2), to: money(q.q3) },
    lower: { from: money(q.q1), to: money(q.q2) },
    bottom: { to: money(q.q1) },
  };
  return t(`nps.band.${band}` as MessageKey, params[band]);
}

function FollowUpItem({ item, tz, onSaved }: { item: Data["followUps"]["items"][number]; tz: string; onSaved: (message: string) => void }) {
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<typeof action>();
  const [note, setNote] = useState(item.note ?? "");
  const busy = fetcher.state !== "idle";
  useEffect(() => {
    // As soon as the action answers (the page then reloads its data, and a moved item leaves
    // the list it was in: waiting for "idle" would be too late).
    if (fetcher.data) onSaved(fetcher.data.ok ? t("nps.followUps.saved") : t("nps.followUps.error", { reason: fetcher.data.reason }));
    // Only when a submission completes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  const submit = (to: FollowUpStatus) => fetcher.submit({ id: String(item.id), to, note }, { method: "post" });
  const a = item.answer;
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Badge tone={statusTone[item.status]}>{t(`nps.status.${item.status}` as MessageKey)}</Badge>
          <Badge tone={groupTone[a.group]}>{String(a.score)}</Badge>
          <Text as="span" tone="subdued">
            {t("nps.followUps.opened", { date: formatDate(item.createdAt, locale, tz) })}
          </Text>
          {item.contactedAt ? (
            <Text as="span" tone="subdued">
              {t("nps.followUps.contactedAt", { date: formatDate(item.contactedAt, locale, tz) })}
            </Text>
          ) : null}
          {item.resolvedAt ? (
            <Text as="span" tone="subdued">
              {t("nps.followUps.resolvedAt", { date: formatDate(item.resolvedAt, locale, tz) })}
            </Text>
          ) : null}
          <CustomerCell answer={a} />
          {a.orderName ? <Text as="span">{a.orderName}</Text> : null}
        </InlineStack>
        <Text as="p">{a.redacted ? t("nps.answers.redacted") : (a.comment ?? t("nps.answers.noComment"))}</Text>
        {item.status !== "resolved" ? (
          <fetcher.Form method="post" onSubmit={(e) => e.preventDefault()}>
            <BlockStack gap="200">
              <TextField
                label={t("nps.followUps.note")}
                helpText={t("nps.followUps.noteHelp")}
                value={note}
                onChange={setNote}
                autoComplete="off"
                maxLength={2000}
                multiline={2}
                name="note"
              />
              <ButtonGroup>
                {item.status === "open" ? (
                  <Button onClick={() => submit("contacted")} loading={busy} disabled={busy}>
                    {t("nps.followUps.markContacted")}
                  </Button>
                ) : null}
                <Button variant="primary" onClick={() => submit("resolved")} loading={busy} disabled={busy}>
                  {t("nps.followUps.markResolved")}
                </Button>
              </ButtonGroup>
            </BlockStack>
          </fetcher.Form>
        ) : item.note ? (
          <Text as="p" tone="subdued">
            {t("nps.followUps.noteShown", { note: item.note })}
          </Text>
        ) : null}
      </BlockStack>
    </Box>
  );
}

function CustomerCell({ answer }: { answer: { customerShopifyId: string | null; customerName: string | null } }) {
  const t = useT();
  if (answer.customerShopifyId === null) return <Text as="span">{t("nps.answers.anonymous")}</Text>;
  return (
    <RemixLink to={`/app/customers/${answer.customerShopifyId}`}>
      <Text as="span">{answer.customerName ?? t("nps.answers.customerLink", { id: answer.customerShopifyId })}</Text>
    </RemixLink>
  );
}

function FollowUpsCard({ data, onSaved }: { data: Data; onSaved: (message: string) => void }) {
  const t = useT();
  const [params] = useSearchParams();
  const { status, counts, items } = data.followUps;
  const hrefFor = (to: FollowUpStatus) => {
    const next = new URLSearchParams(params);
    if (to === "open") next.delete("followUps");
    else next.set("followUps", to);
    return `?${next.toString()}`;
  };
  const total = counts.open + counts.contacted + counts.resolved;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("nps.followUps.card")}
        </Text>
        <Text as="p" tone="subdued">
          {t("nps.followUps.help")}
        </Text>
        <Text as="p" id="nps-followup-counts">
          {t("nps.followUps.counts", counts)}
        </Text>
        {total ? (
          <>
            <ButtonGroup variant="segmented">
              {FOLLOW_UP_STATUSES.map((s) => (
                <Button key={s} url={hrefFor(s)} pressed={status === s}>
                  {t(`nps.followUps.show.${s}` as MessageKey, { count: counts[s] })}
                </Button>
              ))}
            </ButtonGroup>
            {items.length ? (
              items.map((item) => <FollowUpItem key={item.id} item={item} tz={data.timeZone} onSaved={onSaved} />)
            ) : (
              <Text as="p">{t(`nps.followUps.none.${status}` as MessageKey)}</Text>
            )}
            {counts[status] > items.length ? (
              <Text as="p" tone="subdued">
                {t("nps.followUps.newest", { shown: items.length, total: counts[status] })}
              </Text>
            ) : null}
          </>
        ) : (
          <Text as="p">{t("nps.followUps.empty")}</Text>
        )}
      </BlockStack>
    </Card>
  );
}

function AnswersCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const [params] = useSearchParams();
  const [search, setSearch] = useState(data.answers.search ?? "");
  const hrefWith = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    return `?${next.toString()}`;
  };
  const { answers } = data;
  const lastPage = Math.max(1, Math.ceil(answers.total / answers.perPage));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("nps.answers.card")}
        </Text>
        <InlineStack gap="200" blockAlign="center" wrap>
          <Text as="span">{t("nps.answers.filter")}</Text>
          <ButtonGroup variant="segmented">
            {FILTERS.map((f) => (
              <Button key={f} url={hrefWith({ group: f === "all" ? null : f, page: null })} pressed={answers.filter === f}>
                {t(`nps.answers.filter.${f}` as MessageKey)}
              </Button>
            ))}
          </ButtonGroup>
        </InlineStack>
        <Form method="get">
          {[...params]
            .filter(([k]) => !["q", "page"].includes(k))
            .map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
          <InlineStack gap="200" blockAlign="end">
            <div style={{ minWidth: 280 }}>
              <TextField label={t("nps.answers.search")} name="q" value={search} onChange={setSearch} autoComplete="off" />
            </div>
            <Button submit>{t("nps.answers.searchButton")}</Button>
          </InlineStack>
        </Form>
        <Text as="p" tone="subdued" id="nps-answers-total">
          {t("nps.answers.total", { count: answers.total })}
        </Text>
        {answers.rows.length ? (
          <DataTable
            columnContentTypes={["text", "numeric", "text", "text", "text", "text"]}
            headings={[
              t("nps.answers.date"),
              t("nps.answers.score"),
              t("nps.answers.comment"),
              t("nps.answers.customer"),
              t("nps.answers.order"),
              t("nps.answers.source"),
            ]}
            rows={answers.rows.map((a) => [
              formatDate(a.createdAt, locale, data.timeZone),
              <Badge key="s" tone={groupTone[a.group]}>
                {String(a.score)}
              </Badge>,
              // Shoppers' words: plain text, escaped by React, never as HTML.
              <span key="c" className="nps-comment" style={{ whiteSpace: "pre-wrap" }}>
                {a.redacted ? t("nps.answers.redacted") : (a.comment ?? t("nps.answers.noComment"))}
              </span>,
              <CustomerCell key="u" answer={a} />,
              a.orderName ?? (a.orderShopifyId ? `#${a.orderShopifyId}` : "—"),
              t(`nps.source.${a.source}` as MessageKey),
            ])}
          />
        ) : (
          <Text as="p">{t("nps.answers.empty")}</Text>
        )}
        <InlineStack gap="200">
          {answers.page > 1 ? <Link url={hrefWith({ page: String(answers.page - 1) })}>{t("nps.answers.previousPage")}</Link> : null}
          {answers.page < lastPage ? <Link url={hrefWith({ page: String(answers.page + 1) })}>{t("nps.answers.nextPage")}</Link> : null}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function SurveyLinkCard({ snippet, onCopied }: { snippet: string; onCopied: (message: string) => void }) {
  const t = useT();
  const copy = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      onCopied(t("nps.link.copied"));
    } catch {
      onCopied(t("nps.link.copyFailed"));
    }
  }, [snippet, onCopied, t]);
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("nps.link.card")}
        </Text>
        <Text as="p">{t("nps.link.help")}</Text>
        <TextField label={t("nps.link.label")} value={snippet} readOnly multiline={5} autoComplete="off" monospaced />
        <InlineStack>
          <Button onClick={copy}>{t("nps.link.copy")}</Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function PeriodForm({ data }: { data: Data }) {
  const t = useT();
  const [from, setFrom] = useState(data.period.from);
  const [to, setTo] = useState(data.period.to);
  const days = (n: number) => {
    const end = new Date(`${data.period.to}T12:00:00Z`);
    const start = new Date(end.getTime() - (n - 1) * 86_400_000);
    return `?from=${start.toISOString().slice(0, 10)}&to=${data.period.to}`;
  };
  return (
    <Card>
      <Form method="get">
        <InlineStack gap="300" blockAlign="end" wrap>
          <TextField label={t("nps.period.from")} type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
          <TextField label={t("nps.period.to")} type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
          <Button submit variant="primary">
            {t("nps.period.apply")}
          </Button>
          <Link url={days(30)}>{t("nps.period.last30")}</Link>
          <Link url={days(90)}>{t("nps.period.last90")}</Link>
          <Link url={days(365)}>{t("nps.period.last365")}</Link>
        </InlineStack>
      </Form>
    </Card>
  );
}

/**
 * A short confirmation: App Bridge's toast inside the Shopify admin; offline (demo mode, no App
 * Bridge) a polite live region that is always in the page, so screen readers announce it.
 */
function ToastRegion({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  useEffect(() => {
    if (!message) return;
    const bridge = (window as unknown as { shopify?: { toast?: { show(text: string): void } } }).shopify;
    if (bridge?.toast) {
      bridge.toast.show(message);
      onDismiss();
      return;
    }
    const timer = setTimeout(onDismiss, 5000);
    return () => clearTimeout(timer);
  }, [message, onDismiss]);
  return (
    <div role="status" aria-live="polite" style={{ position: "fixed", bottom: 24, left: "50%", transform: "translateX(-50%)", zIndex: 520 }}>
      {message ? (
        <div
          className="nps-toast"
          style={{
            background: "var(--p-color-bg-inverse)",
            color: "var(--p-color-text-inverse)",
            padding: "12px 16px",
            borderRadius: 8,
            boxShadow: "var(--p-shadow-600)",
          }}
        >
          {message}
        </div>
      ) : null}
    </div>
  );
}

export default function NpsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const [toast, setToast] = useState<string | null>(null);
  const dismissToast = useCallback(() => setToast(null), []);
  const money = (v: number) => formatMoney(v, data.currency, locale);
  const date = (d: string) => formatDate(`${d}T12:00:00Z`, locale, "UTC");
  return (
    <>
      <Page title={t("nps.title")} subtitle={t("nps.subtitle")}>
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {data.periodError ? <Banner tone="warning">{t("nps.period.invalid")}</Banner> : null}
              <PeriodForm data={data} />
              <Text as="p" tone="subdued">
                {t("nps.period.shown", { from: date(data.period.from), to: date(data.period.to) })}
              </Text>
              {data.current.answers > 0 && data.current.lowSample ? <Banner tone="info">{t("nps.score.lowSample")}</Banner> : null}
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <ScoreCard data={data} />
                <GroupsCard data={data} />
              </InlineGrid>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("nps.stake.card")}
                  </Text>
                  <Text as="p" id="nps-stake">
                    {t("nps.stake.body", {
                      customers: data.atStake.customers,
                      revenue: money(data.atStake.revenue),
                      clv: money(data.atStake.predictedClv12m),
                    })}
                  </Text>
                </BlockStack>
              </Card>
              <BreakdownCard
                title={t("nps.segments.card")}
                help={t("nps.segments.help")}
                heading={t("nps.segments.segment")}
                rows={data.bySegment.map((s) => ({ label: s.segment === NO_SEGMENT ? t("nps.segment.none") : segmentText(locale, s.segment), s }))}
              />
              <BreakdownCard
                title={t("nps.bands.card")}
                help={t("nps.bands.help")}
                heading={t("nps.bands.band")}
                rows={data.byClvBand.map((b) => ({ label: bandLabel(b.band, data.clvQuartiles, money, t), s: b }))}
              />
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <DistributionCard data={data} />
                <TrendCard data={data} />
              </InlineGrid>
              <FollowUpsCard data={data} onSaved={setToast} />
              <AnswersCard data={data} />
              <SurveyLinkCard snippet={data.surveyLink.snippet} onCopied={setToast} />
            </BlockStack>
          </Layout.Section>
        </Layout>
      </Page>
      <ToastRegion message={toast} onDismiss={dismissToast} />
    </>
  );
}
