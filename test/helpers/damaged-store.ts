import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Overwrites one leaf page in the middle of `table`'s b-tree with garbage, the way a bad sector or
 * a torn copy damages a store: the header and schema pages stay intact, so the file still opens.
 * The database must be closed (checkpointed) first. Returns the damaged page number.
 */
export function damageLeafPage(file: string, table: string): number {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const leaves = (db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").all(table) as Array<{ pageno: number }>).map(
    (row) => row.pageno,
  );
  db.close();
  if (fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0) throw new Error(`${file} has a WAL: close it cleanly first`);
  if (leaves.length < 3) throw new Error(`${table} has only ${leaves.length} leaf pages; write more rows first`);
  const page = leaves[Math.floor(leaves.length / 2)]!;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
  } finally {
    fs.closeSync(fd);
  }
  return page;
}
