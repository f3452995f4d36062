import type { LocalImage } from '../../../../shared/contract/index';
import { CopyableCode } from '../../components/CopyableCode';
import { Field } from '../../components/Field';
import { formatBytes } from '../../lib/format';

interface ImagePickerProps {
  images: LocalImage[] | null;
  value: string;
  error: string | undefined;
  noEngine: boolean;
  docker: { message: string; fix: string | null } | null;
  onChange(image: string): void;
}

/** The local image to run in, or why there is none to pick. */
export function ImagePicker({ images, value, error, noEngine, docker, onChange }: ImagePickerProps) {
  if (images === null) return <p className="muted">Reading local images…</p>;
  if (images.length === 0) {
    return (
      <div className="notice notice-warn" data-testid="no-images">
        <div>
          {noEngine ? (
            <>
              <p>
                <strong>No Docker engine, so no images:</strong> this job will run as a plain process on this machine, with the same environment, logs
                and metrics but no isolation. {docker?.message}
              </p>
              {docker?.fix && <CopyableCode code={docker.fix} />}
            </>
          ) : (
            <p>
              <strong>No local Docker images.</strong> Build one (<code>npm run images</code> builds <code>orrery/python:local</code>) or{' '}
              <code>docker pull</code> one, then open this dialog again.
            </p>
          )}
          {error && <span className="field-error">{error}</span>}
        </div>
      </div>
    );
  }
  return (
    <Field label="Image" error={error} hint="Local images only; nothing is pulled." testId="field-image">
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value} onChange={(e) => onChange(e.target.value)}>
          {!images.some((i) => i.tag === value) && <option value="">Pick an image…</option>}
          {images.map((image) => (
            <option key={image.tag} value={image.tag}>
              {image.tag} · {formatBytes(image.sizeBytes)} · {new Date(image.created).toLocaleDateString()}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
