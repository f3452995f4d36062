import os from 'node:os';

type CpuTimes = { idle: number; total: number };
export type CpuTimesSource = () => os.CpuInfo[];

/** CPU busy percent since the previous reading, from the kernel's counters (no process spawned). */
export class CpuUsageMeter {
  private last: CpuTimes;

  constructor(private readonly source: CpuTimesSource = os.cpus) {
    this.last = this.read();
  }

  percent(): number {
    const now = this.read();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    if (total <= 0) return 0;
    return Math.min(100, Math.max(0, (100 * (total - idle)) / total));
  }

  private read(): CpuTimes {
    let idle = 0;
    let total = 0;
    for (const cpu of this.source()) {
      const t = cpu.times;
      idle += t.idle;
      total += t.user + t.nice + t.sys + t.idle + t.irq;
    }
    return { idle, total };
  }
}
