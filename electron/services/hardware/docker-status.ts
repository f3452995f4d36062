import type { DockerStatus } from '../../../shared/contract/hardware';

const TOOLKIT_FIX =
  'Install the NVIDIA Container Toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html), ' +
  'then run: sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker';

interface Base {
  endpoint: string;
  hasNvidiaGpu: boolean;
}

/** Reads the engine's /info answer into what the user needs to know before training. */
export function dockerStatusFromInfo(
  info: Record<string, unknown>,
  { endpoint, hasNvidiaGpu, apiVersion }: Base & { apiVersion: string | null },
): DockerStatus {
  const runtimes = Object.keys(isRecord(info.Runtimes) ? info.Runtimes : {}).sort();
  const securityOptions = Array.isArray(info.SecurityOptions) ? info.SecurityOptions.map(String) : [];
  const nvidiaRuntime = runtimes.includes('nvidia');
  const version = str(info.ServerVersion);
  const gpu = gpuReadiness(nvidiaRuntime, hasNvidiaGpu);
  return {
    state: 'ready',
    message: `Docker Engine ${version ?? ''} is running.`.replace('  ', ' '),
    fix: null,
    endpoint,
    version,
    apiVersion,
    storageDriver: str(info.Driver),
    runtimes,
    defaultRuntime: str(info.DefaultRuntime),
    nvidiaRuntime,
    cgroupVersion: str(info.CgroupVersion),
    rootless: securityOptions.some((option) => option.split(',').includes('name=rootless')),
    ...gpu,
  };
}

function gpuReadiness(nvidiaRuntime: boolean, hasNvidiaGpu: boolean): Pick<DockerStatus, 'gpuReady' | 'gpuMessage' | 'gpuFix'> {
  if (nvidiaRuntime && hasNvidiaGpu) {
    return { gpuReady: true, gpuMessage: 'The NVIDIA runtime is installed: containers can use the GPUs.', gpuFix: null };
  }
  if (nvidiaRuntime) {
    return {
      gpuReady: false,
      gpuMessage: 'The NVIDIA runtime is installed, but no NVIDIA GPU answers on this machine.',
      gpuFix: 'Check the NVIDIA driver: nvidia-smi should list your GPUs.',
    };
  }
  if (hasNvidiaGpu) {
    return {
      gpuReady: false,
      gpuMessage: 'The Docker engine has no NVIDIA runtime, so training containers cannot use the GPUs.',
      gpuFix: TOOLKIT_FIX,
    };
  }
  return {
    gpuReady: false,
    gpuMessage: 'No NVIDIA GPU and no NVIDIA runtime: containers train on the CPU.',
    gpuFix: null,
  };
}

/** Turns a failed call to the engine into a plain message and the step that fixes it. */
export function dockerStatusFromError(
  error: unknown,
  { endpoint, platform, dockerInstalled }: { endpoint: string; platform: NodeJS.Platform; dockerInstalled: boolean },
): DockerStatus {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const desktop = platform === 'darwin' || platform === 'win32';
  let state: DockerStatus['state'] = 'unreachable';
  let message: string;
  let fix: string;
  if (code === 'ENOENT' && !dockerInstalled) {
    state = 'missing';
    message = 'Docker is not installed, so training jobs cannot run in containers.';
    fix = desktop
      ? 'Install Docker Desktop: https://docs.docker.com/desktop/'
      : 'Install Docker Engine (https://docs.docker.com/engine/install/), e.g. on Debian/Ubuntu: sudo apt-get install docker.io';
  } else if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    message = `Docker is installed but its engine is not running (nothing answers at ${endpoint}).`;
    fix = desktop ? 'Start Docker Desktop.' : 'Start the engine: sudo systemctl start docker (or run dockerd)';
  } else if (code === 'EACCES' || code === 'EPERM') {
    message = `Permission denied on ${endpoint}: your user may not talk to the Docker engine.`;
    fix = 'Add yourself to the docker group: sudo usermod -aG docker $USER, then log out and back in.';
  } else if (/timeout/i.test(detail) || code === 'ETIMEDOUT') {
    message = `The Docker engine at ${endpoint} did not answer in time.`;
    fix = desktop ? 'Restart Docker Desktop.' : 'Restart the engine: sudo systemctl restart docker';
  } else {
    message = `The Docker engine at ${endpoint} could not be reached: ${detail}`;
    fix = desktop ? 'Restart Docker Desktop.' : 'Check that dockerd is running: sudo systemctl status docker';
  }
  return {
    state,
    message,
    fix,
    endpoint,
    version: null,
    apiVersion: null,
    storageDriver: null,
    runtimes: [],
    defaultRuntime: null,
    nvidiaRuntime: false,
    cgroupVersion: null,
    rootless: false,
    gpuReady: false,
    gpuMessage: 'GPU training needs a running Docker engine first.',
    gpuFix: null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}
