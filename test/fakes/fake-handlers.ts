import type { HardwareOverview, HardwareSample } from '../../shared/contract/hardware';
import type { Handlers } from '../../electron/services/rpc/handlers';
import type { AppInfo } from '../../shared/contract/app';
import { contract } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';

export const sampleAt = (at: number): HardwareSample => ({
  at,
  cpuPercent: 12.5,
  memoryUsedBytes: 1,
  memoryTotalBytes: 2,
  gpus: [],
});

/** Handlers answering fixed values, for transport tests that are about the transport. */
export function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const info: AppInfo = {
    name: 'Orrery',
    version: '0.1.0',
    dataDir: '/tmp/x',
    databaseFile: '/tmp/x/orrery.db',
    schemaVersion: 1,
    mode: 'headless',
    pid: 1,
    startedAt: 0,
    user: 'ada',
  };
  // Areas these tests are not about answer UNAVAILABLE.
  const unavailable = Object.fromEntries(
    Object.keys(contract).map((name) => [
      name,
      () => {
        throw new OrreryError('UNAVAILABLE', `${name} is not part of this test`);
      },
    ]),
  ) as unknown as Handlers;
  return {
    ...unavailable,
    'app.getInfo': () => info,
    'hardware.getOverview': () => ({}) as HardwareOverview,
    'hardware.getDocker': () => ({}) as HardwareOverview['docker'],
    'hardware.getSample': () => sampleAt(0),
    ...overrides,
  };
}
