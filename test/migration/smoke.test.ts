import { renderReport } from '../../src/migration/report';
import { legacyDb, run, targetDb } from './support';

test('smoke', async () => {
  const legacy = await legacyDb();
  const target = await targetDb();
  const report = await run(legacy, target);
  console.log(renderReport(report));
  console.log(JSON.stringify(report.notMigrated, null, 1));
  const again = await run(legacy, target);
  console.log(renderReport(again));
}, 120000);
