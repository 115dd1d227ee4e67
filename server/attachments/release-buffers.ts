import v8 from 'node:v8';
import vm from 'node:vm';

// An upload arrives as socket read buffers that are garbage once written to the temp file, but V8
// collects them only when their external memory passes its own limit (tens of MB): a 25 MB upload
// then sits in the process's RSS whole, and ten at once multiply that. Asking for a young-generation
// collection (a scavenge, about a millisecond) after every few MB received, counted over all
// uploads of the process, keeps the peak near that interval. gc() is reached the way
// jest-leak-detector does it, without --expose-gc on the command line (npm start stays plain).
const INTERVAL_BYTES = 4 * 1024 * 1024;

let collect: (() => void) | null | undefined;
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
      collect = () => gc({ type: 'minor' });
    } catch {
      collect = null; // a runtime without it: V8's own trigger still applies
    }
  }
  return collect;
}

let received = 0;

/** Counts `bytes` received by an upload; now and then releases the buffers already written. */
export function uploadedBytes(bytes: number): void {
  received += bytes;
  if (received < INTERVAL_BYTES) return;
  received = 0;
  collector()?.();
}
