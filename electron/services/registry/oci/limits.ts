/**
 * What Orrery accepts from a registry. A registry is a remote party: whatever it sends (a manifest,
 * a config, an error page, a layer's file names) is held to these bounds before it can cost memory,
 * time or a raw file-system error.
 */

/** The OCI distribution spec's limit on manifests: registries need not accept larger ones, so no client has to read them. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** A config is a small JSON document (the model card); the same bound as a manifest. */
export const MAX_CONFIG_BYTES = MAX_MANIFEST_BYTES;
/**
 * Layers per manifest. Every layer is a file or folder of the model, downloaded one after another:
 * 10,000 is far beyond any real model and still pulls in minutes; a manifest near 4 MiB can list
 * about 20,000 tiny layers, which would be a registry making the client work, not a model.
 */
export const MAX_LAYERS = 10_000;
/** Of an error answer, only this much is read: enough for the registry's own error JSON or a proxy's page title. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** A token server's answer (a JWT or two); real ones are a few KiB. */
export const MAX_TOKEN_BODY_BYTES = 1024 * 1024;
/** The longest file or folder name Linux and macOS file systems take (NAME_MAX), in bytes. */
export const MAX_NAME_BYTES = 255;
/** The longest relative path a model may hold, in bytes (PATH_MAX less room for the data dir). */
export const MAX_PATH_BYTES = 3072;

/** At most a short prefix of untrusted text, JSON-quoted, for an error message. */
export function quoteShort(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * Why `rel` (a safe relative path) cannot be created on disk, or null when it can: a name longer
 * than NAME_MAX or a path longer than MAX_PATH_BYTES would fail later with ENAMETOOLONG.
 */
export function pathTooLong(rel: string): string | null {
  if (Buffer.byteLength(rel) > MAX_PATH_BYTES) return `the path ${quoteShort(rel)} is longer than ${MAX_PATH_BYTES} bytes`;
  for (const segment of rel.split('/')) {
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES) return `the name ${quoteShort(segment)} is longer than ${MAX_NAME_BYTES} bytes, the most a file system allows`;
  }
  return null;
}
