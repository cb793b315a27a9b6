/**
 * Formula injection: text a spreadsheet program would run, marked as text on the way out and
 * read back as stored on the way in.
 */

/** First characters a spreadsheet program reads as a formula: = + - @ tab CR NUL. */
function startsFormula(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 0;
}

/** A signed number ("+51987654321", "-50", "-12,5"): read as a number, it runs nothing. */
const SIGNED_NUMBER = /^[+-]\d+([.,]\d+)*$/;

/**
 * A text cell a spreadsheet program would run as a formula (=, +, -, @, tab, CR, NUL at
 * the start) gets a leading apostrophe, so it is shown as the text it is. A signed number,
 * such as a phone in E.164, is left as it is: the apostrophe would only end up in its cell.
 */
export function neutralizeFormula(text: string): string {
  return startsFormula(text) && !SIGNED_NUMBER.test(text) ? `'${text}` : text;
}

/**
 * What neutralizeFormula wrote, read back: a csv keeps the apostrophe as part of the text
 * (a spreadsheet program hides it), so a file we wrote uploads back as the values it holds.
 */
export function restoreNeutralized(text: string): string {
  return text.charCodeAt(0) === 39 && startsFormula(text.slice(1)) && !SIGNED_NUMBER.test(text.slice(1)) ? text.slice(1) : text;
}
