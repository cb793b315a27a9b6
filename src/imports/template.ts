import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Translate } from '../platform/i18n/index.js';
import { xlsxWriter } from '../platform/spreadsheets/write.js';
import { clientOrderFields } from './fields.js';

/** The upload template: the headers in the user's language and one example row. */
export async function importTemplate(t: Translate): Promise<Buffer> {
  const out = new PassThrough();
  const bytes = buffer(out);
  const writer = xlsxWriter(out, clientOrderFields.map((f) => t(f.label)));
  await writer.write([clientOrderFields.map((f) => f.example)]);
  await writer.end();
  return bytes;
}
