import type { DiskInfo } from '../../../../shared/contract/index';

/** A disk's space in parts that add up to its total, in bytes. */
export interface DiskBreakdown {
  used: number;
  /** What a new file can take: the filesystem's "available". */
  free: number;
  /** Neither used nor free: blocks the filesystem keeps back (ext4 reserves 5% for root by default). */
  reserved: number;
  total: number;
  /** The filesystem's own "used" did not fit (used + free > total, e.g. btrfs, overlays): used is shown as total − free. */
  usedDerived: boolean;
}

/**
 * used + free + reserved = total, always. df's used and available leave out the reserved blocks,
 * so shown bare they do not add up to the size; the remainder is named instead of hidden.
 */
export function diskBreakdown(disk: Pick<DiskInfo, 'totalBytes' | 'usedBytes' | 'availableBytes'>): DiskBreakdown {
  const total = Math.max(0, disk.totalBytes);
  const free = Math.min(total, Math.max(0, disk.availableBytes));
  const reported = Math.max(0, disk.usedBytes);
  if (reported + free > total) return { used: total - free, free, reserved: 0, total, usedDerived: true };
  return { used: reported, free, reserved: total - reported - free, total, usedDerived: false };
}
