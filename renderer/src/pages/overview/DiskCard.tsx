import type { DiskInfo } from '../../../../shared/contract/index';
import { Card } from '../../components/Card';
import { Facts, type Fact } from '../../components/Facts';
import { UsageBar } from '../../components/UsageBar';
import { formatBytes, percentOf } from '../../lib/format';
import { diskBreakdown } from './disk-breakdown';

/** The disk that holds the data dir: where runs, artifacts and models will fill up space. */
export function DiskCard({ disk }: { disk: DiskInfo | null }) {
  if (!disk) {
    return (
      <Card title="Data disk" testId="disk-card">
        <p className="muted">The disk holding the data dir could not be read.</p>
      </Card>
    );
  }
  const space = diskBreakdown(disk);
  const rows: Fact[] = [
    ['Data dir', <span className="mono">{disk.path}</span>],
    ['Filesystem', disk.filesystem || '—'],
    ['Used', `${formatBytes(space.used)}${space.usedDerived ? ' (total − free)' : ''}`, 'disk-used'],
    ['Free', formatBytes(space.free), 'disk-free'],
  ];
  if (space.reserved > 0) rows.push(['Not available', <span title="Total minus used minus free, as the filesystem reports them: blocks it keeps back (ext4 reserves 5% for root by default) or that its volume does not let this machine use. Orrery cannot write there.">{formatBytes(space.reserved)} <span className="muted">(kept back by the filesystem)</span></span>, 'disk-reserved']);
  rows.push(['Total', formatBytes(space.total), 'disk-total']);
  return (
    <Card title="Data disk" testId="disk-card">
      <p className="headline mono">{disk.mount}</p>
      <Facts rows={rows} />
      <UsageBar
        // Full when nothing is free: reserved space is as unusable as used space.
        percent={percentOf(space.total - space.free, space.total)}
        label="Data disk taken (used and reserved)"
        detail={`${formatBytes(space.free)} free of ${formatBytes(space.total)}`}
      />
    </Card>
  );
}
