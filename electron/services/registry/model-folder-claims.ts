import path from 'node:path';

/**
 * The temp folders (staging, pull, moved-aside) and model folders that registrations and pulls
 * of this process are using, so the start-up sweep of `<dataDir>/models` leaves them alone.
 */
export class ModelFolderClaims {
  /** Temp folders in use. */
  private readonly busy = new Set<string>();
  /** Models with a registration in progress in this process, and how many. */
  private readonly busyModels = new Map<string, number>();

  constructor(readonly modelsRoot: string) {}

  /** Marks `dir` (and the model folder holding it) as in use; the returned function releases them. */
  claim(dir: string, modelDir?: string): () => void {
    this.busy.add(dir);
    const model = modelDir === undefined ? undefined : path.basename(modelDir);
    if (model !== undefined) this.busyModels.set(model, (this.busyModels.get(model) ?? 0) + 1);
    return () => {
      this.busy.delete(dir);
      if (model === undefined) return;
      const left = (this.busyModels.get(model) ?? 1) - 1;
      if (left > 0) this.busyModels.set(model, left);
      else this.busyModels.delete(model);
    };
  }

  /** A folder moved aside during a registration: in use until `release` (no model count). */
  hold(dir: string): void {
    this.busy.add(dir);
  }

  release(dir: string): void {
    this.busy.delete(dir);
  }

  /** True while a registration of `model` is in progress in this process. */
  modelBusy(model: string): boolean {
    return this.busyModels.has(model);
  }

  /** True while an operation of this process uses `file`: a staging, pull or moved-aside folder, or a model folder. */
  inUse(file: string): boolean {
    const parent = path.dirname(file);
    const name = path.basename(file);
    if (parent === this.modelsRoot && this.busyModels.has(name)) return true;
    for (const dir of this.busy) {
      if (file === dir || file.startsWith(`${dir}${path.sep}`)) return true;
      // pullModel stages next to its target, as `.<target name>.pull-XXXXXX`.
      if (parent === path.dirname(dir) && name.startsWith(`.${path.basename(dir)}.`)) return true;
    }
    return false;
  }
}
