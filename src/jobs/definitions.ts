import { exportJob } from '../exports/service.js';
import { applyImportJob, checkImportJob } from '../imports/jobs.js';
import type { JobDefinition } from './index.js';

/** Every queue the app has; web processes and workers register the same list. */
export const jobDefinitions = [checkImportJob, applyImportJob, exportJob] as JobDefinition<never>[];
