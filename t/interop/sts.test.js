'use strict';
// The official credentials library's ram_role_arn provider (@alicloud/credentials)
// against the simulator's STS: it assumes the role with the base key (V1, POST with
// a form, over HTTPS as it always is), and the DCDN SDK calls the simulated API with
// the role's credentials.  The provider speaks only HTTPS and Node reads extra CAs
// at start, so the SDK runs in a child node that trusts the test's certificate
// (NODE_EXTRA_CA_CERTS), as an operator would set it.  Run with `node --test`.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const SIMULATOR = path.resolve(__dirname, '../../contrib/dcdn-simulator');
const BASE = { id: 'baseid', secret: 'basesecret' };
const ROLE = 'acs:ram::1234567890123456:role/dcdn-monitor';
const EXTERNAL_ID = 'ext-4711';

// The child: the SDK, configured as a user would, prints what it got.
async function child() {
  const { default: Credential, Config: CredConfig } = require('@alicloud/credentials');
  const Dcdn = require('@alicloud/dcdn20180115');
  const OpenApi = require('@alicloud/openapi-client');
  const given = JSON.parse(process.env.DCDN_STS_CHILD);
  const credential = new Credential(new CredConfig({
    type: 'ram_role_arn',
    accessKeyId: BASE.id,
    accessKeySecret: BASE.secret,
    roleArn: ROLE,
    roleSessionName: 'interop-session',
    externalId: given.externalId,
    roleSessionExpiration: 3600,
    stsEndpoint: `127.0.0.1:${given.port}`,
  }));
  try {
    const role = await credential.getCredential();
    const client = new Dcdn.default(new OpenApi.Config({
      credential, endpoint: `127.0.0.1:${given.port}`, protocol: 'https',
    }));
    const res = await client.describeDcdnRefreshTasks(new Dcdn.DescribeDcdnRefreshTasksRequest({}));
    console.log(JSON.stringify({ keyId: role.accessKeyId, hasToken: !!role.securityToken,
      totalCount: res.body.totalCount }));
  } catch (err) {
    console.log(JSON.stringify({ error: String(err.message) }));
  }
}

function certificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { cert, key };
}

async function startSimulator(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcdn-sts-interop-'));
  const { cert, key } = certificate(dir);
  const record = path.join(dir, 'record.jsonl');
  const sim = spawn(SIMULATOR, [
    '--record', record, '--rate-limit', '0', '--tls-cert', cert, '--tls-key', key,
    '--credentials', `${BASE.id}:${BASE.secret}`, '--role', `${ROLE}:${EXTERNAL_ID}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  sim.stderr.on('data', (d) => { stderr += d; });
  const firstLine = await new Promise((resolve, reject) => {
    readline.createInterface({ input: sim.stdout }).once('line', resolve);
    sim.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${stderr}`)));
  });
  const m = /^listening https:\/\/127\.0\.0\.1:(\d+)$/.exec(firstLine);
  assert.ok(m, `unexpected first line: ${firstLine}`);
  t.after(() => new Promise((resolve) => { sim.once('exit', resolve); sim.kill('SIGTERM'); }));
  return {
    port: Number(m[1]), cert, log: () => stderr,
    records: () => fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function runSdk(sim, externalId) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: sim.cert,
      DCDN_STS_CHILD: JSON.stringify({ port: sim.port, externalId }) };
    const proc = spawn(process.execPath, [__filename], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${code}`))));
  });
}

if (process.env.DCDN_STS_CHILD) {
  child();
} else {
  test('the ram_role_arn provider against the simulated STS', async (t) => {
    const sim = await startSimulator(t);

    await t.test('assumes the role and calls DCDN with its credentials', async () => {
      const got = await runSdk(sim, EXTERNAL_ID);
      assert.equal(got.error, undefined, got.error);
      assert.match(got.keyId, /^STS\./);
      assert.equal(got.hasToken, true);
      assert.equal(typeof got.totalCount, 'number');
      const records = sim.records();
      const assumed = records.find((r) => r.action === 'AssumeRole');
      assert.equal(assumed.status, 200);
      assert.equal(assumed.method, 'POST');       // the provider posts a form
      assert.equal(assumed.key, BASE.id);
      assert.deepEqual(
        { arn: assumed.params.RoleArn, ext: assumed.params.ExternalId,
          duration: assumed.params.DurationSeconds, session: assumed.params.RoleSessionName },
        { arn: ROLE, ext: EXTERNAL_ID, duration: '3600', session: 'interop-session' });
      const call = records.find((r) => r.action === 'DescribeDcdnRefreshTasks');
      assert.equal(call.key, got.keyId);
      assert.equal(call.status, 200);
    });

    await t.test('a wrong external id is refused with NoPermission', async () => {
      const got = await runSdk(sim, 'ext-wrong');
      assert.match(got.error, /NoPermission/);
    });
  });
}
