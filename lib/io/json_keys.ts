/**
 * The top-level keys of a JSON object text, in the order they are written, duplicates included.
 *
 * JSON.parse cannot tell us either: it keeps only the last of duplicate keys, and JS objects list
 * integer-like keys ("0", "12") before all others whatever their position. A safetensors header
 * needs both (file order is the state dict's order; a duplicated tensor name must be refused), so
 * this scans the text. Call it only on text that JSON.parse accepted as an object: the scanner
 * relies on that and does no validation of its own.
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = skipWs(text, text.indexOf('{') + 1);
  while (i < text.length && text[i] !== '}') {
    const end = stringEnd(text, i);
    keys.push(JSON.parse(text.slice(i, end)) as string);
    i = skipWs(text, end);
    i = skipWs(text, skipValue(text, skipWs(text, i + 1))); // past ':' and the value
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return keys;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  return i;
}

/** Index just past the string literal that starts at `i` (which holds the opening quote). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

/** Index just past the JSON value that starts at `i`. */
function skipValue(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      j = stringEnd(text, j) - 1;
      if (depth === 0) return j + 1;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      if (depth === 0) return j; // end of the enclosing object: a scalar value ended here
      depth--;
      if (depth === 0) return j + 1;
    } else if (c === ',' && depth === 0) {
      return j;
    }
  }
  return text.length;
}
