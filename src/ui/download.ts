/** Saves text as a file the browser downloads. */
export function downloadText(filename: string, text: string, type = 'text/csv'): void {
  downloadBytes(filename, text, type);
}

/** Saves text or bytes as a file the browser downloads. */
export function downloadBytes(filename: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}
