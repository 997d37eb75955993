import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) this summary reads. */
interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Monotonic clock, µs. */
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time in the window. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** The slice of the profile summarised, µs on the monotonic clock; undefined: the whole profile. */
  window: { startUs: number; endUs: number } | undefined;
  windowMs: number;
  samples: number;
  busyMs: number;
  idleMs: number;
  byFunction: ProfileEntry[];
  byPackage: ProfileEntry[];
}

const ROOT = `file://${process.cwd()}/`;

/** Where a frame's code comes from: an npm package, the bot's own build, Node's core, or V8 itself. */
export function packageOf(frame: CpuProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'V8 garbage collector';
  if (functionName === '(program)') return 'V8 / native (program)';
  if (functionName === '(idle)') return '(idle)';
  if (url === '') return 'V8 builtins / native';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [first = '', second = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const dist = /\/dist\/(src\/[^/]+|commands)\//.exec(url) ?? /\/dist\/(src)\/[^/]+$/.exec(url);
  if (dist) return `bot: ${dist[1]}`;
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
}

function functionKey(frame: CpuProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const short = frame.url.replace(ROOT, '').replace(/^.*\/node_modules\//, '');
  return `${name} (${short}:${frame.lineNumber + 1})`;
}

function top(totals: Map<string, number>, busyUs: number, count: number): ProfileEntry[] {
  return [...totals.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
}

/**
 * Self time by function and by package. With `window`, only samples taken inside it count (the
 * profile also covers start-up and shutdown); a sample is billed the time until the next one.
 */
export function summariseProfile(file: string, window?: { startUs: number; endUs: number }, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let samples = 0;

  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    let at = profile.startTime;
    const times = profile.timeDeltas.map((delta) => (at += delta));
    for (const [index, nodeId] of profile.samples.entries()) {
      const time = times[index]!;
      if (window && (time < window.startUs || time > window.endUs)) continue;
      const next = times[index + 1] ?? time;
      selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (next - time));
      samples += 1;
    }
  } else {
    // No sample list: fall back to hit counts over the whole profile.
    const interval =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) {
      selfUs.set(node.id, (node.hitCount ?? 0) * interval);
      samples += node.hitCount ?? 0;
    }
  }

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [nodeId, us] of selfUs) {
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    const pkg = packageOf(frame);
    if (pkg === '(idle)') idleUs += us;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const key = pkg === '(idle)' ? '(idle)' : functionKey(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  return {
    file,
    window,
    windowMs: window ? (window.endUs - window.startUs) / 1000 : (profile.endTime - profile.startTime) / 1000,
    samples,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    byFunction: top(byFunction, busyUs, count),
    byPackage: top(byPackage, busyUs, count),
  };
}
