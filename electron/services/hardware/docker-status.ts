import type { DockerStatus } from '../../../shared/contract/hardware';
import { localEngineRefusal, parseDockerEndpoint } from '../docker/docker-endpoint';
import { BAD_DOCKER_HOST } from '../docker/docker-engine';

const TOOLKIT_GUIDE = 'https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html';
// Fixes are commands only, so the UI can offer them for copying; the explanation goes in the message.
const TOOLKIT_FIX = 'sudo nvidia-ctk runtime configure --runtime=docker\nsudo systemctl restart docker';

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
    // A remote engine answers, but jobs cannot use it: say so where the engine is shown.
    message: [`Docker Engine ${version ?? ''} is running.`.replace('  ', ' '), localEngineRefusal(parseDockerEndpoint(endpoint))].filter(Boolean).join(' '),
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
      gpuMessage: 'The NVIDIA runtime is installed, but no NVIDIA GPU answers on this machine. Check the driver: nvidia-smi should list your GPUs.',
      gpuFix: 'nvidia-smi',
    };
  }
  if (hasNvidiaGpu) {
    return {
      gpuReady: false,
      gpuMessage:
        'The Docker engine has no NVIDIA runtime, so training containers cannot use the GPUs. ' +
        `Install the NVIDIA Container Toolkit (${TOOLKIT_GUIDE}), then register it with Docker:`,
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
  if (code === BAD_DOCKER_HOST) {
    message = detail;
    fix = 'unset DOCKER_HOST';
  } else if (code === 'ENOENT' && !dockerInstalled) {
    state = 'missing';
    if (desktop) {
      message = 'Docker is not installed, so training jobs cannot run in containers. Install Docker Desktop from:';
      fix = 'https://docs.docker.com/desktop/';
    } else {
      message =
        'Docker is not installed, so training jobs cannot run in containers. ' +
        'Install Docker Engine (https://docs.docker.com/engine/install/); on Debian or Ubuntu:';
      fix = 'sudo apt-get install docker.io\nsudo usermod -aG docker $USER';
    }
  } else if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    message = `Docker is installed but its engine is not running (nothing answers at ${endpoint}). Start it:`;
    fix = desktop ? startDockerDesktop(platform) : 'sudo systemctl start docker';
  } else if (code === 'EACCES' || code === 'EPERM') {
    message = `Permission denied on ${endpoint}: your user may not talk to the Docker engine. Join the docker group, then log out and back in:`;
    fix = 'sudo usermod -aG docker $USER';
  } else if (/timeout/i.test(detail) || code === 'ETIMEDOUT') {
    message = `The Docker engine at ${endpoint} did not answer in time. Restart it:`;
    fix = desktop ? startDockerDesktop(platform) : 'sudo systemctl restart docker';
  } else {
    message = `The Docker engine at ${endpoint} could not be reached: ${detail}. Check that it is running:`;
    fix = desktop ? startDockerDesktop(platform) : 'sudo systemctl status docker';
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

function startDockerDesktop(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'open -a Docker' : 'Start-Process "Docker Desktop"';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}
