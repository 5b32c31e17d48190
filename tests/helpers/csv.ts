/**
 * An RFC 4180 reader written independently of our renderers, to read their CSV back in tests:
 * quoted fields, doubled quotes, CRLF rows. `requireFinalNewline` refuses a last row without CRLF.
 */
export function parseCsv(text: string, { requireFinalNewline = false } = {}): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    if (requireFinalNewline) throw new Error('CSV does not end with CRLF');
    row.push(field);
    rows.push(row);
  }
  return rows;
}
