// What other modules may use of the media module.
export { findMedia, findOwnUpload, findUsableMedia, type MediaRow } from './repo';
export { openMediaDownload, type MediaDownload } from './download';
