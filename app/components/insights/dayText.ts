import { INTL_LOCALE, type Locale } from "~/i18n";

/** A day label (YYYY-MM-DD, a calendar day of the shop) in the viewer's language, without a zone shift. */
export function dayText(label: string, locale: Locale, style: "medium" | "short" | "month" = "medium") {
  const options: Intl.DateTimeFormatOptions =
    style === "short"
      ? { day: "numeric", month: "short", timeZone: "UTC" }
      : style === "month"
        ? { month: "short", year: "numeric", timeZone: "UTC" }
        : { dateStyle: "medium", timeZone: "UTC" };
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], options).format(new Date(`${label.length === 7 ? `${label}-15` : label}T12:00:00Z`));
}
