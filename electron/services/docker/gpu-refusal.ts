/** The engine's refusal of a GPU request when it has no NVIDIA runtime, in words a user can act on. */

export const NVIDIA_RUNTIME_FIX = 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker';

// dockerd's words when no runtime/plugin serves the "gpu" capability (seen from Debian's 20.10).
// The driver name is left open: a request with an empty Driver is refused the same way.
const REFUSAL = /could not select device driver "[^"]*" with capabilities: \[\[gpu\]\]/;

/**
 * Whether an engine error carries the refusal in any of its texts: dockerode puts the engine's own
 * text under json.message, wrappers keep the original under cause. Objects deeper than 3 levels are
 * not searched, which also ends a cycle.
 */
function carriesRefusal(error: unknown, depth = 0): boolean {
  if (typeof error === 'string') return REFUSAL.test(error);
  if (depth > 3 || typeof error !== 'object' || error === null) return false;
  const record = error as Record<string, unknown>;
  return ['message', 'reason', 'json', 'cause'].some((key) => carriesRefusal(record[key], depth + 1));
}

/**
 * A plain message when the engine refused a GPU request because it has no NVIDIA runtime, or null
 * when the error is something else.
 */
export function engineGpuRefusal(error: unknown): string | null {
  return carriesRefusal(error) ? NO_NVIDIA_RUNTIME : null;
}

/** engineGpuRefusal's words, which ContainerRunner.start throws as they are. */
export const NO_NVIDIA_RUNTIME =
  'This Docker engine has no NVIDIA runtime, so it cannot give the container GPUs. ' + `Install the NVIDIA Container Toolkit, then: ${NVIDIA_RUNTIME_FIX}`;
