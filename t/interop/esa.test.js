'use strict';
// The official ESA Node SDK (@alicloud/esa20240910, on openapi-core) against the
// simulator playing ESA 2024-09-10: ListSites (a name to its SiteId),
// DescribePurgeTasks, DescribePreloadTasks and GetPurgeQuota pass its
// signature checks with V3 and V1 and parse; PurgeCaches (Content as JSON)
// creates a task it then lists; a wrong secret gets SignatureDoesNotMatch.
// Run with `node --test` (see ./run).

const test = require('node:test');
const assert = require('node:assert/strict');

const Esa = require('@alicloud/esa20240910');
const { startSimulator, config, assertApiError } = require('./products');

const SITE = 1400000000001;
const SCENARIO = {
  sites: [{ id: SITE, name: 'example.net', quota: { file: { quota: 100, usage: 7 } } },
    { id: 1400000000002, name: 'other.example' }],
  generate: [
    { product: 'esa', count: 12, domains: ['www.example.net'], types: ['file', 'directory', 'cachetag'],
      created_from: -3600, created_to: -60, id_start: 600000 },
    { product: 'esa', count: 3, domains: ['img.example.net'], types: ['preload'],
      created_from: -1200, created_to: -120, id_start: 610000 },
  ],
};

test('the official ESA SDK against the simulator', async (t) => {
  const sim = await startSimulator(t, SCENARIO);

  for (const v1 of [false, true]) {
    const sig = v1 ? 'V1 (HMAC-SHA1)' : 'V3 (ACS3-HMAC-SHA256, the default)';
    const client = new Esa.default(config(sim, { v1 }));

    await t.test(`listSites finds a site by its exact name, signature ${sig}`, async () => {
      const res = await client.listSites(new Esa.ListSitesRequest({ siteName: 'example.net', siteSearchType: 'exact' }));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body.totalCount, 1);
      assert.equal(res.body.sites[0].siteId, SITE);
      assert.equal(res.body.sites[0].siteName, 'example.net');
      const all = await client.listSites(new Esa.ListSitesRequest({ pageSize: 500 }));
      assert.equal(all.body.totalCount, 2);
    });

    await t.test(`describePurgeTasks by type, signature ${sig}`, async () => {
      const res = await client.describePurgeTasks(new Esa.DescribePurgeTasksRequest({
        siteId: SITE, type: 'cachetag', pageSize: 50 }));
      assert.equal(res.body.totalCount, 4);
      const [task] = res.body.tasks;
      assert.equal(task.type, 'cachetag');
      assert.equal(task.status, 'Complete');
      assert.match(task.createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    await t.test(`describePreloadTasks, signature ${sig}`, async () => {
      const res = await client.describePreloadTasks(new Esa.DescribePreloadTasksRequest({ siteId: SITE }));
      assert.equal(res.body.totalCount, 3);
      assert.match(res.body.tasks[0].createTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(res.body.tasks[0].content.startsWith('http://img.example.net/'), true);
    });

    await t.test(`getPurgeQuota, signature ${sig}`, async () => {
      const res = await client.getPurgeQuota(new Esa.GetPurgeQuotaRequest({ siteId: SITE, type: 'file' }));
      assert.equal(res.body.quota, '100');
      assert.match(res.body.usage, /^\d+$/);
    });

    await t.test(`a wrong secret raises SignatureDoesNotMatch, signature ${sig}`, async () => {
      const wrong = new Esa.default(config(sim, { v1, secret: 'not-the-secret' }));
      await assertApiError(wrong.listSites(new Esa.ListSitesRequest({})), 'SignatureDoesNotMatch');
    });
  }

  await t.test('purgeCaches (Content as JSON) creates a task that the list shows', async () => {
    const client = new Esa.default(config(sim));
    const before = await client.getPurgeQuota(new Esa.GetPurgeQuotaRequest({ siteId: SITE, type: 'file' }));
    const res = await client.purgeCaches(new Esa.PurgeCachesRequest({
      siteId: SITE, type: 'file', content: new Esa.PurgeCachesRequestContent({ files: ['http://www.example.net/new.js'] }) }));
    assert.match(res.body.taskId, /^\d+$/);
    const listed = await client.describePurgeTasks(new Esa.DescribePurgeTasksRequest({
      siteId: SITE, content: 'http://www.example.net/new.js' }));
    assert.deepEqual(listed.body.tasks.map((x) => x.taskId), [res.body.taskId]);
    const after = await client.getPurgeQuota(new Esa.GetPurgeQuotaRequest({ siteId: SITE, type: 'file' }));
    assert.equal(Number(after.body.usage), Number(before.body.usage) + 1);
    const pre = await client.preloadCaches(new Esa.PreloadCachesRequest({
      siteId: SITE, content: ['http://img.example.net/big.mp4'] }));
    assert.match(pre.body.taskId, /^\d+$/);
  });

  await t.test('the record file saw both signatures, all on ESA, lists as GET', () => {
    const ok = sim.records().filter((r) => r.status === 200);
    assert.deepEqual([...new Set(ok.map((r) => r.sig))].sort(), ['v1', 'v3']);
    assert.deepEqual([...new Set(ok.map((r) => r.product))], ['esa']);
    assert.ok(ok.filter((r) => r.action === 'ListSites').every((r) => r.method === 'GET'));
  });
});
