/** An uploaded file as the API answers it: where to fetch it, never where it is stored. */
export function presentUpload(id: string, mimeType: string, size: number, filename: string) {
  return { id, mimeType, size, filename, url: `/api/v1/media/${id}` };
}
