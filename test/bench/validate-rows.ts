/**
 * Microbenchmark of the per-row check of an import (the CPU part of checkImport): builds the
 * validator as checkImport does and times it over 100,000 rows shaped like the files
 * benchmark's (each a distinct client, phone, amount and dd/mm/yyyy dates). No database.
 * Usage: node --import tsx test/bench/validate-rows.ts [rows] [runs]
 */
import { defaultDocumentTypes } from '../../src/clients/fields.js';
import { suggestMapping } from '../../src/imports/fields.js';
import { rowValidator } from '../../src/imports/rows.js';

const HEADERS = ['Tipo de documento', 'Número de documento', 'Nombre', 'Correo electrónico', 'Teléfono', 'Segmento', 'Código de pago', 'Producto', 'Monto', 'Interés', 'Fecha de emisión', 'Fecha de vencimiento'];

function row(i: number): string[] {
  return ['DNI', String(i).padStart(8, '0'), `Cliente Ñandú ${i}`, `c${i}@example.pe`, `9${String(i).padStart(8, '0')}`, i % 2 ? 'A' : 'B', `OP-${i}`, 'Crédito', `${100 + (i % 5000)},50`, '0', '01/02/2026', '01/03/2026'];
}

const count = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 3);
const rows = Array.from({ length: count }, (_, i) => row(i));

/** Wall and CPU milliseconds of one pass (CPU time is the steadier figure on a busy machine). */
function once(): { ms: number; cpu: number } {
  // A fresh validator per run, as each import builds its own.
  const validate = rowValidator({ documentTypes: defaultDocumentTypes, variables: [], country: 'PE', currency: 'PEN', headers: HEADERS, mapping: suggestMapping(HEADERS, {}), staff: [] });
  let rejected = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < rows.length; i++) if (!validate(i + 2, rows[i]!).ok) rejected++;
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (rejected !== 0) throw new Error(`${rejected} rows rejected; the benchmark's rows should all be valid`);
  return { ms, cpu: (used.user + used.system) / 1000 };
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const results = Array.from({ length: runs }, once);
const wall = results.map((r) => r.ms);
const cpu = results.map((r) => r.cpu);
process.stdout.write(
  `${count} rows: median ${median(wall).toFixed(0)} ms wall (${wall.map((t) => t.toFixed(0)).join(', ')}), ` +
    `${median(cpu).toFixed(0)} ms CPU (${cpu.map((t) => t.toFixed(0)).join(', ')})\n`,
);
