import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';

describe('the logger', () => {
  it('writes an error with its cause (the database’s code and constraint), never the query’s parameters', () => {
    const lines: string[] = [];
    const log = createLogger('info', { requestId: 'r-1' }, (line) => lines.push(line));
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "clients_document"'), { code: '23505', constraint_name: 'clients_document', detail: 'Key (document_number)=(44556677) already exists.' });
    const failed = new Error('Failed query: insert into "clients" ("name") values ($1)\nparams: Rosa Quispe,44556677', { cause });
    log.error('request.failed', { error: failed });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 'error', event: 'request.failed', requestId: 'r-1' });
    expect(entry.error.message).toBe('Failed query: insert into "clients" ("name") values ($1)\nparams: (omitted)');
    expect(entry.error.cause).toMatchObject({ message: cause.message, code: '23505', constraint_name: 'clients_document' });
    expect(lines[0]).not.toContain('Rosa');
    expect(lines[0]).not.toContain('44556677');
  });
});
