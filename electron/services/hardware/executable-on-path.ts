import fs from 'node:fs';
import path from 'node:path';

/** True when any of `names` is an executable file on PATH (no shell, no spawn). */
export function executableOnPath(names: string[], env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const suffixes = platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return dirs.some((dir) =>
    names.some((name) =>
      suffixes.some((suffix) => {
        try {
          fs.accessSync(path.join(dir, name + suffix), fs.constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
    ),
  );
}
