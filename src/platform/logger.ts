type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/**
 * An error as a log line can hold it: its cause too (the database's own error behind a failed
 * query: message, code, constraint), but never a query's parameters, which carry clients' data.
 */
function describeError(error: Error, depth = 0): Fields {
  const withoutParams = (text: string | undefined) => text?.replace(/\nparams: [\s\S]*?(?=\n    at |$)/, '\nparams: (omitted)');
  const out: Fields = { name: error.name, message: withoutParams(error.message), stack: withoutParams(error.stack) };
  const database = error as Error & { code?: unknown; constraint_name?: unknown; table_name?: unknown; column_name?: unknown };
  for (const key of ['code', 'constraint_name', 'table_name', 'column_name'] as const) if (typeof database[key] === 'string') out[key] = database[key];
  if (error.cause instanceof Error && depth < 3) out.cause = describeError(error.cause, depth + 1);
  return out;
}

/** One JSON line per event on stdout. Callers pass ids, never personal data or secrets. */
export function createLogger(level: Level | 'silent' = 'info', base: Fields = {}, write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const emit = (at: Level, event: string, fields?: Fields) => {
    if (order[at] < order[level]) return;
    const entry: Fields = { time: new Date().toISOString(), level: at, event, ...base, ...fields };
    if (entry.error instanceof Error) entry.error = describeError(entry.error);
    write(JSON.stringify(entry));
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
