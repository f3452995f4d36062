import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A content digest of a dataset file or folder (every file's relative path, size and bytes, in
 * a stable order), so a run records exactly which data it saw. 36 hex characters, as MLflow's
 * dataset digest field allows.
 */
export async function datasetDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const stat = fs.statSync(root);
  const files = stat.isDirectory() ? listFiles(root) : [''];
  for (const relative of files) {
    const full = relative ? path.join(root, relative) : root;
    hash.update(`${relative}\0${fs.statSync(full).size}\0`);
    for await (const chunk of fs.createReadStream(full)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 36);
}

function listFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, relative));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}
