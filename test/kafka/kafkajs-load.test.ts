import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// kafkajs takes its grouping of messages by partition and its request
// framing when it loads; src/kafka/kafkajs.ts must put adgate's in place
// before, and its request queue's timer on the prototype after. In a
// process of its own, the gateway's worker parts, loaded as `adgate serve`
// loads them, must leave kafkajs with adgate's.

describe('src/kafka/kafkajs.ts: the stand-ins kafkajs takes when it loads', () => {
  it('are what kafkajs uses in every gateway process', () => {
    const src = new URL('../../src/', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const { groupMessagesPerPartition } = await import('${src}kafka/group-by-partition.js');
      const { frameRequest } = await import('${src}kafka/frame-request.js');
      const { scheduleCheckPendingRequests } = await import('${src}kafka/quiet-request-queue.js');
      await import('${src}create-sink-part.js');
      await import('${src}start-http-part.js');
      const require = createRequire('${src}kafka/kafkajs.js');
      process.stdout.write(JSON.stringify([
        require('kafkajs/src/producer/groupMessagesPerPartition.js') === groupMessagesPerPartition,
        require('kafkajs/src/protocol/request.js') === frameRequest,
        require('kafkajs/src/network/requestQueue/index.js').prototype.scheduleCheckPendingRequests ===
          scheduleCheckPendingRequests,
      ]));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out), [true, true, true]);
  });

  it('is the only module of src/ that loads kafkajs (type imports load nothing)', () => {
    // Run from dist/test/kafka/: the sources are three levels up.
    const root = fileURLToPath(new URL('../../../src/', import.meta.url));
    const valueImport = /^import\s+(?!type\s)[^;]*?from\s+'kafkajs'/ms;
    const loaders = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => valueImport.test(readFileSync(`${root}${file}`, 'utf8')));
    assert.deepEqual(loaders, []);
  });
});
