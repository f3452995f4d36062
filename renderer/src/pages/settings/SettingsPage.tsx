import { useAppStore } from '../../stores/stores-context';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';
import { RemoteRegistriesCard } from './RemoteRegistriesCard';
import '../../styles/models.css';
import '../../styles/run.css';

/** #/settings: remote registries, and where this app keeps its data. */
export function SettingsPage() {
  const info = useAppStore((s) => s.info);
  return (
    <div className="page settings-page" data-testid="settings-page">
      <header className="page-head">
        <h1>Settings</h1>
      </header>
      <div className="grid settings-grid">
        <RemoteRegistriesCard />
        {info && (
          <Card title="This app" testId="app-facts">
            <Facts
              rows={[
                ['Data folder', <code className="wrap">{info.dataDir}</code>],
                ['Database', <code className="wrap">{info.databaseFile}</code>],
                ['Acting as', info.user],
                ['Version', `${info.version} (${info.mode})`],
              ]}
            />
          </Card>
        )}
      </div>
    </div>
  );
}
