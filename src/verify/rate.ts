/** How fast the contract check calls the service; kept apart so the command line can show it without loading the check. */
import { operations } from '../../generated/operations.js';

const smallestLimit = Math.min(...Object.values(operations).map((operation) => operation.rateLimit.calls));

/** Calls per second per operation unless told otherwise: a tenth of the documented limit, leaving the app's traffic room. */
export const DEFAULT_VERIFY_RATE = Math.max(1, Math.floor(smallestLimit / 10));
/** The most a run may use: the smallest documented limit, which the check never goes over unless probing it. */
export const MAX_VERIFY_RATE = smallestLimit;
