// Meta's limits: image 5 MB (jpeg, png), video and audio 16 MB, document 100 MB, sticker 100 KB (500 KB animated).
const MB = 1024 * 1024;
/** The largest file WhatsApp takes of a MIME type, or null when it takes none. */
export function mediaLimitFor(mime: string): number | null {
  if (mime === 'image/webp') {
    return 500 * 1024;
  }
  if (mime === 'image/jpeg' || mime === 'image/png') {
    return 5 * MB;
  }
  if (/^(video\/(mp4|3gpp)|audio\/(aac|amr|mpeg|mp4|ogg))/.test(mime)) {
    return 16 * MB;
  }
  if (/^(application\/|text\/plain)/.test(mime)) {
    return 100 * MB;
  }
  return null;
}
