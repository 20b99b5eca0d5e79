#!/usr/bin/env node
// examples/node/advise.js - ask pipewright for a report from Node.js, and keep its audio.
//
//   node advise.js OUT.ogg ["requirement in free text"]
//
// Publishes one requirement event (schemas/requirement.avsc) to PREFIX.requirements with
// kafkajs, Avro in the Confluent wire format through @kafkajs/confluent-schema-registry (with
// the schema the daemon registered, encoded by avsc), then reads PREFIX.reports and
// PREFIX.audio read_committed (kafkajs's readUncommitted: false) until the report whose
// pw.event_id header is this event's id has arrived, prints its executive summary, joins the
// audio chunks of the same event by chunk_index, checks their SHA-256 and writes them to OUT.
//
// Environment: KAFKA_BOOTSTRAP (127.0.0.1:19092), SCHEMA_REGISTRY_URL (the Confluent-compatible
// URL, http://127.0.0.1:18081/apis/ccompat/v7), PIPEWRIGHT_TOPIC_PREFIX (pipewright),
// PIPEWRIGHT_TIMEOUT_S (120). Exits 0 on success, 1 on a timeout or a bad artifact.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const fzstd = require('fzstd');
const {
  CompressionCodecs, CompressionTypes, Kafka, Partitioners, logLevel,
} = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

// pipewright.reports is zstd-compressed (text keeps longest); kafkajs ships no zstd codec, so
// one is plugged in: decompression by fzstd, plain JavaScript with no native build.
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async () => { throw new Error('this example sends nothing zstd-compressed'); },
  decompress: async (buffer) => Buffer.from(fzstd.decompress(buffer)),
});

const DEFAULT_TEXT = '2 TB/day of clickstream from 40 apps, dashboards fresher than 5 minutes, ' +
  'GDPR, AWS, $25k a month';
const env = (name, fallback) => process.env[name] || fallback;

// The daemon registers schemas/requirement.avsc under TOPIC-value when it starts with a
// registry; a producer writes with that version, so it needs no copy of the schema.
async function publish(kafka, registry, topic, requirement) {
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{
        key: requirement.project_id,
        value: await registry.encode(id, requirement),
        headers: { 'pw.event_id': requirement.event_id },
      }],
    });
  } finally {
    await producer.disconnect();
  }
}

// Joins the chunks in index order, checks the artifact's SHA-256, writes it to OUT.
function save(chunks, out) {
  const first = chunks.get(0);
  const data = Buffer.concat([...Array(first.chunk_count).keys()].map((i) => chunks.get(i).data));
  const digest = crypto.createHash('sha256').update(data).digest('hex');
  if (digest !== first.sha256) {
    console.error(`audio: SHA-256 ${digest} differs from ${first.sha256}`);
    return false;
  }
  fs.writeFileSync(out, data);
  console.error(`audio: ${first.codec}, ${first.duration_ms} ms, ${data.length} bytes in ` +
    `${chunks.size} chunk(s) -> ${out}`);
  return true;
}

// Reads both output topics from the start (a group of its own, so nothing is missed however
// fast the daemon answers) until the report and its whole audio are in.
async function awaitAnswer(kafka, registry, prefix, eventId, out, timeoutMs) {
  const reports = `${prefix}.reports`;
  const consumer = kafka.consumer({
    groupId: `pipewright-example-${crypto.randomUUID()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [reports, `${prefix}.audio`], fromBeginning: true });
  let report = null;
  const chunks = new Map();
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const timer = setTimeout(() => finish(false), timeoutMs);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(false);
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (String(message.headers['pw.event_id']) !== eventId) return;
      const value = await registry.decode(message.value);
      if (topic === reports) {
        report = value;
        console.log(report.executive_summary);
      } else {
        chunks.set(value.chunk_index, value);
      }
      if (report && !['pending', 'ready'].includes(report.audio_status)) {
        console.error(`audio ${report.audio_status}: none to save`);
        finish(true);
      } else if (report && chunks.size > 0 &&
                 chunks.size === chunks.values().next().value.chunk_count) {
        finish(save(chunks, out));
      }
    },
  });
  const ok = await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return ok;
}

async function main() {
  const [out, text] = process.argv.slice(2);
  if (!out) {
    console.error('usage: advise.js OUT.ogg ["requirement text"]');
    return 64;
  }
  const prefix = env('PIPEWRIGHT_TOPIC_PREFIX', 'pipewright');
  const kafka = new Kafka({
    clientId: 'pipewright-example-node',
    brokers: env('KAFKA_BOOTSTRAP', '127.0.0.1:19092').split(','),
    logLevel: logLevel.WARN,
  });
  const registry = new SchemaRegistry(
    { host: env('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:18081/apis/ccompat/v7') });
  const eventId = crypto.randomUUID();
  await publish(kafka, registry, `${prefix}.requirements`, {
    event_id: eventId,
    project_id: 'example-node',
    submitted_at: Date.now(),
    title: 'Asked from Node.js',
    description: text || DEFAULT_TEXT,
  });
  console.error(`published event ${eventId}`);
  const timeoutMs = 1000 * Number(env('PIPEWRIGHT_TIMEOUT_S', '120'));
  if (!await awaitAnswer(kafka, registry, prefix, eventId, out, timeoutMs)) {
    console.error(`no complete answer for ${eventId} in time`);
    return 1;
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(err);
  process.exitCode = 1;
});
