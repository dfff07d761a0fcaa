import { z } from 'zod';

/** Meta's subscription check: GET with hub.mode=subscribe, the number's verify token and a challenge to echo. */
export const verifyQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().max(200).optional(),
});
