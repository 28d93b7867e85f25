import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says about one process (Linux). */
interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

function readProc(): ProcInfo[] | undefined {
  if (process.platform !== 'linux') return undefined;
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may itself hold spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/**
 * Live processes of a job's tree: members of its process group and descendants of its leader that
 * moved to a group of their own (setsid), zombies excluded (they are dead, only unreaped).
 * Undefined where /proc is not available.
 */
export function liveTree(leader: number): number[] | undefined {
  const procs = readProc();
  if (!procs) return undefined;
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const tree = new Set<number>();
  const queue = [leader];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    for (const c of children.get(pid) ?? []) {
      if (!tree.has(c)) {
        tree.add(c);
        queue.push(c);
      }
    }
  }
  return procs.filter((p) => p.state !== 'Z' && (p.pgrp === leader || tree.has(p.pid) || p.pid === leader)).map((p) => p.pid);
}

/** Whether anything of the tree still runs (without /proc: whether the group still exists). */
export function treeAlive(leader: number): boolean {
  const live = liveTree(leader);
  if (live) return live.length > 0;
  try {
    process.kill(-leader, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends `signal` to the whole tree of a detached child: its process group (children of children
 * included) and any descendant that left the group. On Windows only the child itself can be told.
 */
export function signalTree(leader: number, signal: NodeJS.Signals): void {
  const kill = (pid: number) => {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone, or never ours.
    }
  };
  if (process.platform === 'win32') return kill(leader);
  const stragglers = liveTree(leader) ?? [];
  kill(-leader);
  for (const pid of stragglers) kill(pid);
}
