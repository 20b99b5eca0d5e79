// tests/asyncapi/validate.mjs - parses an AsyncAPI document with the AsyncAPI project's own
// parser, with the Avro schema parser registered (so the .avsc payloads are resolved and read),
// and exits 1 on any diagnostic of severity error. Other diagnostics are printed as notes.
//
// Parser 3.6 runs the custom-format and message-example rules for AsyncAPI 2 documents only,
// so for a 3.0 document this script does both itself: each Avro payload is checked by the Avro
// schema parser's own validate() (avsc's Type.forSchema), and each message example's payload
// and headers are validated with Ajv against the message's schemas (the Avro ones as the Avro
// schema parser converts them).
//
//   node validate.mjs PREFIX DOCUMENT   (PREFIX: where npm installed the parsers)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const [prefix, docPath] = process.argv.slice(2);
if (!prefix || !docPath) {
  console.error('usage: node validate.mjs PREFIX DOCUMENT');
  process.exit(2);
}
const require = createRequire(path.resolve(prefix, 'package.json'));
const { Parser, DiagnosticSeverity } = require('@asyncapi/parser');
const { AvroSchemaParser } = require('@asyncapi/avro-schema-parser');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const source = path.resolve(docPath);
const parser = new Parser();
const avro = AvroSchemaParser();
parser.registerSchemaParser(avro);
const { document, diagnostics } = await parser.parse(await readFile(source, 'utf8'), { source });

const names = { 0: 'error', 1: 'warning', 2: 'information', 3: 'hint' };
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === DiagnosticSeverity.Error) errors++;
  const where = d.range ? `${d.range.start.line + 1}:${d.range.start.character + 1}` : '?';
  const at = d.path && d.path.length ? ` (${d.path.join('.')})` : '';
  console.log(`${docPath}:${where}: ${names[d.severity] ?? d.severity}: ${d.code}: ${d.message}${at}`);
}
function fail(where, message) {
  errors++;
  console.log(`${docPath}: error: ${where}: ${message}`);
}

if (document) {
  const avroFormats = new Set(avro.getMimeTypes());
  // The converted Avro schemas carry x-parser-* annotations: not strict about keywords.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  const check = (where, schema, value) => {
    if (schema === undefined) return fail(where, 'the example has it, the message declares none');
    const validate = ajv.compile(schema);
    if (!validate(value)) {
      for (const e of validate.errors) fail(where, `${e.instancePath || '/'} ${e.message}`);
    }
  };
  for (const message of document.messages().all()) {
    const json = message.json();
    const id = `components.messages.${message.id()}`;
    let payloadSchema = json.payload;
    if (json.payload && json.payload.schemaFormat !== undefined && json.payload.schema) {
      payloadSchema = json.payload.schema;
      if (avroFormats.has(json.payload.schemaFormat)) {
        const raw = json.payload['x-parser-original-payload'];
        if (raw === undefined) fail(`${id}.payload`, 'the Avro schema was not read');
        for (const d of await avro.validate({ data: raw, path: [] }))
          fail(`${id}.payload (Avro)`, d.message);
      }
    }
    const examples = message.examples().all();
    if (examples.length === 0) fail(id, 'no example');
    examples.forEach((example, i) => {
      const ex = example.json();
      const where = `${id}.examples[${i}]${ex.name ? ` (${ex.name})` : ''}`;
      if (ex.payload !== undefined) check(`${where}.payload`, payloadSchema, ex.payload);
      if (ex.headers !== undefined) check(`${where}.headers`, json.headers, ex.headers);
    });
  }
}

if (errors || !document) {
  console.error(`asyncapi: ${docPath}: ${errors} error(s)${document ? '' : ', no document'}`);
  process.exit(1);
}
const channels = document.channels().all().map((c) => c.address());
const operations = document.operations().all().map((o) => `${o.action()} ${o.id()}`);
console.log(`asyncapi: ${docPath} is valid AsyncAPI ${document.version()}: ` +
            `channels ${channels.join(', ')}; operations ${operations.join(', ')}`);
