import fs from 'node:fs';
import path from 'node:path';

export interface LockInfo {
  pid: number;
  command: string;
  url?: string;
  startedAt: string;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `data dir ${dir} is in use by process ${holder.pid} (huaxiang ${holder.command}${holder.url ? ` at ${holder.url}` : ''})` +
        `; stop it first, or use another --data directory`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process owns a data dir at a time (the embedded engines cannot share it). A lock left by a
 * process that died (kill -9) is taken over.
 */
export function lockDataDir(dir: string, info: Omit<LockInfo, 'pid' | 'startedAt'>): { update(i: Partial<LockInfo>): void; release(): void } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'LOCK');
  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(dir);
      if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirBusyError(dir, holder);
      fs.rmSync(file, { force: true });
      if (attempt === 1) throw new Error(`could not lock ${dir}`);
    }
  }
  return {
    update(i) {
      Object.assign(mine, i);
      fs.writeFileSync(file, JSON.stringify(mine));
    },
    release() {
      if (readLock(dir)?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

export function readLock(dir: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}
