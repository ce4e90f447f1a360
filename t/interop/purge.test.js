'use strict';
// The simulator as a sandbox, driven by the official Node SDK: a purge
// (RefreshDcdnObjectCaches) and a prefetch (PreloadDcdnObjectCaches) create
// tasks that the SDK then lists, finds by id and watches complete, while
// DescribeDcdnRefreshQuota shows the day's quota going down.  Run with
// `node --test` (see ./run).

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const Dcdn = require('@alicloud/dcdn20180115');
const OpenApi = require('@alicloud/openapi-client');

const SIMULATOR = path.resolve(__dirname, '../../contrib/dcdn-simulator');
const QUICK = [{ after: 0, status: 'Pending', process: '0%' },
  { after: 2, status: 'Refreshing', process: '50%' },
  { after: 4, status: 'Complete', process: '100%' }];
const SANDBOX = {
  tasks: [{ id: '42', path: 'http://www.example.com/old.html', created: -600 }],
  quota: { UrlRemain: '10', PreloadRemain: '4' },
  submissions: { states: { file: QUICK, directory: QUICK, preload: QUICK } },
  ram: { deployer: ['www.example.com'] },
};

async function sandbox(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcdn-purge-'));
  fs.writeFileSync(path.join(dir, 'sandbox.json'), JSON.stringify(SANDBOX));
  const sim = spawn(SIMULATOR, ['--scenario', path.join(dir, 'sandbox.json'), '--rate-limit', '0',
    '--credentials', 'pipeline:pipelinesecret', '--credentials', 'deployer:deployersecret'],
  { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(async () => {
    sim.kill('SIGTERM');
    await once(sim, 'exit');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const [line] = await once(readline.createInterface({ input: sim.stdout }), 'line');
  const port = /^listening http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)?.[1];
  assert.ok(port, `the simulator said: ${line}`);
  return (accessKeyId = 'pipeline', accessKeySecret = 'pipelinesecret') => new Dcdn.default(
    new OpenApi.Config({ accessKeyId, accessKeySecret, endpoint: `127.0.0.1:${port}`, protocol: 'http' }));
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function quota(c) {
  const { body } = await c.describeDcdnRefreshQuota(new Dcdn.DescribeDcdnRefreshQuotaRequest({}));
  return body;
}

async function byId(c, ids) {
  const { body } = await c.describeDcdnRefreshTaskById(
    new Dcdn.DescribeDcdnRefreshTaskByIdRequest({ taskId: ids.join(',') }));
  return body.tasks;
}

test('a deploy pipeline purges and prefetches through the official SDK', async (t) => {
  const connect = await sandbox(t);
  const c = connect();
  const before = await quota(c);
  assert.deepEqual([before.urlRemain, before.preloadRemain, before.dirRemain], ['10', '4', '100']);

  const purge = await c.refreshDcdnObjectCaches(new Dcdn.RefreshDcdnObjectCachesRequest({
    objectPath: 'http://www.example.com/index.html\nhttp://www.example.com/app.js',
    objectType: 'File',
    force: false,
  }));
  assert.equal(purge.statusCode, 200);
  const purged = purge.body.refreshTaskId.split(',');
  assert.equal(purged.length, 2);
  const dirs = await c.refreshDcdnObjectCaches(new Dcdn.RefreshDcdnObjectCachesRequest({
    objectPath: 'http://www.example.com/static/', objectType: 'Directory' }));
  const preload = await c.preloadDcdnObjectCaches(new Dcdn.PreloadDcdnObjectCachesRequest({
    objectPath: 'http://www.example.com/video/intro.mp4', area: 'overseas', l2Preload: true }));
  const [prefetched] = preload.body.preloadTaskId.split(',');
  const all = [...purged, dirs.body.refreshTaskId, prefetched];
  assert.equal(new Set(all).size, 4);
  assert.ok(all.every((id) => /^\d+$/.test(id) && Number(id) > 42), all.join(','));

  await t.test('the listing shows them, pending, by type and domain', async () => {
    const list = async (objectType) => (await c.describeDcdnRefreshTasks(
      new Dcdn.DescribeDcdnRefreshTasksRequest({ objectType, domainName: 'www.example.com' }))).body;
    const files = await list('file');
    assert.equal(files.totalCount, 3);          // the two purged URLs and the old task
    assert.deepEqual(files.tasks.task.slice(0, 2).map((x) => x.taskId).sort(), [...purged].sort());
    for (const task of files.tasks.task.slice(0, 2)) {
      assert.equal(task.status, 'Pending');
      assert.equal(task.process, '0%');
      assert.equal(task.objectType, 'file');
      assert.match(task.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const [dir] = (await list('directory')).tasks.task;
    assert.deepEqual([dir.taskId, dir.objectType, dir.objectPath],
      [dirs.body.refreshTaskId, 'path', 'http://www.example.com/static/']);
    const [pre] = (await list('preload')).tasks.task;
    assert.deepEqual([pre.taskId, pre.objectType], [prefetched, 'preload']);
  });

  await t.test('the quota went down by what was submitted', async () => {
    const after = await quota(c);
    assert.deepEqual([after.urlRemain, after.dirRemain, after.preloadRemain], ['8', '99', '3']);
    assert.equal(after.urlQuota, before.urlQuota);
  });

  await t.test('the tasks complete, their progress moving', async () => {
    const seen = new Set(['Pending']);     // as the listing showed them
    const complete = (tasks) => tasks.length === 4 && tasks.every((x) => x.status === 'Complete');
    // Until every one is Complete: their lifecycles differ, one may end first.
    for (let i = 0; i < 120; i++) {
      const tasks = await byId(c, all);
      for (const task of tasks) seen.add(task.status);
      if (complete(tasks)) break;
      await sleep(150);
    }
    assert.deepEqual([...seen].sort(), ['Complete', 'Pending', 'Refreshing']);
    const done = await byId(c, all);
    assert.equal(done.length, 4);
    assert.ok(done.every((x) => x.status === 'Complete' && x.process === '100%'));
  });

  await t.test('refusals surface with their codes', async () => {
    const refresh = (client, params) => client.refreshDcdnObjectCaches(
      new Dcdn.RefreshDcdnObjectCachesRequest(params));
    const code = async (promise, expected) => assert.rejects(promise, (err) => {
      assert.equal(err.code, expected, err.message);
      return true;
    });
    await code(refresh(c, { objectPath: 'http://www.example.com/x', objectType: 'Folder' }),
      'InvalidObjectType.Malformed');
    const many = Array.from({ length: 101 }, (_, i) => `http://www.example.com/${i}.mp4`).join('\n');
    await code(c.preloadDcdnObjectCaches(new Dcdn.PreloadDcdnObjectCachesRequest({ objectPath: many })),
      'SingleRequest.OverLimit');
    const nine = Array.from({ length: 9 }, (_, i) => `http://www.example.com/${i}`).join('\n');
    await code(refresh(c, { objectPath: nine }), 'QuotaExceeded.Refresh');
    const deployer = connect('deployer', 'deployersecret');
    await code(refresh(deployer, { objectPath: 'http://img.example.com/a.png' }), 'Forbidden.RAM');
    const granted = await refresh(deployer, { objectPath: 'http://www.example.com/a.png' });
    assert.match(granted.body.refreshTaskId, /^\d+$/);
    assert.equal((await quota(c)).urlRemain, '7');
  });
});
