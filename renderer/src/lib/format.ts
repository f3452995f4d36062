const KIB = 1024;
const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Binary units, the way memory and disks are reported by nvidia-smi and free(1): 1536 MiB -> "1.50 GiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < KIB) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= KIB && unit < units.length - 1) {
    value /= KIB;
    unit++;
  }
  // Three significant digits at most: "7.75 GiB", "15.6 GiB", "512 MiB".
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  let text = value.toFixed(decimals);
  // 1023.9 KiB rounds to "1024 KiB"; say "1.00 MiB" instead.
  if (Number(text) >= KIB && unit < units.length - 1) {
    text = (value / KIB).toFixed(2);
    unit++;
  }
  return `${text} ${units[unit]}`;
}

/** nvidia-smi reports memory in MiB (it labels them "MiB"; the contract calls them Mb). */
export function formatMib(mib: number | null | undefined): string {
  if (mib === null || mib === undefined) return '—';
  return formatBytes(mib * KIB * KIB);
}

export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return 'n/a';
  return `${Math.round(percent)}%`;
}

/** used / total as 0..100, or null when either is unknown or total is zero. */
export function percentOf(used: number | null | undefined, total: number | null | undefined): number | null {
  if (used === null || used === undefined || total === null || total === undefined) return null;
  if (!Number.isFinite(used) || !Number.isFinite(total) || total <= 0) return null;
  return Math.min(100, Math.max(0, (used / total) * 100));
}

/**
 * How long something took, the one way every page says it (runs table, run page, jobs page):
 * "850 ms", "42 s", "3 m 05 s", "2 h 04 m", "3 d 5 h"; "—" when unknown.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
