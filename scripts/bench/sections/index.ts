import type { BenchContext } from '../index';
import { apiSection } from './api';
import { fanoutSection } from './fanout';
import { mixSection } from './mix';
import { searchSection } from './search';
import { uploadSection } from './upload';

/**
 * Bench sections, run in this order against one started server. To add one: a file here exporting a
 * Section, and a line below. `npm run bench -- --only api,search` runs a subset by name.
 */
export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export const sections: Section[] = [
  apiSection,
  mixSection,
  searchSection,
  uploadSection,
  // Last: thousands of sockets are the heaviest thing for the machine.
  fanoutSection,
];
