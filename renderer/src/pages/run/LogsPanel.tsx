import { useEffect, useRef, useState } from 'react';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';

const TAIL = 1000;
const KEEP = 5000;

/** The job's log: the last lines, then a live tail; a search asks the server for matching lines. */
export function LogsPanel({ jobId, live }: { jobId: string; live: boolean }) {
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const boxRef = useRef<HTMLPreElement>(null);
  const liveRef = useRef(live);
  liveRef.current = live;

  // The tail, then live lines appended as they come (while the job runs); a resync reads the tail again.
  const log = useLiveQuery((client) => client.call('training.getLogs', { jobId, tail: TAIL, ...(search ? { search } : {}) }), [jobId, search], {
    patch: {
      'training.log': (prev, line) => {
        if (!liveRef.current || line.jobId !== jobId || (search && !line.line.includes(search))) return prev;
        return prev.length >= KEEP ? [...prev.slice(prev.length - KEEP + 1), line] : [...prev, line];
      },
    },
  });
  const lines = log.data ?? [];
  const error = log.error;

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
