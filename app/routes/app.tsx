import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, Banner, Box, Loading, Navigation } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json" with { type: "json" };
import polarisFr from "@shopify/polaris/locales/fr.json" with { type: "json" };
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { DemoFrame, PolarisLink, withLocale } from "~/components/adminShell";
import { detectLocale, I18nProvider, translate, type Locale, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { env } from "~/lib/env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, demo } = await requireAdmin(request);
  return { apiKey: env().SHOPIFY_API_KEY, demo, shop, locale: detectLocale(request) };
}

const polarisTranslations = { en: polarisEn, fr: polarisFr } as const;

/**
 * The app's pages, in menu order. Segments, Cohorts, Predictions and Recommendations are built
 * by other parts of the app; NPS joins when its page exists.
 */
export const NAV_ITEMS: { url: string; label: MessageKey }[] = [
  { url: "/app", label: "nav.dashboard" },
  { url: "/app/segments", label: "nav.segments" },
  { url: "/app/customers", label: "nav.customers" },
  { url: "/app/cohorts", label: "nav.cohorts" },
  { url: "/app/predictions", label: "nav.predictions" },
  { url: "/app/recommendations", label: "nav.recommendations" },
  { url: "/app/nps", label: "nav.nps" },
  { url: "/app/data", label: "nav.data" },
  { url: "/app/settings", label: "nav.settings" },
];

export default function AppLayout() {
  const { apiKey, demo, shop, locale } = useLoaderData<typeof loader>();
  const page = (
    <I18nProvider locale={locale}>
      <Outlet />
    </I18nProvider>
  );
  if (demo) {
    // Demo mode runs offline: Shopify's App Bridge script cannot load, so Polaris draws the menu.
    return (
      <PolarisAppProvider i18n={polarisTranslations[locale]} linkComponent={PolarisLink}>
        <DemoFrame navigation={<DemoNavigation locale={locale} />}>
          <PageLoading />
          <DemoBanner shop={shop} locale={locale} />
          {page}
        </DemoFrame>
      </PolarisAppProvider>
    );
  }
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations[locale]}>
      <NavMenu>
        {NAV_ITEMS.map((item, i) => (
          <Link key={item.url} to={item.url} rel={i === 0 ? "home" : undefined}>
            {translate(locale, item.label)}
          </Link>
        ))}
      </NavMenu>
      {page}
    </AppProvider>
  );
}

/** Polaris's loading bar while the next page's data loads. */
function PageLoading() {
  const navigation = useNavigation();
  return navigation.state === "loading" ? <Loading /> : null;
}

function DemoNavigation({ locale }: { locale: Locale }) {
  const { pathname, search } = useLocation();
  return (
    <Navigation location={pathname} ariaLabelledBy="rapport-nav-title">
      <Box padding="400" paddingBlockEnd="0">
        <span id="rapport-nav-title" style={{ fontWeight: 650 }}>
          {translate(locale, "nav.label")}
        </span>
      </Box>
      <Navigation.Section
        items={NAV_ITEMS.map((item) => ({
          url: withLocale(item.url, search),
          label: translate(locale, item.label),
          exactMatch: item.url === "/app",
          selected: item.url === "/app" ? pathname === "/app" || pathname === "/app/" : pathname.startsWith(item.url),
        }))}
      />
    </Navigation>
  );
}

function DemoBanner({ shop, locale }: { shop: string; locale: Locale }) {
  const other: Locale = locale === "fr" ? "en" : "fr";
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  params.set("locale", other);
  return (
    <Box paddingInline={{ xs: "400", sm: "600" }} paddingBlockStart="400">
      <Banner
        tone="info"
        title={translate(locale, "demo.bannerTitle")}
        action={{ content: translate(locale, "language.switch"), url: `${pathname}?${params}` }}
      >
        <p>{translate(locale, "demo.bannerBody", { shop })}</p>
      </Banner>
    </Box>
  );
}

// Shopify needs Remix to catch some thrown responses so that its headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
