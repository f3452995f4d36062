#!/usr/bin/env node
// `npm run images`: builds the local training image orrery/python:local and the model-serving
// image orrery/serve:local without pulling anything.
//
//   1. mmdebstrap a Debian bookworm root filesystem with python3, numpy, scikit-learn, pandas,
//      scipy, cloudpickle, xgboost, PyYAML and uvicorn into a tarball in a temporary folder, and
//      `docker import` it as the base image orrery/debian-python-base:local, labelled with the
//      recipe it was built from. When that image already exists with the same recipe this step is
//      skipped (--force rebuilds it, e.g. for Debian security updates).
//   2. Always `docker build` resources/images/python/Dockerfile on top of it (build context:
//      resources/): the tracking module, the `trainer` user, /orrery/outputs, /workspace. Docker's
//      build cache makes this a second or two when nothing changed.
//   3. Always `docker build` resources/images/serve/Dockerfile on the same base: the scoring server
//      (/opt/orrery/scoring_server.py) and the `serve` user.
//
// Machines that can pull images can instead build the same image with
//   docker build -f resources/images/python/Dockerfile.pull -t orrery/python:local resources
//
// Environment: ORRERY_DEBIAN_MIRROR (default http://deb.debian.org/debian); TMPDIR for the
// temporary root filesystem tarball (about 350 MB).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONTEXT = path.join(ROOT, 'resources');
const DOCKERFILE = path.join(ROOT, 'resources', 'images', 'python', 'Dockerfile');
const SERVE_DOCKERFILE = path.join(ROOT, 'resources', 'images', 'serve', 'Dockerfile');

const BASE_IMAGE = 'orrery/debian-python-base:local';
const PYTHON_IMAGE = 'orrery/python:local';
const SERVE_IMAGE = 'orrery/serve:local';

const SUITE = 'bookworm';
const MIRROR = process.env.ORRERY_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const PACKAGES = [
  'ca-certificates',
  'libopenblas0-pthread', // an optimised BLAS/LAPACK for numpy and scipy (else the slow reference one)
  'passwd', // useradd, for the Dockerfile's `trainer` user
  'python3',
  'python3-cloudpickle', // the serving image loads models saved with cloudpickle (MLflow's default)
  'python3-numpy',
  'python3-pandas',
  'python3-scipy',
  'python3-sklearn',
  'python3-uvicorn', // the serving image's HTTP server
  'python3-uvloop', // uvicorn's faster event loop, used when installed
  'python3-xgboost',
  'python3-yaml', // the serving image reads the model folder's MLmodel
  'usr-is-merged', // lets the customize hook below remove usrmerge
];
// The essential set pulls in usrmerge (init-system-helpers: usrmerge | usr-is-merged), and with it
// perl (50 MB), though mmdebstrap's root is merged-/usr already. dpkg refuses if anything needs them.
const PURGE = ['usrmerge', 'libfile-find-rule-perl', 'libnumber-compare-perl', 'libtext-glob-perl', 'perl', 'libperl5.36', 'perl-modules-5.36'];
const DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
];
// The numpy/scipy/pandas/sklearn test suites (90 MB with their bytecode), which only pytest and
// pkg.test() use, are deleted after installation: a dpkg path-exclude would break py3compile.
const DELETE_TESTS = 'find "${1:?}/usr/lib/python3/dist-packages" -mindepth 2 -type d -name tests -prune -exec rm -rf {} +';
// Debian's python3-scipy declares a dependency on python3-pythran, a compiler scipy used while it
// was being built and never imports; pythran in turn pulls in g++, boost and the BLAS/Python
// development packages (about 600 MB). This empty package provides python3-pythran instead.
const PYTHRAN_STUB_CONTROL = `Package: orrery-pythran-stub
Version: 1.0
Architecture: all
Maintainer: Orrery developers <orrery@users.noreply.github.com>
Section: misc
Priority: optional
Provides: python3-pythran
Description: stands in for python3-pythran in the Orrery training image
 Debian's python3-scipy depends on python3-pythran, a compiler used only while
 scipy is built. This empty package satisfies that dependency so the image does
 not carry g++ and boost. Install python3-pythran itself if you need pythran.
`;

const LABEL_RECIPE = 'dev.orrery.base.recipe';
const LABEL_PACKAGES = 'dev.orrery.base.packages';
const LABEL_SUITE = 'dev.orrery.base.suite';
const LABEL_BUILT = 'dev.orrery.base.built';

/** Everything that decides the base image's contents (the mirror does not). */
const RECIPE = JSON.stringify({
  suite: SUITE,
  variant: 'apt',
  packages: PACKAGES,
  dpkg: DPKG_OPTIONS,
  stub: PYTHRAN_STUB_CONTROL,
  purged: PURGE,
  deleted: DELETE_TESTS,
});
const RECIPE_HASH = createHash('sha256').update(RECIPE).digest('hex').slice(0, 16);

class UserError extends Error {}

let currentChild = null;
let interrupted = false;

/**
 * Runs a command without a shell. With capture: resolves {code, stdout, stderr}; else its output
 * goes to the terminal and a non-zero exit rejects. A missing binary rejects with code ENOENT.
 */
function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] });
    currentChild = child;
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (error) => {
      currentChild = null;
      reject(error);
    });
    child.on('close', (code, signal) => {
      currentChild = null;
      if (interrupted) return reject(new UserError('interrupted'));
      if (capture) return resolve({ code: code ?? 1, stdout, stderr });
      if (code === 0) return resolve({ code, stdout, stderr });
      reject(new UserError(`${cmd} ${args[0] ?? ''} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); see its output above.`));
    });
  });
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

async function checkDocker() {
  let result;
  try {
    result = await run('docker', ['version', '--format', '{{.Server.Version}}'], { capture: true });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new UserError(
        'the docker command was not found on PATH. Install Docker (Debian/Ubuntu: apt-get install docker.io; ' +
          'elsewhere see https://docs.docker.com/engine/install/) and run npm run images again.',
      );
    }
    throw error;
  }
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim();
    const permission = /permission denied/i.test(detail);
    throw new UserError(
      `the Docker engine is not reachable:\n  ${detail.replace(/\n/g, '\n  ')}\n` +
        (permission
          ? 'Fix: give your user access to the engine (sudo usermod -aG docker "$USER", then log in again), or run as root.'
          : 'Fix: start the engine (sudo systemctl start docker; Docker Desktop: start the app), or point DOCKER_HOST at a running engine.'),
    );
  }
  return result.stdout.trim();
}

/** {id, labels, size} of a local image, or null when there is none. */
async function inspectImage(name) {
  const result = await run('docker', ['image', 'inspect', '--format', '{{json .}}', name], { capture: true });
  if (result.code !== 0) return null;
  const info = JSON.parse(result.stdout);
  return { id: info.Id, labels: info.Config?.Labels ?? {}, size: info.Size };
}

async function requireTool(cmd, versionArgs, fix) {
  try {
    const result = await run(cmd, versionArgs, { capture: true });
    if (result.code === 0) return;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  throw new UserError(`${cmd} was not found (it builds the base image without pulling anything). Fix: ${fix}`);
}

const shellQuote = (s) => `'${s.replace(/'/g, '\'\\\'\'')}'`;

async function buildBase() {
  await requireTool(
    'mmdebstrap',
    ['--version'],
    'apt-get install mmdebstrap (Debian/Ubuntu).\n' +
      'On a machine that can pull images you can skip it: docker build -f resources/images/python/Dockerfile.pull -t orrery/python:local resources',
  );
  await requireTool('dpkg-deb', ['--version'], 'apt-get install dpkg (it comes with mmdebstrap on Debian/Ubuntu).');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-images-'));
  const removeWork = () => fs.rmSync(work, { recursive: true, force: true });
  process.on('exit', removeWork);
  try {
    const stubRoot = path.join(work, 'stub');
    fs.mkdirSync(path.join(stubRoot, 'DEBIAN'), { recursive: true });
    fs.writeFileSync(path.join(stubRoot, 'DEBIAN', 'control'), PYTHRAN_STUB_CONTROL);
    const stubDeb = path.join(work, 'orrery-pythran-stub.deb');
    await run('dpkg-deb', ['--root-owner-group', '--build', stubRoot, stubDeb], { capture: true }).then((r) => {
      if (r.code !== 0) throw new UserError(`dpkg-deb could not build the pythran stub package:\n${r.stderr}`);
    });

    const tarball = path.join(work, 'rootfs.tar');
    let started = Date.now();
    console.log(`[images] mmdebstrap ${SUITE} (${PACKAGES.join(', ')}) from ${MIRROR}; this takes a minute or two`);
    console.log('[images] (its warning that the stub .deb "is not present inside the chroot" is expected: a hook copies it in)');
    await run('mmdebstrap', [
      '--variant=apt',
      `--include=${stubDeb}`,
      `--include=${PACKAGES.join(',')}`,
      ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
      '--aptopt=Acquire::Languages "none"',
      // apt reads the stub .deb at its path outside the chroot, dpkg at the same path inside it.
      `--essential-hook=mkdir -p "\${1:?}"${shellQuote(work)} && cp ${shellQuote(stubDeb)} "\${1:?}"${shellQuote(stubDeb)}`,
      `--customize-hook=rm -rf "\${1:?}"${shellQuote(work)}`,
      `--customize-hook=chroot "$1" dpkg --purge ${PURGE.join(' ')}`,
      `--customize-hook=${DELETE_TESTS}`,
      SUITE,
      tarball,
      MIRROR,
    ]);
    console.log(`[images] root filesystem: ${megabytes(fs.statSync(tarball).size)} in ${seconds(started)}`);

    started = Date.now();
    const changes = [
      `LABEL ${LABEL_RECIPE}=${RECIPE_HASH}`,
      `LABEL ${LABEL_PACKAGES}=${PACKAGES.join(',')}`,
      `LABEL ${LABEL_SUITE}=${SUITE}`,
      `LABEL ${LABEL_BUILT}=${new Date().toISOString()}`,
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      'CMD ["python3"]',
    ];
    await run('docker', [
      'import',
      ...changes.flatMap((c) => ['--change', c]),
      '--message',
      `mmdebstrap ${SUITE}: ${PACKAGES.join(' ')}`,
      tarball,
      BASE_IMAGE,
    ]);
    console.log(`[images] imported ${BASE_IMAGE} in ${seconds(started)}`);
  } finally {
    removeWork();
    process.off('exit', removeWork);
  }
}

async function removeIfUnused(oldId, newId) {
  if (!oldId || oldId === newId) return;
  // Fails harmlessly while a container or another tag still uses it.
  const result = await run('docker', ['image', 'rm', oldId], { capture: true });
  if (result.code === 0) console.log(`[images] removed the superseded image ${oldId.slice(0, 19)}`);
}

function usage() {
  console.log(`Usage: npm run images [-- --force]

Builds ${PYTHON_IMAGE} (python3, numpy, scikit-learn, pandas, scipy, cloudpickle,
xgboost, orrery_tracking) and ${SERVE_IMAGE} (the same packages, uvicorn and Orrery's
MLflow-protocol model server) on the base image ${BASE_IMAGE},
which mmdebstrap builds from Debian packages without pulling any image.

  --force   rebuild the base image even when its recipe has not changed (picks up Debian updates)
  --help    show this help`);
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !['--force', '--help', '-h'].includes(a));
  if (unknown.length > 0) {
    usage();
    throw new UserError(`unknown argument ${unknown.join(' ')}`);
  }
  if (args.includes('--help') || args.includes('-h')) return usage();
  const force = args.includes('--force');
  const started = Date.now();

  const engine = await checkDocker();
  console.log(`[images] Docker engine ${engine}`);

  const oldBase = await inspectImage(BASE_IMAGE);
  const upToDate =
    oldBase !== null && oldBase.labels[LABEL_RECIPE] === RECIPE_HASH && oldBase.labels[LABEL_PACKAGES] === PACKAGES.join(',');
  if (upToDate && !force) {
    console.log(`[images] ${BASE_IMAGE} is up to date (${oldBase.labels[LABEL_PACKAGES]}; built ${oldBase.labels[LABEL_BUILT]}); --force rebuilds it`);
  } else {
    const why = force ? '--force' : oldBase === null ? 'it does not exist yet' : 'its recipe changed';
    console.log(`[images] building ${BASE_IMAGE} (${why})`);
    await buildBase();
  }
  const base = await inspectImage(BASE_IMAGE);
  if (base === null) throw new UserError(`${BASE_IMAGE} is missing after it was built`);

  for (const [image, dockerfile] of [
    [PYTHON_IMAGE, DOCKERFILE],
    [SERVE_IMAGE, SERVE_DOCKERFILE],
  ]) {
    const oldTop = await inspectImage(image);
    const buildStarted = Date.now();
    console.log(`[images] docker build ${image}`);
    await run('docker', ['build', '--tag', image, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--file', dockerfile, CONTEXT]);
    const top = await inspectImage(image);
    if (top === null) throw new UserError(`${image} is missing after docker build`);
    console.log(`[images] docker build took ${seconds(buildStarted)}`);
    await removeIfUnused(oldTop?.id, top.id);
    console.log(`[images] ${image} ${top.id.slice(0, 19)}, ${megabytes(top.size)}`);
  }
  await removeIfUnused(oldBase?.id, base.id);
  console.log(`[images] ready in ${seconds(started)}`);
}

function onSignal(signal) {
  interrupted = true;
  if (currentChild) currentChild.kill(signal);
  else process.exit(130);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main().catch((error) => {
  if (error instanceof UserError) {
    console.error(`\nnpm run images: ${error.message}`);
  } else {
    console.error('\nnpm run images failed:', error);
  }
  process.exit(interrupted ? 130 : 1);
});
