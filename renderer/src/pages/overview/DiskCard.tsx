import type { DiskInfo } from '../../../../shared/contract/index';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';
import { UsageBar } from '../../components/UsageBar';
import { formatBytes, percentOf } from '../../lib/format';

/** The disk that holds the data dir: where runs, artifacts and models will fill up space. */
export function DiskCard({ disk }: { disk: DiskInfo | null }) {
  if (!disk) {
    return (
      <Card title="Data disk" testId="disk-card">
        <p className="muted">The disk holding the data dir could not be read.</p>
      </Card>
    );
  }
  return (
    <Card title="Data disk" testId="disk-card">
      <p className="headline mono">{disk.mount}</p>
      <Facts
        rows={[
          ['Data dir', <span className="mono">{disk.path}</span>],
          ['Filesystem', disk.filesystem || '—'],
          ['Free', formatBytes(disk.availableBytes)],
        ]}
      />
      <UsageBar
        percent={percentOf(disk.usedBytes, disk.totalBytes)}
        label="Data disk used"
        detail={`${formatBytes(disk.usedBytes)} of ${formatBytes(disk.totalBytes)}`}
      />
    </Card>
  );
}
