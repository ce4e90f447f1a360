'use strict';
// The official CDN Node SDK (@alicloud/cdn20180510, on openapi-core) against the
// simulator playing CDN 2018-05-10: DescribeRefreshTasks (pages of 100, the
// Tasks.CDNTask wrapper), DescribeRefreshTaskById and DescribeRefreshQuota
// (with PreloadEdge*) pass its signature checks with V3 and V1 and parse; a
// wrong secret gets SignatureDoesNotMatch.  Run with `node --test` (see ./run).

const test = require('node:test');
const assert = require('node:assert/strict');

const Cdn = require('@alicloud/cdn20180510');
const { startSimulator, config, assertApiError } = require('./products');

// 120 CDN tasks (ids 400119 .. 400000, newest first) on two domains, file and
// directory in turn; one DCDN task that CDN never shows.
const SCENARIO = {
  generate: [{ product: 'cdn', count: 120, domains: ['a.example.org', 'b.example.org'],
    types: ['file', 'directory'], created_from: -3600, created_to: -60, id_start: 400000 }],
  tasks: [{ id: '9', path: 'http://dcdn.example.com/x.js', created: -60 }],
  cdn_quota: { PreloadEdgeQuota: 300, PreloadEdgeRemain: 299 },
};

test('the official CDN SDK against the simulator', async (t) => {
  const sim = await startSimulator(t, SCENARIO);

  for (const v1 of [false, true]) {
    const sig = v1 ? 'V1 (HMAC-SHA1)' : 'V3 (ACS3-HMAC-SHA256, the default)';
    const client = new Cdn.default(config(sim, { v1 }));

    await t.test(`describeRefreshTasks, pages of 100, signature ${sig}`, async () => {
      const first = await client.describeRefreshTasks(new Cdn.DescribeRefreshTasksRequest({ pageSize: 100 }));
      assert.equal(first.statusCode, 200);
      assert.equal(first.body.totalCount, 120);
      assert.equal(first.body.pageSize, 100);
      const tasks = first.body.tasks.CDNTask;
      assert.equal(tasks.length, 100);
      assert.equal(tasks[0].taskId, '400119');
      assert.match(tasks[0].creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(new Set(tasks.map((x) => x.objectType)), new Set(['file', 'directory']));
      const second = await client.describeRefreshTasks(new Cdn.DescribeRefreshTasksRequest({
        pageSize: 100, pageNumber: 2, objectType: 'directory', domainName: 'a.example.org',
        resourceGroupId: 'rg-acfmyuji4b6r4' }));
      assert.equal(second.body.totalCount, 30);
      assert.equal(second.body.tasks.CDNTask.length, 0);
    });

    await t.test(`describeRefreshTaskById, signature ${sig}`, async () => {
      const res = await client.describeRefreshTaskById(
        new Cdn.DescribeRefreshTaskByIdRequest({ taskId: '400000,400001,9' }));
      assert.equal(res.body.totalCount, 2);
      assert.deepEqual(res.body.tasks.map((x) => x.taskId).sort(), ['400000', '400001']);
      assert.equal(res.body.tasks[0].status, 'Complete');
    });

    await t.test(`describeRefreshQuota, signature ${sig}`, async () => {
      const res = await client.describeRefreshQuota(new Cdn.DescribeRefreshQuotaRequest({}));
      assert.equal(res.body.urlQuota, '10000');
      assert.equal(res.body.preloadEdgeQuota, '300');
      assert.equal(res.body.preloadEdgeRemain, '299');
      assert.equal(res.body.ignoreParamsRemain, '10');
    });

    await t.test(`a wrong secret raises SignatureDoesNotMatch, signature ${sig}`, async () => {
      const wrong = new Cdn.default(config(sim, { v1, secret: 'not-the-secret' }));
      await assertApiError(wrong.describeRefreshTasks(new Cdn.DescribeRefreshTasksRequest({})),
        'SignatureDoesNotMatch');
    });
  }

  await t.test('the record file saw both signatures, all on CDN', () => {
    const ok = sim.records().filter((r) => r.status === 200);
    assert.deepEqual([...new Set(ok.map((r) => r.sig))].sort(), ['v1', 'v3']);
    assert.deepEqual([...new Set(ok.map((r) => r.product))], ['cdn']);
  });
});
