import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, Banner, Page } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json" with { type: "json" };
import polarisFr from "@shopify/polaris/locales/fr.json" with { type: "json" };
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { detectLocale, I18nProvider, translate, type Locale } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { env } from "~/lib/env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, demo } = await requireAdmin(request);
  return { apiKey: env().SHOPIFY_API_KEY, demo, shop, locale: detectLocale(request) };
}

const polarisTranslations = { en: polarisEn, fr: polarisFr } as const;

export default function AppLayout() {
  const { apiKey, demo, shop, locale } = useLoaderData<typeof loader>();
  const page = (
    <I18nProvider locale={locale}>
      <Outlet />
    </I18nProvider>
  );
  if (demo) {
    // Demo mode runs offline: Shopify's App Bridge script cannot load, so use Polaris alone.
    return (
      <PolarisAppProvider i18n={polarisTranslations[locale]}>
        <DemoBanner shop={shop} locale={locale} />
        {page}
      </PolarisAppProvider>
    );
  }
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations[locale]}>
      <NavMenu>
        <Link to="/app" rel="home">
          {translate(locale, "nav.home")}
        </Link>
        <Link to="/app/recommendations">{translate(locale, "recommendations.nav")}</Link>
      </NavMenu>
      {page}
    </AppProvider>
  );
}

function DemoBanner({ shop, locale }: { shop: string; locale: Locale }) {
  const other: Locale = locale === "fr" ? "en" : "fr";
  return (
    <Page>
      <Banner
        tone="info"
        title={translate(locale, "demo.bannerTitle")}
        action={{ content: translate(locale, "language.switch"), url: `?locale=${other}` }}
      >
        <p>{translate(locale, "demo.bannerBody", { shop })}</p>
      </Banner>
    </Page>
  );
}

// Shopify needs Remix to catch some thrown responses so that its headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
