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

/** One JSON line per event on stdout. Callers pass ids, never personal data or secrets. */
export function createLogger(level: Level | 'silent' = 'info', base: Fields = {}, write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const emit = (at: Level, event: string, fields?: Fields) => {
    if (order[at] < order[level]) return;
    const entry: Fields = { time: new Date().toISOString(), level: at, event, ...base, ...fields };
    if (entry.error instanceof Error) {
      entry.error = { name: entry.error.name, message: entry.error.message, stack: entry.error.stack };
    }
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
