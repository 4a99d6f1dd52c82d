// Monthly marketing spend typed or pasted by a merchant: "YYYY-MM,amount" lines (a header line,
// semicolons or tabs, and decimal commas accepted). Every bad line is reported with its number.
import type { MessageRef } from "./messageRef";

export interface SpendLine {
  month: string;
  /** Decimal string with at most 4 decimals. */
  amount: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const AMOUNT = /^\d{1,13}([.,]\d{1,4})?$/;

export function parseSpendCsv(text: string): { lines: SpendLine[]; problems: MessageRef[] } {
  const lines: SpendLine[] = [];
  const problems: MessageRef[] = [];
  const seen = new Map<string, number>();
  const rows = text.split(/\r?\n/);
  rows.forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (!line) return;
    // The month has no separator: split at the first one, so "2026-01;1234,56" keeps its decimal comma.
    const match = /^([^;,\t]+)[;,\t](.*)$/.exec(line);
    if (n === 1 && /month|mois/i.test(line)) return; // header
    if (!match) {
      problems.push({ key: "settings.spend.badLine", params: { line: n } });
      return;
    }
    const [month, amountText] = [match[1], match[2]].map((c) => c.trim().replace(/^"|"$/g, ""));
    const amount = amountText.replace(/[\s\u00a0\u202f]/g, "");
    if (!MONTH.test(month)) problems.push({ key: "settings.spend.badMonth", params: { line: n, value: month.slice(0, 20) } });
    else if (!AMOUNT.test(amount)) problems.push({ key: "settings.spend.badAmount", params: { line: n, value: amountText.slice(0, 20) } });
    else if (seen.has(month)) problems.push({ key: "settings.spend.duplicate", params: { line: n, month, first: seen.get(month)! } });
    else {
      seen.set(month, n);
      lines.push({ month, amount: amount.replace(",", ".") });
    }
  });
  if (!lines.length && !problems.length) problems.push({ key: "settings.spend.empty", params: {} });
  return { lines, problems };
}
