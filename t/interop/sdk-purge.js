#!/usr/bin/env node
'use strict';
// sdk-purge.js: one purge (RefreshDcdnObjectCaches) or prefetch
// (PreloadDcdnObjectCaches) submitted with the official Node SDK
// (@alicloud/dcdn20180115, pinned in package.json: run `npm ci` here first,
// as ./run does), as a deploy pipeline would submit it, to any endpoint:
//
//   node t/interop/sdk-purge.js --endpoint http://127.0.0.1:PORT \
//       --credentials ID:SECRET RefreshDcdnObjectCaches ObjectType=File \
//       'ObjectPath=http://www.example.com/index.html\nhttp://www.example.com/app.js'
//   node t/interop/sdk-purge.js ... PreloadDcdnObjectCaches ObjectPath=http://www.example.com/v.mp4
//
// The parameters are the API's (ObjectPath, ObjectType, Force; Area,
// L2Preload, WithHeader, QueryHashkey); a literal "\n" in a value separates
// paths, as with python3 -m dcdn_simulator.client. Prints the answer as one
// JSON line with the API's names: {"RefreshTaskId"|"PreloadTaskId",
// "RequestId"}; for an error answer (an HTTP error status, or a Code with
// HTTP 200) {"Code", "Message", "RequestId"} and exit 1; exit 2 for bad
// arguments, no usable answer or no SDK installed.

const ACTIONS = ['RefreshDcdnObjectCaches', 'PreloadDcdnObjectCaches'];
const USAGE = 'usage: sdk-purge.js --endpoint URL --credentials ID:SECRET '
  + `{${ACTIONS.join('|')}} [NAME=VALUE...]`;

function fail(message) {
  process.stderr.write(`sdk-purge.js: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { params: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--endpoint' || arg === '--credentials') {
      if (i + 1 >= argv.length) fail(`${arg} needs a value\n${USAGE}`);
      out[arg.slice(2)] = argv[++i];
    } else if (arg.startsWith('--')) {
      fail(`unknown option ${arg}\n${USAGE}`);
    } else if (out.action === undefined) {
      out.action = arg;
    } else {
      out.params.push(arg);
    }
  }
  if (!out.endpoint || !out.credentials || !out.action) fail(USAGE);
  if (!ACTIONS.includes(out.action)) fail(`the action is one of ${ACTIONS.join(', ')}, not ${out.action}`);
  return out;
}

function sdk() {
  try {
    return { Dcdn: require('@alicloud/dcdn20180115'), OpenApi: require('@alicloud/openapi-client') };
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    return fail(`the official SDK is not installed (${__dirname}/node_modules): run npm ci --no-audit --no-fund in ${__dirname}`);
  }
}

// NAME=VALUE pairs (the API's names) -> the SDK request's fields, typed.
function requestFields(Request, params) {
  const apiNames = Request.names();
  const types = Request.types();
  const field = Object.fromEntries(Object.entries(apiNames).map(([f, api]) => [api, f]));
  const fields = {};
  for (const text of params) {
    const at = text.indexOf('=');
    if (at <= 0) fail(`not NAME=VALUE: ${text}`);
    const name = text.slice(0, at);
    const value = text.slice(at + 1).replace(/\\n/g, '\n');
    const f = field[name];
    if (!f) fail(`${name}: not a parameter of this action (${Object.values(apiNames).join(', ')})`);
    if (types[f] === 'boolean') {
      if (value !== 'true' && value !== 'false') fail(`${name}: true or false, not ${value}`);
      fields[f] = value === 'true';
    } else if (types[f] === 'number') {
      fields[f] = Number(value);
    } else {
      fields[f] = value;
    }
  }
  return fields;
}

// A model -> a plain object with the API's names.
function apiObject(model) {
  const names = model.constructor.names();
  return Object.fromEntries(Object.entries(names)
    .filter(([f]) => model[f] !== undefined && model[f] !== null)
    .map(([f, api]) => [api, model[f]]));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const at = args.credentials.indexOf(':');
  if (at <= 0) fail('--credentials must be ID:SECRET');
  let url;
  try {
    url = new URL(args.endpoint);
  } catch (err) {
    fail(`--endpoint: not a URL: ${args.endpoint}`);
  }
  const { Dcdn, OpenApi } = sdk();
  const client = new Dcdn.default(new OpenApi.Config({
    accessKeyId: args.credentials.slice(0, at),
    accessKeySecret: args.credentials.slice(at + 1),
    endpoint: url.host,
    protocol: url.protocol.replace(/:$/, ''),
  }));
  const Request = Dcdn[`${args.action}Request`];
  const method = args.action[0].toLowerCase() + args.action.slice(1);
  // The SDK throws on an HTTP error status only; an error body sent with
  // HTTP 200 (a Code) is an error answer too, and its typed answer drops
  // the Code: keep the raw body the SDK's callApi returns.
  const callApi = client.callApi.bind(client);
  let raw;
  client.callApi = async (...a) => {
    const r = await callApi(...a);
    raw = r && r.body;
    return r;
  };
  const errorAnswer = ({ Code, Message, RequestId }) => {
    process.stdout.write(`${JSON.stringify({ Code, Message, RequestId })}\n`);
    process.exit(1);
  };
  let answer;
  try {
    answer = await client[method](new Request(requestFields(Request, args.params)));
  } catch (err) {
    if (err.data && err.data.Code !== undefined) errorAnswer(err.data);
    fail(`${url.host}: no usable answer: ${err.message}`);
  }
  if (raw && typeof raw === 'object' && raw.Code !== undefined) errorAnswer(raw);
  process.stdout.write(`${JSON.stringify(apiObject(answer.body))}\n`);
}

main();
