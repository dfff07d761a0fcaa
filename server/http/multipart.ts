import { Transform, type Readable } from 'node:stream';
import Busboy from 'busboy';
import type { AppContext } from './context';
import { errors } from '../lib/errors';

/** A multipart upload: the file of the field "file" and the short text fields sent beside it. */
export type MultipartUpload = { bytes: Buffer; mime: string; filename: string; fields: Record<string, string> };

/** The largest file any upload route takes (a 100 MB document); each type is then held to its own limit. */
const MAX_FILE_BYTES = 100 * 1024 * 1024 + 1;

/**
 * Reads a multipart body holding one file in the field "file" (and up to five text fields),
 * stopping as soon as the file exceeds its type's limit. `limitFor` gives a MIME type's limit in
 * bytes, or null when the type is refused (400 validation_failed on body.file, saying `refusal`).
 */
export async function readMultipartFile(
  ctx: AppContext,
  limitFor: (mime: string) => number | null,
  refusal: (mime: string) => string,
): Promise<MultipartUpload> {
  const { result, mime, filename, fields } = await streamMultipartFile(ctx, limitFor, refusal, collect);
  return { bytes: result, mime, filename, fields };
}

/** The whole file, for the few routes that must hold it (a template sample Meta takes in one request). */
async function collect(file: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Fails the stream as soon as more than `limit` bytes went through (413). */
function fileLimit(limit: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > limit ? errors.payloadTooLarge(limit) : null, chunk);
    },
  });
}

/**
 * Like readMultipartFile, but hands the file to `sink` as a stream while it arrives (to a media
 * store, say), so a 100 MB upload never sits in memory. The file stream fails with a 413 past its
 * type's limit, and with a 400 when the body ends early; the sink must then leave nothing behind.
 */
export function streamMultipartFile<T>(
  ctx: AppContext,
  limitFor: (mime: string) => number | null,
  refusal: (mime: string) => string,
  sink: (file: Readable, info: { mime: string; filename: string }) => Promise<T>,
): Promise<{ result: T; mime: string; filename: string; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: MAX_FILE_BYTES, fields: 5, fieldSize: 1024 } });
    } catch {
      reject(errors.unsupportedMediaType());
      return;
    }
    const fields: Record<string, string> = {};
    let sunk: { done: Promise<T>; mime: string; filename: string; file: Transform } | null = null;
    let failed = false;
    const fail = (err: unknown) => {
      if (!failed) {
        failed = true;
        ctx.req.unpipe(busboy);
        ctx.req.resume();
        reject(err);
      }
    };
    busboy.on('field', (name, value) => {
      fields[name] = value;
    });
    busboy.on('file', (field, stream, info) => {
      if (field !== 'file' || sunk) {
        stream.resume();
        return;
      }
      const mime = info.mimeType.toLowerCase();
      const limit = limitFor(mime);
      if (limit === null) {
        stream.resume();
        fail(errors.validation(refusal(mime), { fields: [{ path: 'body.file', message: refusal(mime) }] }));
        return;
      }
      const file = fileLimit(limit);
      stream.on('error', () => file.destroy(errors.badRequest('The multipart body is malformed.')));
      stream.pipe(file);
      const filename = info.filename || 'file';
      const done = sink(file, { mime, filename });
      done.catch((err: unknown) => {
        stream.resume();
        fail(err);
      });
      sunk = { done, mime, filename, file };
    });
    // 'close' comes once every part (fields after the file too) has been read.
    busboy.on('close', () => {
      if (failed) {
        return;
      }
      if (!sunk) {
        reject(errors.validation('Send the file in a multipart field named "file".', { fields: [{ path: 'body.file', message: 'missing' }] }));
        return;
      }
      const { done, mime, filename } = sunk;
      done.then((result) => resolve({ result, mime, filename, fields }), fail);
    });
    busboy.on('error', () => {
      const err = errors.badRequest('The multipart body is malformed.');
      sunk?.file.destroy(err);
      fail(err);
    });
    ctx.req.on('aborted', () => {
      const err = errors.badRequest('The request body was incomplete.');
      sunk?.file.destroy(err);
      fail(err);
    });
    ctx.req.pipe(busboy);
  });
}
