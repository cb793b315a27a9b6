import { notifyAlertJob } from '../alerts/service.js';
import { exportJob } from '../exports/service.js';
import { applyImportJob, checkImportJob } from '../imports/jobs.js';
import type { JobDefinition } from './index.js';
import { maintenanceJob, maintenanceSchedule } from './maintenance.js';

/** Every queue the app has; web processes and workers register the same list. */
export const jobDefinitions = [checkImportJob, applyImportJob, exportJob, maintenanceJob, notifyAlertJob] as JobDefinition<never>[];

/** Recurring work, scheduled by every process that works queues. */
export const jobSchedules = [maintenanceSchedule] as unknown as { job: JobDefinition<never>; cron: string }[];
