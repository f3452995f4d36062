import { useEffect, useRef, useState } from 'react';
import type { JobLogLine } from '../../../../shared/contract/training';
import { useClient } from '../../api/client-context';
import { reloadOnResync } from '../../api/resync';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { toLoadError, type LoadError } from '../../stores/load-error';

const TAIL = 1000;
const KEEP = 5000;

/** The job's log: the last lines, then a live tail; a search asks the server for matching lines. */
export function LogsPanel({ jobId, live }: { jobId: string; live: boolean }) {
  const client = useClient();
  const [lines, setLines] = useState<JobLogLine[]>([]);
  const [error, setError] = useState<LoadError | null>(null);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  // Bumped when the event stream comes back after a drop: lines in the gap are read again.
  const [generation, setGeneration] = useState(0);
  const boxRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let stale = false;
    client.call('training.logs', { jobId, tail: TAIL, ...(search ? { search } : {}) }).then(
      (answer) => {
        if (stale) return;
        setLines(answer);
        setError(null);
      },
      (err: unknown) => !stale && setError(toLoadError(err)),
    );
    return () => {
      stale = true;
    };
  }, [client, jobId, search, generation]);

  useEffect(() => {
    if (!live) return;
    const off = client.on('training.log', (line) => {
      if (line.jobId !== jobId) return;
      if (search && !line.line.includes(search)) return;
      setLines((prev) => (prev.length >= KEEP ? [...prev.slice(prev.length - KEEP + 1), line] : [...prev, line]));
    });
    const offResync = reloadOnResync(client, () => setGeneration((g) => g + 1));
    return () => {
      off();
      offResync();
    };
  }, [client, jobId, live, search]);

  useEffect(() => {
    const box = boxRef.current;
    if (box && follow) box.scrollTop = box.scrollHeight;
  }, [lines, follow]);

  return (
    <Card title="Logs" testId="logs-panel" className="card-wide" aside={live ? <span className="muted">live</span> : undefined}>
      <form
        className="logs-search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(query.trim());
        }}
      >
        <input type="search" placeholder="Search the log…" value={query} onChange={(e) => setQuery(e.currentTarget.value)} aria-label="Search the log" />
        <button type="submit" className="btn">
          Search
        </button>
        {search && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setQuery('');
              setSearch('');
            }}
          >
            Clear
          </button>
        )}
        <label className="logs-follow">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
      </form>
      {error && <ErrorNotice title="Could not read the log." error={error} />}
      <pre className="logs" ref={boxRef} data-testid="logs">
        {lines.length === 0 ? <span className="muted">{search ? `No line contains “${search}”.` : 'No output yet.'}</span> : null}
        {lines.map((l, i) => (
          <div key={`${l.at}-${i}`} className={`log-line log-${l.stream}`}>
            {l.line}
          </div>
        ))}
      </pre>
    </Card>
  );
}
