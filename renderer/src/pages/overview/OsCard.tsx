import type { OsInfo } from '../../../../shared/contract/index';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';

export function OsCard({ os }: { os: OsInfo }) {
  return (
    <Card title="Operating system" testId="os-card">
      <p className="headline">{[os.distro, os.release].filter(Boolean).join(' ') || os.platform}</p>
      <Facts
        rows={[
          ['Kernel', os.kernel || '—'],
          ['Architecture', os.arch || '—'],
          ['Platform', os.platform || '—'],
          ['Hostname', os.hostname || '—'],
        ]}
      />
    </Card>
  );
}
