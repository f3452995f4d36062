import type { GpuSample } from '../../shared/contract/hardware';
import type { GpuSampleReader } from '../../electron/services/training/ports';

/** A GPU sample reader that answers what the test last set. */
export class FixedGpuSamples {
  constructor(public samples: GpuSample[] = []) {}

  readonly read: GpuSampleReader = async () => this.samples;
}
