import { sql } from 'kysely';

/**
 * The webhook_status a job gets in the same statement that makes it final: 'pending' when it
 * has a webhook_url, so the delivery is recorded atomically with the outcome it reports.
 */
export const WEBHOOK_DUE = sql<'pending' | null>`CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END`;
