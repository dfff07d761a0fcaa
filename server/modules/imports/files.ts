import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Config } from '../../config';

/** Where files are kept: the data folder (all the import files need of the configuration). */
export type DataDir = Pick<Config, 'dataDir'>;

// csv-parse reads the bytes as Latin-1 (one character per byte, nothing lost or replaced) so that
// each cell can be checked for valid UTF-8 on its own: one badly encoded row is rejected, not the file.
export const BYTE_ENCODING = 'latin1';
// A UTF-8 byte order mark as Latin-1 characters (a spreadsheet's "CSV UTF-8" starts with one).
const BOM = '\u00ef\u00bb\u00bf';

/** Where an uploaded file is kept until it is imported (the data folder, shared by web and worker). */
export function uploadPath(config: DataDir, importId: string): string {
  return path.join(config.dataDir, 'imports', `${importId}.csv`);
}

/** Writes an upload to its place as it arrives; a failed upload leaves no file. */
export async function storeUpload(config: DataDir, importId: string, file: Readable): Promise<number> {
  const target = uploadPath(config, importId);
  await mkdir(path.dirname(target), { recursive: true });
  let size = 0;
  file.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  try {
    await pipeline(file, createWriteStream(target, { flags: 'wx' }));
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  }
  return size;
}

export async function removeUpload(config: DataDir, importId: string): Promise<void> {
  await rm(uploadPath(config, importId), { force: true });
}

export type CsvRecord = { cells: string[]; row: number; raw: string };

/** The records of a stored upload, streamed with backpressure; `row` is the record's number (the header is 1). */
export async function* readRecords(config: DataDir, importId: string): AsyncGenerator<CsvRecord> {
  // No `info` option: its object per record doubled the heap a large import needs (about 50 MB more
  // at peak over 1,000,000 rows); every record is yielded, so counting them gives the same number.
  const parser = createReadStream(uploadPath(config, importId)).pipe(
    parse({ encoding: BYTE_ENCODING, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, raw: true }),
  );
  let row = 0;
  for await (const item of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    row += 1;
    const cells = row === 1 && item.record[0]?.startsWith(BOM) ? [item.record[0].slice(BOM.length), ...item.record.slice(1)] : item.record;
    yield { cells, row, raw: item.raw.replace(/\r?\n$/, '') };
  }
}

/** A cell read as bytes, shown as UTF-8 (invalid bytes as U+FFFD). */
export const shown = (cell: string) => Buffer.from(cell, BYTE_ENCODING).toString('utf8');
