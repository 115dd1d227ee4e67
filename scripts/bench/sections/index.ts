import type { BenchContext } from '../index';
import { searchSection } from './search';
import { uploadSection } from './upload';

/** Extra bench sections (search, uploads, …): each runs against the started server. */
export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export const sections: Section[] = [searchSection, uploadSection];
