import { createInterface } from 'node:readline';
import { translateMessage, type Translate } from '../platform/i18n/index.js';
import { csvWriter } from '../platform/spreadsheets/write.js';
import { newKey, type Storage } from '../storage/index.js';
import { reportLine, type RowError } from './rows.js';

const CHUNK = 1000;

/**
 * The per-row error report of an upload, in the order of the file's rows whatever the order
 * in which the check found the errors. Reading the file finds most of them row after row;
 * the rules between rows (a repeated code, a client of another campaign, what is stored)
 * find the rest afterwards. The first are spooled to a scratch file as they come (one JSON
 * line each, so a value with a line break stays one record) and the later ones kept until
 * `finish`, which merges both into the csv staff download. Nothing is held per row but the
 * later errors, and an upload without errors writes no file at all.
 */
export function errorReport(storage: Storage, tenantId: number, processId: number, t: Translate) {
  const headers = [t('imports.report.row'), t('imports.report.column'), t('imports.report.value'), t('imports.report.message')];
  const translate = (message: string) => translateMessage(t, message);
  const spoolKey = newKey(tenantId, `errores-${processId}.jsonl`);
  let spool: Awaited<ReturnType<Storage['writer']>> | null = null;
  const later: RowError[] = [];
  let count = 0;
  const closeSpool = async () => {
    if (!spool) return;
    spool.stream.end();
    await spool.done();
  };

  return {
    /** How many errors the report holds so far. */
    get count() {
      return count;
    },
    /** Errors found while reading, in row order. */
    async add(list: RowError[]) {
      if (list.length === 0) return;
      count += list.length;
      spool ??= await storage.writer(spoolKey);
      const text = list.map((error) => `${JSON.stringify(error)}\n`).join('');
      if (!spool.stream.write(text)) await new Promise((resolve) => spool!.stream.once('drain', resolve));
    },
    /** Errors found after reading, in any order: they take their rows' places at the end. */
    later(list: RowError[]) {
      count += list.length;
      later.push(...list);
    },
    /** Writes the report and gives its key, or null when there was nothing to report. */
    async finish(): Promise<string | null> {
      await closeSpool();
      if (count === 0) return null;
      const key = newKey(tenantId, `errores-${processId}.csv`);
      const file = await storage.writer(key);
      const csv = csvWriter(file.stream, headers);
      const tail = later.sort((a, b) => a.line - b.line);
      let next = 0;
      let lines: (string | number)[][] = [];
      const put = async (error: RowError) => {
        lines.push(reportLine(error, translate));
        if (lines.length >= CHUNK) {
          await csv.write(lines);
          lines = [];
        }
      };
      if (spool) {
        for await (const text of createInterface({ input: storage.read(spoolKey), crlfDelay: Infinity })) {
          if (text === '') continue;
          const error = JSON.parse(text) as RowError;
          // A row refused after reading comes before the next rows read, after its own.
          while (next < tail.length && tail[next]!.line < error.line) await put(tail[next++]!);
          await put(error);
        }
      }
      while (next < tail.length) await put(tail[next++]!);
      if (lines.length > 0) await csv.write(lines);
      await csv.end();
      await file.done();
      await storage.remove(spoolKey);
      return key;
    },
    /** Drops whatever was written (the check failed and reports nothing). */
    async discard() {
      await closeSpool();
      await storage.remove(spoolKey);
    },
  };
}
