import { z } from 'zod';

export const mediaIdParams = z.strictObject({ id: z.uuid() });
