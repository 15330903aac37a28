#!/usr/bin/env node
// Dependency-free Kafka readiness probe.
//
// Kept by hand (issue 10): kafkajs's admin needs node_modules, which `stack.sh up`
// may run without; Kafka's BrokerApiVersionsCommand needs the jars (fetched after
// the first probe), costs a JVM start (~1.5 s of CPU) a probe, took 6.6 s to give up
// on Redis's port and ran out of heap on PostgreSQL's, and answers only ready or
// not, never the "something else listens" (exit 1) that kafka_up waits on.
//
//   node scripts/kafka-probe.mjs [host] [port] [--timeout-ms N] [--quiet]
//
// Sends one Metadata request (v4, empty topic list, so it never creates or
// lists topics) over a raw TCP socket and parses the reply. v4 is the oldest
// Metadata version that Kafka 4.x still serves (KIP-896 removed v0-v3) and
// it is served by every broker since 1.0 as well.
//
// Exit codes:
//   0  a valid Metadata response listing >= 1 broker arrived
//   1  connected, but no valid answer (timeout, garbage, 0 brokers yet,
//      connection closed early) -- e.g. a broker that is still starting
//   2  could not connect at all (nothing listening, DNS failure)
//   64 usage error
// On success prints one line: "kafka ok host:port brokers=N cluster=ID controller=N".
import net from 'node:net';
import process from 'node:process';

const args = process.argv.slice(2);
let timeoutMs = 2000;
let quiet = false;
const pos = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--timeout-ms') timeoutMs = Number(args[++i]);
  else if (a === '--quiet' || a === '-q') quiet = true;
  else if (a === '--help' || a === '-h') {
    process.stdout.write('usage: kafka-probe.mjs [host] [port] [--timeout-ms N] [--quiet]\n');
    process.exit(0);
  } else pos.push(a);
}
const host = pos[0] ?? '127.0.0.1';
const port = Number(pos[1] ?? 9092);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !(timeoutMs > 0)) {
  process.stderr.write('usage: kafka-probe.mjs [host] [port] [--timeout-ms N] [--quiet]\n');
  process.exit(64);
}

const API_KEY_METADATA = 3;
const API_VERSION = 4;
const CORRELATION_ID = 0x4164_6701;
const CLIENT_ID = 'adgate-kafka-probe';

function buildRequest() {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  // request header v1: api_key int16, api_version int16, correlation_id int32,
  // client_id nullable_string (int16 length + bytes)
  // body v4: topics ARRAY (int32 count; 0 = no topics), allow_auto_topic_creation bool
  const bodyLen = 2 + 2 + 4 + 2 + clientId.length + 4 + 1;
  const buf = Buffer.alloc(4 + bodyLen);
  let o = 0;
  o = buf.writeInt32BE(bodyLen, o);
  o = buf.writeInt16BE(API_KEY_METADATA, o);
  o = buf.writeInt16BE(API_VERSION, o);
  o = buf.writeInt32BE(CORRELATION_ID, o);
  o = buf.writeInt16BE(clientId.length, o);
  o += clientId.copy(buf, o);
  o = buf.writeInt32BE(0, o);
  buf.writeInt8(0, o);
  return buf;
}

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.o = 0;
  }
  need(n) {
    if (this.o + n > this.buf.length) throw new Error('truncated response');
  }
  int8() {
    this.need(1);
    const v = this.buf.readInt8(this.o);
    this.o += 1;
    return v;
  }
  int16() {
    this.need(2);
    const v = this.buf.readInt16BE(this.o);
    this.o += 2;
    return v;
  }
  int32() {
    this.need(4);
    const v = this.buf.readInt32BE(this.o);
    this.o += 4;
    return v;
  }
  nstring() {
    const len = this.int16();
    if (len === -1) return null;
    if (len < 0) throw new Error('bad string length');
    this.need(len);
    const s = this.buf.toString('utf8', this.o, this.o + len);
    this.o += len;
    return s;
  }
  string() {
    const s = this.nstring();
    if (s === null) throw new Error('unexpected null string');
    return s;
  }
  array(fn) {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0 || n > 1_000_000) throw new Error('bad array length');
    const out = [];
    for (let i = 0; i < n; i++) out.push(fn());
    return out;
  }
}

function parseResponse(payload) {
  const r = new Reader(payload);
  const correlationId = r.int32(); // response header v0
  if (correlationId !== CORRELATION_ID)
    throw new Error(`correlation id mismatch (${correlationId})`);
  r.int32(); // throttle_time_ms
  const brokers =
    r.array(() => ({ nodeId: r.int32(), host: r.string(), port: r.int32(), rack: r.nstring() })) ??
    [];
  const clusterId = r.nstring();
  const controllerId = r.int32();
  const topics =
    r.array(() => {
      const errorCode = r.int16();
      const name = r.string();
      r.int8(); // is_internal
      r.array(() => {
        r.int16();
        r.int32();
        r.int32();
        r.array(() => r.int32());
        r.array(() => r.int32());
        return null;
      });
      return { errorCode, name };
    }) ?? [];
  if (r.o !== payload.length) throw new Error(`${payload.length - r.o} trailing bytes in response`);
  return { brokers, clusterId, controllerId, topics };
}

function finish(code, msg) {
  if (msg && !quiet) (code === 0 ? process.stdout : process.stderr).write(`${msg}\n`);
  process.exit(code);
}

let connected = false;
let chunks = [];
let have = 0;
const sock = net.createConnection({ host, port });
sock.setNoDelay(true);
sock.setTimeout(timeoutMs);
const hardTimer = setTimeout(() => {
  finish(connected ? 1 : 2, `kafka-probe: ${host}:${port}: no answer within ${timeoutMs} ms`);
}, timeoutMs + 250);
hardTimer.unref();

sock.on('connect', () => {
  connected = true;
  sock.write(buildRequest());
});
sock.on('timeout', () => {
  finish(connected ? 1 : 2, `kafka-probe: ${host}:${port}: timed out after ${timeoutMs} ms`);
});
sock.on('error', (err) => {
  finish(connected ? 1 : 2, `kafka-probe: ${host}:${port}: ${err.code ?? err.message}`);
});
sock.on('close', () => {
  finish(
    connected ? 1 : 2,
    `kafka-probe: ${host}:${port}: connection closed before a full response`,
  );
});
sock.on('data', (chunk) => {
  chunks.push(chunk);
  have += chunk.length;
  if (have < 4) return;
  const all = Buffer.concat(chunks);
  chunks = [all];
  const size = all.readInt32BE(0);
  if (size < 4 || size > 64 * 1024 * 1024)
    finish(1, `kafka-probe: ${host}:${port}: not a Kafka response (size ${size})`);
  if (all.length < 4 + size) return;
  let meta;
  try {
    meta = parseResponse(all.subarray(4, 4 + size));
  } catch (err) {
    finish(1, `kafka-probe: ${host}:${port}: invalid Metadata response: ${err.message}`);
  }
  sock.removeAllListeners('close');
  sock.destroy();
  if (meta.brokers.length < 1)
    finish(1, `kafka-probe: ${host}:${port}: Metadata response lists no brokers yet`);
  finish(
    0,
    `kafka ok ${host}:${port} brokers=${meta.brokers.length} cluster=${meta.clusterId ?? '-'} controller=${meta.controllerId}`,
  );
});
