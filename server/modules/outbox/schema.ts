import { z } from 'zod';

export const laneParams = z.strictObject({ id: z.uuid() });

export const laneResponse = z.object({
  lane: z.object({
    paused: z.boolean().describe("Broadcast traffic is paused (agent replies still go); an admin resumes it"),
    pausedReason: z.enum(['quality_dropped', 'token_invalid', 'spam_rate']).nullable(),
    pausedAt: z.string().nullable(),
    leased: z.boolean().describe('A worker process holds the lane now'),
    queued: z.number().int().describe('Messages waiting to be sent'),
    heldForTier: z.number().int().describe("Waiting for the messaging-limit tier's rolling 24 hours to free a slot"),
    heldOther: z.number().int().describe('Waiting after a pair-rate, throughput or spam-rate answer'),
    sending: z.number().int(),
    tierUsed: z.number().int().describe('Unique recipients reached outside their window in the last 24 hours'),
    tierLimit: z.number().int().nullable().describe('The tier in recipients per 24 hours (null: unlimited)'),
  }),
});
