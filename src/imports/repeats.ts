/**
 * Whether an upload's rows repeat one another, told as they are checked: a payment code
 * on more than one row, a client whose rows are not all together, or a client whose rows
 * say different things. Only an upload where one of these may happen needs the rules
 * between rows applied in SQL once it is staged (settleRepeats in jobs.ts); for the rest,
 * the first row of each client is already the one marked.
 *
 * Codes and clients are kept as 53-bit fingerprints, not as text: two that differ almost
 * never share one, and when they do the upload only takes the SQL path it would take
 * anyway with a real repeat.
 */

/** A 53-bit fingerprint of a text (cyrb53), never 0. */
export function fingerprint(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

/** Fingerprints in one typed array (open addressing): a few bytes each and nothing for the collector to trace. */
class FingerprintSet {
  private slots = new Float64Array(1 << 12);
  private size = 0;

  /** Adds the fingerprint; false when it was already there. */
  add(value: number): boolean {
    if (this.size * 2 >= this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    for (let i = (value >>> 0) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) {
        this.slots[i] = value;
        this.size++;
        return true;
      }
      if (slot === value) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.size = 0;
    for (const value of old) if (value !== 0) this.add(value);
  }
}

/** What a checked batch tells about repeats (see batchChecker). */
export interface BatchRepeats {
  /** Fingerprints of each staged row's payment code (0 for a row without one). */
  codes: Float64Array;
  /** Fingerprints of the document of each run of one client's rows that starts after the batch's first staged row. */
  runs: Float64Array;
  /** The first staged row: its line, its client's document and the client's columns. */
  first: { line: number; document: string; client: string } | null;
  /** The last staged row's client. */
  last: { document: string; client: string } | null;
  /** Whether, within the batch, a client's row says something other than the row before it. */
  differs: boolean;
}

/**
 * Follows an upload's checked batches, taken in the file's order. A client's run of rows
 * that goes on from one batch to the next is one run: its row at the start of the later
 * batch, marked as a first row by the batch's check, is listed in `continued`.
 */
export function repeatWatch() {
  let codes: FingerprintSet | null = new FingerprintSet();
  let runs: FingerprintSet | null = new FingerprintSet();
  let repeats = false;
  let last: BatchRepeats['last'] = null;
  const continued: number[] = [];
  const found = () => {
    // Settled in SQL from here on: nothing more to remember.
    repeats = true;
    codes = runs = null;
  };
  return {
    add(batch: BatchRepeats): void {
      if (!batch.first) return;
      if (last && last.document === batch.first.document) {
        continued.push(batch.first.line);
        if (last.client !== batch.first.client) found();
      } else if (runs && !runs.add(fingerprint(batch.first.document))) {
        found();
      }
      last = batch.last;
      if (batch.differs) found();
      for (const run of batch.runs) if (runs && !runs.add(run)) found();
      for (const code of batch.codes) if (code !== 0 && codes && !codes.add(code)) found();
    },
    /** Whether the upload may have rows that repeat others (then settled in SQL). */
    get repeats() {
      return repeats;
    },
    /** Lines of rows that go on with the client of the row before them, though marked as its first. */
    continued,
  };
}
