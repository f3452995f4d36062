/** The file name for one form of an exported report: "report.html" + json → "report.json". */
export function exportFileName(fileName: string, form: 'html' | 'json'): string {
  const base = fileName.replace(/\.(html?|json)$/i, '').replace(/[\\/:*?"<>|]+/g, '-') || 'drift-report';
  return `${base}.${form}`;
}

/** Saves text as a download: a Blob behind an <a download>, clicked once, its URL released after. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The click starts the download synchronously; the URL may go on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
