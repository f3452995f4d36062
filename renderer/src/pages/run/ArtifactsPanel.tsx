import { useEffect, useState } from 'react';
import type { ArtifactContent } from '../../../../shared/contract/tracking';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes } from '../../lib/format';
import { useLiveQuery } from '../../lib/use-live-query';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { baseName, downloadOverHttp, inElectron, saveContent } from './artifact-download';

const PREVIEW_BYTES = 1_000_000;

/** Folders to walk through, a preview of the chosen file (text, JSON, image) and a download. */
export function ArtifactsPanel({ runId, experimentId }: { runId: string; experimentId: string }) {
  const client = useClient();
  const [folder, setFolder] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<LoadError | null>(null);
  const [downloading, setDownloading] = useState(false);

  const listing = useLiveQuery(
    async (c) => [...(await c.call('tracking.listArtifacts', { runId, path: folder }))].sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path)),
    [runId, folder],
    // A file written (an upload, a job's outputs collected) or the run ending (a job's outputs arrive just before) changes the listing.
    { staleOn: { 'tracking.artifact': (e) => e.runId === runId, 'tracking.run': (e) => e.runId === runId } },
  );
  const preview = useLiveQuery((c) => (selected ? c.call('tracking.readArtifact', { runId, path: selected, maxBytes: PREVIEW_BYTES }) : Promise.resolve(null)), [runId, selected], {
    staleOn: { 'tracking.artifact': (e) => e.runId === runId && e.path === selected },
  });
  const entries = listing.data;
  const error = listing.error;
  const content = preview.data;
  const previewError = downloadError ?? preview.error;
  useEffect(() => setDownloadError(null), [selected]);

  const download = async (path: string) => {
    setDownloading(true);
    setDownloadError(null);
    try {
      if (inElectron()) {
        const whole = await client.call('tracking.readArtifact', { runId, path, maxBytes: 10_000_000 });
        if (whole.truncated) throw new Error('The file is larger than 10 MB; open the run folder instead.');
        saveContent(whole);
      } else {
        await downloadOverHttp(experimentId, runId, path);
      }
    } catch (err) {
      setDownloadError(toLoadError(err));
    } finally {
      setDownloading(false);
    }
  };

  const crumbs = folder.split('/').filter(Boolean);
  return (
    <Card title="Artifacts" testId="artifacts-panel" className="card-wide">
      <nav className="crumbs" aria-label="Artifact folder">
        <button type="button" className="link" onClick={() => setFolder('')}>
          artifacts
        </button>
        {crumbs.map((name, i) => (
          <span key={i}>
            {' / '}
            <button type="button" className="link" onClick={() => setFolder(crumbs.slice(0, i + 1).join('/'))}>
              {name}
            </button>
          </span>
        ))}
      </nav>
      {error && <ErrorNotice title="Could not list the artifacts." error={error} />}
      <div className="artifacts">
        <ul className="artifact-list" data-testid="artifact-list">
          {entries?.length === 0 && <li className="muted">No artifacts{folder ? ' in this folder' : ''}.</li>}
          {entries?.map((e) => (
            <li key={e.path}>
              <button
                type="button"
                className="artifact-entry"
                aria-current={e.path === selected ? 'true' : undefined}
                onClick={() => (e.isDir ? setFolder(e.path) : setSelected(e.path))}
              >
                <span className="artifact-icon" aria-hidden>
                  {e.isDir ? '▸' : '·'}
                </span>
                <span className="artifact-name">{baseName(e.path)}{e.isDir ? '/' : ''}</span>
                <span className="muted">{e.isDir ? '' : formatBytes(e.size)}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="artifact-preview" data-testid="artifact-preview">
          {!selected && <p className="muted">Choose a file to preview it.</p>}
          {selected && (
            <header className="artifact-preview-head">
              <strong>{selected}</strong>
              <button type="button" className="btn" onClick={() => void download(selected)} disabled={downloading}>
                {downloading ? 'Downloading…' : 'Download'}
              </button>
            </header>
          )}
          {previewError && <ErrorNotice title="Could not read the file." error={previewError} />}
          {selected && content && content.path === selected && <Preview content={content} />}
        </div>
      </div>
    </Card>
  );
}

function Preview({ content }: { content: ArtifactContent }) {
  const note = content.truncated ? <p className="muted">Showing the first {formatBytes(PREVIEW_BYTES)} of {formatBytes(content.size)}.</p> : null;
  if (content.encoding === 'base64' && content.mimeType.startsWith('image/')) {
    if (content.truncated) return <p className="muted">Image too large to preview ({formatBytes(content.size)}); download it.</p>;
    return <img className="artifact-image" src={`data:${content.mimeType};base64,${content.content}`} alt={content.path} />;
  }
  if (content.encoding === 'utf8') {
    let text = content.content;
    if (!content.truncated && (content.mimeType.includes('json') || content.path.endsWith('.json'))) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Not valid JSON after all: show it as it is.
      }
    }
    return (
      <>
        {note}
        <pre className="artifact-text">{text}</pre>
      </>
    );
  }
  return <p className="muted">Binary file ({content.mimeType}, {formatBytes(content.size)}); download it to open.</p>;
}
