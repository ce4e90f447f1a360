'use strict';
// The official Alibaba Cloud Node SDK against contrib/dcdn-simulator: if the
// SDK's requests pass the simulator's signature checks (V3 by default, V1 with
// signatureAlgorithm 'v2') and the SDK parses its answers, the simulator speaks
// the service's protocol.  Run with `node --test` (see ./run).

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const Dcdn = require('@alicloud/dcdn20180115');
const OpenApi = require('@alicloud/openapi-client');

const SIMULATOR = path.resolve(__dirname, '../../contrib/dcdn-simulator');
const KEY = { id: 'interopid', secret: 'interopsecret' };
const STS = { id: 'STS.interop', secret: 'stssecret', token: 'ststoken-123' };

// Plus one old failed task, 30 generated tasks, newest first ids 100029 .. 100000,
// one minute apart (index i created at -1800 + 60 i), the newest 60 s old.  By the
// generator's rule index i is on domains[i % 2] (odd ids on b.example.com) and of
// type types[(i / 2 | 0) % 2] (index 29: file, index 27: directory).
const SCENARIO = {
  tasks: [
    { id: '7', path: 'http://a.example.com/failed.js', type: 'file', created: -7200,
      states: [{ after: 0, status: 'Failed', process: '0%', description: 'OriginTimeout' }] },
  ],
  generate: [
    { count: 30, domains: ['a.example.com', 'b.example.com'], types: ['file', 'directory'],
      created_from: -1800, created_to: -60, status: 'Complete', id_start: 100000, seed: 1 },
  ],
};

function apiTime(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function startSimulator(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcdn-interop-'));
  const scenario = path.join(dir, 'scenario.json');
  const record = path.join(dir, 'record.jsonl');
  fs.writeFileSync(scenario, JSON.stringify(SCENARIO));
  const child = spawn(SIMULATOR, [
    '--scenario', scenario, '--record', record, '--rate-limit', '0',
    '--credentials', `${KEY.id}:${KEY.secret}`,
    '--credentials', `${STS.id}:${STS.secret}:${STS.token}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const firstLine = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${stderr}`)));
  });
  const m = /^listening http:\/\/127\.0\.0\.1:(\d+)$/.exec(firstLine);
  assert.ok(m, `unexpected first line: ${firstLine}`);
  t.after(() => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  }));
  return {
    port: Number(m[1]),
    records: () => fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function client(sim, { id = KEY.id, secret = KEY.secret, token, v1 = false } = {}) {
  const config = new OpenApi.Config({
    accessKeyId: id,
    accessKeySecret: secret,
    securityToken: token,
    endpoint: `127.0.0.1:${sim.port}`,
    protocol: 'http',
    // 'v2' is what the SDK calls its older signing path, which is signature V1 (HMAC-SHA1).
    signatureAlgorithm: v1 ? 'v2' : undefined,
  });
  return new Dcdn.default(config);
}

function describe(c, params = {}) {
  return c.describeDcdnRefreshTasks(new Dcdn.DescribeDcdnRefreshTasksRequest(params));
}

async function assertApiError(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `wrong error: ${err.message}`);
    return true;
  });
}

test('the official SDK against the simulator', async (t) => {
  const sim = await startSimulator(t);

  for (const v1 of [false, true]) {
    const sig = v1 ? 'V1 (HMAC-SHA1)' : 'V3 (ACS3-HMAC-SHA256, the default)';

    await t.test(`describeDcdnRefreshTasks with defaults, signature ${sig}`, async () => {
      const res = await describe(client(sim, { v1 }));
      assert.equal(res.statusCode, 200);
      const body = res.body;
      assert.match(body.requestId, /^[0-9A-F-]{36}$/);
      assert.equal(body.pageNumber, 1);
      assert.equal(body.pageSize, 20);
      assert.equal(body.totalCount, 31);
      const tasks = body.tasks.task;
      assert.equal(tasks.length, 20);
      assert.deepEqual(tasks.map((x) => x.taskId),
        Array.from({ length: 20 }, (_, i) => String(100029 - i)));
      const newest = tasks[0];
      assert.equal(newest.objectPath.startsWith('http://b.example.com/'), true);
      assert.equal(newest.objectType, 'file');
      assert.equal(tasks[2].objectType, 'path');   // index 27, a directory task, reported as "path"
      assert.equal(newest.status, 'Complete');
      assert.equal(newest.process, '100%');
      assert.equal(newest.description, '');
      assert.match(newest.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    await t.test(`filters reach the simulator, signature ${sig}`, async () => {
      const res = await describe(client(sim, { v1 }), { objectType: 'file', status: 'Failed' });
      assert.equal(res.body.totalCount, 1);
      const [failed] = res.body.tasks.task;
      assert.deepEqual(
        { id: failed.taskId, status: failed.status, description: failed.description },
        { id: '7', status: 'Failed', description: 'OriginTimeout' });
    });

    await t.test(`a wrong secret raises SignatureDoesNotMatch, signature ${sig}`, async () => {
      await assertApiError(describe(client(sim, { v1, secret: 'not-the-secret' })), 'SignatureDoesNotMatch');
    });

    await t.test(`STS credentials with their token, signature ${sig}`, async () => {
      const res = await describe(client(sim, { v1, id: STS.id, secret: STS.secret, token: STS.token }),
        { pageSize: 1 });
      assert.equal(res.body.tasks.task.length, 1);
      await assertApiError(
        describe(client(sim, { v1, id: STS.id, secret: STS.secret, token: 'stale-token' })),
        'InvalidSecurityToken.Mismatch');
    });
  }

  await t.test('paginated call with StartTime, EndTime and PageSize', async () => {
    const now = Math.floor(Date.now() / 1000);
    // The window [now-1290, now] holds generated indexes 9..29 (created at -1260 .. -60).
    const window = { startTime: apiTime(now - 1290), endTime: apiTime(now), pageSize: 8 };
    const c = client(sim);
    const seen = [];
    for (let page = 1; page <= 3; page++) {
      const res = await describe(c, { ...window, pageNumber: page });
      assert.equal(res.body.pageNumber, page);
      assert.equal(res.body.pageSize, 8);
      assert.equal(res.body.totalCount, 21);
      assert.equal(res.body.tasks.task.length, page < 3 ? 8 : 5);
      seen.push(...res.body.tasks.task.map((x) => Number(x.taskId)));
    }
    assert.deepEqual(seen, Array.from({ length: 21 }, (_, i) => 100029 - i));
    const beyond = await describe(c, { ...window, pageNumber: 4 });
    assert.deepEqual(beyond.body.tasks.task, []);
    assert.equal(beyond.body.totalCount, 21);
  });

  await t.test('API validation errors surface with their codes', async () => {
    const c = client(sim);
    await assertApiError(describe(c, { domainName: 'a.example.com' }), 'MissingParameter.ObjectType');
    await assertApiError(describe(c, { startTime: apiTime(Math.floor(Date.now() / 1000) - 60) }),
      'MissingTimeParameter');
    await assertApiError(describe(c, { pageSize: 51 }), 'InvalidParameter');
  });

  await t.test('sibling APIs: DescribeDcdnRefreshTaskById and DescribeDcdnRefreshQuota', async () => {
    const c = client(sim);
    const byId = await c.describeDcdnRefreshTaskById(
      new Dcdn.DescribeDcdnRefreshTaskByIdRequest({ taskId: '7,100000' }));
    assert.equal(byId.body.totalCount, 2);
    assert.deepEqual(byId.body.tasks.map((x) => x.taskId).sort(), ['100000', '7']);
    const quota = await c.describeDcdnRefreshQuota(new Dcdn.DescribeDcdnRefreshQuotaRequest({}));
    assert.equal(quota.body.urlQuota, '10000');
    assert.equal(quota.body.dirRemain, '100');
  });

  await t.test('the record file saw both signature versions from the SDK', () => {
    const records = sim.records();
    const sigs = new Set(records.filter((r) => r.status === 200).map((r) => r.sig));
    assert.deepEqual([...sigs].sort(), ['v1', 'v3']);
    assert.ok(records.every((r) => r.method === 'POST'));
  });
});
