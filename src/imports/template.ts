import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Translate } from '../platform/i18n/index.js';
import { xlsxWriter } from '../platform/spreadsheets/write.js';
import { clientOrderFields, type ImportField } from './fields.js';

/** The upload template: the headers in the user's language and one example row. */
export async function importTemplate(t: Translate, fields: ImportField[] = clientOrderFields): Promise<Buffer> {
  const out = new PassThrough();
  const bytes = buffer(out);
  const writer = xlsxWriter(out, fields.map((f) => f.heading ?? t(f.label)));
  await writer.write([fields.map((f) => f.example)]);
  await writer.end();
  return bytes;
}
