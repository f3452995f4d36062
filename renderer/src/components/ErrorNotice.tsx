import type { LoadError } from '../stores/load-error';

/** A failed call, said plainly, with a way to try again. */
export function ErrorNotice({ title, error, onRetry }: { title: string; error: LoadError; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{title}</strong> {error.message} <span className="muted">({error.code})</span>
      </p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
