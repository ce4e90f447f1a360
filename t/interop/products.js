'use strict';
// What cdn.test.js and esa.test.js share: the simulator started on a free port
// with a scenario, stopped by its PID after the test, and an openapi-core
// client configuration for it (V3 by default, V1 with signatureAlgorithm 'v2').

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const { $OpenApiUtil } = require('@alicloud/openapi-core');

const SIMULATOR = path.resolve(__dirname, '../../contrib/dcdn-simulator');
const KEY = { id: 'interopid', secret: 'interopsecret' };

async function startSimulator(t, scenario) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcdn-products-'));
  const file = path.join(dir, 'scenario.json');
  const record = path.join(dir, 'record.jsonl');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const child = spawn(SIMULATOR, ['--scenario', file, '--record', record, '--rate-limit', '0',
    '--credentials', `${KEY.id}:${KEY.secret}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const [line] = await once(readline.createInterface({ input: child.stdout }), 'line');
  const port = /^listening http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)?.[1];
  assert.ok(port, `the simulator said: ${line}`);
  return {
    port: Number(port),
    records: () => fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function config(sim, { v1 = false, secret = KEY.secret } = {}) {
  return new $OpenApiUtil.Config({
    accessKeyId: KEY.id,
    accessKeySecret: secret,
    endpoint: `127.0.0.1:${sim.port}`,
    protocol: 'http',
    // 'v2' is the SDK's name for its older signing path, signature V1 (HMAC-SHA1).
    signatureAlgorithm: v1 ? 'v2' : undefined,
  });
}

async function assertApiError(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `wrong error: ${err.message}`);
    return true;
  });
}

module.exports = { startSimulator, config, assertApiError };
