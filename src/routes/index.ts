import type { FastifyPluginAsync } from 'fastify';
import { aiRoutes } from './ai.js';
import { bulkRoutes } from './bulk.js';
import { cloudRoutes } from './cloud.js';
import { compressRoutes } from './compress.js';
import { compressPreviewRoutes } from './compress-preview.js';
import { convertRoutes } from './convert.js';
import { eventRoutes } from './events.js';
import { featureRoutes } from './features.js';
import { jobRoutes } from './jobs.js';
import { ocrRoutes } from './ocr.js';
import { systemRoutes } from './system.js';

/**
 * Every route plugin of the API, registered in this order by app.ts. One line per area:
 * a new area adds its import and its entry here and nothing else in app.ts.
 */
export const routePlugins: FastifyPluginAsync[] = [
  systemRoutes,
  featureRoutes,
  jobRoutes,
  eventRoutes,
  compressRoutes,
  compressPreviewRoutes,
  bulkRoutes,
  convertRoutes,
  ocrRoutes,
  aiRoutes,
  cloudRoutes,
];
