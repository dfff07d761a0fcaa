import { z } from 'zod';

export const mediaIdParams = z.strictObject({ id: z.uuid() });

/** What presentUpload answers: where to fetch the file, never where it is stored. */
export const uploadResponse = z.object({
  media: z.object({
    id: z.uuid().describe('Pass as mediaId (or headerMediaId) when sending'),
    mimeType: z.string(),
    size: z.number().int(),
    filename: z.string(),
    url: z.string().describe('Same-origin download URL: /api/v1/media/{id}'),
  }),
});
