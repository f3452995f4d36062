import type { ArtifactContent } from '../../../../shared/contract/tracking';
import { takeAccessToken } from '../../api/token';

/** True in the desktop app: no HTTP token there, downloads go through readArtifact instead. */
export function inElectron(): boolean {
  return typeof window.orrery === 'object' && window.orrery !== null;
}

export function artifactUrl(experimentId: string, runId: string, path: string): string {
  const rest = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return `/api/2.0/mlflow-artifacts/artifacts/${encodeURIComponent(experimentId)}/${runId}/artifacts/${rest}`;
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

/** Fetches the file from the artifact endpoint with the session's token and saves it. */
export async function downloadOverHttp(experimentId: string, runId: string, path: string): Promise<void> {
  const token = takeAccessToken(window);
  const response = await fetch(artifactUrl(experimentId, runId, path), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  saveBlob(await response.blob(), baseName(path));
}

export function contentToBlob(content: ArtifactContent): Blob {
  if (content.encoding === 'utf8') return new Blob([content.content], { type: content.mimeType });
  const binary = atob(content.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: content.mimeType });
}

export function saveContent(content: ArtifactContent): void {
  saveBlob(contentToBlob(content), baseName(content.path));
}
