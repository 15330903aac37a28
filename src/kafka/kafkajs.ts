import { createRequire } from 'node:module';
import { installRequestFraming } from './frame-request.js';
import { installGrouping } from './group-by-partition.js';
import { installQuietRequestQueue } from './quiet-request-queue.js';

/**
 * kafkajs itself, for the rest of src/kafka/: the one module that loads
 * it, so that what kafkajs requires while it loads can be adgate's.
 * kafkajs's producer takes its groupMessagesPerPartition, and its
 * connection its request framing, when `require('kafkajs')` first runs
 * (the record codecs and the produce request it loads lazily, and
 * createKafka installs those), so these stand-ins must be in place first:
 * here, before the require below, in the module's own order, which an
 * import statement would not give (imports are evaluated before the
 * module body). Types may still come from 'kafkajs' anywhere in
 * src/kafka/: a type import loads nothing.
 */
installGrouping();
installRequestFraming();

export const kafkajs = createRequire(import.meta.url)('kafkajs') as typeof import('kafkajs');

// A method of kafkajs's, not a module: set on its prototype once loaded.
installQuietRequestQueue();
