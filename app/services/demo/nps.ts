// NPS answers of the demo shop, drawn from its generated orders (deterministic with the seed).
// Not uniform noise: a customer's score is drawn around a mean that rises with their number of
// orders, falls after a long gap since their previous order, after a refund or a cancellation,
// with a lasting personal tendency (some people are harsher). Answers come mostly from the order
// e-mail link a few days after an order (tied to the order), some from the storefront widget,
// a few anonymous ones from guests; a customer answers at most once in 90 days (the throttle).
// Every detractor answer has a follow-up; older ones have been contacted or resolved.
import { Rng } from "./random";
import type { ShopifyOrderPayload, ShopifyProductPayload } from "./generator";

const DAY = 86_400_000;

export interface DemoNpsAnswer {
  customerShopifyId: string | null;
  orderShopifyId: string | null;
  score: number;
  comment: string | null;
  page: string | null;
  source: "storefront" | "email";
  locale: "fr" | "en";
  createdAt: Date;
}

export interface DemoFollowUp {
  /** Index into the answers. */
  answer: number;
  status: "open" | "contacted" | "resolved";
  note: string | null;
  contactedAt: Date | null;
  resolvedAt: Date | null;
}

type Group = "detractor" | "passive" | "promoter";

const COMMENTS: Record<"fr" | "en", Record<Group, string[]>> = {
  fr: {
    detractor: [
      "Colis arrivé avec cinq jours de retard, sans nouvelles entre-temps.",
      "Le produit ne ressemblait pas aux photos.",
      "Article abîmé à la livraison, le remboursement a pris trois semaines.",
      "Service client difficile à joindre.",
      "Trop cher pour la qualité reçue.",
      "Frais de port trop élevés pour une petite commande.",
      "Taille qui ne correspond pas au guide.",
    ],
    passive: [
      "Bien, mais la livraison pourrait être plus rapide.",
      "Produits corrects, rien d'exceptionnel.",
      "Le site est agréable, le choix un peu limité.",
      "Bonne qualité, prix un peu élevés.",
    ],
    promoter: [
      "Toujours impeccable, je recommande à mes amies.",
      "Livraison rapide et emballage soigné, merci !",
      "Très belle qualité, je reviendrai.",
      "Le service client a été très réactif.",
      "Mon troisième achat et toujours aussi contente.",
      "Des produits qu'on ne trouve pas ailleurs.",
    ],
  },
  en: {
    detractor: [
      "Parcel arrived five days late with no update.",
      "The item did not look like the pictures.",
      "Damaged on arrival and the refund took weeks.",
      "Hard to reach customer service.",
      "Too expensive for the quality.",
    ],
    passive: ["Fine, but shipping could be faster.", "Good products, prices a bit high.", "Nice shop, limited choice."],
    promoter: [
      "Always perfect, I recommend it to friends.",
      "Fast delivery and lovely packaging!",
      "Great quality, I'll be back.",
      "Very helpful customer service.",
    ],
  },
};

const NOTES = {
  contacted: ["Appelée, geste commercial proposé.", "E-mail d'excuse envoyé avec un code de réduction.", "Message laissé, en attente de rappel."],
  resolved: ["Remboursement effectué, cliente satisfaite.", "Produit remplacé, cliente rassurée.", "Transporteur changé pour sa région, merci reçu."],
};

function groupOf(score: number): Group {
  return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
}

export function generateDemoNps(
  input: { orders: readonly ShopifyOrderPayload[]; products: readonly ShopifyProductPayload[]; endDate: Date },
  seed: number,
): { answers: DemoNpsAnswer[]; followUps: DemoFollowUp[] } {
  const rng = Rng.stream(seed, "nps");
  const end = input.endDate.getTime();
  const handles = input.products.map((p) => p.handle);
  const tendency = new Map<number, number>();
  const orderCount = new Map<number, number>();
  const lastOrderAt = new Map<number, number>();
  const lastAnswerAt = new Map<number, number>();
  const answers: DemoNpsAnswer[] = [];

  // Orders are sorted by creation; each customer's history is known up to the current order.
  for (const o of input.orders) {
    if (o.test) continue;
    const t = Date.parse(o.created_at);
    const cid = o.customer?.id ?? null;
    let k = 0;
    let gapDays = 0;
    if (cid !== null) {
      k = (orderCount.get(cid) ?? 0) + 1;
      orderCount.set(cid, k);
      const prev = lastOrderAt.get(cid);
      gapDays = prev === undefined ? 0 : (t - prev) / DAY;
      lastOrderAt.set(cid, t);
      if (!tendency.has(cid)) tendency.set(cid, rng.normal(0, 1.1));
    }
    // About 3 % of customers' orders and 1 % of guest orders lead to an answer.
    if (!rng.chance(cid === null ? 0.01 : 0.032)) continue;
    const fromEmail = cid !== null && rng.chance(0.7);
    const at = t + (fromEmail ? rng.uniform(2, 12) : rng.uniform(0.01, 40)) * DAY;
    if (at >= end) continue;
    if (cid !== null) {
      const last = lastAnswerAt.get(cid);
      if (last !== undefined && at - last < 90 * DAY) continue;
      lastAnswerAt.set(cid, at);
    }
    const refunded = o.refunds.length > 0;
    const cancelled = o.cancelled_at !== null;
    const mean =
      7.8 +
      0.45 * Math.min(Math.max(k - 1, 0), 5) -
      (gapDays > 180 ? 0.9 : 0) -
      (refunded ? 2.6 : 0) -
      (cancelled ? 2.2 : 0) +
      (cid === null ? -0.4 : tendency.get(cid)!);
    const score = Math.max(0, Math.min(10, Math.round(rng.normal(mean, 1.5))));
    const locale: "fr" | "en" = o.customer_locale === "en" ? "en" : "fr";
    const bank = COMMENTS[locale][groupOf(score)];
    const comment = rng.chance(groupOf(score) === "passive" ? 0.45 : 0.65) ? bank[rng.int(0, bank.length - 1)] : null;
    const page = fromEmail ? null : rng.chance(0.5) ? "/" : `/products/${handles[rng.int(0, handles.length - 1)]}`;
    answers.push({
      customerShopifyId: cid === null ? null : String(cid),
      orderShopifyId: fromEmail ? String(o.id) : null,
      score,
      comment,
      page,
      source: fromEmail ? "email" : "storefront",
      locale,
      createdAt: new Date(Math.floor(at / 1000) * 1000),
    });
  }
  answers.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

  const followUps: DemoFollowUp[] = [];
  answers.forEach((a, i) => {
    if (groupOf(a.score) !== "detractor") return;
    const ageDays = (end - a.createdAt.getTime()) / DAY;
    const u = rng.next();
    const status =
      ageDays < 7
        ? "open"
        : ageDays < 30
          ? u < 0.4
            ? "open"
            : u < 0.8
              ? "contacted"
              : "resolved"
          : u < 0.15
            ? "open"
            : u < 0.4
              ? "contacted"
              : "resolved";
    const contactedAt = status === "open" ? null : new Date(a.createdAt.getTime() + rng.uniform(0.2, 3) * DAY);
    const resolvedAt = status === "resolved" && contactedAt ? new Date(contactedAt.getTime() + rng.uniform(0.5, 5) * DAY) : null;
    const note = status === "open" ? null : NOTES[status][rng.int(0, NOTES[status].length - 1)];
    followUps.push({ answer: i, status, note, contactedAt, resolvedAt: resolvedAt && resolvedAt.getTime() < end ? resolvedAt : null });
    // A resolution that would fall after the demo's end is still "contacted".
    if (status === "resolved" && !(resolvedAt && resolvedAt.getTime() < end)) followUps[followUps.length - 1].status = "contacted";
  });
  return { answers, followUps };
}
