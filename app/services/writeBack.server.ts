// Write-back: Rapport's segments and churn risk to Shopify, so Shopify Segments, Flow and Shopify
// Email can use them. Per customer, only what changed since the last write is sent: prefixed tags
// (`rapport:champions`, `rapport:churn-high`; merchant tags are never touched) with
// tagsAdd/tagsRemove, and metafields in the app's namespace with metafieldsSet (25 per call),
// under the Admin API throttle. Off until the merchant turns it on; redacted customers are never
// written. Other features add their own tags and metafields through registerWriteBackContributor
// (the NPS survey will add `nps_group` and `rapport:nps-promoter` this way).
import { type AdminClient, UserErrorsError } from "~/lib/adminApi.server";
import { logger } from "~/lib/logger.server";
import type { DbClient } from "~/lib/transaction.server";
import { changeFrom, DEFAULT_TAG_PREFIX, desiredState, METAFIELD_DEFINITIONS, METAFIELD_NAMESPACE, type Contribution } from "~/domain/writeBack";
import { METAFIELD_DEFINITION_CREATE } from "~/graphql/metafieldDefinitionCreate";
import { METAFIELDS_PER_CALL, METAFIELDS_SET, type MetafieldsSetInput } from "~/graphql/metafieldsSet";
import { TAGS_ADD } from "~/graphql/tagsAdd";
import { TAGS_REMOVE } from "~/graphql/tagsRemove";
import { createRun, updateRun } from "~/models/backfillRun.server";
import {
  countCustomersForWriteBack,
  customersForWriteBack,
  findWriteBackSettings,
  saveWriteBackSettings,
  saveWriteBackState,
  type WriteBackSettings,
} from "~/models/writeBack.server";
import { runView, type RunView } from "./backfill/runView";

/** Tags and metafields another feature wants on customers, by Rapport customer id. */
export type WriteBackContributor = (db: DbClient, shop: string, customerIds: number[]) => Promise<Map<number, Contribution>>;

const contributors: WriteBackContributor[] = [];
/** The hook for NPS (and later features): their values are written with the segment's, in the same calls. */
export function registerWriteBackContributor(contributor: WriteBackContributor): () => void {
  contributors.push(contributor);
  return () => {
    const at = contributors.indexOf(contributor);
    if (at >= 0) contributors.splice(at, 1);
  };
}

export class WriteBackDisabledError extends Error {}

export async function getWriteBackSettings(db: DbClient, shop: string): Promise<WriteBackSettings> {
  const stored = await findWriteBackSettings(db, shop);
  return { enabled: stored?.enabled ?? false, tagPrefix: stored?.tagPrefix || DEFAULT_TAG_PREFIX };
}

export async function setWriteBackSettings(db: DbClient, shop: string, value: Partial<WriteBackSettings>) {
  const current = await getWriteBackSettings(db, shop);
  const next = { ...current, ...value };
  if (!/^[a-z0-9][a-z0-9_-]{0,30}:$/.test(next.tagPrefix)) {
    throw new RangeError(`the tag prefix must be lowercase letters, digits, - or _, ending with ":" (got "${next.tagPrefix}")`);
  }
  await saveWriteBackSettings(db, shop, next);
  return next;
}

export interface WriteBackCounts {
  customers: number;
  changed: number;
  tagsAdded: number;
  tagsRemoved: number;
  metafields: number;
  redactedSkipped: number;
  errors: number;
}

export interface WriteBackOptions {
  /** Customers read per page (default 250). */
  pageSize?: number;
  /** Write even when the merchant's switch is off (CLI --force, tests). */
  force?: boolean;
  onProgress?: (run: RunView) => void;
}

async function ensureDefinitions(admin: AdminClient) {
  for (const d of METAFIELD_DEFINITIONS) {
    try {
      await admin.mutate(METAFIELD_DEFINITION_CREATE, "metafieldDefinitionCreate", {
        definition: { name: d.name, namespace: METAFIELD_NAMESPACE, key: d.key, description: d.description, type: d.type, ownerType: "CUSTOMER" },
      });
    } catch (error) {
      // Created by an earlier run: fine. Any other refusal is a real problem.
      if (error instanceof UserErrorsError && error.userErrors.every((e) => e.code === "TAKEN")) continue;
      throw error;
    }
  }
}

const TYPE_OF = new Map(METAFIELD_DEFINITIONS.map((d) => [d.key, d.type]));

export async function runWriteBack(db: DbClient, admin: AdminClient, shop: string, options: WriteBackOptions = {}): Promise<RunView> {
  const settings = await getWriteBackSettings(db, shop);
  if (!settings.enabled && !options.force) throw new WriteBackDisabledError(`write-back is off for ${shop}: turn it on in Rapport's settings first`);
  const pageSize = options.pageSize ?? 250;
  const total = await countCustomersForWriteBack(db, shop);
  let row = await createRun(db, shop, "writeback", { phase: "writing" });
  const counts: WriteBackCounts = { customers: 0, changed: 0, tagsAdded: 0, tagsRemoved: 0, metafields: 0, redactedSkipped: 0, errors: 0 };
  const progress = { customers: { done: 0, total } };
  const errors: string[] = [];
  const view = (): RunView => ({ ...runView(row), progress, counts: counts as never });
  const metafields = new MetafieldBatcher(db, admin, shop, counts, errors);
  try {
    await ensureDefinitions(admin);
    let afterId = 0;
    for (;;) {
      const page = await customersForWriteBack(db, shop, afterId, pageSize);
      if (!page.length) break;
      afterId = page[page.length - 1].id;
      const extra = new Map<number, Contribution>();
      for (const contributor of contributors) {
        for (const [id, c] of await contributor(
          db,
          shop,
          page.map((p) => p.id),
        )) {
          const prev = extra.get(id) ?? {};
          extra.set(id, { tags: [...(prev.tags ?? []), ...(c.tags ?? [])], metafields: { ...prev.metafields, ...c.metafields } });
        }
      }
      for (const customer of page) {
        counts.customers++;
        if (customer.redactedAt) {
          counts.redactedSkipped++;
          continue;
        }
        const m = customer.metrics;
        const desired = desiredState(
          settings.tagPrefix,
          m
            ? {
                segment: m.segment,
                rScore: m.rScore,
                fScore: m.fScore,
                mScore: m.mScore,
                pAlive: m.pAlive,
                predictedClv12m: m.predictedClv12m?.toString() ?? null,
                expectedNextOrderAt: m.expectedNextOrderAt,
              }
            : null,
          extra.get(customer.id),
        );
        const last = customer.writeBack
          ? { tags: customer.writeBack.tags, metafields: customer.writeBack.metafields as Record<string, string> }
          : null;
        const change = changeFrom(last, desired);
        if (!change) continue;
        counts.changed++;
        const ownerId = `gid://shopify/Customer/${customer.shopifyId}`;
        try {
          if (change.removeTags.length) {
            await admin.mutate(TAGS_REMOVE, "tagsRemove", { id: ownerId, tags: change.removeTags });
            counts.tagsRemoved += change.removeTags.length;
          }
          if (change.addTags.length) {
            await admin.mutate(TAGS_ADD, "tagsAdd", { id: ownerId, tags: change.addTags });
            counts.tagsAdded += change.addTags.length;
          }
        } catch (error) {
          counts.errors++;
          errors.push(error instanceof Error ? error.message : String(error));
          continue;
        }
        const inputs = Object.entries(change.setMetafields).map(([key, value]) => ({
          ownerId,
          namespace: METAFIELD_NAMESPACE,
          key,
          type: TYPE_OF.get(key) ?? "single_line_text_field",
          value,
        }));
        await metafields.add({ id: customer.id, tags: desired.tags, metafields: { ...(last?.metafields ?? {}), ...desired.metafields } }, inputs);
      }
      progress.customers.done = counts.customers;
      await updateRun(db, shop, row.id, { progress, counts, error: errors.length ? errors.slice(0, 5).join("\n") : null });
      options.onProgress?.(view());
    }
    await metafields.finish();
    await updateRun(db, shop, row.id, {
      status: "completed",
      phase: "done",
      finishedAt: new Date(),
      progress,
      counts,
      error: errors.length ? errors.slice(0, 5).join("\n") : null,
    });
  } catch (error) {
    await updateRun(db, shop, row.id, {
      status: "failed",
      error: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
      progress,
      counts,
    });
    throw error;
  }
  if (errors.length) logger.warn({ shop, errors: errors.length, first: errors[0] }, "write-back: some customers were refused");
  row = { ...row, status: "completed", phase: "done" };
  return { ...view(), status: "completed", phase: "done", counts: counts as never };
}

/** A customer whose tags are written and whose metafields are queued. */
interface PendingCustomer {
  id: number;
  /** The state to save once every metafield is written. */
  tags: string[];
  metafields: Record<string, string>;
  unsent: number;
  failed: boolean;
}

/**
 * The metafields of consecutive customers, sent in full calls of 25: a customer's metafields may
 * span two calls (and two pages), so no call goes out partly empty but the last. A customer's
 * state is saved once every call that carries its metafields has succeeded; after a refused call
 * (metafieldsSet is atomic) or a crash it stays unsaved and the next run sends it whole again,
 * which is harmless (metafieldsSet sets values).
 */
class MetafieldBatcher {
  private queue: Array<{ input: MetafieldsSetInput; owner: PendingCustomer }> = [];

  constructor(
    private readonly db: DbClient,
    private readonly admin: AdminClient,
    private readonly shop: string,
    private readonly counts: WriteBackCounts,
    private readonly errors: string[],
  ) {}

  async add(customer: Omit<PendingCustomer, "unsent" | "failed">, inputs: MetafieldsSetInput[]) {
    const owner: PendingCustomer = { ...customer, unsent: inputs.length, failed: false };
    if (!inputs.length) return this.save([owner]);
    for (const input of inputs) this.queue.push({ input, owner });
    while (this.queue.length >= METAFIELDS_PER_CALL) await this.sendOne();
  }

  /** Sends what is left (the one call that may hold fewer than 25). */
  async finish() {
    while (this.queue.length) await this.sendOne();
  }

  private async sendOne() {
    const call = this.queue.splice(0, METAFIELDS_PER_CALL);
    const owners = [...new Set(call.map((c) => c.owner))];
    try {
      await this.admin.mutate(METAFIELDS_SET, "metafieldsSet", { metafields: call.map((c) => c.input) });
      this.counts.metafields += call.length;
    } catch (error) {
      this.errors.push(error instanceof Error ? error.message : String(error));
      for (const owner of owners) {
        if (!owner.failed) this.counts.errors++;
        owner.failed = true;
      }
      // Their other metafields are not sent: the next run sends these customers whole.
      this.queue = this.queue.filter((q) => !q.owner.failed);
      return;
    }
    for (const c of call) c.owner.unsent--;
    await this.save(owners.filter((o) => o.unsent === 0 && !o.failed));
  }

  private async save(owners: PendingCustomer[]) {
    const now = new Date();
    for (const o of owners) await saveWriteBackState(this.db, this.shop, o.id, o.tags, o.metafields, now);
  }
}
