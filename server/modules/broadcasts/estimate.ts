import type { Services } from '../../services';
import { tierLimit } from '../../whatsapp/rateLimit';
import { estimateCost, rateCardAt, type PricingCategory } from '../costs';
import { maskPhone } from '../contacts';
import type { Draft } from './commands';
import { renderFor, templateSlots, textParameters } from './mapping';
import { audienceCounts, sampleContacts, tierUsedBy } from './repo';
import type { DraftInput } from './schema';

const SAMPLES = 3;

/**
 * What a draft would cost and how long it would take, before it is sent: recipients per country
 * priced with the rate card in force today (category: the template's), the contacts left out by
 * reason, and the messaging tier of the chosen numbers (unique recipients per rolling 24 hours,
 * minus what the last 24 hours used) turned into days.
 */
export async function estimateDraft(s: Services, draft: Draft) {
  const now = s.clock();
  const counts = await audienceCounts(s.db, draft.segment.filter, now, { channelIds: draft.channelIds, marketing: draft.marketing });
  const excluded = { opted_out: 0, no_marketing_opt_in: 0, restricted: 0 };
  const byCountry = new Map<string | null, number>();
  for (const row of counts) {
    if (row.reason) {
      excluded[row.reason as keyof typeof excluded] += row.n;
    } else {
      byCountry.set(row.country, (byCountry.get(row.country) ?? 0) + row.n);
    }
  }
  const category = (draft.template.category ?? 'marketing').toLowerCase() as PricingCategory;
  const recipients = [...byCountry.values()].reduce((a, b) => a + b, 0);
  const cost = estimateCost(await rateCardAt(s.db, now), [...byCountry.entries()].sort((a, b) => b[1] - a[1]).map(([country, count]) => ({ country, category, count })));
  const used = await tierUsedBy(s.db, draft.channelIds);
  const numbers = await Promise.all(
    draft.channelIds.map(async (channelId) => {
      const tier = (await s.channels.get(channelId))?.messagingTier ?? null;
      const limit = tierLimit(tier);
      return { channelId, tier, limit: Number.isFinite(limit) ? limit : null, used: used.get(channelId) ?? 0 };
    }),
  );
  const unlimited = numbers.some((n) => n.limit === null);
  const limitPer24h = unlimited ? null : numbers.reduce((a, n) => a + n.limit!, 0);
  const availableNow = unlimited ? null : numbers.reduce((a, n) => a + Math.max(0, n.limit! - n.used), 0);
  // Today's remaining allowance first, then a full tier per further 24 hours.
  const days = limitPer24h === null || recipients <= availableNow! ? 1 : 1 + Math.ceil((recipients - availableNow!) / limitPer24h);
  return {
    audience: recipients + excluded.opted_out + excluded.no_marketing_opt_in + excluded.restricted,
    recipients,
    excluded,
    category,
    cost,
    tier: { limitPer24h, availableNow, days, numbers },
  };
}

/**
 * The template as three included contacts of the segment would receive it, rendered by the
 * same code as the send. A phone number put into the text is masked for a user who may not read it.
 */
export async function previewDraft(s: Services, draft: Draft, input: DraftInput, phoneVisible: boolean) {
  const rows = await sampleContacts(s.db, draft.segment.filter, s.clock(), { channelIds: draft.channelIds, marketing: draft.marketing }, SAMPLES);
  const shown = (waId: string) => (phoneVisible ? `+${waId}` : maskPhone(waId));
  const recipientOf = (r: (typeof rows)[number]) => ({ waId: r.wa_id, name: r.profile_name, country: r.country, language: r.language, attributes: r.attributes ?? {} });
  // Screened as the send will screen them (with the real values, whatever the viewer may see).
  const sent = rows.map((r) => renderFor(draft.template.components, input.mapping, recipientOf(r), { headerMedia: draft.headerMedia }));
  const screened = await s.lexicon.screenEach(s.db, sent.map((m) => [m.rendered.body, ...textParameters(m.components)]));
  return {
    variables: templateSlots(draft.template.components),
    samples: rows.map((r, i) => ({
      contactId: r.contact_id,
      name: r.profile_name,
      rendered: renderFor(draft.template.components, input.mapping, recipientOf(r), { phoneShown: shown, headerMedia: draft.headerMedia }).rendered,
      blockedTerms: [...new Set(screened[i]!.matches.filter((m) => m.action === 'block').map((m) => m.term))],
    })),
  };
}
